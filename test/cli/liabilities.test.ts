import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ethers } from "ethers";
import { ReserveRegistry__factory } from "../../typechain-types";
import { attestationFileToJson } from "../../src/attestations/file";
import type { Address, Hex32 } from "../../src/core/hex";
import {
  BUILD_PHASES,
  parseProofPackage,
  readLiabilitiesSummary,
  verifyProofPackage,
} from "../../src/liabilities";
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

/** A file's permission bits. */
function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

function csv(rows: ReadonlyArray<readonly [string, string]>): string {
  const q = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `account,balance\n${rows.map(([a, b]) => `${q(a)},${b}`).join("\n")}\n`;
}

describe("por liabilities (CLI)", function () {
  this.timeout(180_000);
  let scratch: ReturnType<typeof scratchDir>;
  let input: string;
  let out: string;
  let firstBuild: Run;

  before(async function () {
    scratch = scratchDir();
    input = path.join(scratch.dir, "balances.csv");
    // One blank line at the end of the file is accepted (a second one is not: see the refusals).
    writeFileSync(input, `${csv(ACCOUNTS)}\n`);
    out = path.join(scratch.dir, "tree");
    firstBuild = await por(["liabilities", "build", input, "--out", out, "--decimals", "6"]);
    expect(firstBuild.code, firstBuild.stderr).to.equal(0);
  });
  after(() => scratch.cleanup());

  /** Files left in the scratch dir besides the inputs (a failed build must leave none). */
  const leftovers = () =>
    readdirSync(scratch.dir).filter(
      (f) => !/^(balances\.csv|tree|padded.*|in-.*\.csv|secret.*|proof.*\.json|att.*\.json)$/.test(f),
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
      // tree.bin (every account id and salt) is owner-only; summary.json, handed to auditors, is not.
      expect(modeOf(path.join(out, "tree.bin"))).to.equal(0o600);
      expect(modeOf(path.join(out, "summary.json"))).to.equal(0o666 & ~process.umask());
      // stderr is not a terminal here and --progress was not given: no progress lines.
      expect(firstBuild.stderr).to.equal("");
    });

    it("with --progress and --verbose reports phases and timings on stderr, stdout keeps only the JSON", async function () {
      const run = await por([
        "--json",
        "liabilities",
        "build",
        input,
        "--out",
        path.join(scratch.dir, "padded-progress"),
        "--decimals",
        "6",
        "--pad-to",
        "8",
        "--progress",
        "--verbose",
      ]);
      expect(run.code, run.stderr).to.equal(0);
      expect(JSON.parse(run.stdout)).to.include({ format: "por-liabilities/1", leafCount: 8 });
      expect(run.stdout).to.not.match(/progress|timing/);
      const lines = run.stderr.trimEnd().split("\n");
      for (const phase of BUILD_PHASES) {
        expect(lines).to.include(`progress: ${phase}…`);
        expect(
          lines.some((l) => new RegExp(`^timing: ${phase} \\d+\\.\\d\\ds \\(.+\\)$`).test(l)),
          phase,
        ).to.equal(true);
      }
      expect(
        lines.filter((l) => /^timing: read and hash accounts \d+\.\d\ds \(5 accounts, 0\.0 MB\)$/.test(l)),
      ).to.have.length(1);
      expect(lines.filter((l) => /^timing: pad \d+\.\d\ds \(3 dummy leaves\)$/.test(l))).to.have.length(1);
      expect(lines.at(-2)).to.match(/^timing: total \d+\.\d\ds$/);
      expect(lines.at(-1)).to.match(/^progress: built 8 leaves in \d+\.\ds$/);
      expect(
        lines.every((l) => /^(progress|timing): /.test(l)),
        run.stderr,
      ).to.equal(true);
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
        "an account id with trailing whitespace",
        csv([
          ["alice", "1"],
          ["bob ", "2"],
        ]),
        [],
        {},
        /in-\d+\.csv:3: account id "bob " has leading or trailing whitespace$/,
      ],
      [
        "an account id not in Unicode NFC",
        csv([["jose\u0301", "1"]]),
        [],
        {},
        /:2: account id "jose\\u0301" \(U\+0301\) is not in Unicode normalization form NFC: its NFC form "jos\u00e9" \(U\+00E9\) has other bytes$/,
      ],
      ["two blank lines at the end", `${csv([["a", "1"]])}\n\n`, [], {}, /:3: blank line/],
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
      // The customer's account id and salt: owner-only, also when --force replaces a readable file.
      expect(modeOf(file)).to.equal(0o600);
      const replaced = path.join(scratch.dir, "proof-bob.json");
      writeFileSync(replaced, "an older, public file");
      chmodSync(replaced, 0o644);
      const again = await por(["liabilities", "prove", out, "bob", "--out", replaced, "--force"]);
      expect(again.code, again.stderr).to.equal(0);
      expect(modeOf(replaced)).to.equal(0o600);
      expect(parseProofPackage(JSON.parse(readFileSync(replaced, "utf8")), replaced).accountId).to.equal(
        "bob",
      );
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
      expect(run.stderr).to.equal(""); // not a terminal, no --progress
      const lines = run.stdout.trimEnd().split("\n");
      expect(lines).to.have.length(ACCOUNTS.length);
      const ids = lines.map((l) => {
        const pkg = parseProofPackage(JSON.parse(l), "line");
        expect(verifyProofPackage(pkg).ok).to.equal(true);
        return pkg.accountId;
      });
      expect(ids.sort()).to.deep.equal(ACCOUNTS.map(([a]) => a).sort());
    });

    it("with --progress reports on stderr and writes exactly the same NDJSON on stdout", async function () {
      const [plain, withProgress] = await Promise.all([
        por(["liabilities", "export", out]),
        por(["liabilities", "export", out, "--progress"]),
      ]);
      expect(withProgress.code, withProgress.stderr).to.equal(0);
      expect(withProgress.stdout).to.equal(plain.stdout);
      const lines = withProgress.stderr.trimEnd().split("\n");
      expect(lines[0]).to.equal(`progress: exporting ${ACCOUNTS.length} proof packages from ${out}`);
      expect(lines.at(-1)).to.match(
        new RegExp(`^progress: exported ${ACCOUNTS.length} proof packages in \\d+\\.\\ds$`),
      );
    });
  });

  describe("verify", function () {
    let proofFile: string;
    before(async function () {
      proofFile = path.join(scratch.dir, "proof-carol.json");
      const run = await por(["liabilities", "prove", out, "carol", "--out", proofFile]);
      expect(run.code, run.stderr).to.equal(0);
    });

    it("accepts a good proof with a VALID verdict and exit code 0, amounts with the tree's decimals", async function () {
      const run = await por(["liabilities", "verify", proofFile]);
      expect(run.code, run.stderr).to.equal(0);
      expect(JSON.parse(readFileSync(proofFile, "utf8"))).to.include({ balance: "1", decimals: 6 });
      expect(run.stdout).to.match(
        /^VALID: account "carol" with balance 0\.000001 \(1 base units\) is included in liabilities root 0x[0-9a-f]{64} with total 1001542\.250001 \(1001542250001 base units\)\n$/,
      );
    });

    it("still verifies a saved package of the old format (no decimals), in base units", async function () {
      const run = await por([
        "liabilities",
        "verify",
        path.join(ROOT, "test", "fixtures", "liability-proof-v1.json"),
      ]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(
        /^VALID: account "alice@example\.com" with balance 150000 \(base units\) is included in liabilities root 0x2a4afb35[0-9a-f]{56} with total 152500 \(base units\)\n$/,
      );
    });

    it("prove --attestation refuses an attestation of another tree", async function () {
      const att = path.join(scratch.dir, "att-other.json");
      writeFileSync(
        att,
        JSON.stringify(
          attestationFileToJson({
            chainId: 31337n,
            registry: ethers.ZeroAddress as Address,
            attestation: {
              subjectId: ethers.encodeBytes32String("USDX") as Hex32,
              asOf: 1n,
              reserves: 1n,
              liabilities: 7n,
              liabilitiesRoot: ethers.id("another tree") as Hex32,
              reportHash: ethers.ZeroHash as Hex32,
            },
          }),
        ),
      );
      expectRefusal(
        await por(["liabilities", "prove", out, "carol", "--attestation", att]),
        /att-other\.json attests liabilities root 0x[0-9a-f]{64} with total 7, not this tree \(root 0x[0-9a-f]{64}, total 1001542250001\)$/,
      );
    });

    for (const [what, mutate, message] of [
      [
        "a changed balance",
        (p: Record<string, unknown>) => ({ ...p, balance: "2" }),
        /INVALID: .*the balance and the step sums add up to [\d.]+, not the stated total/,
      ],
      [
        "a changed total",
        (p: Record<string, unknown>) => ({ ...p, total: "1" }),
        /INVALID: .*not the stated total 0\.000001$/,
      ],
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
      let round1: { subjectId: string; asOf: bigint; total: bigint; root: string; chainId: bigint };
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
        round1 = { subjectId, asOf: now - 10n, total: summary.total, root: summary.root, chainId };
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
        expect(run.stdout).to.match(/^VALID: .* with total 1001542\.250001 \(1001542250001 base units\)\n/);
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

      describe("a package that names where it is attested (prove --attestation)", function () {
        let bound: string;
        const boundVariant = (name: string, change: Record<string, unknown>): string => {
          const pkg = JSON.parse(readFileSync(bound, "utf8")) as { attestedOn: Record<string, unknown> };
          const file = path.join(scratch.dir, name);
          writeFileSync(file, JSON.stringify({ ...pkg, attestedOn: { ...pkg.attestedOn, ...change } }));
          return file;
        };
        const verifyOnNode = (file: string) =>
          por(["liabilities", "verify", file, "--round", "1", "--network", "localhost"], {
            POR_LOCALHOST_RPC: url,
          });

        before(async function () {
          const att = path.join(scratch.dir, "att-round1.json");
          writeFileSync(
            att,
            JSON.stringify(
              attestationFileToJson({
                chainId: round1.chainId,
                registry: registry as Address,
                attestation: {
                  subjectId: round1.subjectId as Hex32,
                  asOf: round1.asOf,
                  reserves: round1.total,
                  liabilities: round1.total,
                  liabilitiesRoot: round1.root as Hex32,
                  reportHash: ethers.ZeroHash as Hex32,
                },
              }),
            ),
          );
          bound = path.join(scratch.dir, "proof-bound.json");
          const run = await por(["liabilities", "prove", out, "carol", "--attestation", att, "--out", bound]);
          expect(run.code, run.stderr).to.equal(0);
        });

        it("names chain, registry and subject, and verifies on-chain with --network alone", async function () {
          expect(JSON.parse(readFileSync(bound, "utf8")).attestedOn).to.deep.equal({
            chainId: 31337,
            registry,
            subjectId: round1.subjectId,
          });
          const run = await verifyOnNode(bound);
          expect(run.code, run.stderr).to.equal(0);
          expect(run.stdout).to.match(
            /\nVALID on-chain: verifyLiability is true for subject USDX round 1 on chain 31337 \(registry 0x[0-9a-fA-F]{40}\)\n$/,
          );
        });

        it("refuses to check it on another chain, naming both chains", async function () {
          expectRefusal(
            await verifyOnNode(boundVariant("proof-chain1.json", { chainId: 1 })),
            /proof-chain1\.json expects chain 1, but this is localhost \(chain 31337\): pass the --network of chain 1$/,
          );
        });

        it("where no registry is deployed, says which chain the file expects and which one it reached", async function () {
          const nowhere = "0x000000000000000000000000000000000000dEaD";
          expectRefusal(
            await verifyOnNode(boundVariant("proof-nowhere.json", { registry: nowhere })),
            new RegExp(
              `^error: no registry at ${nowhere} on localhost \\(chain 31337\\); .*proof-nowhere\\.json expects chain 31337$`,
            ),
          );
        });
      });

      it("reports a missing round as the registry's error", async function () {
        expectRefusal(await onChain("3"), /registry 0x[0-9a-fA-F]{40} refused: subject USDX has no round 3$/);
      });
    });
  });
});
