import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InvalidArgumentError, writeFileAtomic } from "../../src";

describe("writeFileAtomic", function () {
  it("writes the whole file and leaves no temporary file", async function () {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "por-files-"));
    await writeFileAtomic(path.join(dir, "out.json"), "{}\n");
    expect(await fs.readdir(dir)).to.deep.equal(["out.json"]);
    await fs.rm(dir, { recursive: true });
  });

  it("refuses a missing directory or a directory as the target with one clear error", async function () {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "por-files-"));
    for (const target of [path.join(dir, "missing", "out.json"), dir]) {
      const error = await writeFileAtomic(target, "x").then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error, target).to.be.instanceOf(InvalidArgumentError);
      expect((error as Error).message).to.match(/^cannot write .*: (ENOENT|EISDIR)$/);
    }
    expect(await fs.readdir(dir)).to.deep.equal([]);
    await fs.rm(dir, { recursive: true });
  });
});
