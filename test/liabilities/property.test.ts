import { expect } from "chai";
import fc from "fast-check";
import {
  accountIdProblem,
  toHex,
  verifyProofPackage,
  type LiabilityProofPackage,
} from "../../src/liabilities";
import { buildAccounts, scratchDir, type TestAccount } from "../helpers/liabilities-build";
import { refBuild, refProof } from "../helpers/liabilities-reference";

const numRuns = process.env.CI ? 100 : 25;
const MAX_UINT256 = (1n << 256n) - 1n;

/** Random account sets: distinct ids (some with commas, quotes, non-ASCII), salts, balances. */
const accountSets = fc
  .uniqueArray(
    fc.record({
      accountId: fc.oneof(
        fc.stringMatching(/^[a-z0-9@._-]{1,20}$/),
        // Any text the CSV accepts as an id: no line breaks, NFC, no whitespace at either end.
        fc
          .string({ unit: "grapheme", minLength: 1, maxLength: 8 })
          .filter((s) => !/[\r\n]/.test(s) && accountIdProblem(s) === undefined),
      ),
      salt: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b)),
      balance: fc.oneof(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.constant(0n),
        fc.bigInt({ min: 0n, max: (1n << 200n) - 1n }),
      ),
    }),
    { minLength: 1, maxLength: 40, selector: (a) => a.accountId },
  )
  .filter((accounts) => accounts.reduce((s, a) => s + a.balance, 0n) <= MAX_UINT256) as fc.Arbitrary<
  Array<Required<TestAccount>>
>;

function flipByte(hex: string, index: number): `0x${string}` {
  const bytes = Buffer.from(hex.slice(2), "hex");
  bytes[index % 32] = (bytes[index % 32] as number) ^ 0x01;
  return `0x${bytes.toString("hex")}`;
}

describe("liabilities tree properties (fast-check)", function () {
  this.timeout(120_000);
  let scratch: ReturnType<typeof scratchDir>;
  before(() => (scratch = scratchDir()));
  after(() => scratch.cleanup());

  it("every account's proof verifies and equals the reference implementation's", async function () {
    await fc.assert(
      fc.asyncProperty(accountSets, async (accounts) => {
        const { summary, tree } = await buildAccounts(scratch.dir, accounts);
        const ref = refBuild(accounts);
        expect(summary.root).to.equal(ref.root.hash);
        for (const a of accounts) {
          const pkg = tree.prove(a.accountId);
          expect(verifyProofPackage(pkg)).to.include({ ok: true });
          const expected = refProof(ref, ref.positions.get(a.accountId) as number);
          expect(pkg.proof).to.deep.equal(expected.map((s) => ({ hash: s.hash, sum: s.sum.toString() })));
        }
        tree.close();
      }),
      { numRuns },
    );
  });

  it("the root's sum equals the CSV total", async function () {
    await fc.assert(
      fc.asyncProperty(accountSets, async (accounts) => {
        const { summary, tree } = await buildAccounts(scratch.dir, accounts);
        tree.close();
        expect(summary.total).to.equal(accounts.reduce((s, a) => s + a.balance, 0n));
      }),
      { numRuns },
    );
  });

  it("the same accounts in any order give the same root", async function () {
    await fc.assert(
      fc.asyncProperty(
        accountSets.chain((accounts) =>
          fc.tuple(fc.constant(accounts), fc.shuffledSubarray(accounts, { minLength: accounts.length })),
        ),
        async ([accounts, shuffled]) => {
          const a = await buildAccounts(scratch.dir, accounts);
          a.tree.close();
          const b = await buildAccounts(scratch.dir, shuffled);
          b.tree.close();
          expect(b.summary.root).to.equal(a.summary.root);
          expect(b.summary.total).to.equal(a.summary.total);
        },
      ),
      { numRuns },
    );
  });

  it("changing a balance, the salt, a step's hash or sum, or swapping steps makes the proof fail", async function () {
    const mutations = fc.oneof(
      fc.record({ kind: fc.constant("balance" as const), delta: fc.bigInt({ min: 1n, max: 10n ** 20n }) }),
      fc.record({ kind: fc.constant("salt" as const), byte: fc.nat(31) }),
      fc.record({ kind: fc.constant("accountId" as const) }),
      fc.record({ kind: fc.constant("stepHash" as const), step: fc.nat(), byte: fc.nat(31) }),
      fc.record({
        kind: fc.constant("stepSum" as const),
        step: fc.nat(),
        delta: fc.bigInt({ min: 1n, max: 10n ** 20n }),
      }),
      fc.record({ kind: fc.constant("swap" as const), i: fc.nat(), j: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(accountSets, fc.nat(), mutations, async (accounts, pick, mutation) => {
        const { tree } = await buildAccounts(scratch.dir, accounts);
        const account = accounts[pick % accounts.length] as TestAccount;
        const pkg: LiabilityProofPackage = tree.prove(account.accountId);
        tree.close();
        const steps = pkg.proof.map((s) => ({ ...s }));
        const forged: LiabilityProofPackage = { ...pkg, proof: steps };
        switch (mutation.kind) {
          case "balance": {
            const up = BigInt(pkg.balance) + mutation.delta;
            forged.balance = (up <= MAX_UINT256 ? up : BigInt(pkg.balance) - 1n).toString();
            fc.pre(BigInt(forged.balance) >= 0n);
            break;
          }
          case "salt":
            forged.salt = flipByte(pkg.salt, mutation.byte);
            break;
          case "accountId":
            forged.accountId = `${pkg.accountId}x`;
            break;
          case "stepHash": {
            fc.pre(steps.length > 0);
            const s = steps[mutation.step % steps.length]!;
            s.hash = flipByte(s.hash, mutation.byte);
            break;
          }
          case "stepSum": {
            fc.pre(steps.length > 0);
            const s = steps[mutation.step % steps.length]!;
            const up = BigInt(s.sum) + mutation.delta;
            s.sum = (up <= MAX_UINT256 ? up : BigInt(s.sum) - 1n).toString();
            fc.pre(BigInt(s.sum) >= 0n);
            break;
          }
          case "swap": {
            fc.pre(steps.length >= 2);
            const i = mutation.i % steps.length;
            const j = mutation.j % steps.length;
            fc.pre(i !== j && steps[i]!.hash !== steps[j]!.hash);
            [steps[i], steps[j]] = [steps[j]!, steps[i]!];
            break;
          }
        }
        expect(verifyProofPackage(pkg).ok).to.equal(true);
        expect(verifyProofPackage(forged).ok).to.equal(false);
      }),
      { numRuns: numRuns * 2 },
    );
  });
});
