import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { id, Wallet } from "ethers";
import {
  alertText,
  type CheckResult,
  exitCodeFor,
  healthyText,
  parseMonitorConfig,
  warningJson,
  warningText,
  watch,
} from "../../src/monitor";
import type { MonitorConfig } from "../../src/monitor";
import { attestationDomain, signBalanceStatement } from "../../src";
import type { Hex32 } from "../../src";
import {
  addWallet,
  approveReserveAssets,
  namedSigners,
  postAttestation,
  subjectConfig,
} from "./../helpers/backing";
import { createSafe, deploySafeContracts } from "./../helpers/safe";

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

/** An attested subject (both sides) whose owner accepts challenges: a one-hour window, a bond. */
async function challengedSubjectFixture() {
  const { admin, owner, auditor, customer } = await namedSigners("admin", "owner", "auditor", "customer");
  const statementKey = new Wallet(id("monitor statement key"));
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  const challenges = await ethers.getContractAt("LiabilityChallenges", await registry.challenges());
  const subjectId = ethers.encodeBytes32String(SUBJECT);
  await registry.accreditAuditor(auditor.address, "Auditor");
  await registry.connect(owner).registerSubject(subjectId, subjectConfig([auditor.address]));
  await challenges.connect(admin).setChallengeBond(1000n);
  await challenges.connect(owner).setStatementSigner(subjectId, statementKey.address);
  await challenges.connect(owner).setChallengeWindow(subjectId, 86_400);
  const post = async (liabilities: bigint) => {
    await postAttestation(registry, [auditor], {
      subjectId,
      asOf: BigInt(await time.latest()) - 1n,
      reserves: 100n,
      liabilities,
      liabilitiesRoot: id(`root of ${liabilities}`),
    });
    return registry.latestRoundId(subjectId);
  };
  /** Opens a challenge of the latest round with a statement the statement key signs. */
  const challenge = async () => {
    const roundId = await registry.latestRoundId(subjectId);
    const [att] = await registry.getAttestation(subjectId, roundId);
    const statement = {
      subjectId: subjectId as Hex32,
      accountCommitment: id("bob") as Hex32,
      balance: 5n,
      asOf: att.asOf,
    };
    const { chainId } = await ethers.provider.getNetwork();
    const domain = attestationDomain(chainId, await registry.getAddress());
    const { signature } = await signBalanceStatement(statementKey, domain, statement);
    await challenges
      .connect(customer)
      .challenge(subjectId, roundId, statement.accountCommitment, 5n, signature, { value: 1000n });
    const challengeId = await challenges.challengeCount();
    return { challengeId, deadline: (await challenges.getChallenge(challengeId)).deadline };
  };
  await post(90n);
  const config = parseMonitorConfig(
    {
      format: "por-monitor/1",
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
  return { config, challenges, post, challenge };
}

describe("watch --once on a subject with customer challenges", function () {
  /** One --once run: its exit code and the check's result. */
  async function once(config: MonitorConfig): Promise<{ code: number; result: CheckResult }> {
    let result: CheckResult | undefined;
    const record = (results: CheckResult[]) => (result = results[0] ?? result);
    const code = await watch(config, {
      once: true,
      providers: { local: ethers.provider },
      report: record,
      healthy: record,
    });
    return { code, result: result! };
  }

  it("reports open challenges of the latest round as challenged (exit 2), with the first deadline", async function () {
    const { config, challenge } = await loadFixture(challengedSubjectFixture);
    expect((await once(config)).code).to.equal(0);
    const { deadline } = await challenge();
    const { code, result } = await once(config);
    expect(code).to.equal(2);
    expect(result.state).to.equal("challenged");
    expect(result.challenges).to.deep.equal({
      roundId: 1n,
      disputed: false,
      openChallenges: 1,
      nextDeadline: deadline,
    });
    expect(alertText(result, new Date("2026-11-26T00:00:00Z"))).to.match(
      new RegExp(
        `ALERT challenged subject "${SUBJECT}": reserves .* = ratio 1\\.1111 \\(min 1\\.0000\\), fresh; 1 open challenge of round 1, the first answer due by \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`,
      ),
    );
  });

  it("reports a disputed latest round as disputed (exit 1), until a new round clears it", async function () {
    const { config, challenges, challenge, post } = await loadFixture(challengedSubjectFixture);
    const { challengeId, deadline } = await challenge();
    await time.increaseTo(deadline + 1n);
    await challenges.settleChallenge(challengeId);
    const { code, result } = await once(config);
    expect(code).to.equal(1);
    expect(result.state).to.equal("disputed");
    expect(result.detail).to.match(
      /; round 1 is disputed: challenge 1 of round 1 went unanswered \(settled in block \d+\), so its figures do not count until a round with a later snapshot is posted$/,
    );
    // Only a round whose snapshot is after the settlement clears it.
    await time.increase(2);
    await post(90n);
    expect((await once(config)).result.state).to.equal("healthy");
  });

  it("keeps a shortfall ahead of an open challenge", async function () {
    const { config, challenge, post } = await loadFixture(challengedSubjectFixture);
    await post(200n); // liabilities 200 > reserves 100
    await challenge();
    const { code, result } = await once(config);
    expect([code, result.state]).to.deep.equal([1, "undercollateralized"]);
    expect(result.detail).to.match(/; 1 open challenge of round 2/);
  });

  it("ranks disputed with a shortfall (exit 1) and challenged with stale or missing data (exit 2)", function () {
    const as = (state: CheckResult["state"]) => ({ state }) as CheckResult;
    expect(exitCodeFor([as("healthy"), as("disputed")])).to.equal(1);
    expect(exitCodeFor([as("challenged"), as("disputed")])).to.equal(1);
    expect(exitCodeFor([as("healthy"), as("challenged")])).to.equal(2);
    expect(exitCodeFor([as("healthy"), as("stale")])).to.equal(2);
  });
});

/**
 * Two attested subjects on one registry, each listing an EOA auditor beside a Safe auditor (the real
 * Safe 1.4.1 contracts): SHARED's Safe is owned by that same auditor (one key signs for both listed
 * auditors); APART's Safe by two other accounts.
 */
async function sharedKeyFixture() {
  const { admin, owner, auditor, other1, other2 } = await namedSigners(
    "admin",
    "owner",
    "auditor",
    "other1",
    "other2",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  const deployment = await deploySafeContracts(admin);
  const sharedSafe = await createSafe(admin, deployment, [auditor.address, other1.address], 1);
  const apartSafe = await createSafe(admin, deployment, [other1.address, other2.address], 1);
  await registry.accreditAuditor(auditor.address, "Auditor");
  await registry.accreditAuditor(sharedSafe, "Shared Safe");
  await registry.accreditAuditor(apartSafe, "Apart Safe");
  const checks = [];
  for (const [name, safe] of [
    ["SHARED", sharedSafe],
    ["APART", apartSafe],
  ] as const) {
    const subjectId = ethers.encodeBytes32String(name);
    await registry.connect(owner).registerSubject(subjectId, subjectConfig([auditor.address, safe]));
    await postAttestation(registry, [auditor], {
      subjectId,
      asOf: BigInt(await time.latest()) - 1n,
      reserves: 100n,
      liabilities: 90n,
    });
    checks.push({
      type: "subject",
      name,
      network: "local",
      registry: await registry.getAddress(),
      subject: name,
    });
  }
  const config = parseMonitorConfig(
    {
      format: "por-monitor/1",
      intervalSeconds: 1,
      networks: { local: { rpcUrl: "http://in-process.invalid" } },
      checks,
    },
    "test config",
  );
  return { config, auditor: auditor.address, sharedSafe, apartSafe };
}

describe("watch: auditors sharing a key", function () {
  it("--once warns about the subject whose listed Safe shares an owner with its other auditor, exit code unchanged", async function () {
    const { config, auditor, sharedSafe } = await loadFixture(sharedKeyFixture);
    const warned: CheckResult[][] = [];
    const healthy: CheckResult[][] = [];
    const code = await watch(config, {
      once: true,
      providers: { local: ethers.provider },
      report: () => undefined,
      warn: (results) => warned.push(results),
      healthy: (results) => healthy.push(results),
    });
    expect(code).to.equal(0); // a warning is not a failure
    expect(healthy).to.have.lengthOf(1);
    expect(warned).to.have.lengthOf(1);
    const [result] = warned[0]!;
    expect(warned[0]!.map((r) => r.check.name)).to.deep.equal(["SHARED"]); // APART: disjoint owners
    expect(result!.sharedAuditorOwners).to.deep.equal([
      { auditors: [auditor, sharedSafe], sharedOwners: [auditor] },
    ]);
    const at = new Date("2026-11-26T00:00:00Z");
    expect(warningText(result!, at)).to.deep.equal([
      `2026-11-26T00:00:00.000Z WARNING subject "SHARED": auditors ${auditor} and ${sharedSafe} share owner ${auditor}: one key counts toward both auditors' signatures, so fewer people than the quorum can meet it`,
    ]);
    expect(warningJson(result!, at).map((line) => JSON.parse(line) as unknown)).to.deep.equal([
      {
        time: "2026-11-26T00:00:00.000Z",
        check: "SHARED",
        type: "subject",
        warning: "auditors-share-owners",
        auditors: [auditor, sharedSafe],
        sharedOwners: [auditor],
        detail: `auditors ${auditor} and ${sharedSafe} share owner ${auditor}: one key counts toward both auditors' signatures, so fewer people than the quorum can meet it`,
      },
    ]);
  });

  it("when watching, warns once, not every round", async function () {
    const { config } = await loadFixture(sharedKeyFixture);
    const abort = new AbortController();
    const warned: string[][] = [];
    let rounds = 0;
    let nextRound: () => void = () => undefined;
    const roundDone = () => new Promise<void>((resolve) => (nextRound = resolve));
    let waiting = roundDone();
    const watching = watch(config, {
      once: false,
      signal: abort.signal,
      providers: { local: ethers.provider },
      report: () => {
        rounds++;
        nextRound();
      },
      warn: (results) => warned.push(results.map((r) => r.check.name)),
    });
    await waiting;
    waiting = roundDone();
    await waiting;
    abort.abort();
    expect(await watching).to.equal(0);
    expect(rounds).to.be.at.least(2);
    expect(warned).to.deep.equal([["SHARED"]]);
  });
});
