/**
 * What answers a challenge, for all trees: the customer's inclusion proof with exactly the signed
 * balance, and nothing else. Then the gas of each step with a proof as deep as a 10M-account tree's.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import {
  CUSTODY,
  UNIT,
  buildTree,
  commitmentOf,
  deepProof,
  deployChallengesFixture,
  openChallenge,
  passDeadline,
  postRound,
} from "./helpers/challenges";

const RUNS = { numRuns: process.env.CI ? 40 : 10 };
const MAX_BALANCE = 10n ** 24n;

/** 1-9 accounts with random non-zero balances (a zero statement is refused: ZeroBalanceStatement), a customer among them and a wrong balance. */
const scenario = fc.record({
  balances: fc.array(fc.bigInt({ min: 1n, max: MAX_BALANCE }), { minLength: 1, maxLength: 9 }),
  pick: fc.nat(),
  delta: fc.bigInt({ min: 1n, max: MAX_BALANCE }),
  up: fc.boolean(),
});

describe("LiabilityChallenges: answers", function () {
  it("for random trees, the true balance is always answerable and no other balance ever is", async function () {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ balances, pick, delta, up }) => {
        const fx = await loadFixture(deployChallengesFixture);
        const { registry, challenges, owner } = fx;
        const accounts = balances.map((balance, i) => ({ accountId: `acct-${i}`, balance }));
        const tree = await buildTree(accounts);
        const round = await postRound(fx, CUSTODY, tree);
        const customer = accounts[pick % accounts.length]!;
        const wrong = up || customer.balance <= delta ? customer.balance + delta : customer.balance - delta;

        const exact = await openChallenge(fx, CUSTODY, round, customer.accountId, customer.balance);
        const lie = await openChallenge(fx, CUSTODY, round, customer.accountId, wrong);
        const absent = await openChallenge(fx, CUSTODY, round, "not-in-tree", customer.balance);
        // No proof the tree holds shows the wrong balance or the absent account (answerChallenge
        // accepts exactly what verifyLiability does).
        for (const account of accounts) {
          const proof = tree.proof(account.accountId);
          for (const [accountId, balance] of [
            [customer.accountId, wrong],
            ["not-in-tree", customer.balance],
          ] as const) {
            const commitment = commitmentOf(accountId);
            expect(
              await registry.verifyLiability(CUSTODY, round.roundId, commitment, balance, proof),
            ).to.equal(false);
          }
        }
        for (const id of [lie, absent]) {
          await expect(challenges.connect(owner).answerChallenge(id, tree.proof(customer.accountId)))
            .to.be.revertedWithCustomError(challenges, "ProofDoesNotVerify")
            .withArgs(id);
        }
        await expect(challenges.connect(owner).answerChallenge(exact, tree.proof(customer.accountId)))
          .to.emit(challenges, "ChallengeAnswered")
          .withArgs(exact, owner.address, owner.address);
        expect(await challenges.openChallenges(CUSTODY, round.roundId)).to.equal(2);
      }),
      RUNS,
    );
  });

  it("costs bounded gas with a 24-step proof (a tree of 16M accounts)", async function () {
    const fx = await loadFixture(deployChallengesFixture);
    const { challenges, owner, relayer } = fx;
    const balance = 1_234n * UNIT;
    const deep = deepProof(commitmentOf("deep customer"), balance, 24);
    expect(deep.steps).to.have.length(24);
    const round = await postRound(fx, CUSTODY, deep, { reserves: deep.total });
    const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
      (await (await tx).wait())!.gasUsed;

    const publish = await gasOf(
      challenges
        .connect(owner)
        .publishProofs(
          CUSTODY,
          round.roundId,
          ethers.id("manifest"),
          "https://proofs.example.com/custody/r1/",
        ),
    );
    const before = await challenges.challengeCount();
    const id = await openChallenge(fx, CUSTODY, round, "deep customer", balance);
    const open = (await ethers.provider.getTransactionReceipt(
      (await challenges.queryFilter(challenges.filters.ChallengeOpened(id)))[0]!.transactionHash,
    ))!.gasUsed;
    expect(id).to.equal(before + 1n);
    const answer = await gasOf(challenges.connect(owner).answerChallenge(id, deep.steps));
    const unanswered = await openChallenge(fx, CUSTODY, round, "deep customer", balance + 1n);
    await passDeadline(challenges, unanswered);
    const settle = await gasOf(challenges.connect(relayer).settleChallenge(unanswered));
    const solvency = await challenges.solvency.estimateGas(CUSTODY);

    // Measured (first of each, cold storage): ~145k, ~246k, ~135k, ~77k, ~57k; bounds leave headroom.
    expect(publish).to.be.lessThan(160_000n);
    expect(open).to.be.lessThan(270_000n);
    expect(answer).to.be.lessThan(150_000n);
    expect(settle).to.be.lessThan(90_000n);
    expect(solvency).to.be.lessThan(70_000n);
  });
});
