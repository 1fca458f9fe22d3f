import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { ethers } from "hardhat";
import type { liabilitiesVectors } from "./helpers/liabilities-vectors";

const vectors = JSON.parse(
  readFileSync(path.join(__dirname, "fixtures", "liabilities-vectors.json"), "utf8"),
) as ReturnType<typeof liabilitiesVectors>;
const MAX_UINT256 = ethers.MaxUint256;

describe("MerkleSumProof", function () {
  async function deployHarness() {
    return ethers.deployContract("MerkleSumProofHarness");
  }

  describe("accountCommitment and leafHash", function () {
    it("match the test vectors", async function () {
      const harness = await loadFixture(deployHarness);
      for (const tree of vectors.trees) {
        for (const a of tree.accounts) {
          expect(await harness.accountCommitment(a.salt, a.accountId)).to.equal(a.commitment);
          expect(await harness.leafHash(a.commitment, a.balance)).to.equal(a.leafHash);
        }
      }
    });
  });

  describe("nodeHash", function () {
    it("reproduces every level of the vectors, whatever the order of the children", async function () {
      const harness = await loadFixture(deployHarness);
      for (const tree of vectors.trees) {
        for (let l = 1; l < tree.levels.length; l++) {
          const below = tree.levels[l - 1]!;
          for (const [i, node] of tree.levels[l]!.entries()) {
            const a = below[2 * i]!;
            const b = below[2 * i + 1];
            if (b === undefined) continue; // promoted unchanged
            expect(await harness.nodeHash(a.hash, a.sum, b.hash, b.sum)).to.deep.equal([
              node.hash,
              BigInt(node.sum),
            ]);
            expect(await harness.nodeHash(b.hash, b.sum, a.hash, a.sum)).to.deep.equal([
              node.hash,
              BigInt(node.sum),
            ]);
          }
        }
      }
    });

    it("reverts with MerkleSumOverflow when the sums overflow", async function () {
      const harness = await loadFixture(deployHarness);
      await expect(harness.nodeHash(ethers.ZeroHash, MAX_UINT256, ethers.ZeroHash, 1n))
        .to.be.revertedWithCustomError(harness, "MerkleSumOverflow")
        .withArgs(MAX_UINT256, 1n);
    });
  });

  describe("processProof", function () {
    it("folds every vector proof to the root and total", async function () {
      const harness = await loadFixture(deployHarness);
      for (const tree of vectors.trees) {
        for (const a of tree.accounts) {
          expect(await harness.processProof(a.leafHash, a.balance, a.proof)).to.deep.equal([
            tree.root,
            BigInt(tree.total),
          ]);
        }
      }
    });

    it("returns the leaf itself for an empty proof (a one-leaf tree)", async function () {
      const harness = await loadFixture(deployHarness);
      const a = vectors.trees[0]!.accounts[0]!;
      expect(await harness.processProof(a.leafHash, a.balance, [])).to.deep.equal([
        a.leafHash,
        BigInt(a.balance),
      ]);
    });

    it("reverts with MerkleSumOverflow for a forged step whose sum wraps", async function () {
      const harness = await loadFixture(deployHarness);
      const a = vectors.trees[1]!.accounts[0]!;
      const honest = a.proof.map((s) => ({ hash: s.hash, sum: BigInt(s.sum) }));
      // Second step claims 2^256 - 1 - (running sum) + 1: the running sum would wrap to 0.
      const running = BigInt(a.balance) + honest[0]!.sum;
      const debt = MAX_UINT256 - running + 1n;
      const forged = [honest[0]!, { hash: honest[1]!.hash, sum: debt }, ...honest.slice(2)];
      await expect(harness.processProof(a.leafHash, a.balance, forged))
        .to.be.revertedWithCustomError(harness, "MerkleSumOverflow")
        .withArgs(running, debt);
      // tryProcessProof reports the overflow with the node and sum folded before the bad step.
      const [rootBefore] = await harness.processProof(a.leafHash, a.balance, [honest[0]!]);
      expect(await harness.tryProcessProof(a.leafHash, a.balance, forged)).to.deep.equal([
        true,
        rootBefore,
        running,
      ]);
    });
  });

  describe("verify", function () {
    it("accepts the vectors and rejects a wrong total, root, balance or commitment", async function () {
      const harness = await loadFixture(deployHarness);
      const tree = vectors.trees[1]!;
      const a = tree.accounts[3]!;
      const total = BigInt(tree.total);
      expect(await harness.verify(tree.root, total, a.commitment, a.balance, a.proof)).to.equal(true);
      expect(await harness.verify(tree.root, total - 1n, a.commitment, a.balance, a.proof)).to.equal(false);
      expect(await harness.verify(tree.root, total + 1n, a.commitment, a.balance, a.proof)).to.equal(false);
      expect(await harness.verify(ethers.id("other"), total, a.commitment, a.balance, a.proof)).to.equal(
        false,
      );
      expect(await harness.verify(tree.root, total, a.commitment, BigInt(a.balance) + 1n, a.proof)).to.equal(
        false,
      );
      expect(
        await harness.verify(tree.root, total, tree.accounts[0]!.commitment, a.balance, a.proof),
      ).to.equal(false);
    });

    it("returns false instead of reverting for a wrapped sum", async function () {
      const harness = await loadFixture(deployHarness);
      const a = vectors.trees[0]!.accounts[1]!;
      const forged = [{ hash: a.proof[0]!.hash, sum: MAX_UINT256 }];
      expect(await harness.verify(vectors.trees[0]!.root, 0n, a.commitment, 1n, forged)).to.equal(false);
    });
  });

  describe("verifyCalldata (the registry's verifyLiability)", function () {
    it("accepts every vector proof and rejects it with any input changed, as verify does", async function () {
      const harness = await loadFixture(deployHarness);
      for (const tree of vectors.trees) {
        for (const a of tree.accounts) {
          const total = BigInt(tree.total);
          const cases: Array<[string, bigint, string, bigint, boolean]> = [
            [tree.root, total, a.commitment, BigInt(a.balance), true],
            [tree.root, total + 1n, a.commitment, BigInt(a.balance), false],
            [ethers.id("other"), total, a.commitment, BigInt(a.balance), false],
            [tree.root, total, a.commitment, BigInt(a.balance) + 1n, false],
            [tree.root, total, ethers.id("someone else"), BigInt(a.balance), false],
          ];
          for (const [root, t, commitment, balance, expected] of cases) {
            expect(await harness.verifyCalldata(root, t, commitment, balance, a.proof)).to.equal(expected);
            expect(await harness.verify(root, t, commitment, balance, a.proof)).to.equal(expected);
          }
        }
      }
    });

    it("returns false instead of reverting for a wrapped sum, at any step", async function () {
      const harness = await loadFixture(deployHarness);
      const tree = vectors.trees[1]!;
      const a = tree.accounts[0]!;
      for (let at = 0; at < a.proof.length; at++) {
        const forged = a.proof.map((step, i) => (i === at ? { hash: step.hash, sum: MAX_UINT256 } : step));
        expect(await harness.verifyCalldata(tree.root, 0n, a.commitment, a.balance, forged)).to.equal(false);
      }
    });

    it("property: answers as verify and as the fold of processProof, for any proof", async function () {
      const harness = await loadFixture(deployHarness);
      // Small hash and sum alphabets, so ties between the node and its sibling and sums at the
      // overflow edge are drawn often.
      const hash = fc.oneof(
        fc.constantFrom(ethers.ZeroHash, `0x${"ff".repeat(32)}`),
        fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => ethers.hexlify(b)),
      );
      const sum = fc.oneof(
        fc.bigInt({ min: 0n, max: 1000n }),
        fc.bigInt({ min: MAX_UINT256 - 1000n, max: MAX_UINT256 }),
        fc.bigInt({ min: 0n, max: MAX_UINT256 }),
      );
      await fc.assert(
        fc.asyncProperty(
          hash,
          sum,
          fc.array(fc.record({ hash, sum }), { maxLength: 6 }),
          fc.boolean(),
          async (commitment, balance, proof, useFold) => {
            const leaf = await harness.leafHash(commitment, balance);
            const [overflowed, foldRoot, foldTotal] = await harness.tryProcessProof(leaf, balance, proof);
            // Half the cases ask about the true fold (true unless it overflowed), half about a random root.
            const root = useFold ? foldRoot : ethers.id(commitment);
            const total = useFold ? foldTotal : balance;
            const expected = !overflowed && root === foldRoot && total === foldTotal;
            expect(await harness.verifyCalldata(root, total, commitment, balance, proof)).to.equal(expected);
            expect(await harness.verify(root, total, commitment, balance, proof)).to.equal(expected);
          },
        ),
        { numRuns: 60 },
      );
    });
  });
});
