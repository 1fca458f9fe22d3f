/**
 * LiabilityChallenges function by function: the registry link, publications, the owner's and the
 * admin's settings, bonds, and every refusal of challenge / answer / settle / withdraw. The attack end
 * to end, owner attacks, solvency() and properties have files of their own
 * (LiabilityChallenges.*.test.ts).
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MANIFEST_FILE, writePublication } from "../src/liabilities";
import { buildAccounts, scratchDir } from "./helpers/liabilities-build";
import {
  BOND,
  CUSTODY,
  MAX_CHALLENGE_WINDOW,
  Status,
  UNIT,
  USDX,
  WINDOW,
  buildTree,
  challengeArgs,
  deployChallengesFixture,
  openChallenge,
  passDeadline,
  postRound,
  type Account,
} from "./helpers/challenges";

const ACCOUNTS: Account[] = [
  { accountId: "acct-1", balance: 1_500n * UNIT },
  { accountId: "acct-2", balance: 250n * UNIT },
  { accountId: "acct-3", balance: 7_000n * UNIT },
];
const CUSTOMER = ACCOUNTS[0]!;
const MANIFEST_HASH = ethers.id("manifest.json bytes");
const URI = "https://proofs.example.com/usdx/round-1/";

/** Two rounds of the three-account tree on USDX. */
async function roundsFixture() {
  const fx = await deployChallengesFixture();
  const tree = await buildTree(ACCOUNTS);
  const first = await postRound(fx, USDX, tree);
  const round = await postRound(fx, USDX, tree);
  return { ...fx, tree, first, round };
}

/** roundsFixture with one open challenge of the latest round. */
async function openFixture() {
  const fx = await roundsFixture();
  const id = await openChallenge(fx, USDX, fx.round, CUSTOMER.accountId, CUSTOMER.balance + 1n);
  return { ...fx, id };
}

describe("LiabilityChallenges", function () {
  describe("deployment", function () {
    it("is created by the registry, serves it, and only it may record disputes", async function () {
      const { registry, challenges, admin, owner } = await loadFixture(deployChallengesFixture);
      expect(await registry.challenges()).to.equal(await challenges.getAddress());
      expect(await challenges.registry()).to.equal(await registry.getAddress());
      expect(await challenges.MAX_CHALLENGE_WINDOW()).to.equal(MAX_CHALLENGE_WINDOW);
      const fresh = await ethers.deployContract("ReserveRegistry", [admin.address]);
      const freshChallenges = await ethers.getContractAt("LiabilityChallenges", await fresh.challenges());
      expect(await freshChallenges.challengeBond(USDX)).to.equal(0n);
      expect(await freshChallenges.challengeCount()).to.equal(0n);

      for (const caller of [admin, owner]) {
        await expect(registry.connect(caller).recordDispute(USDX, 1n))
          .to.be.revertedWithCustomError(registry, "NotChallenges")
          .withArgs(caller.address);
      }
    });
  });

  describe("publishProofs", function () {
    it("commits a round's publication once, with an event", async function () {
      const { challenges, owner, first, round } = await loadFixture(roundsFixture);
      expect(await challenges.publication(USDX, round.roundId)).to.deep.equal([ethers.ZeroHash, ""]);
      await expect(challenges.connect(owner).publishProofs(USDX, round.roundId, MANIFEST_HASH, URI))
        .to.emit(challenges, "ProofsPublished")
        .withArgs(USDX, round.roundId, MANIFEST_HASH, URI);
      expect(await challenges.publication(USDX, round.roundId)).to.deep.equal([MANIFEST_HASH, URI]);
      await expect(challenges.connect(owner).publishProofs(USDX, round.roundId, ethers.id("other"), URI))
        .to.be.revertedWithCustomError(challenges, "ProofsAlreadyPublished")
        .withArgs(USDX, round.roundId);
      // An older round can still be published, and the other subject's rounds are its own.
      await challenges.connect(owner).publishProofs(USDX, first.roundId, ethers.id("first"), "ipfs://first");
      expect(await challenges.publication(USDX, first.roundId)).to.deep.equal([
        ethers.id("first"),
        "ipfs://first",
      ]);
      expect(await challenges.publication(CUSTODY, round.roundId)).to.deep.equal([ethers.ZeroHash, ""]);
    });

    it("commits the keccak256 of the manifest the SDK writes for the round's tree", async function () {
      const fx = await loadFixture(deployChallengesFixture);
      const scratch = scratchDir();
      try {
        const { summary, tree } = await buildAccounts(scratch.dir, ACCOUNTS, { threads: 0 });
        tree.close();
        const out = path.join(scratch.dir, "publication");
        const published = await writePublication(path.join(scratch.dir, "tree.bin"), out);
        const round = await postRound(fx, USDX, summary);
        const manifestBytes = readFileSync(path.join(out, MANIFEST_FILE));
        expect(published.manifestHash).to.equal(ethers.keccak256(manifestBytes));
        await fx.challenges.connect(fx.owner).publishProofs(USDX, round.roundId, published.manifestHash, URI);
        expect((await fx.challenges.publication(USDX, round.roundId))[0]).to.equal(
          ethers.keccak256(manifestBytes),
        );
      } finally {
        scratch.cleanup();
      }
    });

    it("refuses anyone but the owner, a missing round and an empty publication", async function () {
      const { registry, challenges, owner, outsider, round } = await loadFixture(roundsFixture);
      await expect(challenges.connect(outsider).publishProofs(USDX, round.roundId, MANIFEST_HASH, URI))
        .to.be.revertedWithCustomError(challenges, "NotSubjectOwner")
        .withArgs(USDX, outsider.address);
      for (const missing of [0n, round.roundId + 1n]) {
        await expect(challenges.connect(owner).publishProofs(USDX, missing, MANIFEST_HASH, URI))
          .to.be.revertedWithCustomError(challenges, "RoundNotFound")
          .withArgs(USDX, missing);
      }
      await expect(challenges.connect(owner).publishProofs(USDX, round.roundId, ethers.ZeroHash, URI))
        .to.be.revertedWithCustomError(challenges, "EmptyPublication")
        .withArgs();
      await expect(challenges.connect(owner).publishProofs(USDX, round.roundId, MANIFEST_HASH, ""))
        .to.be.revertedWithCustomError(challenges, "EmptyPublication")
        .withArgs();
      const unknown = ethers.id("never registered");
      await expect(challenges.connect(owner).publishProofs(unknown, 1n, MANIFEST_HASH, URI))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(unknown);
    });
  });

  describe("setStatementSigner and setChallengeWindow", function () {
    it("are the subject owner's only, effective from the next second", async function () {
      const { challenges, owner, outsider, statementKey } = await loadFixture(deployChallengesFixture);
      await expect(challenges.connect(outsider).setStatementSigner(USDX, outsider.address))
        .to.be.revertedWithCustomError(challenges, "NotSubjectOwner")
        .withArgs(USDX, outsider.address);
      await expect(challenges.connect(outsider).setChallengeWindow(USDX, 0))
        .to.be.revertedWithCustomError(challenges, "NotSubjectOwner")
        .withArgs(USDX, outsider.address);
      const at = BigInt(await time.latest()) + 100n;
      await time.setNextBlockTimestamp(at);
      await expect(challenges.connect(owner).setStatementSigner(USDX, outsider.address))
        .to.emit(challenges, "StatementSignerSet")
        .withArgs(USDX, outsider.address, at + 1n);
      await time.setNextBlockTimestamp(at + 10n);
      await expect(challenges.connect(owner).setChallengeWindow(USDX, MAX_CHALLENGE_WINDOW))
        .to.emit(challenges, "ChallengeWindowSet")
        .withArgs(USDX, MAX_CHALLENGE_WINDOW, at + 11n);
      expect(await challenges.statementSigner(USDX)).to.equal(outsider.address);
      expect(await challenges.challengeWindow(USDX)).to.equal(MAX_CHALLENGE_WINDOW);
      expect(await challenges.statementSigner(CUSTODY)).to.equal(statementKey.address);
      expect(await challenges.challengeWindow(CUSTODY)).to.equal(WINDOW);
    });

    it("refuses a window over 30 days", async function () {
      const { challenges, owner } = await loadFixture(deployChallengesFixture);
      await expect(challenges.connect(owner).setChallengeWindow(USDX, MAX_CHALLENGE_WINDOW + 1))
        .to.be.revertedWithCustomError(challenges, "ChallengeWindowTooLong")
        .withArgs(MAX_CHALLENGE_WINDOW + 1, MAX_CHALLENGE_WINDOW);
    });

    it("disables challenges by default (window 0) and for a round posted under window 0", async function () {
      const fx = await loadFixture(deployChallengesFixture);
      const { registry, challenges, owner, auditors } = fx;
      const subjectId = ethers.id("NEW subject");
      await registry.connect(owner).registerSubject(subjectId, {
        name: "NEW / USD",
        decimals: 6,
        token: ethers.ZeroAddress,
        reserveAsset: ethers.ZeroAddress,
        heartbeat: 86_400,
        quorum: 2,
        auditors: auditors.map((a) => a.address),
      });
      expect(await challenges.challengeWindow(subjectId)).to.equal(0);
      expect(await challenges.statementSigner(subjectId)).to.equal(ethers.ZeroAddress);
      await challenges.connect(owner).setStatementSigner(subjectId, fx.statementKey.address);
      const round = await postRound(fx, subjectId, await buildTree(ACCOUNTS));
      expect(await challenges.roundChallengeWindow(subjectId, round.roundId)).to.equal(0);
      const args = await challengeArgs(fx, subjectId, round, CUSTOMER.accountId, CUSTOMER.balance);
      await expect(challenges.connect(fx.customer).challenge(...args, { value: BOND }))
        .to.be.revertedWithCustomError(challenges, "ChallengesDisabled")
        .withArgs(subjectId, round.roundId);
    });
  });

  describe("setChallengeBond", function () {
    it("is the registry admin's only, with an event", async function () {
      const { challenges, admin, owner, outsider } = await loadFixture(deployChallengesFixture);
      for (const caller of [owner, outsider]) {
        await expect(challenges.connect(caller).setChallengeBond(1n))
          .to.be.revertedWithCustomError(challenges, "NotRegistryAdmin")
          .withArgs(caller.address);
      }
      await expect(challenges.connect(admin).setChallengeBond(BOND * 2n))
        .to.emit(challenges, "ChallengeBondSet")
        .withArgs(BOND * 2n);
      expect(await challenges.challengeBond(USDX)).to.equal(BOND * 2n);
      expect(await challenges.challengeBond(CUSTODY)).to.equal(BOND * 2n);
    });

    it("follows the registry's admin role through an admin transfer", async function () {
      const { registry, challenges, admin, newOwner } = await loadFixture(deployChallengesFixture);
      await registry.connect(admin).beginDefaultAdminTransfer(newOwner.address);
      await time.increase(2 * 86_400 + 1);
      await registry.connect(newOwner).acceptDefaultAdminTransfer();
      await expect(challenges.connect(admin).setChallengeBond(1n))
        .to.be.revertedWithCustomError(challenges, "NotRegistryAdmin")
        .withArgs(admin.address);
      await expect(challenges.connect(newOwner).setChallengeBond(1n))
        .to.emit(challenges, "ChallengeBondSet")
        .withArgs(1n);
    });

    it("pays back the bond each challenge paid, whatever the bond is later", async function () {
      const fx = await loadFixture(roundsFixture);
      const { challenges, admin, owner, customer, tree, round } = fx;
      const settled = await openChallenge(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance + 1n);
      const answered = await openChallenge(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance);
      await challenges.connect(admin).setChallengeBond(BOND * 3n);
      const args = await challengeArgs(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance);
      await expect(challenges.connect(customer).challenge(...args, { value: BOND }))
        .to.be.revertedWithCustomError(challenges, "WrongBond")
        .withArgs(BOND, BOND * 3n);
      // Another statement (one statement, one challenge): a balance the round does not hold.
      const later = await openChallenge(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance + 2n, {
        value: BOND * 3n,
      });
      expect((await challenges.getChallenge(settled)).bond).to.equal(BOND);
      expect((await challenges.getChallenge(later)).bond).to.equal(BOND * 3n);

      await challenges.connect(owner).answerChallenge(answered, tree.proof(CUSTOMER.accountId));
      await challenges.connect(admin).setChallengeBond(0n);
      await passDeadline(challenges, settled);
      await challenges.settleChallenge(settled);
      expect(await challenges.withdrawable(owner.address)).to.equal(BOND);
      expect(await challenges.withdrawable(customer.address)).to.equal(BOND);
      await expect(challenges.connect(customer).withdraw()).to.changeEtherBalances(
        [customer, challenges],
        [BOND, -BOND],
      );
      // The later challenge's bond is still held; settling it pays back what it paid.
      expect(await ethers.provider.getBalance(await challenges.getAddress())).to.equal(BOND + BOND * 3n);
      await passDeadline(challenges, later);
      await challenges.settleChallenge(later);
      expect(await challenges.withdrawable(customer.address)).to.equal(BOND * 3n);
    });

    it("takes no value at all when the bond is 0", async function () {
      const fx = await loadFixture(roundsFixture);
      await fx.challenges.connect(fx.admin).setChallengeBond(0n);
      const args = await challengeArgs(fx, USDX, fx.round, CUSTOMER.accountId, CUSTOMER.balance);
      await expect(fx.challenges.connect(fx.customer).challenge(...args, { value: 1n }))
        .to.be.revertedWithCustomError(fx.challenges, "WrongBond")
        .withArgs(1n, 0n);
      await openChallenge(fx, USDX, fx.round, CUSTOMER.accountId, CUSTOMER.balance, { value: 0n });
    });
  });

  describe("challenge", function () {
    it("refuses a missing round, an unknown subject and a wrong bond", async function () {
      const fx = await loadFixture(roundsFixture);
      const { registry, challenges, customer, round } = fx;
      const args = await challengeArgs(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance);
      for (const missing of [0n, round.roundId + 1n]) {
        await expect(
          challenges.connect(customer).challenge(USDX, missing, args[2], args[3], args[4], { value: BOND }),
        )
          .to.be.revertedWithCustomError(challenges, "RoundNotFound")
          .withArgs(USDX, missing);
      }
      const unknown = ethers.id("never registered");
      await expect(
        challenges.connect(customer).challenge(unknown, 1n, args[2], args[3], args[4], { value: BOND }),
      )
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(unknown);
      for (const value of [0n, BOND - 1n, BOND + 1n]) {
        await expect(challenges.connect(customer).challenge(...args, { value }))
          .to.be.revertedWithCustomError(challenges, "WrongBond")
          .withArgs(value, BOND);
      }
    });

    it("takes one challenge per statement: a replay of it from public calldata is refused, by anyone", async function () {
      const fx = await loadFixture(roundsFixture);
      const { challenges, customer, outsider, owner, tree, round } = fx;
      const args = await challengeArgs(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance);
      await challenges.connect(customer).challenge(...args, { value: BOND });
      const id = await challenges.challengeCount();
      for (const replayer of [customer, outsider]) {
        await expect(challenges.connect(replayer).challenge(...args, { value: BOND }))
          .to.be.revertedWithCustomError(challenges, "StatementAlreadyChallenged")
          .withArgs(id);
      }
      // Answered, the statement stays used: it cannot reopen the question.
      await challenges.connect(owner).answerChallenge(id, tree.proof(CUSTOMER.accountId));
      await expect(challenges.connect(customer).challenge(...args, { value: BOND }))
        .to.be.revertedWithCustomError(challenges, "StatementAlreadyChallenged")
        .withArgs(id);
    });

    it("refuses a statement of a zero balance: nothing is owed", async function () {
      const fx = await loadFixture(roundsFixture);
      const args = await challengeArgs(fx, USDX, fx.round, "closed-account@example.com", 0n);
      await expect(
        fx.challenges.connect(fx.customer).challenge(...args, { value: BOND }),
      ).to.be.revertedWithCustomError(fx.challenges, "ZeroBalanceStatement");
    });

    it("accepts a challenge of an older round while its window is open, and numbers them from 1", async function () {
      const fx = await loadFixture(roundsFixture);
      const id = await openChallenge(fx, USDX, fx.first, CUSTOMER.accountId, CUSTOMER.balance);
      expect(id).to.equal(1n);
      const challenge = await fx.challenges.getChallenge(id);
      expect([challenge.roundId, challenge.status]).to.deep.equal([fx.first.roundId, Status.Open]);
      expect(await fx.challenges.openChallenges(USDX, fx.first.roundId)).to.equal(1);
      expect(await fx.challenges.openChallenges(USDX, fx.round.roundId)).to.equal(0);
    });
  });

  describe("getChallenge, answerChallenge, settleChallenge", function () {
    it("refuse a challenge that does not exist", async function () {
      const { challenges, tree } = await loadFixture(openFixture);
      for (const id of [0n, 2n]) {
        await expect(challenges.getChallenge(id))
          .to.be.revertedWithCustomError(challenges, "ChallengeNotFound")
          .withArgs(id);
        await expect(challenges.answerChallenge(id, tree.proof(CUSTOMER.accountId)))
          .to.be.revertedWithCustomError(challenges, "ChallengeNotFound")
          .withArgs(id);
        await expect(challenges.settleChallenge(id))
          .to.be.revertedWithCustomError(challenges, "ChallengeNotFound")
          .withArgs(id);
      }
    });

    it("settle once: a settled challenge can be neither settled nor answered again", async function () {
      const { registry, challenges, tree, round, id } = await loadFixture(openFixture);
      await passDeadline(challenges, id);
      await challenges.settleChallenge(id);
      await expect(challenges.settleChallenge(id))
        .to.be.revertedWithCustomError(challenges, "ChallengeNotOpen")
        .withArgs(id, Status.Settled);
      await expect(challenges.answerChallenge(id, tree.proof(CUSTOMER.accountId)))
        .to.be.revertedWithCustomError(challenges, "ChallengeNotOpen")
        .withArgs(id, Status.Settled);
      expect(await registry.isDisputed(USDX, round.roundId)).to.equal(true);
    });

    it("settles a second challenge of a disputed round without disputing it again", async function () {
      const fx = await loadFixture(openFixture);
      const { registry, challenges, round, id } = fx;
      const second = await openChallenge(fx, USDX, round, "acct-2", 1n);
      await passDeadline(challenges, second);
      await challenges.settleChallenge(id);
      const settling = challenges.settleChallenge(second);
      await expect(settling).to.emit(challenges, "ChallengeSettled").withArgs(second, USDX, round.roundId);
      // Events only when state changes (docs: conventions): the round was already disputed.
      await expect(settling).not.to.emit(registry, "RoundDisputed");
      expect(await registry.isDisputed(USDX, round.roundId)).to.equal(true);
      expect(await challenges.withdrawable(fx.customer.address)).to.equal(2n * BOND);
    });
  });

  describe("withdraw", function () {
    it("pays out every bond owed at once, and nothing twice", async function () {
      const fx = await loadFixture(openFixture);
      const { challenges, customer, outsider, round, id } = fx;
      const second = await openChallenge(fx, USDX, round, "acct-3", 1n);
      await passDeadline(challenges, second);
      await challenges.settleChallenge(id);
      await challenges.settleChallenge(second);
      const withdrawal = challenges.connect(customer).withdraw();
      await expect(withdrawal)
        .to.emit(challenges, "BondWithdrawn")
        .withArgs(customer.address, 2n * BOND);
      await expect(withdrawal).to.changeEtherBalances([customer, challenges], [2n * BOND, -2n * BOND]);
      for (const account of [customer, outsider]) {
        await expect(challenges.connect(account).withdraw())
          .to.be.revertedWithCustomError(challenges, "NothingToWithdraw")
          .withArgs(account.address);
      }
    });
  });
});
