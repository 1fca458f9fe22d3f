import { expect } from "chai";
import { AbiCoder, keccak256 } from "ethers";
import { verifyProofPackage, parseProofPackage, type LiabilityProofPackage } from "../../src/liabilities";
import { InvalidFileError } from "../../src/core/errors";
import { buildAccounts, csvOf, scratchDir } from "../helpers/liabilities-build";
import { refCommitment, refLeaf } from "../helpers/liabilities-reference";

const abi = AbiCoder.defaultAbiCoder();
const MAX_UINT256 = (1n << 256n) - 1n;
const SALT_A = `0x${"aa".repeat(32)}`;
const SALT_B = `0x${"bb".repeat(32)}`;

function sorted(a: string, b: string): [string, string] {
  return BigInt(a) <= BigInt(b) ? [a, b] : [b, a];
}

describe("liabilities attacks", function () {
  const leafA = refLeaf(refCommitment(SALT_A, "alice"), 10n);
  const leafB = refLeaf(refCommitment(SALT_B, "bob"), 10n);
  const pkgFor = (
    accountId: string,
    salt: string,
    balance: bigint,
    proof: Array<{ hash: string; sum: bigint }>,
    root: string,
    total: bigint,
  ): LiabilityProofPackage => ({
    format: "por-liability-proof/1",
    accountId,
    salt: salt as `0x${string}`,
    balance: balance.toString(),
    proof: proof.map((s) => ({ hash: s.hash as `0x${string}`, sum: s.sum.toString() })),
    root: root as `0x${string}`,
    total: total.toString(),
  });

  describe("a tree whose nodes hash only the children's total", function () {
    // Broken construction: node = keccak256(h1, h2, s1 + s2). The custodian publishes total 10 for
    // two customers owning 10 each, and tells each one the other's balance is 0.
    const [lo, hi] = sorted(leafA.hash, leafB.hash);
    const brokenRoot = keccak256(abi.encode(["bytes32", "bytes32", "uint256"], [lo, hi, 10n]));
    const brokenVerify = (leaf: string, balance: bigint, sibling: { hash: string; sum: bigint }) => {
      const [x, y] = sorted(leaf, sibling.hash);
      return (
        keccak256(abi.encode(["bytes32", "bytes32", "uint256"], [x, y, balance + sibling.sum])) === brokenRoot
      );
    };

    it("fools a verifier of that construction (the attack is real)", function () {
      expect(brokenVerify(leafA.hash, 10n, { hash: leafB.hash, sum: 0n })).to.equal(true);
      expect(brokenVerify(leafB.hash, 10n, { hash: leafA.hash, sum: 0n })).to.equal(true);
    });

    it("is rejected by ours, for both customers", function () {
      const a = pkgFor("alice", SALT_A, 10n, [{ hash: leafB.hash, sum: 0n }], brokenRoot, 10n);
      const b = pkgFor("bob", SALT_B, 10n, [{ hash: leafA.hash, sum: 0n }], brokenRoot, 10n);
      expect(verifyProofPackage(a).reason).to.match(/^the proof does not lead to the root/);
      expect(verifyProofPackage(b).reason).to.match(/^the proof does not lead to the root/);
    });

    it("cannot be repaired by binding only the sum into our root: each child's sum is in the hash", function () {
      // The honest root over the same leaves, and a proof claiming the sibling holds 0.
      const honest = keccak256(abi.encode(["bytes32", "uint256", "bytes32", "uint256"], [lo, 10n, hi, 10n]));
      const forged = pkgFor("alice", SALT_A, 10n, [{ hash: leafB.hash, sum: 0n }], honest, 10n);
      expect(verifyProofPackage(forged).ok).to.equal(false);
      const honestPkg = pkgFor("alice", SALT_A, 10n, [{ hash: leafB.hash, sum: 10n }], honest, 20n);
      expect(verifyProofPackage(honestPkg).ok).to.equal(true);
    });
  });

  describe("a forged proof with a wrapped (negative-looking) sum", function () {
    // The sibling claims 2^256 - 5: with wrapping arithmetic 10 + that = 5, a total below alice's own
    // balance. The root is computed honestly over those values, so only the overflow check stops it.
    const debt = MAX_UINT256 - 4n;
    const [lo, hi] = sorted(leafA.hash, leafB.hash);
    const loSum = lo === leafA.hash ? 10n : debt;
    const hiSum = lo === leafA.hash ? debt : 10n;
    const root = keccak256(abi.encode(["bytes32", "uint256", "bytes32", "uint256"], [lo, loSum, hi, hiSum]));
    const forged = pkgFor("alice", SALT_A, 10n, [{ hash: leafB.hash, sum: debt }], root, 5n);

    it("is rejected: sums are checked additions", function () {
      expect(verifyProofPackage(forged)).to.include({
        ok: false,
        reason: "the sum at step 1 of 1 overflows uint256",
      });
    });

    it("cannot be written with a negative sum at all", function () {
      const negative = { ...forged, proof: [{ hash: leafB.hash, sum: "-5" }] };
      expect(() => parseProofPackage(negative, "forged.json")).to.throw(
        InvalidFileError,
        /proof\[0\]\.sum must be a uint256/,
      );
    });
  });

  describe("a duplicate account", function () {
    it("is refused by the builder, naming both lines", async function () {
      const { dir, cleanup } = scratchDir();
      try {
        const csv = csvOf([
          { accountId: "alice", balance: 10n },
          { accountId: "bob", balance: 5n },
          { accountId: "alice", balance: 0n },
        ]);
        await buildAccounts(dir, [], { csv }).then(
          () => expect.fail("built a tree with a duplicate account"),
          (err: Error) => {
            expect(err).to.be.instanceOf(InvalidFileError);
            expect(err.message).to.match(/input\.csv:4: duplicate account "alice" \(first on line 2\)$/);
          },
        );
      } finally {
        cleanup();
      }
    });
  });
});
