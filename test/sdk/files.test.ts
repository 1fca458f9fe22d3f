import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  fileSystemError,
  InvalidArgumentError,
  InvalidFileError,
  removeStaleTemps,
  writeDirectoryAtomic,
  writeFileAtomic,
} from "../../src";

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => expect.fail("expected a refusal"),
    (err: unknown) => err,
  );

/** A fresh directory per test, removed after it. */
function scratch(): () => string {
  let dir = "";
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), "por-files-"))));
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));
  return () => dir;
}

describe("writeFileAtomic", function () {
  const dir = scratch();

  it("writes the whole file and leaves no temporary file", async function () {
    await writeFileAtomic(path.join(dir(), "out.json"), "{}\n");
    expect(await fs.readdir(dir())).to.deep.equal(["out.json"]);
  });

  it("refuses to replace an existing file unless asked, with the caller's hint", async function () {
    const file = path.join(dir(), "sig.json");
    await fs.writeFile(file, "another auditor's signature");
    const refused = await failure(writeFileAtomic(file, "mine"));
    expect(refused).to.be.instanceOf(InvalidArgumentError);
    expect((refused as Error).message).to.equal(`${file} already exists: pass --force to replace it`);
    const hinted = await failure(writeFileAtomic(file, "mine", { hint: "choose another name" }));
    expect((hinted as Error).message).to.match(/already exists: choose another name$/);
    expect(await fs.readFile(file, "utf8")).to.equal("another auditor's signature");
    await writeFileAtomic(file, "mine", { replace: true });
    expect(await fs.readFile(file, "utf8")).to.equal("mine");
    expect(await fs.readdir(dir())).to.deep.equal(["sig.json"]);
  });

  it("creates the file with the given mode", async function () {
    const file = path.join(dir(), "keystore.json");
    await writeFileAtomic(file, "{}", { mode: 0o600 });
    expect((await fs.stat(file)).mode & 0o777).to.equal(0o600);
  });

  it("gives exactly the mode whatever the umask, and a replaced file keeps none of its wider bits", async function () {
    const file = path.join(dir(), "keystore.json");
    await fs.writeFile(file, "an older, public file");
    await fs.chmod(file, 0o644);
    const umask = process.umask(0o277); // would leave 0400 of 0600
    try {
      await writeFileAtomic(file, "{}", { mode: 0o600, replace: true });
    } finally {
      process.umask(umask);
    }
    expect((await fs.stat(file)).mode & 0o777).to.equal(0o600);
    expect(await fs.readFile(file, "utf8")).to.equal("{}");
    // Without a mode: the default, 0666 minus the umask (public outputs).
    const open = path.join(dir(), "summary.json");
    await writeFileAtomic(open, "{}");
    expect((await fs.stat(open)).mode & 0o777).to.equal(0o666 & ~umask);
  });

  it("refuses a missing directory or a directory as the target with one line naming the path", async function () {
    for (const [target, code] of [
      [path.join(dir(), "missing", "out.json"), "ENOENT \\(no such file or directory\\)"],
      [dir(), "EISDIR \\(is a directory, not a file\\)"],
    ] as const) {
      for (const replace of [false, true]) {
        const error = await failure(writeFileAtomic(target, "x", { replace }));
        expect(error, target).to.be.instanceOf(InvalidFileError);
        expect((error as Error).message).to.match(new RegExp(`^cannot write ${target}: ${code}$`));
      }
    }
    expect(await fs.readdir(dir())).to.deep.equal([]);
  });
});

describe("writeDirectoryAtomic", function () {
  const parent = scratch();
  const fillWith = (content: string) => async (staging: string) => {
    await fs.writeFile(path.join(staging, "a.txt"), content);
    return content;
  };

  it("creates the directory only when fill succeeds, leaving nothing behind otherwise", async function () {
    const dir = path.join(parent(), "out");
    const failed = await failure(
      writeDirectoryAtomic(dir, async () => {
        throw new Error("fill failed");
      }),
    );
    expect((failed as Error).message).to.equal("fill failed");
    expect(await fs.readdir(parent())).to.deep.equal([]);
    expect(await writeDirectoryAtomic(dir, fillWith("one"))).to.equal("one");
    expect(await fs.readFile(path.join(dir, "a.txt"), "utf8")).to.equal("one");
  });

  it("refuses an existing directory with the caller's hint, and replaces it only when asked", async function () {
    const dir = path.join(parent(), "out");
    await writeDirectoryAtomic(dir, fillWith("one"));
    const refused = await failure(writeDirectoryAtomic(dir, fillWith("two")));
    expect(refused).to.be.instanceOf(InvalidArgumentError);
    expect((refused as Error).message).to.match(/already exists: pass --force to replace it$/);
    const hinted = await failure(
      writeDirectoryAtomic(dir, fillWith("two"), { hint: "choose a new --out-dir" }),
    );
    expect((hinted as Error).message).to.match(/already exists: choose a new --out-dir$/);
    await writeDirectoryAtomic(dir, fillWith("two"), { replace: true });
    expect(await fs.readFile(path.join(dir, "a.txt"), "utf8")).to.equal("two");
    expect(await fs.readdir(parent())).to.deep.equal(["out"]);
  });

  it("reports a missing parent directory as one line naming the path, not a crash", async function () {
    const refused = await failure(writeDirectoryAtomic(path.join(parent(), "missing", "out"), fillWith("x")));
    expect(refused).to.be.instanceOf(InvalidFileError);
    expect((refused as Error).message).to.match(/^cannot create .*: ENOENT \(no such file or directory\)$/);
  });

  it("stages in a hidden sibling named with this process's id", async function () {
    let staging = "";
    await writeDirectoryAtomic(path.join(parent(), "out"), async (s) => {
      staging = s;
    });
    expect(path.basename(staging)).to.match(new RegExp(`^\\.out\\.por-${process.pid}-[0-9a-f]{12}\\.tmp$`));
    expect(path.dirname(staging)).to.equal(parent());
  });
});

describe("removeStaleTemps", function () {
  const dir = scratch();
  const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid;

  async function temp(name: string): Promise<string> {
    await fs.mkdir(path.join(dir(), name));
    await fs.writeFile(path.join(dir(), name, "tree.bin"), "account ids and salts");
    return name;
  }

  it("removes the temporaries of dead processes with a note each, and keeps those of live ones", async function () {
    const dead = deadPid();
    const stale = await temp(`.tree.por-${dead}-0123456789ab.tmp`);
    // This process's pid on a temporary it does not track: left by an earlier process (pid reuse).
    const reused = await temp(`.proof.json.por-${process.pid}-0123456789ab.tmp`);
    const live = await temp(`.tree.por-${process.ppid}-0123456789ab.tmp`); // the test runner's parent
    const unrelated = await temp(".tree.1234.tmp");
    const notes: string[] = [];
    removeStaleTemps(dir(), (n) => notes.push(n));
    expect((await fs.readdir(dir())).sort()).to.deep.equal([live, unrelated].sort());
    expect(notes.sort()).to.deep.equal(
      [
        `note: removed ${path.join(dir(), stale)}, left by interrupted process ${dead}`,
        `note: removed ${path.join(dir(), reused)}, left by interrupted process ${process.pid}`,
      ].sort(),
    );
  });

  it("puts back a directory set aside for replacement when its writer died before the new one was in place", async function () {
    const dead = deadPid();
    const old = await temp(`.tree.por-${dead}-0123456789ab.old`);
    const notes: string[] = [];
    removeStaleTemps(dir(), (n) => notes.push(n));
    expect(await fs.readdir(dir())).to.deep.equal(["tree"]);
    expect(await fs.readFile(path.join(dir(), "tree", "tree.bin"), "utf8")).to.equal("account ids and salts");
    expect(notes).to.deep.equal([
      `note: restored ${path.join(dir(), "tree")} from ${path.join(dir(), old)}, left by interrupted process ${dead}`,
    ]);
  });

  it("runs before every write, so the next output in a directory cleans up after a crash", async function () {
    const stale = await temp(`.tree.por-${deadPid()}-0123456789ab.tmp`);
    const notes: string[] = [];
    await writeFileAtomic(path.join(dir(), "proof.json"), "{}", { onNotice: (n) => notes.push(n) });
    expect(await fs.readdir(dir())).to.deep.equal(["proof.json"]);
    expect(notes).to.have.lengthOf(1);
    expect(notes[0]).to.include(stale);
  });
});

describe("fileSystemError", function () {
  it("turns a file-system failure into one line naming the path, and passes anything else through", function () {
    const eacces = Object.assign(new Error("EACCES: permission denied, open 'x'"), { code: "EACCES" });
    const err = fileSystemError("read", "secret.txt", eacces);
    expect(err).to.be.instanceOf(InvalidFileError);
    expect((err as Error).message).to.equal("cannot read secret.txt: EACCES (permission denied)");
    const bug = new TypeError("x is undefined");
    expect(fileSystemError("read", "secret.txt", bug)).to.equal(bug);
  });
});
