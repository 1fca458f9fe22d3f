/**
 * solvency(): a subject's latest round in one read. Both sides, the ratio and freshness are exactly
 * collateralization()'s in the same block; the rest (signers, publication, challenges, dispute) is
 * the latest round's own.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { WAD } from "./helpers/backing";
import {
  CUSTODY,
  HEARTBEAT,
  RESERVES,
  UNIT,
  USDX,
  WINDOW,
  buildTree,
  deployChallengesFixture,
  openChallenge,
  passDeadline,
  postRound,
  type Account,
  type ChallengesFixture,
} from "./helpers/challenges";

const ACCOUNTS: Account[] = [
  { accountId: "acct-1", balance: 1_500n * UNIT },
  { accountId: "acct-2", balance: 250n * UNIT },
  { accountId: "acct-3", balance: 7_000n * UNIT },
];
const TOTAL = 8_750n * UNIT;
const TO_WAD = 10n ** 12n;

async function treeFixture() {
  const fx = await deployChallengesFixture();
  return { ...fx, tree: await buildTree(ACCOUNTS) };
}

/** solvency() and collateralization() read in one block. */
async function readBoth(fx: ChallengesFixture, subjectId: string) {
  const blockTag = await ethers.provider.getBlockNumber();
  const solvency = await fx.challenges.solvency(subjectId, { blockTag });
  const collateralization = await fx.registry.collateralization(subjectId, { blockTag });
  expect([solvency.reserves, solvency.liabilities, solvency.ratioWad, solvency.fresh]).to.deep.equal(
    [...collateralization],
    "solvency's figures are collateralization()'s",
  );
  return solvency;
}

/** The bitmap of `signers` over the subject's auditors list. */
function bitmap(list: HardhatEthersSigner[], signers: HardhatEthersSigner[]): bigint {
  return signers.reduce((bits, s) => bits | (1n << BigInt(list.indexOf(s))), 0n);
}

describe("LiabilityChallenges.solvency", function () {
  it("reads all zeros but collateralization()'s figures for a subject with no rounds", async function () {
    const fx = await loadFixture(deployChallengesFixture);
    for (const subjectId of [CUSTODY, USDX]) {
      const s = await readBoth(fx, subjectId);
      expect([...s]).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
        ethers.MaxUint256, // nothing owed
        false,
        false,
        0n,
        0n,
        false,
        0n,
        0n, // no round, no window
      ]);
    }
  });

  it("reads every field of a fresh round signed by 2 of 3 auditors", async function () {
    const fx = await loadFixture(treeFixture);
    const round = await postRound(fx, CUSTODY, fx.tree, { signers: [fx.auditorA, fx.auditorC] });
    const s = await readBoth(fx, CUSTODY);
    expect([...s]).to.deep.equal([
      round.roundId,
      round.asOf,
      RESERVES * TO_WAD,
      TOTAL * TO_WAD,
      (RESERVES * WAD) / TOTAL,
      true,
      false,
      2n,
      0b101n, // auditors[0] and auditors[2]
      false,
      0n,
      BigInt(WINDOW), // the window in force when it was posted
    ]);
    expect(await fx.registry.roundSigners(CUSTODY, round.roundId)).to.equal(0b101n);
  });

  it("maps signers to their positions in the auditors list at posting time", async function () {
    const fx = await loadFixture(treeFixture);
    const { registry, challenges, owner, auditorA, auditorB, auditorC } = fx;
    const list = [auditorA, auditorB, auditorC];
    const sets = [[auditorA, auditorB], [auditorA, auditorC], [auditorB, auditorC], list];
    const rounds: bigint[] = [];
    for (const signers of sets) {
      const round = await postRound(fx, CUSTODY, fx.tree, { signers });
      rounds.push(round.roundId);
      const s = await challenges.solvency(CUSTODY);
      expect([s.signers, s.signerCount]).to.deep.equal([bitmap(list, signers), BigInt(signers.length)]);
    }
    // A new list order renumbers later rounds only.
    const reversed = [auditorC, auditorB, auditorA];
    const [config] = await registry.subject(CUSTODY);
    await registry.connect(owner).updateSubject(CUSTODY, {
      name: config.name,
      decimals: config.decimals,
      token: config.token,
      reserveAsset: config.reserveAsset,
      heartbeat: config.heartbeat,
      quorum: config.quorum,
      auditors: reversed.map((a) => a.address),
    });
    for (const [i, roundId] of rounds.entries()) {
      expect(await registry.roundSigners(CUSTODY, roundId)).to.equal(bitmap(list, sets[i]!));
    }
    await postRound(fx, CUSTODY, fx.tree, { signers: [auditorA, auditorB] });
    expect((await challenges.solvency(CUSTODY)).signers).to.equal(0b110n);
  });

  it("counts open challenges of the latest round, and shows publication and dispute", async function () {
    const fx = await loadFixture(treeFixture);
    const { challenges, owner, tree } = fx;
    const round = await postRound(fx, CUSTODY, tree);
    const exact = await openChallenge(fx, CUSTODY, round, "acct-1", 1_500n * UNIT);
    const wrong = await openChallenge(fx, CUSTODY, round, "acct-2", 1n);
    const missing = await openChallenge(fx, CUSTODY, round, "acct-9", 5n * UNIT);
    expect((await readBoth(fx, CUSTODY)).openChallenges).to.equal(3n);

    await challenges.connect(owner).answerChallenge(exact, tree.proof("acct-1"));
    expect((await readBoth(fx, CUSTODY)).openChallenges).to.equal(2n);
    await challenges.connect(owner).publishProofs(CUSTODY, round.roundId, ethers.id("manifest"), "ipfs://m");
    expect((await readBoth(fx, CUSTODY)).proofsPublished).to.equal(true);

    await passDeadline(challenges, missing);
    let s = await readBoth(fx, CUSTODY);
    expect([s.fresh, s.disputed, s.openChallenges]).to.deep.equal([true, false, 2n]);
    await challenges.settleChallenge(wrong);
    s = await readBoth(fx, CUSTODY);
    expect([s.fresh, s.disputed, s.openChallenges]).to.deep.equal([false, true, 1n]);
    await challenges.settleChallenge(missing);
    expect((await readBoth(fx, CUSTODY)).openChallenges).to.equal(0n);

    // A new round with a snapshot after the dispute: its own challenges, publication and dispute, none yet.
    await time.increase(2);
    const next = await postRound(fx, CUSTODY, tree);
    s = await readBoth(fx, CUSTODY);
    expect([s.roundId, s.fresh, s.disputed, s.proofsPublished, s.openChallenges]).to.deep.equal([
      next.roundId,
      true,
      false,
      false,
      0n,
    ]);
  });

  it("matches collateralization() for a token's live supply and once the round is stale", async function () {
    const fx = await loadFixture(treeFixture);
    const round = await postRound(fx, USDX, fx.tree);
    await fx.usdx.mint(fx.alice.address, 1_234n * UNIT);
    let s = await readBoth(fx, USDX);
    expect([s.roundId, s.liabilities, s.fresh]).to.deep.equal([round.roundId, 1_234n * UNIT * TO_WAD, true]);
    await ethers.provider.send("evm_increaseTime", [HEARTBEAT + 1]);
    await ethers.provider.send("evm_mine", []);
    s = await readBoth(fx, USDX);
    expect([s.fresh, s.disputed]).to.deep.equal([false, false]);
  });

  it("refuses an unknown subject", async function () {
    const { registry, challenges } = await loadFixture(deployChallengesFixture);
    const unknown = ethers.id("never registered");
    await expect(challenges.solvency(unknown))
      .to.be.revertedWithCustomError(registry, "UnknownSubject")
      .withArgs(unknown);
  });
});
