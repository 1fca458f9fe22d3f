/** The confirmation prompt of commands that send or sign (fast: no CLI process, fake terminal streams). */
import { PassThrough } from "node:stream";
import { expect } from "chai";
import { InvalidArgumentError } from "../../src";
import { confirm, requireConfirmationPossible } from "../../cli/confirm";
import type { PromptStreams } from "../../cli/confirm";

/** A fake terminal answering `answer` (no answer: the input ends), and what was written to it. */
function terminal(answer: string | null, isTTY = true): { streams: PromptStreams; written: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = new PassThrough();
  let written = "";
  output.on("data", (chunk: Buffer) => (written += chunk.toString()));
  setImmediate(() => (answer === null ? input.end() : input.write(`${answer}\n`)));
  return { streams: { input, output }, written: () => written };
}

describe("confirm", function () {
  it("asks on the terminal and takes y or yes, in any case", async function () {
    for (const answer of ["y", "Y", "yes", " YES "]) {
      const { streams, written } = terminal(answer);
      expect(await confirm("send this update?", false, streams), answer).to.equal(true);
      expect(written()).to.equal("send this update? [y/N] ");
    }
  });

  it("takes anything else, an empty line or the end of input as no", async function () {
    for (const answer of ["n", "", "yep", null]) {
      const { streams } = terminal(answer);
      expect(await confirm("send?", false, streams), String(answer)).to.equal(false);
    }
  });

  it("does not ask with --yes", async function () {
    const { streams, written } = terminal(null, false);
    expect(await confirm("send?", true, streams)).to.equal(true);
    expect(written()).to.equal("");
  });

  it("refuses rather than wait when stdin is not a terminal and --yes is not given", async function () {
    const { streams } = terminal("y", false);
    expect(() => requireConfirmationPossible(false, streams)).to.throw(
      InvalidArgumentError,
      "confirmation needed but stdin is not a terminal: pass --yes to send without asking",
    );
    expect(() => requireConfirmationPossible(true, streams)).to.not.throw();
    let refused: unknown;
    await confirm("send?", false, streams).catch((err: unknown) => (refused = err));
    expect(refused).to.be.instanceOf(InvalidArgumentError);
  });
});
