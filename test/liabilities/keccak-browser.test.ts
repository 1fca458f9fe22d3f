import { expect } from "chai";
import fc from "fast-check";
import { keccak256Bytes as browserKeccak } from "../../src/liabilities/keccak.browser";
import { keccak256Bytes as nodeKeccak } from "../../src/liabilities/keccak";

// The web pages hash with keccak.browser.ts, the CLI with the WebAssembly kernel: one tree only if
// the two agree on every input, including the sizes the tree hashes (32, 64, 128 bytes).
describe("keccak256 in the browser build", function () {
  it("matches the Node kernel on the tree's input sizes and on arbitrary bytes", function () {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 300 }),
          fc.constantFrom(32, 64, 128).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        ),
        (data) => {
          expect(Buffer.from(browserKeccak(data)).toString("hex")).to.equal(
            Buffer.from(nodeKeccak(data)).toString("hex"),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
