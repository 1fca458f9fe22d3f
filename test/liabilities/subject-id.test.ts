import { expect } from "chai";
import { encodeBytes32String } from "ethers";
import { InvalidArgumentError } from "../../src/errors";
import { parseSubjectId } from "../../src/subject-id";

describe("parseSubjectId", function () {
  it("encodes a short text with encodeBytes32String", function () {
    expect(parseSubjectId("USDX")).to.equal(encodeBytes32String("USDX"));
    expect(parseSubjectId("x".repeat(31))).to.equal(encodeBytes32String("x".repeat(31)));
  });

  it("keeps a 0x 32-byte hex id, lowercased", function () {
    expect(parseSubjectId(`0x${"AB".repeat(32)}`)).to.equal(`0x${"ab".repeat(32)}`);
  });

  for (const bad of ["", "x".repeat(32), "0x1234", `0x${"00".repeat(32)}`, `0x${"zz".repeat(32)}`]) {
    it(`refuses ${JSON.stringify(bad.length > 20 ? `${bad.slice(0, 12)}…` : bad)}`, function () {
      expect(() => parseSubjectId(bad)).to.throw(InvalidArgumentError);
    });
  }
});
