import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InvalidArgumentError, writeDirectoryAtomic, writeFileAtomic } from "../../src";

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

describe("writeDirectoryAtomic", function () {
  const fillWith = (content: string) => async (staging: string) => {
    await fs.writeFile(path.join(staging, "a.txt"), content);
    return content;
  };

  it("creates the directory only when fill succeeds, leaving nothing behind otherwise", async function () {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), "por-dir-"));
    const dir = path.join(parent, "out");
    const failure = await writeDirectoryAtomic(
      dir,
      async () => {
        throw new Error("fill failed");
      },
      { hint: "h" },
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((failure as Error).message).to.equal("fill failed");
    expect(await fs.readdir(parent)).to.deep.equal([]);
    expect(await writeDirectoryAtomic(dir, fillWith("one"), { hint: "h" })).to.equal("one");
    expect(await fs.readFile(path.join(dir, "a.txt"), "utf8")).to.equal("one");
    await fs.rm(parent, { recursive: true });
  });

  it("refuses an existing directory with the caller's hint, and replaces it only when asked", async function () {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), "por-dir-"));
    const dir = path.join(parent, "out");
    await writeDirectoryAtomic(dir, fillWith("one"), { hint: "h" });
    const refused = await writeDirectoryAtomic(dir, fillWith("two"), { hint: "pass --force" }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).to.be.instanceOf(InvalidArgumentError);
    expect((refused as Error).message).to.match(/already exists: pass --force$/);
    await writeDirectoryAtomic(dir, fillWith("two"), { hint: "h", replace: true });
    expect(await fs.readFile(path.join(dir, "a.txt"), "utf8")).to.equal("two");
    expect(await fs.readdir(parent)).to.deep.equal(["out"]);
    await fs.rm(parent, { recursive: true });
  });

  it("reports a missing parent directory as one clear error, not a crash", async function () {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), "por-dir-"));
    const refused = await writeDirectoryAtomic(path.join(parent, "missing", "out"), fillWith("x"), {
      hint: "h",
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).to.be.instanceOf(InvalidArgumentError);
    expect((refused as Error).message).to.match(/^cannot create .*: ENOENT$/);
    await fs.rm(parent, { recursive: true });
  });
});
