import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  SaltDeriver,
  accountCommitment,
  leafHash,
  parentNode,
  toHex,
  verifyProofPackage,
} from "../../src/liabilities";
import { bytes32FromHex } from "../../src/liabilities/hash";
import { buildAccounts, scratchDir } from "../helpers/liabilities-build";
import { liabilitiesVectors } from "../helpers/liabilities-vectors";

export const VECTORS_FILE = path.join(__dirname, "..", "fixtures", "liabilities-vectors.json");
const vectors = JSON.parse(readFileSync(VECTORS_FILE, "utf8")) as ReturnType<typeof liabilitiesVectors>;

describe("liabilities test vectors", function () {
  it("the committed file is exactly what the reference implementation computes", function () {
    expect(vectors).to.deep.equal(JSON.parse(JSON.stringify(liabilitiesVectors())));
  });

  it("docs/liabilities-tree.md shows every salt, commitment, node hash and sum of the vectors", function () {
    const doc = readFileSync(path.join(__dirname, "..", "..", "docs", "liabilities-tree.md"), "utf8");
    for (const tree of vectors.trees) {
      for (const a of tree.accounts)
        for (const value of [a.salt, a.commitment, a.leafHash]) expect(doc).to.include(value);
      for (const level of tree.levels)
        for (const node of level) expect(doc).to.include(`\`${node.hash}\` / ${node.sum}`);
      expect(doc).to.include(`Root \`${tree.root}\`, total ${tree.total}.`);
    }
  });

  for (const tree of vectors.trees) {
    describe(tree.name, function () {
      it("the SDK's salts, commitments and leaf hashes match", function () {
        const deriver = new SaltDeriver(Buffer.from(vectors.saltSecret));
        for (const a of tree.accounts) {
          expect(toHex(deriver.derive(a.accountId))).to.equal(a.salt);
          const commitment = accountCommitment(bytes32FromHex(a.salt, "salt"), a.accountId);
          expect(toHex(commitment)).to.equal(a.commitment);
          expect(toHex(leafHash(commitment, BigInt(a.balance)))).to.equal(a.leafHash);
        }
      });

      it("the SDK's node hashing reproduces every level", function () {
        for (let l = 1; l < tree.levels.length; l++) {
          const below = tree.levels[l - 1]!;
          tree.levels[l]!.forEach((node, i) => {
            const a = below[2 * i]!;
            const b = below[2 * i + 1];
            const parent =
              b === undefined
                ? { hash: bytes32FromHex(a.hash, "h"), sum: BigInt(a.sum) }
                : parentNode(
                    { hash: bytes32FromHex(a.hash, "h"), sum: BigInt(a.sum) },
                    { hash: bytes32FromHex(b.hash, "h"), sum: BigInt(b.sum) },
                  )!;
            expect({ hash: toHex(parent.hash), sum: parent.sum.toString() }).to.deep.equal(node);
          });
        }
      });

      for (const threads of [0, 2]) {
        it(`the fast builder (${threads} worker threads) gives the same root, total and proofs`, async function () {
          const { dir, cleanup } = scratchDir();
          try {
            const { summary, tree: file } = await buildAccounts(
              dir,
              tree.accounts.map((a) => ({ accountId: a.accountId, balance: BigInt(a.balance) })),
              { secret: vectors.saltSecret, threads },
            );
            expect(summary.root).to.equal(tree.root);
            expect(summary.total.toString()).to.equal(tree.total);
            expect(summary.leafCount).to.equal(tree.accounts.length);
            for (const a of tree.accounts) {
              const pkg = file.prove(a.accountId);
              expect(pkg).to.deep.equal({
                format: "por-liability-proof/1",
                accountId: a.accountId,
                salt: a.salt,
                balance: a.balance,
                decimals: 0, // the builder's (balances here are base units); not part of any hash
                proof: a.proof,
                root: tree.root,
                total: tree.total,
              });
              expect(verifyProofPackage(pkg).ok).to.equal(true);
            }
            file.close();
          } finally {
            cleanup();
          }
        });
      }
    });
  }
});
