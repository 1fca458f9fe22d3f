import { expect } from "chai";
import {
  encodeBytes32String,
  JsonRpcProvider,
  NonceManager,
  TypedDataEncoder,
  Wallet,
  ZeroHash,
} from "ethers";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MockERC20__factory, ReserveRegistry__factory } from "../../typechain-types";
import type { MockERC20, ReserveRegistry } from "../../typechain-types";
import { liveRoundId } from "../../src";
import { runCli } from "../helpers/cli";
import { ATTESTATION_TYPES } from "../helpers/eip712";
import { devWallet, type HardhatNode, startHardhatNode } from "../helpers/hardhat-node";

const SUBJECT = "USDX";
const HEARTBEAT = 3600;

describe("por monitor and por collateral on registry subjects (e2e)", function () {
  this.timeout(180_000);

  let node: HardhatNode | undefined;
  let provider: JsonRpcProvider;
  let dir: string;
  let registry: ReserveRegistry;
  let token: MockERC20;
  let auditor: Wallet;

  const monitor = async (subject: string) => {
    const file = path.join(dir, `${subject}.json`);
    await fs.writeFile(
      file,
      JSON.stringify({
        format: "por-monitor/1",
        retry: { attempts: 2, baseDelayMs: 50, timeoutMs: 5_000 },
        networks: { home: { rpcUrl: node!.url, chainId: 31337 } },
        checks: [
          { type: "subject", name: subject, network: "home", registry: await registry.getAddress(), subject },
        ],
      }),
    );
    return runCli(["--json", "monitor", "--config", file, "--once"]);
  };

  const attest = async (reserves: bigint) => {
    const block = await provider.getBlock("latest");
    const { chainId } = await provider.getNetwork();
    const att = {
      subjectId: encodeBytes32String(SUBJECT),
      asOf: BigInt(block!.timestamp),
      reserves,
      liabilities: 0n,
      liabilitiesRoot: ZeroHash,
      reportHash: ZeroHash,
    };
    const domain = {
      name: "ReserveRegistry",
      version: "1",
      chainId,
      verifyingContract: await registry.getAddress(),
    };
    expect(await registry.attestationDigest(att)).to.equal(
      TypedDataEncoder.hash(domain, ATTESTATION_TYPES, att),
    );
    const signature = await auditor.signTypedData(domain, ATTESTATION_TYPES, att);
    await (await registry.postAttestation(att, [auditor.address], [signature])).wait();
  };

  before(async function () {
    node = await startHardhatNode(31337);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "por-monitor-"));
    provider = new JsonRpcProvider(node.url);
    const admin = new NonceManager(devWallet(0, provider));
    auditor = devWallet(1, provider);
    registry = await new ReserveRegistry__factory(admin).deploy(await admin.getAddress());
    token = await new MockERC20__factory(admin).deploy("USDX", "USDX", 6);
    await (await registry.accreditAuditor(auditor.address, "Auditor One")).wait();
    await (
      await registry.registerSubject(encodeBytes32String(SUBJECT), {
        name: "USDX / USD",
        decimals: 6,
        token: await token.getAddress(),
        reserveAsset: "0x0000000000000000000000000000000000000000",
        heartbeat: HEARTBEAT,
        quorum: 1,
        auditors: [auditor.address],
      })
    ).wait();
  });

  after(async function () {
    await node?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("reports a registered subject with no attestation as missing (exit 2)", async function () {
    const result = await monitor(SUBJECT);
    expect(result.code).to.equal(2);
    expect(JSON.parse(result.stdout)).to.include({
      check: SUBJECT,
      state: "missing",
      detail: "nothing attested yet",
    });
  });

  it("reports an unknown subject as missing (exit 2)", async function () {
    const result = await monitor("NOPE");
    expect(result.code).to.equal(2);
    expect(JSON.parse(result.stdout)).to.include({ check: "NOPE", state: "missing" });
  });

  it("is healthy (exit 0, no output) while fresh reserves cover the supply", async function () {
    await (await token.mint(auditor.address, 1_000_000_000n)).wait(); // 1,000 USDX
    await attest(1_000_000_000n);
    const result = await monitor(SUBJECT);
    expect(result.stdout).to.equal("");
    expect(result.code).to.equal(0);
  });

  it("por collateral prints the subject's figures as JSON", async function () {
    const result = await runCli(
      ["--network", "localhost", "--json", "collateral", SUBJECT, "--registry", await registry.getAddress()],
      { POR_LOCALHOST_RPC: node!.url },
    );
    expect(result.stderr).to.equal("");
    expect(result.code).to.equal(0);
    const out = JSON.parse(result.stdout) as { block: number; subjects: Record<string, unknown>[] };
    const [row] = out.subjects;
    expect(row).to.include({
      name: "USDX / USD",
      reservesWad: (1_000n * 10n ** 18n).toString(),
      supplyWad: (1_000n * 10n ** 18n).toString(),
      ratio: "1.000000",
      fresh: true,
      reserveSource: "attested",
      supplySource: "live",
      reserveAssetApproved: true,
      // The supply is live, so the ratio is a live reading of the block read, not round 1.
      roundId: liveRoundId(out.block).toString(),
      state: "healthy",
    });
  });

  it("alerts under-collateralized (exit 1) when the supply grows past the reserves", async function () {
    await (await token.mint(auditor.address, 1n)).wait();
    const result = await monitor(SUBJECT);
    expect(result.code).to.equal(1);
    expect(JSON.parse(result.stdout)).to.include({
      check: SUBJECT,
      type: "subject",
      state: "undercollateralized",
    });

    const collateral = await runCli(
      ["--network", "localhost", "collateral", SUBJECT, "--registry", await registry.getAddress()],
      {
        POR_LOCALHOST_RPC: node!.url,
      },
    );
    expect(collateral.code).to.equal(1);
    expect(collateral.stdout).to.match(
      /USDX\s+1,000\.00 \(attested\)\s+1,000\.00 \(live\)\s+0\.9999\s+\d+[smhd]( \d+[smhd])?\s+yes\s+undercollateralized/,
    );
  });

  it("alerts stale (exit 2) once the attestation is older than the heartbeat", async function () {
    await attest(2_000_000_000n);
    await provider.send("evm_increaseTime", [HEARTBEAT + 1]);
    await provider.send("evm_mine", []);
    const result = await monitor(SUBJECT);
    expect(result.code).to.equal(2);
    const alert = JSON.parse(result.stdout) as { state: string; detail: string };
    expect(alert.state).to.equal("stale");
    expect(alert.detail).to.match(/, stale: 1h( \d+s)? old$/); // humanised, not "3601s"
  });

  it("por collateral refuses an unknown subject with one error line", async function () {
    const result = await runCli(
      ["--network", "localhost", "collateral", "NOPE", "--registry", await registry.getAddress()],
      {
        POR_LOCALHOST_RPC: node!.url,
      },
    );
    expect(result.stderr.trim().split("\n"), result.stderr).to.have.length(1);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^error: unknown subject NOPE in registry 0x/);
  });
});
