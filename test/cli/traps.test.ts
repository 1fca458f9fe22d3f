/**
 * Traps a careful user could fall into with any command: an interrupted write leaving confidential
 * temporaries, a folder or a missing file given for a file, relative paths under `npm run`,
 * overwritten outputs, and usage errors drowned in help text.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { parseSubjectId, writeAttestationFile, ZERO_HASH, type Address } from "../../src";
import { type CliResult, expectRefusal, removeTempDir, runPor, tempDir } from "../helpers/cli";
import { devWallet, REPO_ROOT } from "../helpers/node";

const BIN = path.join(REPO_ROOT, "bin", "por.js");
const SECRET = "traps test secret";

describe("por: traps for a careful user (CLI)", function () {
  this.timeout(180_000);
  let dir: string;
  /** `por args…` run in the test's directory, so relative paths land there. */
  const por = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
    runPor(args, { ...process.env, POR_SALT_SECRET: SECRET, ...env }, dir);
  /** Hidden temporaries in the test's directory. */
  const temporaries = () => readdirSync(dir).filter((f) => f.startsWith("."));

  before(async function () {
    dir = tempDir("traps");
    mkdirSync(path.join(dir, "folder"));
    writeFileSync(path.join(dir, "small.csv"), "account,balance\nalice,10\nbob,20\n");
    const built = await por(["liabilities", "build", "small.csv", "--out", "tree", "--decimals", "0"]);
    expect(built.code, built.stderr).to.equal(0);
  });
  after(() => removeTempDir(dir));

  describe("an interrupted write", function () {
    before(function () {
      // Big enough that the build is still reading when the signal comes.
      const rows = Array.from({ length: 400_000 }, (_, i) => `customer-${i}@example.com,${i}.5\n`);
      writeFileSync(path.join(dir, "big.csv"), `account,balance\n${rows.join("")}`);
    });

    for (const [signal, code] of [
      ["SIGTERM", 143],
      ["SIGINT", 130],
    ] as const) {
      it(`removes its temporary directory of account ids and salts on ${signal} and exits ${code}`, async function () {
        const out = `big-${signal}`;
        const child = spawn(
          process.execPath,
          [BIN, "liabilities", "build", "big.csv", "--out", out, "--decimals", "1", "--threads", "0"],
          { cwd: dir, env: { ...process.env, POR_SALT_SECRET: SECRET }, stdio: ["ignore", "ignore", "pipe"] },
        );
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
        const staging = `.${out}.por-${child.pid}-`;
        const deadline = Date.now() + 60_000;
        while (!readdirSync(dir).some((f) => f.startsWith(staging))) {
          expect(child.exitCode, `build ended before it was interrupted: ${stderr}`).to.equal(null);
          expect(Date.now(), "staging directory never appeared").to.be.below(deadline);
          await new Promise((r) => setTimeout(r, 20));
        }
        child.kill(signal);
        expect(await exited, stderr).to.equal(code);
        expect(temporaries()).to.deep.equal([]);
        expect(existsSync(path.join(dir, out))).to.equal(false);
      });
    }

    it("is cleaned up by the next run with a notice, never touching a live process's temporary", async function () {
      const dead = spawnSync(process.execPath, ["-e", ""]).pid;
      const stale = `.tree.por-${dead}-0123456789ab.tmp`;
      const live = `.tree.por-${process.pid}-0123456789ab.tmp`;
      for (const name of [stale, live]) {
        mkdirSync(path.join(dir, name));
        writeFileSync(path.join(dir, name, "tree.bin"), "alice bob and their salts");
      }
      const run = await por(["liabilities", "build", "small.csv", "--out", "after-crash", "--decimals", "0"]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.equal(`note: removed ${stale}, left by interrupted process ${dead}\n`);
      expect(temporaries()).to.deep.equal([live]);
      removeTempDir(path.join(dir, live));
    });
  });

  describe("a folder or a missing file where a file is expected", function () {
    const cases: Array<[string[], RegExp]> = [
      [
        ["liabilities", "build", "folder", "--out", "t1", "--decimals", "0"],
        /^cannot read folder: EISDIR \(is a directory, not a file\)$/,
      ],
      [
        ["liabilities", "build", "missing.csv", "--out", "t2", "--decimals", "0"],
        /^cannot read missing\.csv: ENOENT/,
      ],
      [
        [
          "liabilities",
          "build",
          "small.csv",
          "--out",
          "t3",
          "--decimals",
          "0",
          "--salt-secret-file",
          "folder",
        ],
        /^cannot read salt secret file folder: EISDIR \(is a directory, not a file\)$/,
      ],
      [["liabilities", "prove", "folder", "alice"], /^cannot read folder\/tree\.bin: ENOENT \(no such file/],
      [["liabilities", "verify", "folder"], /^cannot read folder: EISDIR/],
      [
        ["liabilities", "prove", "tree", "alice", "--out", "folder"],
        /^cannot write folder: EISDIR \(is a directory, not a file\)$/,
      ],
      [
        ["liabilities", "prove", "tree", "alice", "--out", "nowhere/p.json"],
        /^cannot write nowhere\/p\.json: ENOENT/,
      ],
      [["attest", "sign", "folder", "--out", "s.json", "--yes"], /^cannot read folder: EISDIR/],
      [["subject", "register", "--config", "folder"], /^cannot read folder: EISDIR/],
      [["monitor", "--config", "missing.json", "--once"], /^cannot read missing\.json: ENOENT/],
    ];
    const runs: Array<Promise<CliResult>> = [];
    before(function () {
      for (const [args] of cases) runs.push(por(args));
    });
    cases.forEach(([args, message], i) => {
      it(`por ${args.join(" ")}: one error line naming the path`, async function () {
        expectRefusal(await (runs[i] as Promise<CliResult>), message);
      });
    });
  });

  describe("relative paths", function () {
    it("resolve from where the user ran `npm run por`, not from the repository", async function () {
      const npm = await new Promise<CliResult>((resolve) => {
        const child = spawn(
          "npm",
          [
            "--prefix",
            REPO_ROOT,
            "run",
            "-s",
            "por",
            "--",
            "--json",
            "liabilities",
            "build",
            "small.csv",
          ].concat(["--out", "via-npm", "--decimals", "0"]),
          { cwd: dir, env: { ...process.env, POR_SALT_SECRET: SECRET } },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.once("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
      });
      expect(npm.code, npm.stderr).to.equal(0);
      expect(JSON.parse(npm.stdout)).to.include({ format: "por-liabilities/1", leafCount: 2 });
      expect(existsSync(path.join(dir, "via-npm", "summary.json"))).to.equal(true);
      expect(existsSync(path.join(REPO_ROOT, "via-npm"))).to.equal(false);
    });

    it("ignore an $INIT_CWD that npm passed on from another script", async function () {
      const run = await por(["liabilities", "build", "small.csv", "--out", "inherited", "--decimals", "0"], {
        INIT_CWD: REPO_ROOT,
        npm_lifecycle_event: "test",
        npm_package_json: path.join(REPO_ROOT, "package.json"),
      });
      expect(run.code, run.stderr).to.equal(0);
      expect(existsSync(path.join(dir, "inherited", "summary.json"))).to.equal(true);
    });
  });

  describe("an existing output", function () {
    it("is never replaced without --force (liabilities prove --out)", async function () {
      writeFileSync(path.join(dir, "proof.json"), "keep me");
      expectRefusal(
        await por(["liabilities", "prove", "tree", "alice", "--out", "proof.json"]),
        /^proof\.json already exists: pass --force to replace it$/,
      );
      expect(readFileSync(path.join(dir, "proof.json"), "utf8")).to.equal("keep me");
      const forced = await por(["liabilities", "prove", "tree", "alice", "--out", "proof.json", "--force"]);
      expect(forced.code, forced.stderr).to.equal(0);
      expect(JSON.parse(readFileSync(path.join(dir, "proof.json"), "utf8"))).to.include({
        accountId: "alice",
      });
    });

    it("is never replaced without --force (attest sign --out: another auditor's signature)", async function () {
      await writeAttestationFile(path.join(dir, "att.json"), {
        chainId: 31337n,
        registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address,
        attestation: {
          subjectId: parseSubjectId("TRAPS"),
          asOf: BigInt(Math.floor(Date.now() / 1000) - 60),
          reserves: 100n,
          liabilities: 90n,
          liabilitiesRoot: ZERO_HASH,
          reportHash: ZERO_HASH,
        },
      });
      writeFileSync(path.join(dir, "sig.json"), "the other auditor's signature");
      const env = { POR_PRIVATE_KEY: devWallet(1).privateKey };
      const refused = await por(["attest", "sign", "att.json", "--out", "sig.json", "--yes"], env);
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.match(/^error: sig\.json already exists: pass --force to replace it$/m);
      expect(readFileSync(path.join(dir, "sig.json"), "utf8")).to.equal("the other auditor's signature");
      const forced = await por(["attest", "sign", "att.json", "--out", "sig.json", "--yes", "--force"], env);
      expect(forced.code, forced.stderr).to.equal(0);
      expect(JSON.parse(readFileSync(path.join(dir, "sig.json"), "utf8"))).to.include({
        format: "por-signature/1",
        signer: devWallet(1).address,
      });
      expect(temporaries()).to.deep.equal([]);
    });
  });

  describe("usage errors", function () {
    for (const [args, message] of [
      [
        ["attest", "sign", "--out", "s.json"],
        /^error: missing required argument 'attestation-file' \(see 'por attest sign --help'\)$/,
      ],
      [
        ["attest", "sign", "att.json"],
        /^error: required option '--out <file>' not specified \(see 'por attest sign --help'\)$/,
      ],
      [
        ["liabilities", "build", "small.csv", "--out", "x", "--decimals", "0", "--frce"],
        /^error: unknown option '--frce' .*\(see 'por liabilities build --help'\)$/,
      ],
      [["atest", "sign"], /^error: unknown command 'atest' .*\(see 'por --help'\)$/],
      [
        // A misspelled required option is named, not read as the real one missing.
        ["liabilities", "build", "small.csv", "--decimal", "0"],
        /^error: unknown option '--decimal' \(Did you mean --decimals\?\) \(see 'por liabilities build --help'\)$/,
      ],
    ] as const) {
      it(`por ${args.join(" ")}: one line pointing to --help, exit code 64`, async function () {
        const run = await por([...args]);
        expect(run.code).to.equal(64);
        expect(run.stdout).to.equal("");
        expect(run.stderr.trimEnd().split("\n")).to.have.lengthOf(1);
        expect(run.stderr.trimEnd()).to.match(message);
      });
    }

    it("--version prints the package's version; --help names the environment variables and docs/cli.md", async function () {
      const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
        version: string;
      };
      const printed = await por(["--version"]);
      expect([printed.code, printed.stdout.trim()]).to.deep.equal([0, version]);
      const help = await por(["--help"]);
      expect(help.code).to.equal(0);
      for (const name of ["POR_RPC_URL_<NAME>", "POR_REGISTRY", "POR_PRIVATE_KEY", "POR_SALT_SECRET"]) {
        expect(help.stdout).to.include(name);
      }
      expect(help.stdout.trimEnd()).to.match(/docs\/cli\.md$/);
    });

    it("an address taken from $POR_REGISTRY says so when it is wrong", async function () {
      expectRefusal(
        await por(["status", "USDX"], { POR_REGISTRY: "nope" }),
        /\$POR_REGISTRY is not an address: nope/,
      );
      const nowhere = "0x000000000000000000000000000000000000dEaD";
      expectRefusal(
        await por(["status", "USDX"], { POR_REGISTRY: nowhere }),
        new RegExp(
          `no contract at ${nowhere} on hardhat \\(taken from \\$POR_REGISTRY; pass --registry or unset it\\)`,
        ),
      );
    });

    it("--help still prints the help, with exit code 0", async function () {
      const run = await por(["attest", "sign", "--help"]);
      expect(run.code).to.equal(0);
      expect(run.stdout).to.match(/^Usage: por attest sign/);
    });
  });
});
