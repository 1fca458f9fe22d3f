import { expect } from "chai";
import { encodeBytes32String, JsonRpcProvider, keccak256, NonceManager, Wallet } from "ethers";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MockERC20__factory, ReserveRegistry__factory } from "../../typechain-types";
import type { MockERC20, ReserveRegistry } from "../../typechain-types";
import { runCli } from "../helpers/cli";
import { RESERVE_ADDRESS_TYPES } from "../helpers/eip712";
import { devWallet, type HardhatNode, startHardhatNode } from "../helpers/hardhat-node";

describe("por reporter snapshot (e2e)", function () {
  this.timeout(240_000);

  let node: HardhatNode | undefined;
  let dir: string;
  let registry: ReserveRegistry;
  let reserveAsset: MockERC20;
  let auditor: Wallet;
  let coAuditor: Wallet;
  let wallets: Array<{ address: string; signTypedData: Wallet["signTypedData"] }>;

  const snapshot = (args: string[], key = auditor.privateKey) =>
    runCli(["--network", "localhost", "reporter", "snapshot", "--registry", registryAddress, ...args], {
      POR_LOCALHOST_RPC: node!.url,
      POR_PRIVATE_KEY: key,
    });
  let registryAddress: string;

  const register = async (id: string, quorum: number, auditors: string[]) => {
    const token = await new MockERC20__factory(admin).deploy(id, id, 6);
    await (await token.mint(auditor.address, 1_500_000n)).wait(); // 1.5 tokens of supply
    await (
      await registry.registerSubject(encodeBytes32String(id), {
        name: `${id} reserves`,
        decimals: 6,
        token: await token.getAddress(),
        reserveAsset: await reserveAsset.getAddress(),
        heartbeat: 86_400,
        quorum,
        auditors,
      })
    ).wait();
    return encodeBytes32String(id);
  };
  let admin: NonceManager;

  before(async function () {
    node = await startHardhatNode(31337);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "por-reporter-"));
    const provider = new JsonRpcProvider(node.url);
    admin = new NonceManager(devWallet(0, provider));
    auditor = devWallet(1, provider);
    coAuditor = devWallet(2, provider);
    registry = await new ReserveRegistry__factory(admin).deploy(await admin.getAddress());
    registryAddress = await registry.getAddress();
    reserveAsset = await new MockERC20__factory(admin).deploy("Reserve", "RSV", 8);
    // Subjects may only name a reserve asset the registry admin approved.
    await (await registry.approveReserveAsset(await reserveAsset.getAddress())).wait();
    await (await registry.accreditAuditor(auditor.address, "Auditor One")).wait();
    await (await registry.accreditAuditor(coAuditor.address, "Auditor Two")).wait();
  });

  after(async function () {
    await node?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  // One wallet can back only one subject per reserve asset, so each subject gets fresh ones.
  const addWallets = async (subjectId: string) => {
    wallets = [Wallet.createRandom(), Wallet.createRandom()];
    const { chainId } = await admin.provider!.getNetwork();
    const domain = { name: "ReserveRegistry", version: "1", chainId, verifyingContract: registryAddress };
    for (const wallet of wallets) {
      const signature = await wallet.signTypedData(domain, RESERVE_ADDRESS_TYPES, {
        subjectId,
        wallet: wallet.address,
        reserveAsset: await reserveAsset.getAddress(),
      });
      await (await registry.addReserveWallet(subjectId, wallet.address, signature)).wait();
    }
  };

  it("reads every wallet at one block, signs, posts round 1 and writes a report whose hash is attested", async function () {
    const subjectId = await register("SNAP1", 1, [auditor.address]);
    await addWallets(subjectId);
    await (await reserveAsset.mint(wallets[0]!.address, 100_000_000n)).wait(); // 1.00000000
    await (await reserveAsset.mint(wallets[1]!.address, 50_000_001n)).wait(); // 0.50000001
    const outDir = path.join(dir, "snap1");

    const result = await snapshot(["--subject", "SNAP1", "--out-dir", outDir]);
    expect(result.stderr, result.stderr).to.equal("");
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(/posted\s+round #1/);
    expect(result.stdout).to.match(
      /\ntx         0x[0-9a-f]{64}\nblock      \d+, gas used \d+ at [\d.]+ gwei\n$/,
    );

    const reportBytes = await fs.readFile(path.join(outDir, "report.json"));
    const report = JSON.parse(reportBytes.toString()) as { block: { number: number }; wallets: unknown[] };
    expect(report.wallets).to.have.length(2);
    const [, att] = await registry.latestAttestation(subjectId);
    expect(att.reserves).to.equal(1_500_000n); // 1.50000001 in 6 decimals, rounded down
    expect(att.liabilities).to.equal(1_500_000n); // the token supply at that block
    expect(att.reportHash).to.equal(keccak256(reportBytes));
    const block = await admin.provider!.getBlock(report.block.number);
    expect(att.asOf).to.equal(BigInt(block!.timestamp));
  });

  it("reads an earlier block with --block, so a later balance change is not counted", async function () {
    const subjectId = await register("SNAP2", 1, [auditor.address]);
    await addWallets(subjectId);
    // The block of the last write before the change (a receipt, not a possibly cached "latest").
    const before = (await (await reserveAsset.mint(wallets[1]!.address, 150_000_001n)).wait())!.blockNumber;
    await (await reserveAsset.mint(wallets[0]!.address, 7n * 10n ** 8n)).wait();
    const result = await runCli(
      [
        "--network",
        "localhost",
        "--json",
        "reporter",
        "snapshot",
        "--registry",
        registryAddress,
        "--subject",
        "SNAP2",
        "--block",
        String(before),
        "--no-post",
        "--out-dir",
        path.join(dir, "snap2"),
      ],
      { POR_LOCALHOST_RPC: node!.url, POR_PRIVATE_KEY: auditor.privateKey },
    );
    expect(result.code, result.stderr).to.equal(0);
    const out = JSON.parse(result.stdout) as {
      report: { block: { number: number }; totalBalance: string };
      posted?: unknown;
    };
    expect(out.report.block.number).to.equal(before);
    expect(out.report.totalBalance).to.equal("150000001");
    expect(out.posted).to.equal(undefined);
    expect(await registry.latestRoundId(subjectId)).to.equal(0n);
  });

  it("writes the files for co-signers instead of posting when the quorum is above 1", async function () {
    await register("SNAP3", 2, [auditor.address, coAuditor.address]).then(addWallets);
    const outDir = path.join(dir, "snap3");
    const result = await snapshot(["--subject", "SNAP3", "--out-dir", outDir]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/not posted\s+quorum is 2/);
    expect((await fs.readdir(outDir)).sort()).to.deep.equal([
      "attestation.json",
      "report.json",
      `signature-${auditor.address}.json`,
    ]);
  });

  it("refuses a reporter that is not an auditor of the subject, writing nothing", async function () {
    await register("SNAP4", 1, [auditor.address]).then(addWallets);
    const outDir = path.join(dir, "snap4");
    const result = await snapshot(["--subject", "SNAP4", "--out-dir", outDir], coAuditor.privateKey);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal(
      `error: ${coAuditor.address} is not an accredited auditor of subject SNAP4\n`,
    );
    expect(
      await fs.access(outDir).then(
        () => "exists",
        () => "absent",
      ),
    ).to.equal("absent");
  });

  it("refuses a subject without reserve wallets and an existing output directory", async function () {
    await register("SNAP5", 1, [auditor.address]);
    const noWallets = await snapshot(["--subject", "SNAP5", "--out-dir", path.join(dir, "snap5")]);
    expect(noWallets.code).to.equal(1);
    expect(noWallets.stderr).to.match(/^error: snapshot failed: the subject has no reserve wallets/);

    const exists = await snapshot(["--subject", "SNAP1", "--out-dir", path.join(dir, "snap1")]);
    expect(exists.code).to.equal(1);
    expect(exists.stderr).to.match(/already exists/);
  });

  it("refuses a subject whose reserve asset was revoked, writing nothing", async function () {
    await register("SNAP6", 1, [auditor.address]).then(addWallets);
    const asset = await reserveAsset.getAddress();
    await (await registry.revokeReserveAsset(asset)).wait();
    const outDir = path.join(dir, "snap6");
    try {
      const result = await snapshot(["--subject", "SNAP6", "--out-dir", outDir]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal(
        `error: snapshot failed: the subject's reserve asset ${asset} is revoked: its balances do not count as reserves\n`,
      );
      expect(
        await fs.access(outDir).then(
          () => "exists",
          () => "absent",
        ),
      ).to.equal("absent");
    } finally {
      await (await registry.approveReserveAsset(asset)).wait();
    }
  });
});
