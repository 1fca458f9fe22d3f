import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ethers } from "ethers";
import { ReserveRegistry__factory } from "../../typechain-types";
import { parseProofPackage, readLiabilitiesSummary, verifyProofPackage } from "../../src/liabilities";
import { scratchDir } from "../helpers/liabilities-build";
import { refBuild, refSalt } from "../helpers/liabilities-reference";
import { ATTESTATION_TYPES } from "../helpers/registry";

const ROOT = path.join(__dirname, "..", "..");
const SECRET = "cli test secret";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/por.js …args` and collects its output. */
function por(args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "por.js"), ...args], {
      cwd,
      env: { ...process.env, POR_SALT_SECRET: SECRET, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A failure the CLI reports properly: non-zero exit, one `error:` line, no stack trace. */
function expectRefusal(run: Run, message: RegExp): void {
  expect(run.code, run.stderr).to.not.equal(0);
  const errorLines = run.stderr.split("\n").filter((l) => l.startsWith("error:"));
  expect(errorLines, run.stderr).to.have.length(1);
  expect(errorLines[0], run.stderr).to.match(message);
  expect(run.stderr).to.not.match(/^\s+at /m);
  expect(run.stderr).to.not.match(/internal error/);
}

const ACCOUNTS = [
  ["alice@example.com", "1500.25"],
  ["bob", "0"],
  ["carol", "0.000001"],
  ['dave, the "quoted"', "42"],
  ["erin", "1000000"],
] as const;

function csv(rows: ReadonlyArray<readonly [string, string]>): string {
  const q = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `account,balance\n${rows.map(([a, b]) => `${q(a)},${b}`).join("\n")}\n`;
}

describe("por liabilities (CLI)", function () {
  this.timeout(180_000);
  let scratch: ReturnType<typeof scratchDir>;
  let input: string;
  let out: string;

  before(async function () {
    scratch = scratchDir();
    input = path.join(scratch.dir, "balances.csv");
    writeFileSync(input, csv(ACCOUNTS));
    out = path.join(scratch.dir, "tree");
    const run = await por(["liabilities", "build", input, "--out", out, "--decimals", "6"]);
    expect(run.code, run.stderr).to.equal(0);
  });
  after(() => scratch.cleanup());

  /** Files left in the scratch dir besides the inputs (a failed build must leave none). */
  const leftovers = () =>
    readdirSync(scratch.dir).filter(
      (f) => !/^(balances\.csv|tree|padded|in-.*\.csv|secret.*|proof.*\.json)$/.test(f),
    );

  describe("build", function () {
    it("writes summary.json and tree.bin whose root is the reference implementation's", async function () {
      const summary = await readLiabilitiesSummary(path.join(out, "summary.json"));
      const ref = refBuild(
        ACCOUNTS.map(([accountId, balance]) => ({
          accountId,
          salt: refSalt(Buffer.from(SECRET), accountId),
          balance: ethers.parseUnits(balance, 6),
        })),
      );
      expect(summary).to.deep.equal({
        root: ref.root.hash,
        total: ref.root.sum,
        leafCount: ACCOUNTS.length,
        decimals: 6,
        inputSha256: ethers.sha256(readFileSync(input)),
      });
      expect(JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8")).format).to.equal(
        "por-liabilities/1",
      );
      expect(existsSync(path.join(out, "tree.bin"))).to.equal(true);
      expect(leftovers()).to.deep.equal([]);
    });

    it("prints the summary as JSON with --json, and pads with --pad-to", async function () {
      const padded = path.join(scratch.dir, "padded");
      const run = await por([
        "--json",
        "liabilities",
        "build",
        input,
        "--out",
        padded,
        "--decimals",
        "6",
        "--pad-to",
        "64",
      ]);
      expect(run.code, run.stderr).to.equal(0);
      const json = JSON.parse(run.stdout) as { format: string; leafCount: number };
      expect(json).to.include({ format: "por-liabilities/1", leafCount: 64 });
      const replaced = await por([
        "liabilities",
        "build",
        input,
        "--out",
        padded,
        "--decimals",
        "6",
        "--force",
      ]);
      expect(replaced.code, replaced.stderr).to.equal(0);
      expect((await readLiabilitiesSummary(path.join(padded, "summary.json"))).leafCount).to.equal(
        ACCOUNTS.length,
      );
    });

    const refusals: Array<[string, string, string[], Record<string, string | undefined>, RegExp]> = [
      [
        "a negative balance",
        csv([
          ["a", "1"],
          ["b", "-1"],
        ]),
        [],
        {},
        /in-\d+\.csv:3: negative balance "-1"$/,
      ],
      [
        "a non-numeric balance",
        csv([["a", "1x"]]),
        [],
        {},
        /:2: balance "1x" is not a non-negative decimal number$/,
      ],
      [
        "too many decimals",
        csv([["a", "0.0000001"]]),
        [],
        {},
        /:2: balance "0\.0000001" has 7 decimals, more than the 6 allowed$/,
      ],
      [
        "an overflowing balance",
        csv([["a", "1".padEnd(75, "0")]]),
        [],
        {},
        /:2: balance "10+" overflows uint256$/,
      ],
      [
        "a duplicate account",
        csv([
          ["a", "1"],
          ["b", "2"],
          ["a", "3"],
        ]),
        [],
        {},
        /:4: duplicate account "a" \(first on line 2\)$/,
      ],
      ["an empty file", "", [], {}, /in-\d+\.csv: empty file$/],
      [
        "a missing salt secret",
        csv([["a", "1"]]),
        [],
        { POR_SALT_SECRET: undefined },
        /no salt secret: pass --salt-secret-file FILE or set POR_SALT_SECRET$/,
      ],
      ["an empty salt secret", csv([["a", "1"]]), [], { POR_SALT_SECRET: "" }, /POR_SALT_SECRET is empty$/],
      [
        "an empty salt secret file",
        csv([["a", "1"]]),
        ["--salt-secret-file", "EMPTY"],
        {},
        /salt secret file .* is empty$/,
      ],
      [
        "bad --decimals",
        csv([["a", "1"]]),
        ["--decimals", "40"],
        {},
        /decimals must be an integer from 0 to 36/,
      ],
    ];
    // The refused builds run concurrently (each is a separate process); each `it` checks one.
    const runs: Array<Promise<Run>> = [];
    before(function () {
      const empty = path.join(scratch.dir, "secret-empty");
      writeFileSync(empty, "");
      refusals.forEach(([, text, extra, env], i) => {
        const file = path.join(scratch.dir, `in-${i}.csv`);
        writeFileSync(file, text);
        const decimals = extra.includes("--decimals") ? [] : ["--decimals", "6"];
        const args = ["liabilities", "build", file, "--out", path.join(scratch.dir, `out-${i}`), ...decimals];
        args.push(...extra.map((e) => (e === "EMPTY" ? empty : e)));
        runs.push(por(args, env));
      });
    });
    refusals.forEach(([what, , , , message], i) => {
      it(`refuses ${what}, leaving no output directory`, async function () {
        expectRefusal(await (runs[i] as Promise<Run>), message);
        expect(existsSync(path.join(scratch.dir, `out-${i}`))).to.equal(false);
      });
    });

    it("leaves no staging directory behind after the refused builds", async function () {
      await Promise.all(runs);
      expect(leftovers()).to.deep.equal([]);
    });

    it("refuses to overwrite an existing directory without --force", async function () {
      expectRefusal(
        await por(["liabilities", "build", input, "--out", out, "--decimals", "6"]),
        /already exists: pass --force/,
      );
    });
  });

  describe("prove", function () {
    it("prints a proof package that verifies", async function () {
      const run = await por(["liabilities", "prove", out, 'dave, the "quoted"']);
      expect(run.code, run.stderr).to.equal(0);
      const pkg = parseProofPackage(JSON.parse(run.stdout), "stdout");
      expect(pkg).to.include({ accountId: 'dave, the "quoted"', balance: "42000000" });
      expect(verifyProofPackage(pkg).ok).to.equal(true);
    });

    it("writes it to --out instead", async function () {
      const file = path.join(scratch.dir, "proof-alice.json");
      const run = await por(["liabilities", "prove", out, "alice@example.com", "--out", file]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.equal("");
      expect(parseProofPackage(JSON.parse(readFileSync(file, "utf8")), file).balance).to.equal("1500250000");
    });

    it("refuses an unknown account or a missing tree", async function () {
      expectRefusal(await por(["liabilities", "prove", out, "mallory"]), /no account "mallory"/);
      expectRefusal(
        await por(["liabilities", "prove", scratch.dir, "alice"]),
        /cannot read .*tree\.bin: ENOENT/,
      );
    });
  });

  describe("export", function () {
    it("streams one verifying proof package per account as NDJSON", async function () {
      const run = await por(["liabilities", "export", out]);
      expect(run.code, run.stderr).to.equal(0);
      const lines = run.stdout.trimEnd().split("\n");
      expect(lines).to.have.length(ACCOUNTS.length);
      const ids = lines.map((l) => {
        const pkg = parseProofPackage(JSON.parse(l), "line");
        expect(verifyProofPackage(pkg).ok).to.equal(true);
        return pkg.accountId;
      });
      expect(ids.sort()).to.deep.equal(ACCOUNTS.map(([a]) => a).sort());
    });
  });

  describe("verify", function () {
    let proofFile: string;
    before(async function () {
      proofFile = path.join(scratch.dir, "proof-carol.json");
      const run = await por(["liabilities", "prove", out, "carol", "--out", proofFile]);
      expect(run.code, run.stderr).to.equal(0);
    });

    it("accepts a good proof with a VALID verdict and exit code 0", async function () {
      const run = await por(["liabilities", "verify", proofFile]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(
        /^VALID: account "carol" with balance 1 is included in liabilities root 0x[0-9a-f]{64} with total \d+\n$/,
      );
    });

    for (const [what, mutate, message] of [
      [
        "a changed balance",
        (p: Record<string, unknown>) => ({ ...p, balance: "2" }),
        /INVALID: .*does not lead to the root/,
      ],
      ["a changed total", (p: Record<string, unknown>) => ({ ...p, total: "1" }), /INVALID: .*total differs/],
      [
        "a changed salt",
        (p: Record<string, unknown>) => ({ ...p, salt: `0x${"00".repeat(32)}` }),
        /INVALID: .*does not lead to the root/,
      ],
      [
        "an unknown format",
        (p: Record<string, unknown>) => ({ ...p, format: "por-liability-proof/9" }),
        /has format "por-liability-proof\/9"/,
      ],
    ] as const) {
      it(`rejects ${what} with exit code 1`, async function () {
        const file = path.join(scratch.dir, "proof-bad.json");
        writeFileSync(
          file,
          JSON.stringify(mutate(JSON.parse(readFileSync(proofFile, "utf8")) as Record<string, unknown>)),
        );
        const run = await por(["liabilities", "verify", file]);
        expectRefusal(run, message);
        expect(run.code).to.equal(1);
      });
    }

    describe("on-chain, against a local node", function () {
      let node: ChildProcess;
      let url: string;
      let registry: string;
      const subject = "USDX";

      before(async function () {
        const port = 20000 + Math.floor(Math.random() * 20000);
        url = `http://127.0.0.1:${port}`;
        node = spawn(
          process.execPath,
          [require.resolve("hardhat/internal/cli/cli"), "node", "--port", String(port)],
          {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        await new Promise<void>((resolve, reject) => {
          node.stdout?.on("data", (d: Buffer) => {
            if (d.toString().includes("Started HTTP")) resolve();
          });
          node.on("exit", (code) => reject(new Error(`hardhat node exited with ${code}`)));
        });
        const provider = new ethers.JsonRpcProvider(url);
        const admin = await provider.getSigner(0);
        const auditor = await provider.getSigner(1);
        const contract = await new ReserveRegistry__factory(admin).deploy(await admin.getAddress());
        await contract.waitForDeployment();
        registry = await contract.getAddress();
        await (await contract.accreditAuditor(await auditor.getAddress(), "Auditor")).wait();
        const subjectId = ethers.encodeBytes32String(subject);
        await (
          await contract.registerSubject(subjectId, {
            name: "USDX",
            decimals: 6,
            token: ethers.ZeroAddress,
            reserveAsset: ethers.ZeroAddress,
            heartbeat: 86_400,
            quorum: 1,
            auditors: [await auditor.getAddress()],
          })
        ).wait();
        const { chainId } = await provider.getNetwork();
        const domain = { name: "ReserveRegistry", version: "1", chainId, verifyingContract: registry };
        const summary = await readLiabilitiesSummary(path.join(out, "summary.json"));
        const now = BigInt((await provider.getBlock("latest"))!.timestamp);
        // Round 1 attests the built tree, round 2 some other tree.
        for (const [asOf, root, total] of [
          [now - 10n, summary.root, summary.total],
          [now - 5n, ethers.id("another tree"), 7n],
        ] as const) {
          const att = {
            subjectId,
            asOf,
            reserves: total,
            liabilities: total,
            liabilitiesRoot: root,
            reportHash: ethers.ZeroHash,
          };
          const signature = await auditor.signTypedData(domain, ATTESTATION_TYPES, att);
          await (await contract.postAttestation(att, [await auditor.getAddress()], [signature])).wait();
        }
        provider.destroy();
      });
      after(() => node?.kill());

      const onChain = (round: string) =>
        por(
          [
            "liabilities",
            "verify",
            proofFile,
            "--subject",
            subject,
            "--round",
            round,
            "--network",
            "localhost",
            "--registry",
            registry,
          ],
          {
            POR_LOCALHOST_RPC: url,
          },
        );

      it("accepts the proof against the round that attested its root", async function () {
        const run = await onChain("1");
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.match(/^VALID: /);
        expect(run.stdout).to.match(
          /\nVALID on-chain: verifyLiability is true for subject USDX round 1 on chain 31337 \(registry 0x[0-9a-fA-F]{40}\)\n$/,
        );
      });

      it("rejects it against a different round", async function () {
        expectRefusal(
          await onChain("2"),
          /INVALID on-chain: subject USDX round 2 on chain 31337 attests root 0x[0-9a-f]{64} with total 7/,
        );
      });

      it("reports a missing round as the registry's error", async function () {
        expectRefusal(
          await onChain("3"),
          /registry 0x[0-9a-fA-F]{40} refused: RoundNotFound\(0x5553445800+, 3\)/,
        );
      });
    });
  });
});
