import { expect } from "chai";
import fc from "fast-check";
import {
  accountIdProblem,
  asciiEdgeIsSpace,
  showId,
  unicodeIdProblem,
} from "../../src/liabilities/account-id";

const numRuns = process.env.CI ? 2000 : 500;

/**
 * The naive reference: JavaScript's `\s` plus U+0085 and the invisible U+180E, U+200B–U+200D and
 * U+2060 at either end, and String.prototype.normalize for NFC.
 */
const EDGE = "[\\s\\u0085\\u180e\\u200b-\\u200d\\u2060]";
const REF_EDGE = new RegExp(`^${EDGE}|${EDGE}$`, "u");

function referenceProblem(id: string): "whitespace" | "nfc" | undefined {
  if (REF_EDGE.test(id)) return "whitespace";
  if (id.normalize("NFC") !== id) return "nfc";
  return undefined;
}

/** What the CSV parser decides from the bytes alone (its fast path, then the Unicode check). */
function byteLevelProblem(id: string): "whitespace" | "nfc" | undefined {
  const bytes = Buffer.from(id, "utf8");
  if (asciiEdgeIsSpace(bytes, 0, bytes.length)) return "whitespace";
  const maxByte = Math.max(...bytes);
  const problem = maxByte < 0x80 ? undefined : unicodeIdProblem(bytes, 0, bytes.length, maxByte);
  if (problem === undefined) return undefined;
  if (problem.includes("whitespace")) return "whitespace";
  if (problem.includes("NFC")) return "nfc";
  throw new Error(`unexpected problem ${problem}`);
}

/** Ids built from pieces likely to matter: edge characters, combining marks, composable pairs. */
const tricky = fc.constantFrom(
  " ",
  "\t",
  "\u000b",
  "\u0085",
  "\u00a0",
  "\u1680",
  "\u180e",
  "\u2007",
  "\u200b",
  "\u200d",
  "\u2028",
  "\u202f",
  "\u2060",
  "\u3000",
  "\ufeff",
  "\u0301",
  "e\u0301",
  "\u00e9",
  "\u2126",
  "\u212b",
  "\u1100\u1161",
  "\uac00\u11a8",
  "\u0344",
  "\u0958",
  "a",
  "Z",
  "-",
  "\u{1f600}",
);
const ids = fc
  .array(fc.oneof(tricky, fc.string({ unit: "binary", minLength: 1, maxLength: 3 })), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => parts.join(""))
  .filter((s) => Buffer.from(s, "utf8").toString("utf8") === s); // no lone surrogates

describe("account id rules (whitespace at the ends, NFC)", function () {
  it("the CSV's byte-level checks agree with the naive string reference", function () {
    fc.assert(
      fc.property(ids, (id) => {
        expect(byteLevelProblem(id), JSON.stringify(id)).to.equal(referenceProblem(id));
      }),
      { numRuns },
    );
  });

  it("accountIdProblem (for ids given as text) agrees with the reference too", function () {
    fc.assert(
      fc.property(ids, (id) => {
        const problem = accountIdProblem(id);
        const kind = problem === undefined ? undefined : problem.includes("NFC") ? "nfc" : "whitespace";
        expect(kind, JSON.stringify(id)).to.equal(referenceProblem(id));
      }),
      { numRuns },
    );
  });

  it("refuses invalid UTF-8 bytes", function () {
    const bytes = Buffer.from([0x61, 0xff, 0x62]);
    expect(unicodeIdProblem(bytes, 0, 3, 0xff)).to.equal("is not valid UTF-8");
  });

  it("messages show invisible characters and combining marks as escapes", function () {
    expect(showId("a\u00a0")).to.equal('"a\\u00a0"');
    expect(showId("\ta\n")).to.equal('"\\ta\\n"');
    expect(showId('say "hi"')).to.equal('"say \\"hi\\""');
    expect(showId("e\u0301")).to.equal('"e\u0301"');
    expect(showId("e\u0301", true)).to.equal('"e\\u0301"');
    expect(accountIdProblem("\u212b")).to.equal(
      '"\u212b" (U+212B) is not in Unicode normalization form NFC: its NFC form "\u00c5" (U+00C5) has other bytes',
    );
  });
});
