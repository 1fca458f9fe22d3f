import { expect } from "chai";
import {
  checkSnapshotTime,
  formatDuration,
  formatTimestamp,
  InvalidArgumentError,
  parseSnapshotTime,
  parseTimestamp,
} from "../../src";

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

describe("checkSnapshotTime and parseSnapshotTime (asOf from a user)", function () {
  const now = 1795652800n; // 2026-11-26T00:26:40Z

  const refusal = (run: () => unknown): string => {
    try {
      run();
    } catch (err) {
      expect(err).to.be.instanceOf(InvalidArgumentError);
      return (err as Error).message;
    }
    throw new Error("accepted");
  };

  it("accepts a past time and now itself", function () {
    expect(checkSnapshotTime(1735689600n, "--as-of", now)).to.equal(1735689600n);
    expect(checkSnapshotTime(now, "--as-of", now)).to.equal(now);
    expect(parseSnapshotTime("2025-01-01T00:00:00Z", "--as-of", now)).to.equal(1735689600n);
  });

  it("refuses 0, in seconds or as 1970 in ISO 8601", function () {
    for (const text of ["0", "1970-01-01T00:00:00Z"]) {
      expect(refusal(() => parseSnapshotTime(text, "--as-of", now))).to.equal(
        "--as-of is 0 (1970-01-01T00:00:00Z), not a snapshot time: give unix seconds or ISO 8601, e.g. 1795652800 (2026-11-26T00:26:40Z)",
      );
    }
  });

  it("refuses milliseconds, saying so and giving the seconds", function () {
    expect(refusal(() => parseSnapshotTime("1795652800000", "--as-of", now))).to.equal(
      "--as-of 1795652800000 looks like milliseconds (as seconds: year 58871): give unix seconds, e.g. 1795652800 (2026-11-26T00:26:40Z)",
    );
    // 2001 in milliseconds is still far in the future as seconds.
    expect(refusal(() => checkSnapshotTime(1_000_000_000_000n, "asOf", now))).to.match(
      /looks like milliseconds/,
    );
  });

  it("refuses a future time, however close, with how far ahead it is", function () {
    expect(refusal(() => checkSnapshotTime(now + 1n, "--as-of", now))).to.equal(
      "--as-of 2026-11-26T00:26:41Z is in the future (1s after now, 2026-11-26T00:26:40Z): the registry refuses a snapshot later than the block time",
    );
    expect(refusal(() => checkSnapshotTime(now + 11_520n, "--as-of", now))).to.match(/\(3h 12m after now/);
    expect(refusal(() => checkSnapshotTime(99_999_999_999n, "--as-of", now))).to.match(
      /^--as-of 5138-11-16T09:46:39Z is in the future/,
    );
  });
});

describe("formatDuration (every age printed)", function () {
  it("shows the two largest units", function () {
    expect(formatDuration(0n)).to.equal("0s");
    expect(formatDuration(45)).to.equal("45s");
    expect(formatDuration(11_520n)).to.equal("3h 12m");
    expect(formatDuration(90_061n)).to.equal("1d 1h");
  });
});
