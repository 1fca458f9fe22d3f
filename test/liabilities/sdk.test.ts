import { expect } from "chai";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, InvalidFileError } from "../../src/core/errors";
import {
  BUILD_PHASES,
  TreeFile,
  attestedOnFromAttestation,
  buildTreeFile,
  loadSaltSecret,
  parseDecimalAmount,
  parseDecimals,
  parseLiabilitiesSummary,
  parseProofPackage,
  readLiabilitiesSummary,
  readProofPackage,
  summaryToJson,
  verifyProofPackage,
  type PhaseTiming,
} from "../../src/liabilities";
import { buildAccounts, scratchDir } from "../helpers/liabilities-build";

const MAX_UINT256 = (1n << 256n) - 1n;

describe("liabilities SDK", function () {
  let scratch: ReturnType<typeof scratchDir>;
  beforeEach(() => (scratch = scratchDir()));
  afterEach(() => scratch.cleanup());

  describe("parseDecimalAmount", function () {
    it("converts decimal strings to base units exactly", function () {
      expect(parseDecimalAmount("1.23", 2)).to.equal(123n);
      expect(parseDecimalAmount("1.2", 2)).to.equal(120n);
      expect(parseDecimalAmount("007", 2)).to.equal(700n);
      expect(parseDecimalAmount("0", 0)).to.equal(0n);
      expect(parseDecimalAmount("0.000000000000000001", 18)).to.equal(1n);
      expect(parseDecimalAmount("123456789012345678901234567890.123456789012345678", 18)).to.equal(
        123456789012345678901234567890123456789012345678n,
      );
      expect(parseDecimalAmount(MAX_UINT256.toString(), 0)).to.equal(MAX_UINT256);
    });

    for (const [text, decimals, message] of [
      ["-1", 2, /negative balance "-1"/],
      ["-0.5", 2, /negative balance/],
      ["abc", 2, /is not a non-negative decimal number/],
      ["", 2, /is not a non-negative decimal number/],
      ["1e5", 2, /is not a non-negative decimal number/],
      ["1.", 2, /is not a non-negative decimal number/],
      [".5", 2, /is not a non-negative decimal number/],
      [" 1", 2, /is not a non-negative decimal number/],
      ["+1", 2, /is not a non-negative decimal number/],
      ["1,5", 2, /is not a non-negative decimal number/],
      ["1.234", 2, /has 3 decimals, more than the 2 allowed/],
      ["1.0", 0, /has 1 decimals, more than the 0 allowed/],
      [(MAX_UINT256 + 1n).toString(), 0, /overflows uint256/],
      ["1".padEnd(100, "0"), 0, /overflows uint256/],
      ["1", 78, /overflows uint256/],
    ] as const) {
      it(`refuses ${JSON.stringify(text)} with ${decimals} decimals`, function () {
        expect(() => parseDecimalAmount(text, decimals)).to.throw(InvalidArgumentError, message);
      });
    }

    it("parseDecimals accepts 0..36 only", function () {
      expect(parseDecimals("18")).to.equal(18);
      for (const bad of ["-1", "37", "1.5", "x", ""])
        expect(() => parseDecimals(bad)).to.throw(InvalidArgumentError);
    });
  });

  describe("CSV input", function () {
    const refusals: Array<[string, string, RegExp]> = [
      ["wrong header", "acct,bal\na,1\n", /input\.csv:1: header must be/],
      ["negative balance", "account,balance\na,1\nb,-2\n", /input\.csv:3: negative balance "-2"/],
      [
        "non-numeric balance",
        "account,balance\na,ten\n",
        /input\.csv:2: balance "ten" is not a non-negative decimal number/,
      ],
      [
        "too many decimals",
        "account,balance\na,1.001\n",
        /input\.csv:2: balance "1\.001" has 3 decimals, more than the 2 allowed/,
      ],
      [
        "an overflowing balance",
        `account,balance\na,${MAX_UINT256}\n`,
        /input\.csv:2: balance ".*" overflows uint256/,
      ],
      [
        "an overflowing total",
        `account,balance\na,${MAX_UINT256 / 100n}\nb,${MAX_UINT256 / 100n}\n`,
        /input\.csv:3: the total of balances overflows uint256/,
      ],
      ["an empty file", "", /input\.csv: empty file/],
      ["a header without accounts", "account,balance\n", /input\.csv: no accounts after the header/],
      ["a blank line", "account,balance\na,1\n\nb,2\n", /input\.csv:3: blank line/],
      ["a wrong field count", "account,balance\na,1,2\n", /input\.csv:2: expected 2 fields, got 3/],
      ["an empty account id", "account,balance\n,1\n", /input\.csv:2: empty account id/],
      [
        "a malformed salt",
        "account,balance,salt\na,1,0x12\n",
        /input\.csv:2: salt "0x12" is not a 0x-prefixed 32-byte hex string/,
      ],
      ["a malformed quoted field", 'account,balance\n"a,1\n', /input\.csv:2: malformed quoted field/],
      [
        "an over-long account id",
        `account,balance\n${"x".repeat(1025)},1\n`,
        /input\.csv:2: account id longer than 1024 bytes/,
      ],
      // A customer typing their id must get the bytes the tree committed to.
      [
        "an account id with a leading space",
        "account,balance\na,1\n bob,2\n",
        /input\.csv:3: account id " bob" has leading or trailing whitespace$/,
      ],
      [
        "an account id with a trailing tab",
        "account,balance\nbob\t,2\n",
        /input\.csv:2: account id "bob\\t" has leading or trailing whitespace$/,
      ],
      [
        "a quoted account id with a trailing space",
        'account,balance\n"bob ",2\n',
        /input\.csv:2: account id "bob " has leading or trailing whitespace$/,
      ],
      [
        "an account id ending in a no-break space",
        "account,balance\nbob\u00a0,2\n",
        /input\.csv:2: account id "bob\\u00a0" has leading or trailing whitespace$/,
      ],
      [
        "an account id starting with a zero-width space",
        "account,balance\n\u200bbob,2\n",
        /input\.csv:2: account id "\\u200bbob" has leading or trailing whitespace$/,
      ],
      [
        "an account id not in NFC (e + combining acute)",
        "account,balance\ncafe\u0301,2\n",
        /input\.csv:2: account id "cafe\\u0301" \(U\+0301\) is not in Unicode normalization form NFC: its NFC form "caf\u00e9" \(U\+00E9\) has other bytes$/,
      ],
      [
        "an account id not in NFC (ohm sign)",
        "account,balance\nz,1\n\u2126,2\n",
        /input\.csv:3: account id "\u2126" \(U\+2126\) is not in Unicode normalization form NFC/,
      ],
      ["two blank lines at the end", "account,balance\na,1\n\n\n", /input\.csv:3: blank line/],
      ["a blank line before the last line", "account,balance\na,1\n\nb,2", /input\.csv:3: blank line/],
    ];
    for (const [what, csv, message] of refusals) {
      it(`refuses ${what}, naming the line, and leaves no tree file`, async function () {
        let error: unknown;
        try {
          await buildAccounts(scratch.dir, [], { csv, decimals: 2 });
        } catch (err) {
          error = err;
        }
        expect(error).to.be.instanceOf(InvalidFileError);
        expect((error as Error).message).to.match(message);
        expect(() => readFileSync(path.join(scratch.dir, "tree.bin"))).to.throw(/ENOENT/);
      });
    }

    it("refuses account ids that are not UTF-8", async function () {
      const input = path.join(scratch.dir, "bad.csv");
      writeFileSync(
        input,
        Buffer.concat([Buffer.from("account,balance\n"), Buffer.from([0xff, 0xfe]), Buffer.from(",1\n")]),
      );
      await buildTreeFile({
        input,
        treeFile: path.join(scratch.dir, "t.bin"),
        decimals: 0,
        saltSecret: Buffer.from("s"),
        threads: 0,
      }).then(
        () => expect.fail("accepted invalid UTF-8"),
        (err: Error) => expect(err.message).to.match(/bad\.csv:2: account id is not valid UTF-8/),
      );
    });

    it("accepts one blank last line, NFC ids in any script, and spaces inside ids", async function () {
      for (const ending of ["\n\n", "\r\n\r\n", "\n\r\n"]) {
        const ids = ["caf\u00e9", "\u03a9mega", "\u5c71\u7530 \u592a\u90ce", "\ud55c\uad6d", "jean paul"];
        const csv = `account,balance\n${ids.map((id, i) => `${id},${i}`).join("\n")}${ending}`;
        const { summary, tree } = await buildAccounts(scratch.dir, [], { csv, decimals: 2 });
        expect(summary.leafCount).to.equal(ids.length);
        for (const id of ids) expect(verifyProofPackage(tree.prove(id)).ok).to.equal(true);
        tree.close();
      }
    });

    it("accepts CRLF line ends, a BOM, quoted ids, given and derived salts, and no final newline", async function () {
      const salt = `0x${"ab".repeat(32)}`;
      const csv = `\ufeffaccount,balance,salt\r\n"x, ""quoted""",1.5,${salt}\r\nplain,2,\r\nlast,0.01`;
      const { summary, tree } = await buildAccounts(scratch.dir, [], { csv, decimals: 2 });
      expect(summary.total).to.equal(351n);
      const quoted = tree.prove('x, "quoted"');
      expect(quoted.salt).to.equal(salt);
      expect(quoted.balance).to.equal("150");
      expect(verifyProofPackage(tree.prove("plain")).ok).to.equal(true);
      expect(tree.prove("last")).to.include({ balance: "1", decimals: 2 });
      tree.close();
    });
  });

  describe("loadSaltSecret", function () {
    it("reads the file (without its trailing newline) before the environment", async function () {
      const file = path.join(scratch.dir, "secret");
      writeFileSync(file, "from-file\n");
      expect(Buffer.from(await loadSaltSecret(file, { POR_SALT_SECRET: "env" })).toString()).to.equal(
        "from-file",
      );
      expect(Buffer.from(await loadSaltSecret(undefined, { POR_SALT_SECRET: "env" })).toString()).to.equal(
        "env",
      );
    });

    it("refuses a missing, empty or unreadable secret", async function () {
      const empty = path.join(scratch.dir, "empty");
      writeFileSync(empty, "\n");
      for (const [file, env, message] of [
        [undefined, {}, /no salt secret: pass --salt-secret-file FILE or set POR_SALT_SECRET/],
        [undefined, { POR_SALT_SECRET: "" }, /POR_SALT_SECRET is empty/],
        [empty, {}, /salt secret file .* is empty/],
        [path.join(scratch.dir, "missing"), {}, /cannot read salt secret file .*: ENOENT/],
      ] as const) {
        await loadSaltSecret(file, env).then(
          () => expect.fail("accepted"),
          (err: Error) => {
            expect(err).to.be.instanceOf(InvalidArgumentError);
            expect(err.message).to.match(message);
          },
        );
      }
    });
  });

  describe("file formats", function () {
    const summary = {
      root: `0x${"ab".repeat(32)}`,
      total: 5n,
      leafCount: 3,
      decimals: 2,
      inputSha256: `0x${"22".repeat(32)}`,
    } as const;

    it("summary.json round-trips through readLiabilitiesSummary", async function () {
      const file = path.join(scratch.dir, "summary.json");
      writeFileSync(file, JSON.stringify(summaryToJson(summary)));
      expect(await readLiabilitiesSummary(file)).to.deep.equal(summary);
    });

    it("readers refuse an unknown format", async function () {
      const json = { ...summaryToJson(summary), format: "por-liabilities/2" };
      expect(() => parseLiabilitiesSummary(json, "s.json")).to.throw(
        InvalidFileError,
        /s\.json has format "por-liabilities\/2"/,
      );
      expect(() => parseProofPackage({ format: "por-liability-proof/0" }, "p.json")).to.throw(
        InvalidFileError,
        /p\.json has format "por-liability-proof\/0"/,
      );
    });

    it("a proof package without decimals (saved old format) still loads and verifies", async function () {
      const file = path.join(__dirname, "..", "fixtures", "liability-proof-v1.json");
      const pkg = await readProofPackage(file);
      expect(pkg).to.not.have.property("decimals");
      expect(pkg).to.not.have.property("attestedOn");
      expect(verifyProofPackage(pkg).ok).to.equal(true);
    });

    it("proof packages keep decimals and attestedOn, and refuse malformed ones", async function () {
      const old = JSON.parse(
        readFileSync(path.join(__dirname, "..", "fixtures", "liability-proof-v1.json"), "utf8"),
      ) as Record<string, unknown>;
      const attestedOn = { chainId: 1, registry: `0x${"Ab".repeat(20)}`, subjectId: `0x${"CD".repeat(32)}` };
      expect(parseProofPackage({ ...old, decimals: 2, attestedOn }, "p")).to.deep.equal({
        ...old,
        decimals: 2,
        attestedOn: { ...attestedOn, subjectId: attestedOn.subjectId.toLowerCase() },
      });
      for (const [bad, message] of [
        [{ decimals: 37 }, /p: decimals must be an integer from 0 to 36/],
        [{ decimals: "2" }, /p: decimals must be an integer/],
        [{ attestedOn: { ...attestedOn, chainId: 0 } }, /p: attestedOn\.chainId must be a positive integer/],
        [{ attestedOn: { ...attestedOn, registry: "0x12" } }, /p: attestedOn\.registry must be/],
        [{ attestedOn: { ...attestedOn, subjectId: "USDX" } }, /p: attestedOn\.subjectId must be/],
        [{ attestedOn: "chain 1" }, /p: attestedOn must be an object/],
      ] as const) {
        expect(() => parseProofPackage({ ...old, ...bad }, "p")).to.throw(InvalidFileError, message);
      }
    });

    it("attestedOnFromAttestation takes chain, registry and subject from an attestation of this tree only", function () {
      const tree = { root: `0x${"ab".repeat(32)}` as const, total: 5n };
      const file = {
        chainId: 31337n,
        registry: `0x${"12".repeat(20)}`,
        attestation: { subjectId: `0x${"cd".repeat(32)}`, liabilitiesRoot: tree.root, liabilities: 5n },
      } as unknown as Parameters<typeof attestedOnFromAttestation>[0];
      expect(attestedOnFromAttestation(file, tree, "att.json")).to.deep.equal({
        chainId: 31337,
        registry: `0x${"12".repeat(20)}`,
        subjectId: `0x${"cd".repeat(32)}`,
      });
      expect(() => attestedOnFromAttestation(file, { ...tree, total: 6n }, "att.json")).to.throw(
        InvalidArgumentError,
        /att\.json attests liabilities root 0xabab.* with total 5, not this tree \(root 0xabab.*, total 6\)/,
      );
    });

    it("readers refuse malformed fields", function () {
      const good = summaryToJson(summary);
      expect(() => parseLiabilitiesSummary({ ...good, total: "1.5" }, "s")).to.throw(
        InvalidFileError,
        /total/,
      );
      expect(() =>
        parseLiabilitiesSummary({ ...good, root: good.root.toUpperCase().replace("0X", "0x") }, "s"),
      ).to.throw(/root/);
      expect(() => parseLiabilitiesSummary({ ...good, leafCount: 0 }, "s")).to.throw(/leafCount/);
    });
  });

  describe("tree file", function () {
    const accounts = Array.from({ length: 50 }, (_, i) => ({
      accountId: `user-${i}`,
      balance: BigInt(i * i),
    }));

    it("pads with zero-balance leaves to --pad-to, keeping the total and every proof valid", async function () {
      const plain = await buildAccounts(scratch.dir, accounts);
      plain.tree.close();
      const padded = await buildAccounts(scratch.dir, accounts, { padTo: 77 });
      expect(padded.summary.leafCount).to.equal(77);
      expect(padded.summary.total).to.equal(plain.summary.total);
      expect(padded.summary.root).to.not.equal(plain.summary.root);
      for (const a of accounts) expect(verifyProofPackage(padded.tree.prove(a.accountId)).ok).to.equal(true);
      expect([...padded.tree.proofs()].map((p) => p.accountId).sort()).to.deep.equal(
        accounts.map((a) => a.accountId).sort(),
      );
      padded.tree.close();
    });

    it("reports every phase in order, with its wall time, to onPhaseStart and onPhaseEnd", async function () {
      const input = path.join(scratch.dir, "phases.csv");
      writeFileSync(
        input,
        `account,balance\n${accounts.map((a) => `${a.accountId},${a.balance}`).join("\n")}\n`,
      );
      const started: string[] = [];
      const ended: PhaseTiming[] = [];
      await buildTreeFile({
        input,
        treeFile: path.join(scratch.dir, "phases.bin"),
        decimals: 0,
        saltSecret: Buffer.from("s"),
        threads: 0,
        padTo: 64,
        onPhaseStart: (phase) => started.push(phase),
        onPhaseEnd: (timing) => ended.push(timing),
      });
      expect(started).to.deep.equal([...BUILD_PHASES]);
      expect(ended.map((t) => t.phase)).to.deep.equal([...BUILD_PHASES]);
      for (const t of ended) expect(t.seconds).to.be.at.least(0);
      expect(ended[0]?.detail).to.match(/^50 accounts, 0\.0 MB$/);
      expect(ended[1]?.detail).to.equal("14 dummy leaves");
      // Without padding there is no pad phase.
      const phases: string[] = [];
      await buildTreeFile({
        input,
        treeFile: path.join(scratch.dir, "phases.bin"),
        decimals: 0,
        saltSecret: Buffer.from("s"),
        threads: 0,
        onPhaseEnd: (timing) => phases.push(timing.phase),
      });
      expect(phases).to.deep.equal(BUILD_PHASES.filter((p) => p !== "pad"));
    });

    it("is owner-only (0600), even when it replaces a file others could read", async function () {
      const treeFile = path.join(scratch.dir, "tree.bin");
      writeFileSync(treeFile, "an older tree");
      chmodSync(treeFile, 0o644);
      const built = await buildAccounts(scratch.dir, accounts);
      built.tree.close();
      expect(statSync(treeFile).mode & 0o777).to.equal(0o600);
    });

    it("refuses --pad-to below the account count", async function () {
      await buildAccounts(scratch.dir, accounts, { padTo: 49 }).then(
        () => expect.fail("accepted"),
        (err: Error) => expect(err.message).to.match(/--pad-to 49 is below the 50 accounts/),
      );
    });

    it("refuses --pad-to above the builder's 2^27 leaves, saying the bound, and leaves no tree file", async function () {
      await buildAccounts(scratch.dir, accounts, { padTo: 2 ** 27 + 1 }).then(
        () => expect.fail("accepted"),
        (err: Error) => {
          expect(err).to.be.instanceOf(InvalidArgumentError);
          expect(err.message).to.equal("--pad-to must be an integer from 1 to 134217728");
        },
      );
      expect(existsSync(path.join(scratch.dir, "tree.bin"))).to.equal(false);
    });

    it("refuses to prove an unknown account", async function () {
      const { tree } = await buildAccounts(scratch.dir, accounts);
      expect(() => tree.prove("user-50")).to.throw(
        InvalidArgumentError,
        /no account "user-50" in .*tree\.bin$/,
      );
      // An id the CSV would have refused cannot be in the tree: the message says why.
      expect(() => tree.prove("user-1 ")).to.throw(
        InvalidArgumentError,
        /no account "user-1 " in .*: the id "user-1 " has leading or trailing whitespace, and the CSV refuses such ids$/,
      );
      tree.close();
    });

    it("refuses a truncated or foreign file", async function () {
      const { tree } = await buildAccounts(scratch.dir, accounts);
      tree.close();
      const file = path.join(scratch.dir, "tree.bin");
      truncateSync(file, 1000);
      expect(() => TreeFile.open(file)).to.throw(InvalidFileError, /truncated or corrupt/);
      writeFileSync(file, "hello");
      expect(() => TreeFile.open(file)).to.throw(InvalidFileError, /not a liabilities tree file/);
      mkdirSync(path.join(scratch.dir, "d"));
      expect(() => TreeFile.open(path.join(scratch.dir, "nope.bin"))).to.throw(
        InvalidFileError,
        /cannot read/,
      );
    });

    it("gives the same tree with worker threads as without, over 20,000 accounts", async function () {
      this.timeout(60_000);
      const many = Array.from({ length: 20_000 }, (_, i) => ({
        accountId: `c${i}`,
        balance: BigInt(i) * 10n ** 15n,
      }));
      const single = await buildAccounts(scratch.dir, many, { threads: 0 });
      single.tree.close();
      const parallel = await buildAccounts(scratch.dir, many, { threads: 2 });
      expect(parallel.summary).to.deep.equal(single.summary);
      for (const i of [0, 1, 9_999, 19_999]) {
        expect(verifyProofPackage(parallel.tree.prove(`c${i}`)).ok).to.equal(true);
      }
      parallel.tree.close();
    });
  });
});
