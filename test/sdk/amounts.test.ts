import { expect } from "chai";
import fc from "fast-check";
import { formatAmount, InvalidArgumentError, MAX_UINT256, parseAmount } from "../../src";

const RUNS = process.env.CI ? 2000 : 200;

describe("amounts", function () {
  describe("parseAmount", function () {
    it("converts decimals exactly into base units", function () {
      expect(parseAmount("1234.5", 6)).to.equal(1_234_500_000n);
      expect(parseAmount("0.000001", 6)).to.equal(1n);
      expect(parseAmount("1,050,000.25", 6)).to.equal(1_050_000_250_000n);
      expect(parseAmount("1_000", 0)).to.equal(1000n);
      expect(parseAmount("7", 18)).to.equal(7n * 10n ** 18n);
    });

    it("refuses signs, exponents, empty input and misplaced separators", function () {
      for (const bad of ["-1", "+1", "1e6", "", ".5", "1.", "1,00", "1.2.3", "0x10", " "]) {
        expect(() => parseAmount(bad, 6), bad).to.throw(InvalidArgumentError, /non-negative decimal number/);
      }
    });

    it("refuses more fractional digits than the decimals, naming the field", function () {
      expect(() => parseAmount("1.0000001", 6, "--reserves")).to.throw(
        InvalidArgumentError,
        "--reserves has 7 fractional digits: at most 6 allowed",
      );
    });

    it("refuses values above uint256", function () {
      expect(() => parseAmount((MAX_UINT256 + 1n).toString(), 0)).to.throw(/does not fit in a uint256/);
      expect(parseAmount(MAX_UINT256.toString(), 0)).to.equal(MAX_UINT256);
    });
  });

  describe("formatAmount", function () {
    it("formats without trailing zeros, optionally grouped or with fixed digits", function () {
      expect(formatAmount(1_234_500_000n, 6)).to.equal("1234.5");
      expect(formatAmount(1_234_500_000n, 6, { grouping: true })).to.equal("1,234.5");
      expect(formatAmount(1_234_567_891n, 6, { fractionDigits: 2 })).to.equal("1234.56");
      expect(formatAmount(5n, 0)).to.equal("5");
      expect(formatAmount(0n, 6)).to.equal("0");
    });
  });

  it("round-trips: parse(format(x)) === x, grouped or not", function () {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_UINT256 }),
        fc.integer({ min: 0, max: 36 }),
        fc.boolean(),
        (x, d, g) => {
          expect(parseAmount(formatAmount(x, d, { grouping: g }), d)).to.equal(x);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("agrees with a naive string reference implementation", function () {
    const reference = (x: bigint, d: number) => {
      const s = x.toString().padStart(d + 1, "0");
      const whole = s.slice(0, s.length - d);
      const fraction = s.slice(s.length - d).replace(/0+$/, "");
      return fraction ? `${whole}.${fraction}` : whole;
    };
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.integer({ min: 0, max: 30 }), (x, d) => {
        expect(formatAmount(x, d)).to.equal(reference(x, d));
      }),
      { numRuns: RUNS },
    );
  });
});
