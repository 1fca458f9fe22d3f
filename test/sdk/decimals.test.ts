import { expect } from "chai";
import fc from "fast-check";
import { rescale, rescaleUp } from "../../src";

describe("rescale and rescaleUp", function () {
  it("rescaleUp is rescale rounded up: never below the exact value, less than one unit above", function () {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.nat(36), fc.nat(36), (amount, from, to) => {
        const down = rescale(amount, from, to);
        const up = rescaleUp(amount, from, to);
        // Compare in the finer unit, where both are exact.
        const fine = Math.max(from, to);
        const exact = rescale(amount, from, fine);
        expect(rescale(up, to, fine) >= exact).to.equal(true);
        expect(up - down).to.be.oneOf([0n, 1n]);
        expect(up === down).to.equal(rescale(down, to, fine) === exact);
      }),
      { numRuns: process.env.CI ? 500 : 100 },
    );
  });

  it("rounds 1.0000005 (7 decimals) up to 1.000001 in 6 decimals, where rescale gives 1.000000", function () {
    expect(rescaleUp(10_000_005n, 7, 6)).to.equal(1_000_001n);
    expect(rescale(10_000_005n, 7, 6)).to.equal(1_000_000n);
    expect(rescaleUp(1n, 6, 18)).to.equal(10n ** 12n);
  });
});
