import { expect } from "chai";
import fc from "fast-check";
import { parseDecimalAmount } from "../../src/liabilities";
import { parseSmallDecimal } from "../../src/liabilities/decimal-bytes";
import { keccakKernel } from "../../src/liabilities/keccak";
import { hashLeafRange, newLeafBatch } from "../../src/liabilities/leaves";
import { nativeKernel } from "../../src/liabilities/native";
import { SaltDeriver } from "../../src/liabilities/salt";

const numRuns = process.env.CI ? 200 : 50;

describe("builder fast paths", function () {
  describe("native keccak kernel", function () {
    it("computes the same leaves, id prefixes and records as the WebAssembly kernel", function () {
      const native = nativeKernel();
      if (!native) this.skip(); // not built on this machine: the WebAssembly kernel is used
      const deriver = new SaltDeriver(Buffer.from("native test secret"));
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              id: fc.uint8Array({ minLength: 1, maxLength: 300 }), // across the 136-byte block
              salt: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 })),
              balance: fc.uint8Array({ minLength: 32, maxLength: 32 }),
            }),
            { minLength: 1, maxLength: 20 },
          ),
          (rows) => {
            const batches = [0, 1].map(() => newLeafBatch(rows.length, rows.length * 300, false));
            for (const b of batches) {
              let end = 0;
              rows.forEach((r, i) => {
                b.ids.set(r.id, end);
                end += r.id.length;
                b.idEnds[i] = end;
                b.hasSalt[i] = r.salt ? 1 : 0;
                if (r.salt) b.salts.set(r.salt, i * 32);
                b.balances.set(r.balance, i * 32);
              });
              b.count = rows.length;
            }
            const [viaNative, viaWasm] = batches as [
              ReturnType<typeof newLeafBatch>,
              ReturnType<typeof newLeafBatch>,
            ];
            hashLeafRange(keccakKernel(), deriver, viaNative, 0, rows.length, native);
            hashLeafRange(keccakKernel(), deriver, viaWasm, 0, rows.length, null);
            expect(viaNative.leafHashes).to.deep.equal(viaWasm.leafHashes);
            expect(viaNative.idPrefixes).to.deep.equal(viaWasm.idPrefixes);
            expect(viaNative.salts).to.deep.equal(viaWasm.salts);
            expect(viaNative.records).to.deep.equal(viaWasm.records);
          },
        ),
        { numRuns },
      );
    });
  });

  describe("parseSmallDecimal", function () {
    it("agrees with parseDecimalAmount whenever it applies, and applies to short plain amounts", function () {
      fc.assert(
        fc.property(
          fc.stringMatching(/^[0-9.+\- e]{0,20}$/),
          fc.integer({ min: 0, max: 36 }),
          (text, decimals) => {
            const bytes = Buffer.from(text, "latin1");
            const small = parseSmallDecimal(bytes, 0, bytes.length, decimals);
            let exact: bigint | undefined;
            try {
              exact = parseDecimalAmount(text, decimals);
            } catch {
              exact = undefined;
            }
            if (small >= 0) expect(BigInt(small)).to.equal(exact);
            else if (exact !== undefined) expect(exact >= 10n ** 15n || decimals > 15).to.equal(true);
          },
        ),
        { numRuns: numRuns * 20 },
      );
      const bytes = Buffer.from("00123.456789", "latin1");
      expect(parseSmallDecimal(bytes, 0, bytes.length, 6)).to.equal(123456789);
    });
  });
});
