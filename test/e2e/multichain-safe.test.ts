/**
 * Issue 10 end to end, through the CLI, on two `hardhat node`s (chains 31337 and 8453): the registry and
 * a subject's feeds deployed on both at the same addresses; on the first chain a Safe auditor (2-of-3,
 * the real Safe 1.4.1 contracts) and an EOA auditor co-sign a round, a Safe reserve wallet backs the
 * subject, and a registry whose admin is a Safe is administered through a Transaction Builder batch.
 */
import * as path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, NonceManager } from "ethers";
import { MockERC20__factory, ReserveRegistry__factory } from "../../typechain-types";
import { parseSubjectId, readSafeBatch, safeTransactionForBatch } from "../../src";
import { expectJson, removeTempDir, runPor, tempDir } from "../helpers/cli";
import type { CliResult } from "../helpers/cli";
import { devWallet, type HardhatNode, startHardhatNode } from "../helpers/hardhat-node";
import { createSafe, deploySafeContracts, execSafeTransaction } from "../helpers/safe";
import type { SafeDeployment } from "../helpers/safe";

const ADMIN = 2;
const ISSUER = 4;
const AUDITOR = 3;
/** Owners of the auditor's Safe (also the reserve wallet) and of the admin Safe: 2 of 3 each. */
const AUDITOR_SAFE_OWNERS = [11, 12, 13];
const ADMIN_SAFE_OWNERS = [14, 15, 16];

interface Chain {
  node: HardhatNode;
  provider: JsonRpcProvider;
  dir: string;
  /** `por --network localhost --json …` with dev account `key`'s private key, or none. */
  por(args: string[], key?: number): Promise<CliResult>;
}

async function startChain(chainId: number): Promise<Chain> {
  const node = await startHardhatNode(chainId);
  const dir = tempDir(`multichain-${chainId}`);
  const base: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("POR_") && name !== "HARDHAT_NETWORK") base[name] = value;
  }
  Object.assign(base, { POR_LOCALHOST_RPC: node.url, POR_IGNITION_DIR: path.join(dir, "deployments") });
  return {
    node,
    provider: new JsonRpcProvider(node.url, chainId, { staticNetwork: true, pollingInterval: 50 }),
    dir,
    por: (args, key) =>
      runPor(
        ["--network", "localhost", "--json", ...args],
        key === undefined ? base : { ...base, POR_PRIVATE_KEY: devWallet(key).privateKey },
      ),
  };
}

describe("issue 10 end to end: two chains, Safe auditor, Safe reserve wallet, Safe admin (e2e)", function () {
  this.timeout(900_000);
  const chains: Chain[] = [];
  let registry = "";
  let safes: SafeDeployment;
  let auditorSafe = "";
  let adminSafe = "";
  let usdc = "";
  const file = (name: string) => path.join(chains[0]!.dir, name);

  before(async function () {
    chains.push(await startChain(31337), await startChain(8453));
    // A history for the admin on the second chain only: CREATE addresses would differ, CREATE2 ones do not.
    const busy = new NonceManager(devWallet(ADMIN, chains[1]!.provider));
    for (let i = 0; i < 2; i++)
      await (await busy.sendTransaction({ to: devWallet(9).address, value: 1n })).wait();
    // On the first chain: the Safe 1.4.1 contracts, two Safes, and a reserve asset.
    const deployer = new NonceManager(devWallet(19, chains[0]!.provider));
    safes = await deploySafeContracts(deployer);
    auditorSafe = await createSafe(
      deployer,
      safes,
      AUDITOR_SAFE_OWNERS.map((i) => devWallet(i).address),
      2,
    );
    adminSafe = await createSafe(
      deployer,
      safes,
      ADMIN_SAFE_OWNERS.map((i) => devWallet(i).address),
      2,
    );
    const token = await new MockERC20__factory(deployer).deploy("USD Coin", "USDC", 6);
    usdc = await token.getAddress();
    await (await token.mint(auditorSafe, 2_000_000_000000n)).wait();
  });

  after(async function () {
    for (const chain of chains) {
      chain.provider.destroy();
      await chain.node.stop();
      removeTempDir(chain.dir);
    }
  });

  const ok = <T>(result: CliResult): T => expectJson<T>(result);

  it("deploys the registry and a subject's feeds at the same addresses on both chains", async function () {
    const deployed = [];
    for (const [i, chain] of chains.entries()) {
      deployed.push(
        ok<{ registry: string }>(
          await chain.por(i === 0 ? ["deploy"] : ["deploy", "--install-createx"], ADMIN),
        ).registry,
      );
    }
    expect(deployed[1]).to.equal(deployed[0]);
    registry = deployed[0]!;
    const feeds: string[][] = [[], []];
    for (const [i, chain] of chains.entries()) {
      const auditors = ok<unknown>(
        await chain.por(
          ["auditor", "accredit", devWallet(AUDITOR).address, "Alpha Audit", "--registry", registry],
          ADMIN,
        ),
      );
      expect(auditors).to.include({ accredited: true });
      if (i === 0) {
        ok(
          await chain.por(
            ["auditor", "accredit", auditorSafe, "Gamma & Co (Safe)", "--registry", registry],
            ADMIN,
          ),
        );
        ok(await chain.por(["asset", "approve", usdc, "--registry", registry], ADMIN));
      }
      const config = [
        "--id",
        "USDX",
        "--name",
        "USDX / USD",
        "--decimals",
        "6",
        "--heartbeat",
        "1d",
        ...(i === 0
          ? [
              "--quorum",
              "2",
              "--auditors",
              `${devWallet(AUDITOR).address},${auditorSafe}`,
              "--reserve-asset",
              usdc,
            ]
          : ["--quorum", "1", "--auditors", devWallet(AUDITOR).address]),
      ];
      ok(await chain.por(["subject", "register", ...config, "--registry", registry], ISSUER));
      for (const kind of ["reserves", "ratio", "address-list"]) {
        feeds[i]!.push(
          ok<{ feed: string }>(
            await chain.por(
              ["feed", "deploy", "--subject", "USDX", "--kind", kind, "--registry", registry],
              ISSUER,
            ),
          ).feed,
        );
      }
    }
    expect(feeds[1]).to.deep.equal(feeds[0]);
  });

  it("backs the subject with a Safe reserve wallet: two owners' consent parts, combined, added by the issuer", async function () {
    const chain = chains[0]!;
    for (const [n, owner] of AUDITOR_SAFE_OWNERS.slice(0, 2).entries()) {
      ok(
        await chain.por(
          [
            "wallet",
            "consent",
            "--subject",
            "USDX",
            "--safe",
            auditorSafe,
            "--out",
            file(`consent${n}.part.json`),
            "--yes",
            "--registry",
            registry,
          ],
          owner,
        ),
      );
    }
    ok(
      await chain.por([
        "wallet",
        "combine",
        file("consent0.part.json"),
        file("consent1.part.json"),
        "--out",
        file("consent.json"),
      ]),
    );
    ok(await chain.por(["wallet", "add", "--subject", "USDX", file("consent.json")], ISSUER));
    const onChain = ReserveRegistry__factory.connect(registry, chain.provider);
    expect([...(await onChain.reserveWallets(parseSubjectId("USDX")))]).to.deep.equal([auditorSafe]);
    expect(await onChain.liveReserves(parseSubjectId("USDX"))).to.equal(2_000_000_000000n);
  });

  it("posts a round co-signed by an EOA auditor and the Safe auditor (ERC-1271), and refuses one owner alone", async function () {
    const chain = chains[0]!;
    const block = await chain.provider.getBlock("latest");
    ok(
      await chain.por([
        "attest",
        "create",
        "--subject",
        "USDX",
        "--as-of",
        String(block!.timestamp),
        "--reserves",
        "2000000",
        "--liabilities",
        "1900000",
        "--out",
        file("att.json"),
        "--registry",
        registry,
      ]),
    );
    ok(
      await chain.por(
        ["attest", "sign", file("att.json"), "--out", file("alpha.sig.json"), "--yes"],
        AUDITOR,
      ),
    );
    for (const [n, owner] of AUDITOR_SAFE_OWNERS.slice(1, 3).entries()) {
      ok(
        await chain.por(
          [
            "attest",
            "sign",
            file("att.json"),
            "--safe",
            auditorSafe,
            "--out",
            file(`gamma${n}.part.json`),
            "--yes",
          ],
          owner,
        ),
      );
    }
    const alone = await chain.por([
      "attest",
      "combine",
      file("att.json"),
      file("gamma0.part.json"),
      "--out",
      file("alone.sig.json"),
    ]);
    expect(alone.code).to.equal(1);
    expect(alone.stderr).to.match(/threshold/);
    ok(
      await chain.por([
        "attest",
        "combine",
        file("att.json"),
        file("gamma0.part.json"),
        file("gamma1.part.json"),
        "--out",
        file("gamma.sig.json"),
      ]),
    );
    const posted = ok<{ roundId: string; transaction: { gasUsed: string } }>(
      await chain.por(
        ["attest", "post", file("att.json"), file("alpha.sig.json"), file("gamma.sig.json")],
        ISSUER,
      ),
    );
    expect(posted.roundId).to.equal("1");
    expect(BigInt(posted.transaction.gasUsed)).to.be.greaterThan(0n);
    const onChain = ReserveRegistry__factory.connect(registry, chain.provider);
    expect(await onChain.latestRoundId(parseSubjectId("USDX"))).to.equal(1n);
  });

  it("administers a registry whose admin is a Safe through a Transaction Builder batch", async function () {
    const chain = chains[0]!;
    const safeAdmin = ok<{ registry: string }>(
      await runPor(
        ["--network", "localhost", "--json", "deploy", "--admin", adminSafe, "--salt", "safe-admin"],
        {
          ...process.env,
          POR_LOCALHOST_RPC: chain.node.url,
          POR_IGNITION_DIR: path.join(chain.dir, "safe-admin"),
          POR_PRIVATE_KEY: devWallet(ADMIN).privateKey,
        },
      ),
    ).registry;
    const batch = file("admin-batch.json");
    ok(
      await chain.por([
        "auditor",
        "accredit",
        devWallet(AUDITOR).address,
        "Alpha Audit",
        "--registry",
        safeAdmin,
        "--safe-tx",
        batch,
      ]),
    );
    ok(await chain.por(["asset", "approve", usdc, "--registry", safeAdmin, "--safe-tx", batch, "--append"]));
    const onChain = ReserveRegistry__factory.connect(safeAdmin, chain.provider);
    expect(await onChain.isAccredited(devWallet(AUDITOR).address)).to.equal(false);
    const executor = new NonceManager(devWallet(18, chain.provider));
    await execSafeTransaction(
      executor,
      adminSafe,
      safeTransactionForBatch(await readSafeBatch(batch), safes.multiSendCallOnly),
      ADMIN_SAFE_OWNERS.slice(0, 2).map((i) => devWallet(i)),
    );
    expect(await onChain.isAccredited(devWallet(AUDITOR).address)).to.equal(true);
    expect(await onChain.isApprovedReserveAsset(usdc)).to.equal(true);
  });
});
