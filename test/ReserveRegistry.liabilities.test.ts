import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ethers } from "hardhat";
import { proofStepsForContract, verifyProofPackage, type LiabilityProofPackage } from "../src/liabilities";
import { buildAccounts, scratchDir } from "./helpers/liabilities-build";
import type { liabilitiesVectors } from "./helpers/liabilities-vectors";
import { deployRegistryWithSubject, liabilitiesAttestation, postAttestation } from "./helpers/registry";

const vectors = JSON.parse(
  readFileSync(path.join(__dirname, "fixtures", "liabilities-vectors.json"), "utf8"),
) as ReturnType<typeof liabilitiesVectors>;
const SUBJECT = ethers.encodeBytes32String("USDX");
const abi = ethers.AbiCoder.defaultAbiCoder();

describe("ReserveRegistry.verifyLiability", function () {
  /** Round 1 attests the three-leaf vector tree, round 2 the five-leaf one. */
  async function vectorRounds() {
    const deployed = await deployRegistryWithSubject(SUBJECT);
    const [three, five] = vectors.trees as [(typeof vectors.trees)[0], (typeof vectors.trees)[0]];
    await postAttestation(
      deployed.registry,
      deployed.auditor,
      await liabilitiesAttestation(SUBJECT, three.root, BigInt(three.total)),
    );
    await postAttestation(
      deployed.registry,
      deployed.auditor,
      await liabilitiesAttestation(SUBJECT, five.root, BigInt(five.total), 1),
    );
    return { ...deployed, three, five };
  }

  it("accepts every vector proof against the round that attested its tree", async function () {
    const { registry, three, five } = await loadFixture(vectorRounds);
    for (const [round, tree] of [
      [1n, three],
      [2n, five],
    ] as const) {
      for (const a of tree.accounts) {
        expect(await registry.verifyLiability(SUBJECT, round, a.commitment, a.balance, a.proof)).to.equal(
          true,
        );
      }
    }
  });

  it("rejects a proof against a different round", async function () {
    const { registry, three, five } = await loadFixture(vectorRounds);
    for (const a of three.accounts) {
      expect(await registry.verifyLiability(SUBJECT, 2n, a.commitment, a.balance, a.proof)).to.equal(false);
    }
    for (const a of five.accounts) {
      expect(await registry.verifyLiability(SUBJECT, 1n, a.commitment, a.balance, a.proof)).to.equal(false);
    }
  });

  it("rejects a changed balance, commitment, step hash or step sum", async function () {
    const { registry, five } = await loadFixture(vectorRounds);
    const a = five.accounts[3]!;
    const steps = a.proof.map((s) => ({ hash: s.hash, sum: BigInt(s.sum) }));
    expect(await registry.verifyLiability(SUBJECT, 2n, a.commitment, BigInt(a.balance) - 1n, steps)).to.equal(
      false,
    );
    expect(
      await registry.verifyLiability(SUBJECT, 2n, five.accounts[0]!.commitment, a.balance, steps),
    ).to.equal(false);
    const badHash = steps.map((s, i) => (i === 0 ? { ...s, hash: ethers.id("x") } : s));
    expect(await registry.verifyLiability(SUBJECT, 2n, a.commitment, a.balance, badHash)).to.equal(false);
    const badSum = steps.map((s, i) => (i === steps.length - 1 ? { ...s, sum: s.sum + 1n } : s));
    expect(await registry.verifyLiability(SUBJECT, 2n, a.commitment, a.balance, badSum)).to.equal(false);
  });

  it("returns false for a round that published no liabilities root", async function () {
    const { registry, auditor, five } = await loadFixture(vectorRounds);
    await postAttestation(
      registry,
      auditor,
      await liabilitiesAttestation(SUBJECT, ethers.ZeroHash, BigInt(five.total), 2),
    );
    const a = five.accounts[0]!;
    expect(await registry.verifyLiability(SUBJECT, 3n, a.commitment, a.balance, a.proof)).to.equal(false);
    // Even a "proof" that folds to zero cannot match: the zero root means "none published".
    expect(await registry.verifyLiability(SUBJECT, 3n, ethers.ZeroHash, 0n, [])).to.equal(false);
  });

  it("returns false, without reverting, for a forged proof whose sum wraps", async function () {
    const { registry, auditor, five } = await loadFixture(vectorRounds);
    const a = five.accounts[0]!;
    const balance = BigInt(a.balance);
    const sibling = five.accounts[1]!.leafHash;
    // The sibling "owes" so much that balance + debt wraps to 4 with unchecked arithmetic. The root
    // is hashed honestly over those values, so only the checked addition can stop the proof.
    const debt = ethers.MaxUint256 - balance + 5n;
    const [lo, loSum, hi, hiSum] =
      BigInt(a.leafHash) <= BigInt(sibling)
        ? [a.leafHash, balance, sibling, debt]
        : [sibling, debt, a.leafHash, balance];
    const root = ethers.keccak256(
      abi.encode(["bytes32", "uint256", "bytes32", "uint256"], [lo, loSum, hi, hiSum]),
    );
    await postAttestation(registry, auditor, await liabilitiesAttestation(SUBJECT, root, 4n, 2));
    expect(
      await registry.verifyLiability(SUBJECT, 3n, a.commitment, balance, [{ hash: sibling, sum: debt }]),
    ).to.equal(false);
  });

  it("returns false for a root of a tree that hashes only the children's total", async function () {
    const { registry, auditor, five } = await loadFixture(vectorRounds);
    const [a, b] = [five.accounts[0]!, five.accounts[1]!];
    const [lo, hi] =
      BigInt(a.leafHash) <= BigInt(b.leafHash) ? [a.leafHash, b.leafHash] : [b.leafHash, a.leafHash];
    // The broken construction lets the custodian claim only a's balance as the total.
    const brokenRoot = ethers.keccak256(
      abi.encode(["bytes32", "bytes32", "uint256"], [lo, hi, BigInt(a.balance)]),
    );
    await postAttestation(
      registry,
      auditor,
      await liabilitiesAttestation(SUBJECT, brokenRoot, BigInt(a.balance), 2),
    );
    expect(
      await registry.verifyLiability(SUBJECT, 3n, a.commitment, a.balance, [{ hash: b.leafHash, sum: 0n }]),
    ).to.equal(false);
    expect(
      await registry.verifyLiability(SUBJECT, 3n, b.commitment, b.balance, [{ hash: a.leafHash, sum: 0n }]),
    ).to.equal(false);
  });

  it("verifies a tree whose total is exactly MAX_AMOUNT, and no round can attest one total above it", async function () {
    const { registry, auditor } = await loadFixture(vectorRounds);
    const leaf = (commitment: string, balance: bigint) =>
      ethers.keccak256(ethers.keccak256(abi.encode(["bytes32", "uint256"], [commitment, balance])));
    /** A two-leaf tree; returns its root, total and the first account's proof. */
    function twoLeaves(balanceA: bigint, balanceB: bigint) {
      const [commitmentA, commitmentB] = [ethers.id("account a"), ethers.id("account b")];
      const [leafA, leafB] = [leaf(commitmentA, balanceA), leaf(commitmentB, balanceB)];
      const [lo, loSum, hi, hiSum] =
        BigInt(leafA) <= BigInt(leafB)
          ? [leafA, balanceA, leafB, balanceB]
          : [leafB, balanceB, leafA, balanceA];
      const root = ethers.keccak256(
        abi.encode(["bytes32", "uint256", "bytes32", "uint256"], [lo, loSum, hi, hiSum]),
      );
      return { root, total: balanceA + balanceB, commitmentA, proof: [{ hash: leafB, sum: balanceB }] };
    }
    const MAX_AMOUNT = 2n ** 128n - 1n;
    const fits = twoLeaves(2n ** 127n, 2n ** 127n - 1n);
    expect(fits.total).to.equal(MAX_AMOUNT);
    await postAttestation(registry, auditor, await liabilitiesAttestation(SUBJECT, fits.root, fits.total, 2));
    expect(await registry.verifyLiability(SUBJECT, 3n, fits.commitmentA, 2n ** 127n, fits.proof)).to.equal(
      true,
    );

    const tooLarge = twoLeaves(2n ** 127n, 2n ** 127n);
    await expect(
      postAttestation(registry, auditor, {
        ...(await liabilitiesAttestation(SUBJECT, tooLarge.root, tooLarge.total, 3)),
        reserves: 0n,
      }),
    )
      .to.be.revertedWithCustomError(registry, "AmountTooLarge")
      .withArgs(MAX_AMOUNT + 1n, MAX_AMOUNT);
    await expect(registry.verifyLiability(SUBJECT, 4n, tooLarge.commitmentA, 2n ** 127n, tooLarge.proof))
      .to.be.revertedWithCustomError(registry, "RoundNotFound")
      .withArgs(SUBJECT, 4n);
  });

  it("reverts with RoundNotFound for a round that does not exist", async function () {
    const { registry, three } = await loadFixture(vectorRounds);
    const a = three.accounts[0]!;
    for (const round of [0n, 3n]) {
      await expect(registry.verifyLiability(SUBJECT, round, a.commitment, a.balance, a.proof))
        .to.be.revertedWithCustomError(registry, "RoundNotFound")
        .withArgs(SUBJECT, round);
    }
  });

  describe("over a tree of 1,200 accounts built by the SDK", function () {
    this.timeout(120_000);
    const ACCOUNTS = 1_200;

    async function bigTree() {
      const deployed = await deployRegistryWithSubject(SUBJECT);
      const scratch = scratchDir();
      const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({
        accountId: `customer-${i}`,
        balance: BigInt(i + 1) * 10n ** 18n + BigInt(i * 7919),
      }));
      const { summary, tree } = await buildAccounts(scratch.dir, accounts, { padTo: 1_500 });
      const proofs: LiabilityProofPackage[] = [...tree.proofs()];
      tree.close();
      scratch.cleanup();
      await postAttestation(
        deployed.registry,
        deployed.auditor,
        await liabilitiesAttestation(SUBJECT, summary.root, summary.total),
      );
      return { ...deployed, summary, proofs };
    }

    it("verifies every account's proof on-chain", async function () {
      const { registry, proofs } = await loadFixture(bigTree);
      expect(proofs).to.have.length(ACCOUNTS);
      for (const pkg of proofs) {
        const { ok, commitment } = verifyProofPackage(pkg);
        expect(ok).to.equal(true);
        expect(
          await registry.verifyLiability(SUBJECT, 1n, commitment, pkg.balance, proofStepsForContract(pkg)),
        ).to.equal(true, pkg.accountId);
      }
    });

    it("rejects a proof whose balance was lowered", async function () {
      const { registry, proofs } = await loadFixture(bigTree);
      const pkg = proofs[617]!;
      const { commitment } = verifyProofPackage(pkg);
      expect(
        await registry.verifyLiability(
          SUBJECT,
          1n,
          commitment,
          BigInt(pkg.balance) - 1n,
          proofStepsForContract(pkg),
        ),
      ).to.equal(false);
    });

    it("costs less than 100k gas for the deepest proof", async function () {
      const { registry, proofs } = await loadFixture(bigTree);
      const deepest = proofs.reduce((a, b) => (b.proof.length > a.proof.length ? b : a));
      expect(deepest.proof.length).to.equal(11); // ceil(log2(1,500))
      const { commitment } = verifyProofPackage(deepest);
      const gas = await registry.verifyLiability.estimateGas(
        SUBJECT,
        1n,
        commitment,
        deepest.balance,
        proofStepsForContract(deepest),
      );
      expect(gas).to.be.lessThan(100_000n);
    });
  });
});
