import { expect } from "chai";
import { InvalidArgumentError, formatTimestamp, parseTimestamp } from "../../src";

describe("parseTimestamp and formatTimestamp", function () {
  it("parses unix seconds and ISO 8601 times with a zone", function () {
    expect(parseTimestamp("1735689600")).to.equal(1735689600n);
    expect(parseTimestamp("2025-01-01T00:00:00Z")).to.equal(1735689600n);
    expect(parseTimestamp("2025-01-01T02:00+02:00")).to.equal(1735689600n);
  });

  it("refuses impossible calendar dates instead of rolling them over", function () {
    for (const bad of ["2025-02-30T00:00:00Z", "2025-01-01T24:00:00Z", "2025-13-01T00:00:00Z"]) {
      expect(() => parseTimestamp(bad), bad).to.throw(InvalidArgumentError);
    }
  });

  it("refuses times a Date cannot show, and formats large ones as numbers", function () {
    expect(() => parseTimestamp("18446744073709551615")).to.throw(InvalidArgumentError, /beyond/);
    expect(formatTimestamp(18446744073709551615n)).to.equal("18446744073709551615 (unix seconds)");
    expect(formatTimestamp(1735689600n)).to.equal("2025-01-01T00:00:00Z");
  });
});
