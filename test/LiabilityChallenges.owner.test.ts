/**
 * The issuer is distrusted: nothing the subject owner does after a round is posted (or batched
 * before it in the same block) may close the round's window or void a statement a customer holds,
 * and no statement or proof but the exact one counts.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { OwnerBatch } from "../typechain-types";
import { registryDomain } from "./helpers/backing";
import { batchCall } from "./helpers/consumers";
import { createSafe, deploySafeContracts } from "./helpers/safe";
import { assembleSafeSignature, readSafeState, safeMessageHash, signSafeMessage } from "../src";
import {
  BALANCE_STATEMENT_TYPES,
  BOND,
  CUSTODY,
  HEARTBEAT,
  Status,
  UNIT,
  USDX,
  WINDOW,
  buildTree,
  challengeArgs,
  commitmentOf,
  deployChallengesFixture,
  latestRound,
  openChallenge,
  postRound,
  roundArgs,
  signStatement,
  type Account,
  type ChallengesFixture,
  type Tree,
} from "./helpers/challenges";

const ACCOUNTS: Account[] = [
  { accountId: "acct-1", balance: 1_500n * UNIT },
  { accountId: "acct-2", balance: 250n * UNIT },
  { accountId: "acct-3", balance: 7_000n * UNIT },
];
const [CUSTOMER, OTHER] = ACCOUNTS as [Account, Account, Account];
/** Registered by an OwnerBatch contract, which then owns it. */
const BATCHED = ethers.id("BATCHED issuer");

async function honestFixture() {
  const fx = await deployChallengesFixture();
  const tree = await buildTree(ACCOUNTS);
  return { ...fx, tree };
}

/** BATCHED, owned by an OwnerBatch that named the statement key and a window in its own block. */
async function batchOwnerFixture() {
  const fx = await honestFixture();
  const batch = await ethers.deployContract("OwnerBatch");
  const config = {
    name: "BATCHED / USD",
    decimals: 6,
    token: ethers.ZeroAddress,
    reserveAsset: ethers.ZeroAddress,
    heartbeat: HEARTBEAT,
    quorum: 2,
    auditors: fx.auditors.map((a) => a.address),
  };
  await batch.execute([
    await batchCall(fx.registry, "registerSubject", [BATCHED, config]),
    await batchCall(fx.challenges, "setStatementSigner", [BATCHED, fx.statementKey.address]),
    await batchCall(fx.challenges, "setChallengeWindow", [BATCHED, WINDOW]),
  ]);
  return { ...fx, batch };
}

/** `calls` from the batch, then a round of `tree` posted by the relayer, both in one block. */
async function batchThenPostInOneBlock(
  fx: ChallengesFixture & { batch: OwnerBatch },
  calls: Awaited<ReturnType<typeof batchCall>>[],
  tree: Tree,
) {
  const args = await roundArgs(fx, BATCHED, tree);
  await network.provider.send("evm_setAutomine", [false]);
  try {
    const batched = await fx.batch.execute(calls, { gasLimit: 1_000_000 });
    const posted = await fx.registry.connect(fx.relayer).postAttestation(...args, { gasLimit: 1_000_000 });
    await mine();
    const [batchReceipt, postReceipt] = [await batched.wait(), await posted.wait()];
    expect(batchReceipt!.blockNumber).to.equal(postReceipt!.blockNumber);
    expect(batchReceipt!.index).to.be.lessThan(postReceipt!.index);
  } finally {
    await network.provider.send("evm_setAutomine", [true]);
  }
  return latestRound(fx, BATCHED);
}

describe("LiabilityChallenges: owner attacks", function () {
  describe("after the round is posted", function () {
    for (const shorter of [86_400, 0]) {
      it(`setting the window to ${shorter}s leaves the round's window open`, async function () {
        const fx = await loadFixture(honestFixture);
        const { challenges, owner, tree } = fx;
        const round = await postRound(fx, USDX, tree);
        await time.setNextBlockTimestamp(round.postedAt + 10n);
        await expect(challenges.connect(owner).setChallengeWindow(USDX, shorter))
          .to.emit(challenges, "ChallengeWindowSet")
          .withArgs(USDX, shorter, round.postedAt + 11n);
        expect(await challenges.challengeWindow(USDX)).to.equal(shorter);
        expect(await challenges.roundChallengeWindow(USDX, round.roundId)).to.equal(WINDOW);

        // The customer challenges in the round's last second and gets the round's whole window.
        const lastSecond = round.postedAt + BigInt(WINDOW);
        await time.setNextBlockTimestamp(lastSecond);
        const id = await openChallenge(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance + 1n);
        expect((await challenges.getChallenge(id)).deadline).to.equal(lastSecond + BigInt(WINDOW));

        // Rounds posted from then on take the new window.
        const next = await postRound(fx, USDX, tree);
        expect(await challenges.roundChallengeWindow(USDX, next.roundId)).to.equal(shorter);
        if (shorter === 0) {
          const args = await challengeArgs(fx, USDX, next, CUSTOMER.accountId, CUSTOMER.balance);
          await expect(challenges.connect(fx.customer).challenge(...args, { value: BOND }))
            .to.be.revertedWithCustomError(challenges, "ChallengesDisabled")
            .withArgs(USDX, next.roundId);
        }
      });
    }

    for (const replacement of ["another key", "no key"] as const) {
      it(`naming ${replacement} as statement signer keeps statements of the signer at posting valid`, async function () {
        const fx = await loadFixture(honestFixture);
        const { challenges, owner, outsider, statementKey, tree } = fx;
        const round = await postRound(fx, USDX, tree);
        const newSigner = replacement === "another key" ? outsider.address : ethers.ZeroAddress;
        await time.setNextBlockTimestamp(round.postedAt + 5n);
        await expect(challenges.connect(owner).setStatementSigner(USDX, newSigner))
          .to.emit(challenges, "StatementSignerSet")
          .withArgs(USDX, newSigner, round.postedAt + 6n);
        expect(await challenges.statementSigner(USDX)).to.equal(newSigner);
        // The round keeps the signer in force at its posting, readable on-chain.
        expect(await challenges.roundStatementSigner(USDX, round.roundId)).to.equal(statementKey.address);

        const id = await openChallenge(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance + 1n, {
          signer: statementKey,
        });
        expect((await challenges.getChallenge(id)).status).to.equal(Status.Open);

        // A round posted after the change is judged by the new signer only.
        const next = await postRound(fx, USDX, tree);
        expect(await challenges.roundStatementSigner(USDX, next.roundId)).to.equal(newSigner);
        const args = await challengeArgs(fx, USDX, next, CUSTOMER.accountId, CUSTOMER.balance, {
          signer: statementKey,
        });
        await expect(challenges.connect(fx.customer).challenge(...args, { value: BOND }))
          .to.be.revertedWithCustomError(challenges, "InvalidStatementSignature")
          .withArgs(USDX, next.roundId);
        if (replacement === "another key") {
          await openChallenge(fx, USDX, next, CUSTOMER.accountId, CUSTOMER.balance, { signer: outsider });
        }
      });
    }

    it("accepts a statement by a signer named after the posting (a customer may ask after a rotation)", async function () {
      const fx = await loadFixture(honestFixture);
      const { challenges, owner, outsider } = fx;
      const round = await postRound(fx, USDX, fx.tree);
      await challenges.connect(owner).setStatementSigner(USDX, outsider.address);
      const id = await openChallenge(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance, {
        signer: outsider,
      });
      expect((await challenges.getChallenge(id)).status).to.equal(Status.Open);
    });

    it("transferring the subject mid-challenge sends the bond to the owner at answer time", async function () {
      const fx = await loadFixture(honestFixture);
      const { registry, challenges, owner, newOwner, tree } = fx;
      const round = await postRound(fx, USDX, tree);
      const id = await openChallenge(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance);
      await registry.connect(owner).transferSubjectOwnership(USDX, newOwner.address);
      await registry.connect(newOwner).acceptSubjectOwnership(USDX);
      await expect(challenges.connect(owner).answerChallenge(id, tree.proof(CUSTOMER.accountId)))
        .to.emit(challenges, "ChallengeAnswered")
        .withArgs(id, owner.address, newOwner.address);
      expect(await challenges.withdrawable(newOwner.address)).to.equal(BOND);
      expect(await challenges.withdrawable(owner.address)).to.equal(0n);
    });
  });

  describe("batched in one block with the posting (effective from the next second)", function () {
    it("zeroing the window and the signer in a transaction before the post leaves the round open", async function () {
      const fx = await loadFixture(batchOwnerFixture);
      const { challenges, batch, tree } = fx;
      const round = await batchThenPostInOneBlock(
        fx,
        [
          await batchCall(challenges, "setChallengeWindow", [BATCHED, 0]),
          await batchCall(challenges, "setStatementSigner", [BATCHED, ethers.ZeroAddress]),
        ],
        tree,
      );
      expect(await challenges.challengeWindow(BATCHED)).to.equal(0);
      expect(await challenges.statementSigner(BATCHED)).to.equal(ethers.ZeroAddress);
      expect(await challenges.roundChallengeWindow(BATCHED, round.roundId)).to.equal(WINDOW);
      const filter = challenges.filters.ChallengeWindowSet(BATCHED);
      const [event] = await challenges.queryFilter(filter, "latest");
      expect(event!.args.effectiveFrom).to.equal(round.postedAt + 1n);
      const id = await openChallenge(fx, BATCHED, round, CUSTOMER.accountId, CUSTOMER.balance);
      expect((await challenges.getChallenge(id)).deadline).to.equal(
        BigInt(await time.latest()) + BigInt(WINDOW),
      );
      expect(await batch.getAddress()).to.equal((await fx.registry.subject(BATCHED)).owner);
    });

    it("changing both inside the posting transaction itself leaves the round open", async function () {
      const fx = await loadFixture(batchOwnerFixture);
      const { challenges, registry, batch, outsider, tree } = fx;
      await batch.execute([
        await batchCall(challenges, "setChallengeWindow", [BATCHED, 86_400]),
        await batchCall(challenges, "setStatementSigner", [BATCHED, outsider.address]),
        await batchCall(registry, "postAttestation", [...(await roundArgs(fx, BATCHED, tree))]),
      ]);
      const round = await latestRound(fx, BATCHED);
      expect(await challenges.roundChallengeWindow(BATCHED, round.roundId)).to.equal(WINDOW);
      await time.increaseTo(round.postedAt + BigInt(WINDOW) - 1n); // long past the 1 day the owner set
      await openChallenge(fx, BATCHED, round, CUSTOMER.accountId, CUSTOMER.balance);
    });

    it("a window opened in the posting's block applies from the next round only", async function () {
      const fx = await loadFixture(batchOwnerFixture);
      const { challenges, registry, batch, tree } = fx;
      await batch.execute([await batchCall(challenges, "setChallengeWindow", [BATCHED, 0])]);
      await batch.execute([
        await batchCall(challenges, "setChallengeWindow", [BATCHED, WINDOW]),
        await batchCall(registry, "postAttestation", [...(await roundArgs(fx, BATCHED, tree))]),
      ]);
      const round = await latestRound(fx, BATCHED);
      expect(await challenges.roundChallengeWindow(BATCHED, round.roundId)).to.equal(0);
      const args = await challengeArgs(fx, BATCHED, round, CUSTOMER.accountId, CUSTOMER.balance);
      await expect(challenges.connect(fx.customer).challenge(...args, { value: BOND }))
        .to.be.revertedWithCustomError(challenges, "ChallengesDisabled")
        .withArgs(BATCHED, round.roundId);
      const next = await postRound(fx, BATCHED, tree);
      expect(await challenges.roundChallengeWindow(BATCHED, next.roundId)).to.equal(WINDOW);
      await openChallenge(fx, BATCHED, next, CUSTOMER.accountId, CUSTOMER.balance);
    });
  });

  describe("only the exact statement counts", function () {
    async function twoRounds() {
      const fx = await honestFixture();
      const first = await postRound(fx, USDX, fx.tree);
      const round = await postRound(fx, USDX, fx.tree);
      return { ...fx, first, round };
    }

    it("refuses a statement for another round, balance, account, subject or registry", async function () {
      const fx = await loadFixture(twoRounds);
      const { registry, challenges, customer, statementKey, first, round } = fx;
      const commitment = commitmentOf(CUSTOMER.accountId);
      const statement = { subjectId: USDX, accountCommitment: commitment, balance: CUSTOMER.balance };
      const otherRegistry = await ethers.deployContract("ReserveRegistry", [fx.admin.address]);
      const forged = [
        { ...statement, asOf: first.asOf }, // the previous round's snapshot
        { ...statement, asOf: round.asOf, balance: CUSTOMER.balance + 1n },
        { ...statement, asOf: round.asOf, accountCommitment: commitmentOf(OTHER.accountId) },
        { ...statement, asOf: round.asOf, subjectId: CUSTODY },
      ];
      const signatures = await Promise.all(forged.map((s) => signStatement(statementKey, registry, s)));
      signatures.push(
        await statementKey.signTypedData(await registryDomain(otherRegistry), BALANCE_STATEMENT_TYPES, {
          ...statement,
          asOf: round.asOf,
        }),
        "0x",
        ethers.hexlify(ethers.randomBytes(65)),
      );
      for (const signature of signatures) {
        await expect(
          challenges
            .connect(customer)
            .challenge(USDX, round.roundId, commitment, CUSTOMER.balance, signature, { value: BOND }),
        )
          .to.be.revertedWithCustomError(challenges, "InvalidStatementSignature")
          .withArgs(USDX, round.roundId);
      }
    });

    it("refuses a statement signed by anyone but the statement signer", async function () {
      const fx = await loadFixture(twoRounds);
      const { challenges, owner, customer, round } = fx;
      for (const signer of [owner, customer, fx.auditorA]) {
        const args = await challengeArgs(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance, { signer });
        await expect(challenges.connect(customer).challenge(...args, { value: BOND }))
          .to.be.revertedWithCustomError(challenges, "InvalidStatementSignature")
          .withArgs(USDX, round.roundId);
      }
    });

    it("refuses statements of an ERC-1271 contract signer, whatever the contract answers", async function () {
      // A contract signer is asked at challenge time: its owners could revoke statements it gave.
      const fx = await loadFixture(honestFixture);
      const { challenges, owner, statementKey, customer, tree } = fx;
      const wallet = await ethers.deployContract("ERC1271Wallet", [statementKey.address]);
      await challenges.connect(owner).setStatementSigner(USDX, await wallet.getAddress());
      const round = await postRound(fx, USDX, tree);
      const args = await challengeArgs(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance, {
        signer: statementKey,
      });
      await expect(challenges.connect(customer).challenge(...args, { value: BOND }))
        .to.be.revertedWithCustomError(challenges, "InvalidStatementSignature")
        .withArgs(USDX, round.roundId);
    });
  });

  describe("a Safe as statement signer", function () {
    /** USDX's statement signer is a 1-of-2 Safe (the real Safe 1.4.1) of the statement key and the owner. */
    async function safeSignerFixture() {
      const fx = await honestFixture();
      const deployment = await deploySafeContracts(fx.admin);
      const safe = await createSafe(fx.admin, deployment, [fx.statementKey.address, fx.owner.address], 1);
      await fx.challenges.connect(fx.owner).setStatementSigner(USDX, safe);
      const round = await postRound(fx, USDX, fx.tree);
      /** The Safe's ERC-1271 signature of `account`'s statement, by the statement key. */
      async function safeStatement(account: Account) {
        const digest = await fx.registry.balanceStatementDigest(
          USDX,
          commitmentOf(account.accountId),
          account.balance,
          round.asOf,
        );
        const { chainId } = await ethers.provider.getNetwork();
        const part = await signSafeMessage(fx.statementKey, chainId, safe, digest);
        const state = await readSafeState(ethers.provider, safe);
        return assembleSafeSignature(safeMessageHash(chainId, safe, digest), [part], state);
      }
      return { ...fx, safe, round, safeStatement };
    }

    it("refuses the Safe's statements: removing an owner after the posting would revoke them", async function () {
      const { challenges, customer, round, safeStatement } = await loadFixture(safeSignerFixture);
      const signature = await safeStatement(CUSTOMER);
      await expect(
        challenges
          .connect(customer)
          .challenge(USDX, round.roundId, commitmentOf(CUSTOMER.accountId), CUSTOMER.balance, signature, {
            value: BOND,
          }),
      )
        .to.be.revertedWithCustomError(challenges, "InvalidStatementSignature")
        .withArgs(USDX, round.roundId);
    });
  });

  describe("only the exact proof answers", function () {
    it("refuses a proof of another account, another round's tree, or another balance", async function () {
      const fx = await loadFixture(honestFixture);
      const { challenges, owner, tree } = fx;
      const richer = await buildTree(
        ACCOUNTS.map((a) => (a === CUSTOMER ? { ...a, balance: a.balance + UNIT } : a)),
      );
      await postRound(fx, USDX, richer);
      const round = await postRound(fx, USDX, tree);
      const exact = await openChallenge(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance);
      // The statement says less or more than the round holds: the round does not match it exactly.
      const less = await openChallenge(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance - 1n);
      const more = await openChallenge(fx, USDX, round, CUSTOMER.accountId, CUSTOMER.balance + UNIT);
      const attempts: [bigint, { hash: string; sum: bigint }[]][] = [
        [exact, tree.proof(OTHER.accountId)],
        [exact, richer.proof(CUSTOMER.accountId)],
        [less, tree.proof(CUSTOMER.accountId)],
        [more, tree.proof(CUSTOMER.accountId)],
        [more, richer.proof(CUSTOMER.accountId)],
      ];
      for (const [id, proof] of attempts) {
        await expect(challenges.connect(owner).answerChallenge(id, proof))
          .to.be.revertedWithCustomError(challenges, "ProofDoesNotVerify")
          .withArgs(id);
      }
      await expect(challenges.connect(owner).answerChallenge(exact, tree.proof(CUSTOMER.accountId)))
        .to.emit(challenges, "ChallengeAnswered")
        .withArgs(exact, owner.address, owner.address);
      expect(await challenges.openChallenges(USDX, round.roundId)).to.equal(2);
    });
  });
});
