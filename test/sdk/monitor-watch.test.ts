import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { type CheckResult, healthyText, parseMonitorConfig, watch } from "../../src/monitor";
import type { MonitorConfig } from "../../src/monitor";
import { addWallet, approveReserveAssets, namedSigners, subjectConfig } from "./../helpers/backing";

const SUBJECT = "LIVE";

/** A subject whose two sides are live: a 6-decimal token against one reserve wallet. */
async function liveSubjectFixture() {
  const { admin, owner, auditor, wallet } = await namedSigners("admin", "owner", "auditor", "wallet");
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor");
  const token = await ethers.deployContract("MockERC20", ["Token", "TKN", 6]);
  const reserve = await ethers.deployContract("MockERC20", ["Reserve", "RSV", 6]);
  const subjectId = ethers.encodeBytes32String(SUBJECT);
  await approveReserveAssets(registry, admin, reserve);
  await registry.connect(owner).registerSubject(
    subjectId,
    subjectConfig([auditor.address], {
      token: await token.getAddress(),
      reserveAsset: await reserve.getAddress(),
    }),
  );
  await addWallet(registry, owner, subjectId, wallet);
  await reserve.mint(wallet.address, 100n);
  await token.mint(owner.address, 100n);
  const config = parseMonitorConfig(
    {
      format: "por-monitor/1",
      intervalSeconds: 1,
      networks: { local: { rpcUrl: "http://in-process.invalid" } },
      checks: [
        {
          type: "subject",
          name: SUBJECT,
          network: "local",
          registry: await registry.getAddress(),
          subject: SUBJECT,
        },
      ],
    },
    "test config",
  );
  return { config, token, reserve, owner, wallet };
}

describe("watch (por monitor without --once)", function () {
  it("reports a check when its state changes, including back to healthy, until aborted", async function () {
    const { config, token, reserve, owner, wallet } = await loadFixture(liveSubjectFixture);
    const abort = new AbortController();
    const rounds: CheckResult[][] = [];
    let nextRound: () => void = () => undefined;
    const roundDone = () => new Promise<void>((resolve) => (nextRound = resolve));

    let waiting = roundDone();
    const watching = watch(config, {
      once: false,
      signal: abort.signal,
      providers: { local: ethers.provider },
      report: (results) => {
        rounds.push(results);
        nextRound();
      },
    });

    await waiting; // healthy at start: nothing worth reporting
    expect(rounds.at(-1)).to.deep.equal([]);

    waiting = roundDone();
    await token.mint(owner.address, 1n); // supply 101 > reserves 100
    await waiting;
    expect(rounds.at(-1)!.map((r) => r.state)).to.deep.equal(["undercollateralized"]);

    waiting = roundDone();
    await waiting; // unchanged: not reported again
    expect(rounds.at(-1)).to.deep.equal([]);

    waiting = roundDone();
    await reserve.mint(wallet.address, 1n); // reserves 101 cover the supply again
    await waiting;
    expect(rounds.at(-1)!.map((r) => r.state)).to.deep.equal(["healthy"]);

    abort.abort();
    const code = await watching;
    expect(code).to.equal(0); // stopped on request
  });

  it("stops with 0 as soon as it is aborted, even mid-round on a failing endpoint", async function () {
    const { config } = await loadFixture(liveSubjectFixture);
    // A second check on an endpoint that refuses connections, retried for minutes.
    const slow: MonitorConfig = {
      ...config,
      retry: { attempts: 20, baseDelayMs: 60_000, timeoutMs: 1_000 },
      networks: { ...config.networks, down: { rpcUrl: "http://127.0.0.1:9" } },
      checks: [
        ...config.checks,
        { ...config.checks[0]!, name: "down", network: "down" } as MonitorConfig["checks"][number],
      ],
    };
    const abort = new AbortController();
    const reported: CheckResult[][] = [];
    const watching = watch(slow, {
      once: false,
      signal: abort.signal,
      providers: { local: ethers.provider },
      report: (results) => reported.push(results),
    });
    setTimeout(() => abort.abort(), 200);
    const started = Date.now();
    expect(await watching).to.equal(0);
    expect(Date.now() - started).to.be.below(5_000);
    expect(reported).to.deep.equal([]); // the round never finished
  });
});

describe("watch --once", function () {
  it("passes every result to `healthy` when all are healthy, for one OK line", async function () {
    const { config, token, owner } = await loadFixture(liveSubjectFixture);
    const healthy: CheckResult[][] = [];
    const reported: CheckResult[][] = [];
    const run = () =>
      watch(config, {
        once: true,
        providers: { local: ethers.provider },
        report: (results) => reported.push(results),
        healthy: (results) => healthy.push(results),
      });
    expect(await run()).to.equal(0);
    expect(healthy).to.have.lengthOf(1);
    expect(healthyText(healthy[0]!, new Date("2026-11-26T00:00:00Z"))).to.equal(
      `2026-11-26T00:00:00.000Z OK all 1 check healthy, lowest ratio 1.0000 (subject "${SUBJECT}")`,
    );
    expect(reported).to.deep.equal([[]]);

    await token.mint(owner.address, 1n);
    expect(await run()).to.equal(1);
    expect(healthy).to.have.lengthOf(1); // not called again
    expect(reported.at(-1)!.map((r) => r.state)).to.deep.equal(["undercollateralized"]);
  });
});
