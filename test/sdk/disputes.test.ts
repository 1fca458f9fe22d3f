/**
 * src/challenges/disputes.ts: which challenge disputes a round or a subject, read from the registry, solvency()
 * and the ChallengeSettled events, as the verify page and the dashboard name it.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { LiabilityChallenges } from "../../typechain-types";
import {
  disputeCauseText,
  lastDisputeOf,
  listSettledChallenges,
  readRoundDispute,
  settlementDisputing,
  type Hex32,
  type SettledChallenge,
} from "../../src";
import {
  CUSTODY,
  UNIT,
  USDX,
  buildTree,
  deployChallengesFixture,
  openChallenge,
  passDeadline,
  postRound,
  type Account,
} from "../helpers/challenges";

const ACCOUNTS: Account[] = [
  { accountId: "acct-1", balance: 1_500n * UNIT },
  { accountId: "acct-2", balance: 250n * UNIT },
];
const subject = CUSTODY.toLowerCase() as Hex32;

/**
 * CUSTODY round 1 challenged twice for balances its tree omits, settled in the reverse order of
 * opening (challenge 2, then 1); round 2 posted after, with a snapshot from before the settlements.
 */
async function disputedFixture() {
  const fx = await deployChallengesFixture();
  const tree = await buildTree(ACCOUNTS);
  const round1 = await postRound(fx, CUSTODY, tree);
  const first = await openChallenge(fx, CUSTODY, round1, "omitted-1", 10n * UNIT);
  const second = await openChallenge(fx, CUSTODY, round1, "omitted-2", 20n * UNIT);
  const beforeSettling = BigInt(await time.latest());
  await passDeadline(fx.challenges, second);
  await (await fx.challenges.settleChallenge(second)).wait();
  await (await fx.challenges.settleChallenge(first)).wait();
  const round2 = await postRound(fx, CUSTODY, tree, { asOf: beforeSettling + 1n });
  return { ...fx, tree, round1, round2, first, second };
}

describe("disputes (SDK)", function () {
  describe("readRoundDispute", function () {
    it("names the round's first settled challenge for a disputed round", async function () {
      const fx = await loadFixture(disputedFixture);
      const dispute = await readRoundDispute(fx.registry, fx.challenges, subject, fx.round1.roundId);
      expect(dispute).to.deep.include({
        roundId: 1n,
        latestRoundId: 2n,
        roundDisputed: true,
        latestDisputed: true,
      });
      expect(dispute?.cause?.challengeId, "settled first, though opened second").to.equal(fx.second);
      expect(dispute?.cause?.roundId).to.equal(1n);
    });

    it("names the subject's last dispute for a latest round whose snapshot is not after it", async function () {
      const fx = await loadFixture(disputedFixture);
      const dispute = await readRoundDispute(fx.registry, fx.challenges, subject, fx.round2.roundId);
      expect(dispute).to.deep.include({ roundId: 2n, roundDisputed: false, latestDisputed: true });
      expect(dispute?.cause?.challengeId).to.equal(fx.second);
      expect(disputeCauseText(dispute!.cause)).to.match(
        new RegExp(`^challenge ${fx.second} of round 1 went unanswered \\(settled in block \\d+\\)$`),
      );
    });

    it("is undefined once a round with a later snapshot is posted, but the disputed round stays disputed", async function () {
      const fx = await loadFixture(disputedFixture);
      const round3 = await postRound(fx, CUSTODY, fx.tree);
      expect(await readRoundDispute(fx.registry, fx.challenges, subject, round3.roundId)).to.equal(undefined);
      expect(await readRoundDispute(fx.registry, fx.challenges, subject, fx.round2.roundId)).to.equal(
        undefined,
      );
      const old = await readRoundDispute(fx.registry, fx.challenges, subject, fx.round1.roundId);
      expect(old).to.deep.include({ roundDisputed: true, latestDisputed: false, latestRoundId: 3n });
    });

    it("is undefined for a subject never disputed", async function () {
      const fx = await loadFixture(disputedFixture);
      const round = await postRound(fx, USDX, fx.tree);
      const usdx = USDX.toLowerCase() as Hex32;
      expect(await readRoundDispute(fx.registry, fx.challenges, usdx, round.roundId)).to.equal(undefined);
    });

    it("keeps the dispute, unnamed, when the RPC refuses the log query", async function () {
      const fx = await loadFixture(disputedFixture);
      const refusing = {
        solvency: fx.challenges.solvency,
        filters: fx.challenges.filters,
        queryFilter: () => Promise.reject(new Error("block range too large")),
      } as unknown as LiabilityChallenges;
      const dispute = await readRoundDispute(fx.registry, refusing, subject, fx.round1.roundId);
      expect(dispute).to.deep.include({ roundDisputed: true, cause: null });
      expect(disputeCauseText(null)).to.equal("a customer's challenge went unanswered");
    });
  });

  describe("listSettledChallenges", function () {
    it("lists settlements in the order they happened, by subject and round", async function () {
      const fx = await loadFixture(disputedFixture);
      const all = await listSettledChallenges(fx.challenges);
      expect(all.map((s) => s.challengeId)).to.deep.equal([fx.second, fx.first]);
      expect(all.every((s) => s.subjectId === subject && s.roundId === 1n)).to.equal(true);
      expect(await listSettledChallenges(fx.challenges, { subjectId: subject, roundId: 2n })).to.deep.equal(
        [],
      );
      const usdx = USDX.toLowerCase() as Hex32;
      expect(await listSettledChallenges(fx.challenges, { subjectId: usdx })).to.deep.equal([]);
    });
  });

  describe("lastDisputeOf", function () {
    const settled = (challengeId: bigint, roundId: bigint, blockNumber: number): SettledChallenge => ({
      challengeId,
      subjectId: subject,
      roundId,
      blockNumber,
      transactionHash: `0x${"0".repeat(64)}`,
    });

    it("is the latest first settlement of a round: a second one of a disputed round changes nothing", function () {
      // Round 1 disputed (block 10), round 2 disputed (block 20), then round 1's second challenge (block 30).
      const list = [settled(1n, 1n, 10), settled(3n, 2n, 20), settled(2n, 1n, 30)];
      expect(lastDisputeOf(list, subject)?.challengeId).to.equal(3n);
      expect(settlementDisputing(list, subject, 1n)?.challengeId).to.equal(1n);
      expect(lastDisputeOf(list, USDX as Hex32)).to.equal(undefined);
    });
  });
});
