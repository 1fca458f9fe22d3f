import * as path from "node:path";
import { promises as fs } from "node:fs";
import { expect } from "chai";
import { getBytes, NonceManager, parseEther } from "ethers";
import { LiabilityChallenges__factory } from "../../typechain-types/factories/contracts/LiabilityChallenges__factory";
import { attestationDomain, signBalanceStatement } from "../../src";
import type { Hex32 } from "../../src";
import { accountCommitment, toHex } from "../../src/liabilities";
import {
  BALANCES,
  buildTree,
  CUSTOMER,
  postTreeRound,
  saltOf,
  STATEMENT_KEY,
} from "../helpers/challenge-cli";
import { expectJson, expectSuccess, por, removeTempDir, tempDir } from "../helpers/cli";
import type { CliResult } from "../helpers/cli";
import { deployRegistry, postRound, registerSubject } from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet, freshProvider, hardhatNode } from "../helpers/node";

/** Shorter than the subject's one-day heartbeat: only the dispute can make its rounds not fresh. */
const WINDOW_SECONDS = 3_600;
const BOND = parseEther("0.01");

interface Settled {
  challengeId: string;
  subjectId: string;
  roundId: string;
  blockNumber: number;
  transactionHash: string;
}

interface Disputed {
  roundId: string;
  latestRoundId: string;
  roundDisputed: boolean;
  latestDisputed: boolean;
  challenge: Settled | null;
  reason: string;
}

/** A verdict printed on stdout with exit code 2: nothing on stderr. */
function expectDisputedExit(result: CliResult): string {
  expect(result.stderr, "stderr").to.equal("");
  expect(result.code, result.stdout).to.equal(2);
  return result.stdout;
}

/**
 * Round 1 counts every customer; round 2 leaves Bob out and Bob challenges it; round 3 is posted
 * before the challenge is settled unanswered. Round 2 is then disputed, and round 3, whose snapshot
 * is before the settlement, counts as disputed: every read command must say so, naming challenge 1.
 */
describe("what customers and integrators see of a dispute (CLI)", function () {
  this.timeout(300_000);
  let fixture: Fixture;
  let subjectId: Hex32;
  let dir: string;
  let settledBlock: number;
  let settledTx: string;
  // The clock moves past the challenge deadline: reverted at the end, as in challenge.test.ts.
  let snapshot: string;
  const issuer = devWallet(4);
  const file = (name: string) => path.join(dir, name);
  const run = (args: string[]) =>
    por(["--network", "localhost", ...args, "--registry", fixture.address], {
      env: { POR_PRIVATE_KEY: issuer.privateKey },
      ignitionDir: path.join(dir, "ignition"),
    });
  const verify = (round: number, json = false) =>
    run([
      ...(json ? ["--json"] : []),
      "liabilities",
      "verify",
      file(`alice-${round}.json`),
      "--subject",
      "USDX",
      "--round",
      String(round),
    ]);
  /** challenge 1 of round 2, as every command names it. */
  const cause = () => `challenge 1 of round 2 went unanswered (settled in block ${settledBlock})`;
  const expectedDispute = (roundId: number, latestRoundId: number, roundDisputed: boolean): Disputed => ({
    roundId: String(roundId),
    latestRoundId: String(latestRoundId),
    roundDisputed,
    latestDisputed: true,
    challenge: {
      challengeId: "1",
      subjectId: subjectId.toLowerCase(),
      roundId: "2",
      blockNumber: settledBlock,
      transactionHash: settledTx,
    },
    reason: roundDisputed
      ? `round ${roundId} is disputed: ${cause()}`
      : roundId === latestRoundId
        ? `round ${roundId} counts as disputed: ${cause()}, and no round with a later snapshot was posted since`
        : `round ${roundId} is superseded by round ${latestRoundId}, which counts as disputed: ${cause()}`,
  });

  before(async function () {
    snapshot = (await (await hardhatNode()).provider.send("evm_snapshot", [])) as string;
    dir = tempDir("disputed");
    fixture = await deployRegistry();
    subjectId = await registerSubject(fixture, "USDX");
    // EURX: a fresh subject beside it, for contrast in the lists.
    await postRound(fixture, await registerSubject(fixture, "EURX"), { reserves: 10n, liabilities: 10n });
    const provider = await freshProvider();
    const address = await fixture.registry.challenges();
    const asAdmin = LiabilityChallenges__factory.connect(
      address,
      new NonceManager(fixture.admin.connect(provider)),
    );
    const asIssuer = LiabilityChallenges__factory.connect(
      address,
      new NonceManager(issuer.connect(provider)),
    );
    await (await asAdmin.setChallengeBond(BOND)).wait();
    await (await asIssuer.setStatementSigner(subjectId, STATEMENT_KEY.address)).wait();
    await (await asIssuer.setChallengeWindow(subjectId, WINDOW_SECONDS)).wait();

    const withoutBob = BALANCES.filter(([account]) => account !== "bob@example.com");
    const carolMore = BALANCES.map(([a, b]) => [a, a === "carol@example.com" ? "20000" : b] as const);
    await postTreeRound(fixture, subjectId, await buildTree(file("tree-1"), BALANCES));
    await postTreeRound(fixture, subjectId, await buildTree(file("tree-2"), withoutBob));

    // Bob's statement for round 2, from the custodian's statement key: round 2 cannot prove it.
    const [att] = await fixture.registry.getAttestation(subjectId, 2n);
    const commitment = toHex(
      accountCommitment(getBytes(saltOf("bob@example.com")), "bob@example.com"),
    ) as Hex32;
    const balance = 980_000_000_000n;
    const { chainId } = await provider.getNetwork();
    const { signature } = await signBalanceStatement(
      STATEMENT_KEY,
      attestationDomain(chainId, fixture.address),
      {
        subjectId,
        accountCommitment: commitment,
        balance,
        asOf: att.asOf,
      },
    );
    const asCustomer = LiabilityChallenges__factory.connect(
      address,
      new NonceManager(CUSTOMER.connect(provider)),
    );
    await (await asCustomer.challenge(subjectId, 2n, commitment, balance, signature, { value: BOND })).wait();

    // Round 3 reaches the chain before the settlement: it does not wash the dispute away.
    await postTreeRound(fixture, subjectId, await buildTree(file("tree-3"), carolMore));
    await provider.send("evm_increaseTime", [WINDOW_SECONDS + 1]);
    await provider.send("evm_mine", []);
    const settler = LiabilityChallenges__factory.connect(
      address,
      new NonceManager(devWallet(6).connect(provider)),
    );
    const receipt = (await (await settler.settleChallenge(1n)).wait())!;
    settledBlock = receipt.blockNumber;
    settledTx = receipt.hash;
    expect(await fixture.registry.isDisputed(subjectId, 2n)).to.equal(true);

    for (const round of [1, 2, 3]) {
      expectSuccess(
        await por([
          "liabilities",
          "prove",
          file(`tree-${round}`),
          "alice@example.com",
          "--out",
          file(`alice-${round}.json`),
        ]),
      );
    }
  });

  after(async function () {
    removeTempDir(dir);
    await (await hardhatNode()).provider.send("evm_revert", [snapshot]);
  });

  it("por status says DISPUTED where it said FRESH, naming the challenge; --json has disputed and fresh false", async function () {
    const out = expectSuccess(await run(["status", "USDX"]));
    expect(out).to.include(
      `  freshness     DISPUTED: ${expectedDispute(3, 3, false).reason}; no consumer counts the subject as fresh until a round with a later snapshot is posted\n`,
    );
    expect(out).to.not.match(/FRESH|STALE/);
    const json = expectJson<{ disputed: Disputed; latestRound: { roundId: string; fresh: boolean } }>(
      await run(["--json", "status", "USDX"]),
    );
    expect(json.disputed).to.deep.equal(expectedDispute(3, 3, false));
    expect(json.latestRound).to.include({ roundId: "3", fresh: false });
    const fresh = expectJson<{ disputed: unknown }>(await run(["--json", "status", "EURX"]));
    expect(fresh.disputed).to.equal(null);
  });

  it("por subject show says DISPUTED too, with the same --json field", async function () {
    const out = expectSuccess(await run(["subject", "show", "USDX"]));
    expect(out).to.include(`  freshness     DISPUTED: ${expectedDispute(3, 3, false).reason}; `);
    const json = expectJson<{ disputed: Disputed }>(await run(["--json", "subject", "show", "USDX"]));
    expect(json.disputed).to.deep.equal(expectedDispute(3, 3, false));
  });

  it("por subjects lists it as disputed with the challenge, not stale with an age inside the heartbeat", async function () {
    const out = expectSuccess(await run(["subjects"]));
    const line = out.split("\n").find((l) => l.trimStart().startsWith("USDX"));
    expect(line).to.match(
      new RegExp(`round #3\\s+disputed: ${escape(expectedDispute(3, 3, false).reason)}$`),
    );
    expect(out.split("\n").find((l) => l.trimStart().startsWith("EURX"))).to.match(/ fresh, age /);
    const json = expectJson<{
      subjects: Array<{ label: string; freshness: string; disputed: Disputed | null }>;
    }>(await run(["--json", "subjects"]));
    const [usdx, eurx] = json.subjects;
    expect(usdx).to.deep.include({
      label: "USDX",
      freshness: "disputed",
      disputed: expectedDispute(3, 3, false),
    });
    expect(eurx).to.deep.include({ label: "EURX", freshness: "fresh", disputed: null });
  });

  it("por collateral reports status disputed, no age (the registry dates it 0), and names the challenge", async function () {
    const result = await run(["collateral", "USDX", "EURX"]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal("");
    const [header, usdx, eurx, why] = result.stdout.trimEnd().split("\n");
    expect(header).to.match(/^subject +reserves +supply +ratio +age +fresh +status$/);
    expect(usdx).to.match(/^USDX .* - +no +disputed$/);
    expect(eurx).to.match(/ yes +healthy$/);
    expect(why).to.equal(`USDX disputed: ${expectedDispute(3, 3, false).reason}`);
    const json = JSON.parse((await run(["--json", "collateral", "USDX"])).stdout) as {
      subjects: Array<{ state: string; ageSeconds: unknown; fresh: boolean; disputed: Disputed }>;
    };
    expect(json.subjects[0]).to.deep.include({ state: "disputed", ageSeconds: null, fresh: false });
    expect(json.subjects[0]!.disputed).to.deep.equal(expectedDispute(3, 3, false));
  });

  it("por liabilities verify: the proof verifies, but a disputed round (or one superseded by it) is not VALID: exit 2", async function () {
    const cases = [
      [2, expectedDispute(2, 3, true)], // the challenged round itself
      [3, expectedDispute(3, 3, false)], // the latest, posted before the settlement
      [1, expectedDispute(1, 3, false)], // an honest round superseded by the disputed latest
    ] as const;
    for (const [round, dispute] of cases) {
      const out = expectDisputedExit(await verify(round))
        .trimEnd()
        .split("\n");
      expect(out[0]).to.match(
        /^VALID: account "alice@example\.com" with balance 1250\.5 \(1250500000 base units\) is included in liabilities root /,
      );
      expect(out[1]).to.equal(
        `DISPUTED: on-chain verifyLiability is true for subject USDX round ${round} on chain 31337 (registry ${fixture.address}), ` +
          `but ${dispute.reason}; the inclusion holds, the round's figures are not trustworthy`,
      );
      expect(out).to.have.lengthOf(2);
      const json = JSON.parse(expectDisputedExit(await verify(round, true))) as {
        valid: boolean;
        disputed: Disputed;
      };
      expect(json.valid).to.equal(true);
      expect(json.disputed).to.deep.equal(dispute);
    }
  });

  it("por liabilities check of the disputed round's published proofs: DISPUTED, exit 2", async function () {
    expectSuccess(await por(["liabilities", "publish", file("tree-2"), "--out", file("pub-2")]));
    const uri = `file://${file("pub-2")}`;
    expectSuccess(await run(["liabilities", "commit", "--uri", uri, "--subject", "USDX", "--round", "2"]));
    const args = [
      "liabilities",
      "check",
      "--subject",
      "USDX",
      "--round",
      "2",
      "--account",
      "alice@example.com",
      "--salt",
      saltOf("alice@example.com"),
      "--balance",
      "1250.5",
    ];
    const lines = expectDisputedExit(await run(args))
      .trimEnd()
      .split("\n");
    expect(lines[0]).to.match(
      /^VALID: account "alice@example\.com" with balance 1250\.5 is in the published proofs of subject USDX round 2 /,
    );
    expect(lines.at(-1)).to.equal(
      `DISPUTED: the checks above hold for subject USDX round 2 on chain 31337, but ${expectedDispute(2, 3, true).reason}; ` +
        "the inclusion holds, the round's figures are not trustworthy",
    );
    const json = JSON.parse(expectDisputedExit(await run(["--json", ...args]))) as {
      valid: boolean;
      disputed: Disputed;
    };
    expect(json.disputed).to.deep.equal(expectedDispute(2, 3, true));
  });

  it("por monitor names the challenge in its alert and its JSON", async function () {
    const config = file("monitor.json");
    await fs.writeFile(
      config,
      JSON.stringify({
        format: "por-monitor/1",
        retry: { attempts: 1, baseDelayMs: 10, timeoutMs: 5_000 },
        networks: { local: { rpcUrl: (await hardhatNode()).url, chainId: 31337 } },
        checks: [
          { type: "subject", name: "USDX", network: "local", registry: fixture.address, subject: "USDX" },
        ],
      }),
    );
    const text = await por(["monitor", "--config", config, "--once"]);
    expect(text.code).to.equal(1);
    expect(text.stdout).to.match(
      new RegExp(
        `ALERT disputed subject "USDX": .*; round 3 is disputed: ${escape(cause())}, so its figures`,
      ),
    );
    const alert = JSON.parse((await por(["--json", "monitor", "--config", config, "--once"])).stdout) as {
      state: string;
      disputed: Disputed;
    };
    expect(alert.state).to.equal("disputed");
    expect(alert.disputed).to.deep.equal(expectedDispute(3, 3, false));
  });

  describe("once a round with a later snapshot is posted", function () {
    before(async function () {
      await postTreeRound(fixture, subjectId, await buildTree(file("tree-4"), BALANCES));
    });

    it("status is FRESH again and a proof of round 3 VALID; round 2's proofs stay DISPUTED", async function () {
      const status = expectSuccess(await run(["status", "USDX"]));
      expect(status).to.include("  freshness     FRESH (heartbeat 1d)\n");
      expect(expectJson<{ disputed: unknown }>(await run(["--json", "status", "USDX"])).disputed).to.equal(
        null,
      );
      const valid = expectSuccess(await verify(3));
      expect(valid).to.match(/^VALID on-chain: verifyLiability is true for subject USDX round 3 /m);
      expect(valid).to.not.include("DISPUTED");
      const still = expectDisputedExit(await verify(2));
      expect(still).to.include(`but round 2 is disputed: ${cause()}; the inclusion holds`);
      const listed = expectJson<{ subjects: Array<{ freshness: string }> }>(
        await run(["--json", "subjects"]),
      );
      expect(listed.subjects[0]!.freshness).to.equal("fresh");
      expectSuccess(await run(["collateral", "USDX"]));
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
