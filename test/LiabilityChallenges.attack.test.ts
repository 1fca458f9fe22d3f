/**
 * Issue 12's attack end to end: a custodian signs a customer's balance statement, then has a round
 * posted whose liabilities tree omits that customer (or shrinks the balance), betting nobody checks.
 * The customer challenges, nobody can answer, anyone settles: the round is disputed, and every
 * consumer (registry views, both feeds, a ReserveGuard-protected pool, a secure mint) refuses it
 * until an honest round is posted. An honest subject answers, keeps the bond and stays fresh.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD, addWallet, approveReserveAssets, registryDomain, subjectConfig } from "./helpers/backing";
import {
  BALANCE_STATEMENT_TYPES,
  BOND,
  CUSTODY,
  HEARTBEAT,
  RESERVES,
  Status,
  UNIT,
  USDX,
  WINDOW,
  buildTree,
  challengeArgs,
  commitmentOf,
  deployChallengesFixture,
  openChallenge,
  passDeadline,
  postRound,
  protocolView,
  signStatement,
  type Account,
  type ChallengesFixture,
} from "./helpers/challenges";
import { roundOf } from "./helpers/consumers";

const VICTIM = "carol@example.com";
const VICTIM_BALANCE = 1_500n * UNIT;
const CUSTOMERS: Account[] = [
  { accountId: "alice@example.com", balance: 2_500n * UNIT },
  { accountId: "bob@example.com", balance: 900n * UNIT },
  { accountId: VICTIM, balance: VICTIM_BALANCE },
  { accountId: "dave@example.com", balance: 40n * UNIT },
  { accountId: "erin@example.com", balance: 12_000n * UNIT },
];
const MINTED = 1_000n * UNIT;

const honestTree = () => buildTree(CUSTOMERS);
const ATTACKS = {
  "omits the customer": () => buildTree(CUSTOMERS.filter((a) => a.accountId !== VICTIM)),
  "shrinks the customer's balance": () =>
    buildTree(CUSTOMERS.map((a) => (a.accountId === VICTIM ? { ...a, balance: 500n * UNIT } : a))),
};

/** Alice holds USDX minted while the round was fresh and has some of it in the guarded pool. */
async function holdAndDeposit(fx: ChallengesFixture) {
  await fx.usdx.mint(fx.alice.address, MINTED);
  await fx.usdx.connect(fx.alice).approve(await fx.pool.getAddress(), ethers.MaxUint256);
  await expect(fx.pool.connect(fx.alice).deposit(100n * UNIT)).to.emit(fx.pool, "Deposited");
}

describe("LiabilityChallenges: the lazy-user attack", function () {
  for (const [attack, dishonestTree] of Object.entries(ATTACKS)) {
    it(`a round that ${attack} is disputed and refused by every consumer`, async function () {
      const fx = await loadFixture(deployChallengesFixture);
      const { registry, challenges, customer, relayer, feeds, pool, usdx } = fx;
      expect(await challenges.statementSigner(USDX)).to.equal(fx.statementKey.address);
      expect(await challenges.challengeWindow(USDX)).to.equal(WINDOW);

      const tree = await dishonestTree();
      const round = await postRound(fx, USDX, tree);
      expect(await challenges.roundChallengeWindow(USDX, round.roundId)).to.equal(WINDOW);
      await holdAndDeposit(fx);

      // The custodian's account page: a statement of the balance at the round's snapshot.
      const statement = {
        subjectId: USDX,
        accountCommitment: commitmentOf(VICTIM),
        balance: VICTIM_BALANCE,
        asOf: round.asOf,
      };
      const digest = ethers.TypedDataEncoder.hash(
        await registryDomain(registry),
        BALANCE_STATEMENT_TYPES,
        statement,
      );
      expect(
        await registry.balanceStatementDigest(USDX, statement.accountCommitment, VICTIM_BALANCE, round.asOf),
      ).to.equal(digest);
      const signature = await signStatement(fx.statementKey, registry, statement);

      const openedAt = BigInt(await time.latest()) + 60n;
      await time.setNextBlockTimestamp(openedAt);
      const opening = challenges
        .connect(customer)
        .challenge(USDX, round.roundId, statement.accountCommitment, VICTIM_BALANCE, signature, {
          value: BOND,
        });
      const deadline = openedAt + BigInt(WINDOW);
      await expect(opening)
        .to.emit(challenges, "ChallengeOpened")
        .withArgs(1n, USDX, round.roundId, statement.accountCommitment, VICTIM_BALANCE, deadline);
      await expect(opening).to.changeEtherBalances([customer, challenges], [-BOND, BOND]);
      expect(await challenges.challengeCount()).to.equal(1n);
      expect(await challenges.getChallenge(1n)).to.deep.equal([
        USDX,
        round.roundId,
        deadline,
        Status.Open,
        customer.address,
        BOND,
        statement.accountCommitment,
        VICTIM_BALANCE,
      ]);
      expect(await challenges.openChallenges(USDX, round.roundId)).to.equal(1);
      // An open challenge changes nothing yet.
      expect(await registry.isFresh(USDX)).to.equal(true);
      expect(await registry.isDisputed(USDX, round.roundId)).to.equal(false);

      // Nobody can answer: not with the shrunk balance's proof, another customer's, or none.
      const otherProofs =
        attack === "omits the customer"
          ? [tree.proof("bob@example.com"), []]
          : [tree.proof(VICTIM), tree.proof("erin@example.com")];
      for (const proof of otherProofs) {
        await expect(challenges.connect(fx.owner).answerChallenge(1n, proof))
          .to.be.revertedWithCustomError(challenges, "ProofDoesNotVerify")
          .withArgs(1n);
      }
      await time.setNextBlockTimestamp(deadline);
      await expect(challenges.connect(relayer).settleChallenge(1n))
        .to.be.revertedWithCustomError(challenges, "ChallengeDeadlineNotReached")
        .withArgs(1n, deadline);
      expect(await registry.isFresh(USDX)).to.equal(true); // until the very end

      // Anyone settles once the deadline has passed.
      const settling = challenges.connect(relayer).settleChallenge(1n);
      await expect(settling).to.emit(registry, "RoundDisputed").withArgs(USDX, round.roundId);
      await expect(settling).to.emit(challenges, "ChallengeSettled").withArgs(1n, USDX, round.roundId);
      expect((await challenges.getChallenge(1n)).status).to.equal(Status.Settled);
      expect(await challenges.openChallenges(USDX, round.roundId)).to.equal(0);

      expect(await registry.isDisputed(USDX, round.roundId)).to.equal(true);
      expect(await registry.isFresh(USDX)).to.equal(false);
      const [reserves, supply, ratioWad, fresh] = await registry.collateralization(USDX);
      expect(fresh).to.equal(false);
      expect([reserves, supply]).to.deep.equal([RESERVES * 10n ** 12n, MINTED * 10n ** 12n]);
      const solvency = await challenges.solvency(USDX);
      expect([solvency.disputed, solvency.fresh, solvency.ratioWad]).to.deep.equal([true, false, ratioWad]);
      // The feeds keep the figure but date it 0: no staleness check accepts it.
      expect(await feeds[USDX]!.reserve.latestRoundData()).to.deep.equal(
        roundOf(round.roundId, RESERVES, 0n),
      );
      expect(await feeds[USDX]!.reserve.getRoundData(round.roundId)).to.deep.equal(
        roundOf(round.roundId, RESERVES, 0n),
      );
      expect((await feeds[USDX]!.ratio.latestRoundData()).updatedAt).to.equal(0n);

      // A ReserveGuard-protected action and a secure mint say why they refuse.
      await expect(pool.connect(fx.alice).deposit(UNIT))
        .to.be.revertedWithCustomError(pool, "ReservesDisputed")
        .withArgs(USDX, round.roundId);
      await expect(pool.connect(fx.alice).borrow(UNIT))
        .to.be.revertedWithCustomError(pool, "ReservesDisputed")
        .withArgs(USDX, round.roundId);
      await expect(usdx.mint(fx.alice.address, UNIT))
        .to.be.revertedWithCustomError(usdx, "ReservesDisputed")
        .withArgs(USDX, round.roundId);
      // Exits stay open.
      await expect(pool.connect(fx.alice).withdraw(100n * UNIT)).to.emit(pool, "Withdrawn");

      // The challenger gets the bond back.
      expect(await challenges.withdrawable(customer.address)).to.equal(BOND);
      const withdrawal = challenges.connect(customer).withdraw();
      await expect(withdrawal).to.emit(challenges, "BondWithdrawn").withArgs(customer.address, BOND);
      await expect(withdrawal).to.changeEtherBalances([customer, challenges], [BOND, -BOND]);
      expect(await challenges.withdrawable(customer.address)).to.equal(0n);

      // An honest round clears freshness; the old round stays disputed for good.
      const next = await postRound(fx, USDX, await honestTree());
      expect(await registry.isFresh(USDX)).to.equal(true);
      expect((await registry.collateralization(USDX)).fresh).to.equal(true);
      expect(await registry.isDisputed(USDX, round.roundId)).to.equal(true);
      expect(await registry.isDisputed(USDX, next.roundId)).to.equal(false);
      expect(await feeds[USDX]!.reserve.getRoundData(round.roundId)).to.deep.equal(
        roundOf(round.roundId, RESERVES, 0n),
      );
      expect(await feeds[USDX]!.reserve.latestRoundData()).to.deep.equal(
        roundOf(next.roundId, RESERVES, next.asOf),
      );
      await expect(usdx.mint(fx.alice.address, UNIT)).to.emit(usdx, "Transfer");
      await expect(pool.connect(fx.alice).deposit(UNIT)).to.emit(pool, "Deposited");
    });
  }

  it("dates a disputed round 0 in both feeds of a subject without a token, latest and by round", async function () {
    const fx = await loadFixture(deployChallengesFixture);
    const { registry, challenges, feeds } = fx;
    const first = await postRound(fx, CUSTODY, await honestTree());
    const dishonest = await ATTACKS["omits the customer"]();
    const round = await postRound(fx, CUSTODY, dishonest, { reserves: dishonest.total });
    const ratioBefore = await feeds[CUSTODY]!.ratio.getRoundData(round.roundId);
    expect(ratioBefore.updatedAt).to.equal(round.asOf);
    const id = await openChallenge(fx, CUSTODY, round, VICTIM, VICTIM_BALANCE);
    await passDeadline(challenges, id);
    await challenges.settleChallenge(id);

    expect(await registry.reservesRound(CUSTODY)).to.deep.equal([round.roundId, dishonest.total, 0n]);
    expect(await registry.collateralizationRound(CUSTODY)).to.deep.equal([round.roundId, 0n]);
    for (const feed of [feeds[CUSTODY]!.reserve, feeds[CUSTODY]!.ratio]) {
      const answer = (await feed.getRoundData(round.roundId)).answer;
      expect(await feed.latestRoundData()).to.deep.equal(roundOf(round.roundId, answer, 0n));
      expect(await feed.getRoundData(round.roundId)).to.deep.equal(roundOf(round.roundId, answer, 0n));
      expect(await feed.latestTimestamp()).to.equal(0n);
      expect(await feed.getTimestamp(round.roundId)).to.equal(0n);
      // The round before it keeps its date.
      expect((await feed.getRoundData(first.roundId)).updatedAt).to.equal(first.asOf);
    }
    expect((await feeds[CUSTODY]!.ratio.getRoundData(round.roundId)).answer).to.equal(ratioBefore.answer);
  });

  it("refuses a fully live subject's disputed round in the guard, and its ratio feed dates the reading 0", async function () {
    const fx = await loadFixture(deployChallengesFixture);
    const { registry, challenges, admin, owner, newOwner: wallet, auditors } = fx;
    const LIVE = ethers.id("LIVE both sides");
    const reserve = await ethers.deployContract("MockERC20", ["Reserve", "R", 6]);
    const token = await ethers.deployContract("MockERC20", ["Live", "LIVE", 6]);
    await approveReserveAssets(registry, admin, reserve);
    await registry.connect(owner).registerSubject(
      LIVE,
      subjectConfig(
        auditors.map((a) => a.address),
        {
          token: await token.getAddress(),
          reserveAsset: await reserve.getAddress(),
          heartbeat: HEARTBEAT,
          quorum: 2,
        },
      ),
    );
    await addWallet(registry, owner, LIVE, wallet);
    await reserve.mint(wallet.address, RESERVES);
    await token.mint(fx.alice.address, MINTED);
    await challenges.connect(owner).setStatementSigner(LIVE, fx.statementKey.address);
    await challenges.connect(owner).setChallengeWindow(LIVE, WINDOW);
    const pool = await ethers.deployContract("GuardedLendingPool", [
      await token.getAddress(),
      await registry.getAddress(),
      LIVE,
      WAD,
      HEARTBEAT,
    ]);
    const ratioFeed = await ethers.deployContract("ReserveRatioFeed", [await registry.getAddress(), LIVE]);
    const round = await postRound(fx, LIVE, await ATTACKS["omits the customer"]());
    const id = await openChallenge(fx, LIVE, round, VICTIM, VICTIM_BALANCE);
    await passDeadline(challenges, id);
    await challenges.settleChallenge(id);

    expect((await registry.collateralization(LIVE)).fresh).to.equal(false);
    await expect(pool.connect(fx.alice).deposit(UNIT))
      .to.be.revertedWithCustomError(pool, "ReservesDisputed")
      .withArgs(LIVE, round.roundId);
    // Both sides are read live, but a disputed subject's reading is dated 0 all the same, so a
    // feed-only consumer (Aave's aggregator checks answers, Chainlink's examples updatedAt) refuses it.
    const reserveFeed = await ethers.deployContract("ReserveFeed", [await registry.getAddress(), LIVE]);
    for (const feed of [reserveFeed, ratioFeed]) {
      expect((await feed.latestRoundData()).updatedAt).to.equal(0n);
      expect(await feed.latestTimestamp()).to.equal(0n);
      expect((await feed.getRoundData(await feed.latestRound())).updatedAt).to.equal(0n);
      expect(await feed.getTimestamp(await feed.latestRound())).to.equal(0n);
    }
  });

  it("disputes the subject when a superseded round is settled: posting the next round first does not wash it away", async function () {
    const fx = await loadFixture(deployChallengesFixture);
    const { registry, challenges } = fx;
    const round = await postRound(fx, CUSTODY, await ATTACKS["omits the customer"]());
    const id = await openChallenge(fx, CUSTODY, round, VICTIM, VICTIM_BALANCE);
    // The custodian races the deadline with a new round (its snapshot before the settlement).
    const next = await postRound(fx, CUSTODY, await honestTree());
    await passDeadline(challenges, id);
    await expect(challenges.settleChallenge(id))
      .to.emit(registry, "RoundDisputed")
      .withArgs(CUSTODY, round.roundId);
    expect(await registry.isDisputed(CUSTODY, round.roundId)).to.equal(true);
    expect(await registry.isDisputed(CUSTODY, next.roundId)).to.equal(false);
    expect(await registry.isFresh(CUSTODY)).to.equal(false);
    const solvency = await challenges.solvency(CUSTODY);
    expect([solvency.roundId, solvency.disputed, solvency.fresh]).to.deep.equal([next.roundId, true, false]);
    // Only a snapshot taken after the dispute restores the subject.
    await time.increase(2);
    const after = await postRound(fx, CUSTODY, await honestTree());
    expect(await registry.isFresh(CUSTODY)).to.equal(true);
    expect((await challenges.solvency(CUSTODY)).disputed).to.equal(false);
    expect(after.roundId).to.equal(next.roundId + 1n);
  });
});

describe("LiabilityChallenges: a disputed subject reads as disputed through every getter (issue 18)", function () {
  /** Round 1 honest, round 2 dishonest and challenged, round 3 posted before the settlement. */
  async function disputedWithRoundBetween(subjectId: string) {
    const fx = await loadFixture(deployChallengesFixture);
    const first = await postRound(fx, subjectId, await honestTree());
    await time.increase(1);
    const challenged = await postRound(fx, subjectId, await ATTACKS["omits the customer"]());
    const id = await openChallenge(fx, subjectId, challenged, VICTIM, VICTIM_BALANCE);
    await time.increase(1);
    const between = await postRound(fx, subjectId, await honestTree());
    await passDeadline(fx.challenges, id);
    await fx.challenges.settleChallenge(id);
    return { fx, first, challenged, between };
  }

  for (const [label, subjectId] of [
    ["without a token", CUSTODY],
    ["with a token", USDX],
  ] as const) {
    it(`dates the latest round 0 in latestRoundData, getRoundData(latestRound()), latestTimestamp and getTimestamp(latestRound()) of both feeds, ${label}`, async function () {
      const { fx, first, challenged, between } = await disputedWithRoundBetween(subjectId);
      expect(await fx.registry.isDisputed(subjectId, between.roundId)).to.equal(false);
      expect(await fx.registry.readsAsDisputed(subjectId, between.roundId)).to.equal(true);
      for (const feed of [fx.feeds[subjectId]!.reserve, fx.feeds[subjectId]!.ratio]) {
        const latestRound = await feed.latestRound();
        expect((await feed.latestRoundData()).updatedAt).to.equal(0n);
        expect((await feed.getRoundData(latestRound)).updatedAt).to.equal(0n);
        expect(await feed.latestTimestamp()).to.equal(0n);
        expect(await feed.getTimestamp(latestRound)).to.equal(0n);
        // The challenged round stays dated 0; the round before it keeps its date.
        expect(await feed.getTimestamp(challenged.roundId)).to.equal(0n);
      }
      const reserveFeed = fx.feeds[subjectId]!.reserve;
      expect(await reserveFeed.latestRound()).to.equal(between.roundId);
      expect(await reserveFeed.getTimestamp(first.roundId)).to.equal(first.asOf);
      if (subjectId === CUSTODY) {
        expect(await fx.feeds[CUSTODY]!.ratio.getTimestamp(first.roundId)).to.equal(first.asOf);
      }
    });
  }

  it("a snapshot after the settlement restores the subject; the round between reads its own date again", async function () {
    const { fx, between } = await disputedWithRoundBetween(CUSTODY);
    await time.increase(2);
    const after = await postRound(fx, CUSTODY, await honestTree());
    expect(await fx.registry.readsAsDisputed(CUSTODY, between.roundId)).to.equal(false);
    expect(await fx.registry.readsAsDisputed(CUSTODY, after.roundId)).to.equal(false);
    for (const feed of [fx.feeds[CUSTODY]!.reserve, fx.feeds[CUSTODY]!.ratio]) {
      expect(await feed.latestTimestamp()).to.equal(after.asOf);
      expect(await feed.getTimestamp(await feed.latestRound())).to.equal(after.asOf);
      expect(await feed.getTimestamp(between.roundId)).to.equal(between.asOf);
    }
  });

  it("dates a wallet-backed subject's live reserve reading 0 while it is disputed", async function () {
    const fx = await loadFixture(deployChallengesFixture);
    const { registry, challenges, admin, owner, newOwner: wallet, auditors } = fx;
    const LIVE = ethers.id("LIVE reserves");
    const reserve = await ethers.deployContract("MockERC20", ["Reserve", "R", 6]);
    await approveReserveAssets(registry, admin, reserve);
    await registry.connect(owner).registerSubject(
      LIVE,
      subjectConfig(
        auditors.map((a) => a.address),
        { reserveAsset: await reserve.getAddress(), heartbeat: HEARTBEAT, quorum: 2 },
      ),
    );
    await addWallet(registry, owner, LIVE, wallet);
    await reserve.mint(wallet.address, RESERVES);
    await challenges.connect(owner).setStatementSigner(LIVE, fx.statementKey.address);
    await challenges.connect(owner).setChallengeWindow(LIVE, WINDOW);
    const reserveFeed = await ethers.deployContract("ReserveFeed", [await registry.getAddress(), LIVE]);
    const ratioFeed = await ethers.deployContract("ReserveRatioFeed", [await registry.getAddress(), LIVE]);
    const round = await postRound(fx, LIVE, await ATTACKS["omits the customer"]());
    expect((await reserveFeed.latestRoundData()).updatedAt).to.equal(BigInt(await time.latest()));
    expect((await ratioFeed.latestRoundData()).updatedAt).to.equal(round.asOf);
    const id = await openChallenge(fx, LIVE, round, VICTIM, VICTIM_BALANCE);
    await passDeadline(challenges, id);
    await challenges.settleChallenge(id);
    const latest = await reserveFeed.latestRoundData();
    expect([latest.answer, latest.updatedAt]).to.deep.equal([RESERVES, 0n]);
    for (const feed of [reserveFeed, ratioFeed]) {
      expect((await feed.latestRoundData()).updatedAt).to.equal(0n);
      expect(await feed.latestTimestamp()).to.equal(0n);
      expect((await feed.getRoundData(await feed.latestRound())).updatedAt).to.equal(0n);
      expect(await feed.getTimestamp(await feed.latestRound())).to.equal(0n);
    }
    expect((await registry.reservesRound(LIVE))[2]).to.equal(0n);
  });

  it("readsAsDisputed reverts RoundNotFound for a missing round", async function () {
    const fx = await loadFixture(deployChallengesFixture);
    await expect(fx.registry.readsAsDisputed(CUSTODY, 1))
      .to.be.revertedWithCustomError(fx.registry, "RoundNotFound")
      .withArgs(CUSTODY, 1);
  });
});

describe("LiabilityChallenges: a round without a liabilities tree (issue 18)", function () {
  it("cannot be challenged (RoundHasNoLiabilitiesTree): no proof could ever answer", async function () {
    const fx = await loadFixture(deployChallengesFixture);
    const round = await postRound(fx, CUSTODY, { root: ethers.ZeroHash, total: 20_000n * UNIT });
    const args = await challengeArgs(fx, CUSTODY, round, VICTIM, VICTIM_BALANCE);
    await expect(fx.challenges.connect(fx.customer).challenge(...args, { value: BOND }))
      .to.be.revertedWithCustomError(fx.challenges, "RoundHasNoLiabilitiesTree")
      .withArgs(CUSTODY, round.roundId);
    expect((await fx.challenges.solvency(CUSTODY)).openChallenges).to.equal(0n);
  });

  it("reads as not challengeable (window 0) and refuses a publication of its proofs", async function () {
    const fx = await loadFixture(deployChallengesFixture);
    const round = await postRound(fx, CUSTODY, { root: ethers.ZeroHash, total: 20_000n * UNIT });
    expect(await fx.challenges.challengeWindow(CUSTODY)).to.equal(WINDOW); // the subject's setting
    expect(await fx.challenges.roundChallengeWindow(CUSTODY, round.roundId)).to.equal(0n);
    expect((await fx.challenges.solvency(CUSTODY)).challengeWindow).to.equal(0n);
    await expect(
      fx.challenges
        .connect(fx.owner)
        .publishProofs(CUSTODY, round.roundId, ethers.id("manifest"), "ipfs://x"),
    )
      .to.be.revertedWithCustomError(fx.challenges, "RoundHasNoLiabilitiesTree")
      .withArgs(CUSTODY, round.roundId);
    // A round with a tree reads its window.
    const withTree = await postRound(fx, CUSTODY, await honestTree());
    expect(await fx.challenges.roundChallengeWindow(CUSTODY, withTree.roundId)).to.equal(WINDOW);
    expect((await fx.challenges.solvency(CUSTODY)).challengeWindow).to.equal(WINDOW);
  });

  it("a later round with a tree can be challenged as usual", async function () {
    const fx = await loadFixture(deployChallengesFixture);
    await postRound(fx, CUSTODY, { root: ethers.ZeroHash, total: 20_000n * UNIT });
    const round = await postRound(fx, CUSTODY, await ATTACKS["omits the customer"]());
    expect(await openChallenge(fx, CUSTODY, round, VICTIM, VICTIM_BALANCE)).to.equal(1n);
  });
});

describe("LiabilityChallenges: an honest subject", function () {
  async function honestRound() {
    const fx = await deployChallengesFixture();
    const tree = await honestTree();
    const round = await postRound(fx, USDX, tree);
    const id = await openChallenge(fx, USDX, round, VICTIM, VICTIM_BALANCE);
    return { ...fx, tree, round, id };
  }

  it("answers with the inclusion proof, stays fresh and earns the bond", async function () {
    const { registry, challenges, owner, tree, round, id } = await loadFixture(honestRound);
    await expect(challenges.connect(owner).answerChallenge(id, tree.proof(VICTIM)))
      .to.emit(challenges, "ChallengeAnswered")
      .withArgs(id, owner.address, owner.address);
    expect((await challenges.getChallenge(id)).status).to.equal(Status.Answered);
    expect(await challenges.openChallenges(USDX, round.roundId)).to.equal(0);
    expect(await registry.isFresh(USDX)).to.equal(true);
    expect(await registry.isDisputed(USDX, round.roundId)).to.equal(false);

    expect(await challenges.withdrawable(owner.address)).to.equal(BOND);
    const withdrawal = challenges.connect(owner).withdraw();
    await expect(withdrawal).to.emit(challenges, "BondWithdrawn").withArgs(owner.address, BOND);
    await expect(withdrawal).to.changeEtherBalances([owner, challenges], [BOND, -BOND]);
    await expect(challenges.connect(owner).withdraw())
      .to.be.revertedWithCustomError(challenges, "NothingToWithdraw")
      .withArgs(owner.address);

    // Answered is final: nobody can answer again or settle it after the deadline.
    await expect(challenges.answerChallenge(id, tree.proof(VICTIM)))
      .to.be.revertedWithCustomError(challenges, "ChallengeNotOpen")
      .withArgs(id, Status.Answered);
    await passDeadline(challenges, id);
    await expect(challenges.settleChallenge(id))
      .to.be.revertedWithCustomError(challenges, "ChallengeNotOpen")
      .withArgs(id, Status.Answered);
    expect(await registry.isFresh(USDX)).to.equal(true);
  });

  it("lets anyone answer, and pays the bond to the subject owner", async function () {
    const { challenges, owner, relayer, tree, id } = await loadFixture(honestRound);
    await expect(challenges.connect(relayer).answerChallenge(id, tree.proof(VICTIM)))
      .to.emit(challenges, "ChallengeAnswered")
      .withArgs(id, relayer.address, owner.address);
    expect(await challenges.withdrawable(owner.address)).to.equal(BOND);
    expect(await challenges.withdrawable(relayer.address)).to.equal(0n);
  });

  it("refuses an answer a second after the deadline, and a challenge after the window", async function () {
    const fx = await loadFixture(honestRound);
    const { challenges, tree, round } = fx;
    const { deadline } = await challenges.getChallenge(fx.id);
    await time.setNextBlockTimestamp(deadline + 1n);
    await expect(challenges.answerChallenge(fx.id, tree.proof(VICTIM)))
      .to.be.revertedWithCustomError(challenges, "ChallengeDeadlinePassed")
      .withArgs(fx.id, deadline);
    const args = await challengeArgs(fx, USDX, round, "bob@example.com", 900n * UNIT);
    await expect(challenges.connect(fx.customer).challenge(...args, { value: BOND }))
      .to.be.revertedWithCustomError(challenges, "ChallengeWindowClosed")
      .withArgs(USDX, round.roundId, round.postedAt + BigInt(WINDOW));
  });

  it("gives a challenge opened in the window's last second a whole window to answer", async function () {
    const fx = await loadFixture(honestRound);
    const { challenges, tree, round, admin, owner } = fx;
    const lastSecond = round.postedAt + BigInt(WINDOW);
    await time.setNextBlockTimestamp(lastSecond);
    const id = await openChallenge(fx, USDX, round, "bob@example.com", 900n * UNIT);
    expect((await challenges.getChallenge(id)).deadline).to.equal(lastSecond + BigInt(WINDOW));
    await time.setNextBlockTimestamp(lastSecond + BigInt(WINDOW));
    await expect(challenges.connect(admin).answerChallenge(id, tree.proof("bob@example.com")))
      .to.emit(challenges, "ChallengeAnswered")
      .withArgs(id, admin.address, owner.address);
  });

  it("a spam challenge changes nothing but the challenger's balance", async function () {
    const fx = await loadFixture(deployChallengesFixture);
    const { challenges, customer, owner } = fx;
    const tree = await honestTree();
    const round = await postRound(fx, CUSTODY, tree);
    const before = await protocolView(fx, CUSTODY, round.roundId);
    const balanceBefore = await ethers.provider.getBalance(customer.address);

    const args = await challengeArgs(fx, CUSTODY, round, VICTIM, VICTIM_BALANCE);
    const receipt = await (await challenges.connect(customer).challenge(...args, { value: BOND })).wait();
    const fee = receipt!.gasUsed * receipt!.gasPrice;
    const id = await challenges.challengeCount();
    const open = await protocolView(fx, CUSTODY, round.roundId);
    const solvencyWhileOpen = [...(before.solvency as unknown[])];
    solvencyWhileOpen[10] = 1n; // openChallenges, the one field an open challenge moves
    expect(open).to.deep.equal({ ...before, solvency: solvencyWhileOpen });

    await challenges.connect(owner).answerChallenge(id, tree.proof(VICTIM));
    await passDeadline(challenges, id);
    expect(await protocolView(fx, CUSTODY, round.roundId)).to.deep.equal(before);

    // Exactly the bond and the gas of its one transaction.
    expect(balanceBefore - (await ethers.provider.getBalance(customer.address))).to.equal(BOND + fee);
    expect(await challenges.withdrawable(customer.address)).to.equal(0n);
    expect(await challenges.withdrawable(owner.address)).to.equal(BOND);
  });
});
