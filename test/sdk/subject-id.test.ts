import { expect } from "chai";
import { encodeBytes32String } from "ethers";
import fc from "fast-check";
import { formatSubjectId, InvalidArgumentError, parseSubjectId } from "../../src";

describe("subject ids", function () {
  it("encodes text ids with encodeBytes32String", function () {
    expect(parseSubjectId("USDX")).to.equal(encodeBytes32String("USDX"));
    expect(parseSubjectId("a".repeat(31))).to.equal(encodeBytes32String("a".repeat(31)));
  });

  it("takes 32-byte hex as is, lowercased", function () {
    const hex = `0x${"AB".repeat(32)}`;
    expect(parseSubjectId(hex)).to.equal(hex.toLowerCase());
  });

  it("refuses empty, too long and short-hex ids", function () {
    expect(() => parseSubjectId("")).to.throw(InvalidArgumentError, /must not be empty/);
    expect(() => parseSubjectId("a".repeat(32))).to.throw(InvalidArgumentError, /32 bytes/);
    expect(() => parseSubjectId("é".repeat(16))).to.throw(InvalidArgumentError, /32 bytes/);
    expect(() => parseSubjectId("0x1234")).to.throw(InvalidArgumentError, /hex but not 32 bytes/);
    expect(() => parseSubjectId(`0x${"zz".repeat(32)}`)).to.throw(InvalidArgumentError, /66 bytes/);
  });

  it("refuses the zero id, which the registry reserves", function () {
    expect(() => parseSubjectId(`0x${"00".repeat(32)}`)).to.throw(InvalidArgumentError, /reserved/);
  });

  it("formats printable text ids as text and anything else as hex", function () {
    expect(formatSubjectId(parseSubjectId("USDX"))).to.equal("USDX");
    const hex = `0x${"ff".repeat(32)}`;
    expect(formatSubjectId(hex)).to.equal(hex);
    expect(formatSubjectId(encodeBytes32String("a\nb"))).to.equal(encodeBytes32String("a\nb"));
  });

  it("round-trips: parseSubjectId(formatSubjectId(id)) === id", function () {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ minLength: 1, maxLength: 31 }), fc.uint8Array({ minLength: 32, maxLength: 32 })),
        (v) => {
          const id = typeof v === "string" ? encodeBytes32String(v) : `0x${Buffer.from(v).toString("hex")}`;
          expect(parseSubjectId(formatSubjectId(id))).to.equal(id.toLowerCase());
        },
      ),
    );
  });
});
