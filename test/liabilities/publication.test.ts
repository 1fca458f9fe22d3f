import { expect } from "chai";
import fc from "fast-check";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { keccak256 } from "ethers";
import { InvalidArgumentError, InvalidFileError } from "../../src/core/errors";
import {
  MANIFEST_FILE,
  SHARD_HEADER_BYTES,
  TreeFile,
  auditPublication,
  checkPublishedBalance,
  decodeShard,
  defaultShardLeaves,
  levelPath,
  manifestHash,
  manifestToJson,
  parseManifest,
  parseManifestBytes,
  publicationSource,
  shardIndexFor,
  toHex,
  writePublication,
  type CommittedRound,
  type PublicationCheck,
  type PublicationManifest,
  type PublicationSummary,
} from "../../src/liabilities";
import { manifestBytesPerShard } from "../../src/liabilities/publication-writer";
import { buildAccounts, scratchDir, type TestAccount } from "../helpers/liabilities-build";
import { refBuild, type RefNode } from "../helpers/liabilities-reference";

const numRuns = process.env.CI ? 60 : 15;
const SHARD_SIZES = [1, 2, 4, 8, 16, 64, 1024] as const;

type Account = Required<TestAccount>;

/** `count` accounts with distinct ids, random salts and balances (some zero, some large). */
const accountSets = fc.integer({ min: 1, max: 300 }).chain((count) =>
  fc
    .array(
      fc.record({
        salt: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b)),
        balance: fc.oneof(
          fc.constant(0n),
          fc.bigInt({ min: 0n, max: 10n ** 12n }),
          fc.bigInt({ min: 0n, max: 1n << 200n }),
        ),
      }),
      { minLength: count, maxLength: count },
    )
    .map((rows) => rows.map((row, i): Account => ({ accountId: `acct-${i}`, ...row }))),
);

interface Published {
  dir: string;
  out: string;
  tree: TreeFile;
  summary: PublicationSummary;
  round: CommittedRound;
}

/** Builds `accounts` (decimals 0) and publishes the tree with `shardLeaves` leaves per shard. */
async function publish(dir: string, accounts: Account[], shardLeaves?: number): Promise<Published> {
  const { summary: built, tree } = await buildAccounts(dir, accounts);
  const out = path.join(dir, "publication");
  const summary = await writePublication(path.join(dir, "tree.bin"), out, { shardLeaves }, true);
  const round = { manifestHash: summary.manifestHash, root: built.root, total: built.total, decimals: 0 };
  return { dir, out, tree, summary, round };
}

async function check(
  out: string,
  round: CommittedRound,
  account: Pick<Account, "accountId" | "salt">,
  balance: bigint | string,
): Promise<PublicationCheck> {
  const claim = { accountId: account.accountId, salt: account.salt, balance: balance.toString() };
  return checkPublishedBalance(await publicationSource(out), round, claim);
}

function readManifest(out: string): PublicationManifest {
  return parseManifestBytes(readFileSync(path.join(out, MANIFEST_FILE)), "manifest.json");
}

/** Writes `manifest` as the publication's manifest and returns its hash, as a custodian would commit it. */
async function rewriteManifest(out: string, manifest: PublicationManifest): Promise<`0x${string}`> {
  const bytes = Buffer.from(manifestToJson(manifest));
  writeFileSync(path.join(out, MANIFEST_FILE), bytes);
  return manifestHash(bytes);
}

const sha256 = (bytes: Uint8Array) => `0x${createHash("sha256").update(bytes).digest("hex")}` as const;
const refNodes = (nodes: RefNode[]) => nodes.map((n) => ({ hash: n.hash, sum: n.sum }));
const hexNodes = (nodes: Array<{ hash: Uint8Array; sum: bigint }>) =>
  nodes.map((n) => ({ hash: toHex(n.hash), sum: n.sum }));

describe("published proofs (liabilities publication)", function () {
  this.timeout(300_000);
  let scratch: ReturnType<typeof scratchDir>;
  beforeEach(() => (scratch = scratchDir()));
  afterEach(() => scratch.cleanup());

  describe("default shard size", function () {
    it("keeps a customer's download under 2 MB at 10M accounts, and shards at least 1024 leaves", function () {
      // 10M accounts with the benchmark's balances: total below 2^96, 12-byte sums, 44-byte nodes.
      const shardLeaves = defaultShardLeaves(10_000_000, 12);
      expect(shardLeaves).to.equal(8192);
      const shards = Math.ceil(10_000_000 / shardLeaves);
      const download = shards * manifestBytesPerShard(12) + SHARD_HEADER_BYTES + shardLeaves * 44;
      expect(download).to.be.below(2_000_000);
      // Even with 32-byte sums (totals near 2^256) it stays under 2 MB.
      const wide = defaultShardLeaves(10_000_000, 32);
      expect(Math.ceil(10_000_000 / wide) * manifestBytesPerShard(32) + wide * 64).to.be.below(2_000_000);
      expect(defaultShardLeaves(3, 4)).to.equal(1024);
      expect(defaultShardLeaves(100_000, 8)).to.equal(1024);
    });

    it("estimates the manifest's bytes per shard from above, as written", async function () {
      const accounts = Array.from({ length: 2000 }, (_, i) => ({
        accountId: `a${i}`,
        salt: toHex(createHash("sha256").update(`salt ${i}`).digest()),
        balance: BigInt(i) * 10n ** 20n,
      }));
      const { summary, tree } = await publish(scratch.dir, accounts, 1);
      tree.close();
      const perShard = (summary.manifestBytes - 400) / summary.shardCount;
      expect(perShard).to.be.within(
        manifestBytesPerShard(tree.header.sumBytes) - 30,
        manifestBytesPerShard(tree.header.sumBytes),
      );
    });
  });

  describe("writePublication", function () {
    it("writes manifest.json and one shard file per shard, the manifest naming each with its size and SHA-256", async function () {
      const accounts = Array.from({ length: 5 }, (_, i) => ({
        accountId: `c${i}`,
        salt: toHex(createHash("sha256").update(`s${i}`).digest()),
        balance: BigInt(i * 100),
      }));
      const { out, tree, summary, round } = await publish(scratch.dir, accounts, 2);
      tree.close();
      expect(readdirSync(out).sort()).to.deep.equal(["manifest.json", "shards"]);
      expect(readdirSync(path.join(out, "shards"))).to.deep.equal(["0.bin", "1.bin", "2.bin"]);
      const bytes = readFileSync(path.join(out, MANIFEST_FILE));
      expect(summary.manifestHash).to.equal(keccak256(bytes));
      expect(summary).to.deep.include({
        leafCount: 5,
        shardLeaves: 2,
        shardCount: 3,
        manifestBytes: bytes.length,
      });
      const manifest = readManifest(out);
      expect(JSON.parse(bytes.toString()).format).to.equal("por-publication/1");
      expect(manifest).to.deep.include({
        root: round.root,
        total: round.total,
        leafCount: 5,
        decimals: 0,
        sumBytes: 4,
      });
      for (const entry of manifest.shards) {
        const file = readFileSync(path.join(out, entry.file));
        expect(entry.bytes).to.equal(file.length);
        expect(entry.sha256).to.equal(sha256(file));
        expect(file.subarray(0, 8).toString("latin1")).to.equal("PORSHARD");
      }
      expect(manifest.shards.map((s) => s.bytes)).to.deep.equal([32 + 2 * 36, 32 + 2 * 36, 32 + 36]);
      // The manifest round-trips byte for byte: its hash is a property of its content.
      expect(manifestToJson(manifest)).to.equal(bytes.toString());
    });

    it("refuses an existing --out without replace, and a shard size that is not a power of two", async function () {
      const accounts = [{ accountId: "a", salt: toHex(new Uint8Array(32).fill(1)), balance: 1n }];
      const { dir, out, tree } = await publish(scratch.dir, accounts, 1);
      tree.close();
      const treeFile = path.join(dir, "tree.bin");
      let err = await writePublication(treeFile, out).catch((e: unknown) => e);
      expect(err)
        .to.be.instanceOf(InvalidArgumentError)
        .with.property("message")
        .match(/already exists/);
      err = await writePublication(treeFile, path.join(dir, "other"), { shardLeaves: 3 }).catch(
        (e: unknown) => e,
      );
      expect(err)
        .to.be.instanceOf(InvalidArgumentError)
        .with.property("message")
        .match(/power of two/);
      expect(readdirSync(dir).filter((f) => f.startsWith(".") || f === "other")).to.deep.equal([]);
    });

    it("refuses a tree file whose leaves do not hash to its root, and leaves nothing behind", async function () {
      const accounts = Array.from({ length: 40 }, (_, i) => ({
        accountId: `a${i}`,
        salt: toHex(createHash("sha256").update(`${i}`).digest()),
        balance: BigInt(i),
      }));
      const { dir, tree } = await publish(scratch.dir, accounts, 4);
      const treeFile = path.join(dir, "tree.bin");
      const level0 = tree.header.levelTableOffset;
      tree.close();
      const bytes = readFileSync(treeFile);
      const offset = Number(bytes.readBigUInt64LE(level0 + 8)); // level 0's offset
      bytes.writeUInt8(bytes.readUInt8(offset + 35) ^ 1, offset + 35); // leaf 0's sum
      writeFileSync(treeFile, bytes);
      const err = await writePublication(treeFile, path.join(dir, "bad"), { shardLeaves: 4 }).catch(
        (e: unknown) => e,
      );
      expect(err)
        .to.be.instanceOf(InvalidFileError)
        .with.property("message")
        .match(/do not hash to its root and total/);
      expect(readdirSync(dir).filter((f) => f.startsWith(".") || f === "bad")).to.deep.equal([]);
    });
  });

  describe("docs/liabilities-tree.md", function () {
    it("shows the publication of the 3-leaf vectors byte for byte, with its keccak256", async function () {
      const vectors = JSON.parse(
        readFileSync(path.join(__dirname, "..", "fixtures", "liabilities-vectors.json"), "utf8"),
      ) as {
        trees: Array<{ name: string; accounts: Array<{ accountId: string; balance: string; salt: string }> }>;
      };
      const tree = vectors.trees.find((t) => t.name === "three-leaves")!;
      const amount = (units: string) =>
        `${BigInt(units) / 100n}.${String(BigInt(units) % 100n).padStart(2, "0")}`;
      const csv = `account,balance,salt\n${tree.accounts.map((a) => `${a.accountId},${amount(a.balance)},${a.salt}`).join("\n")}\n`;
      await buildAccounts(scratch.dir, [], { csv, decimals: 2 }).then(({ tree: t }) => t.close());
      const out = path.join(scratch.dir, "publication");
      const summary = await writePublication(path.join(scratch.dir, "tree.bin"), out, { shardLeaves: 2 });
      const doc = readFileSync(path.join(__dirname, "..", "..", "docs", "liabilities-tree.md"), "utf8");
      const example =
        /Worked example: the 3-leaf tree of §6 published[\s\S]*?keccak256\s+`(0x[0-9a-f]{64})`[\s\S]*?```text\n([\s\S]*?)```/.exec(
          doc,
        );
      expect(example, "the worked example").to.not.equal(null);
      expect(example![2]).to.equal(readFileSync(path.join(out, MANIFEST_FILE), "utf8"));
      expect(example![1]).to.equal(summary.manifestHash);
      const shard = readFileSync(path.join(out, "shards", "0.bin")).toString("hex");
      expect(shard.slice(0, 64)).to.equal(
        "504f525348415244" + "01000000" + "04000000" + "00000000" + "02000000" + "0000000000000000",
      );
    });
  });

  describe("parseManifest", function () {
    let manifest: Record<string, unknown>;
    beforeEach(async function () {
      const accounts = Array.from({ length: 6 }, (_, i) => ({
        accountId: `a${i}`,
        salt: toHex(createHash("sha256").update(`${i}`).digest()),
        balance: BigInt(i),
      }));
      const { out, tree } = await publish(scratch.dir, accounts, 2);
      tree.close();
      manifest = JSON.parse(readFileSync(path.join(out, MANIFEST_FILE), "utf8")) as Record<string, unknown>;
    });
    const shards = () => manifest.shards as Array<Record<string, unknown>>;

    for (const [what, change, message] of [
      [
        "an unknown format",
        (m: Record<string, unknown>) => (m.format = "por-publication/2"),
        /has format "por-publication\/2"/,
      ],
      [
        "a shard size that is not a power of two",
        (m: Record<string, unknown>) => (m.shardLeaves = 3),
        /shardLeaves must be a power of two/,
      ],
      [
        "a missing shard",
        (m: Record<string, unknown>) => (m.shards as unknown[]).pop(),
        /shards has 2 entries, expected 3/,
      ],
      [
        "a top of the wrong length",
        (m: Record<string, unknown>) => (m.top as unknown[]).push((m.top as unknown[])[0]),
        /top has 4 entries/,
      ],
      [
        "a wrong shard size",
        (m: Record<string, unknown>) => ((m.shards as Array<Record<string, unknown>>)[0]!.bytes = 1),
        /shards\[0\]\.bytes is 1, but 2 leaves take 104/,
      ],
      [
        "a total that does not fit the sums",
        (m: Record<string, unknown>) => (m.total = (2n ** 32n).toString()),
        /total does not fit in sumBytes/,
      ],
      [
        "an uppercase hash",
        (m: Record<string, unknown>) => (m.root = (m.root as string).toUpperCase().replace("0X", "0x")),
        /root must be 0x-prefixed lowercase/,
      ],
    ] as const) {
      it(`refuses ${what}`, function () {
        change(manifest);
        expect(() => parseManifest(manifest, "m.json")).to.throw(InvalidFileError, message);
      });
    }

    for (const file of [
      "../secret",
      "/etc/passwd",
      "shards/../../x",
      "https://evil.example/x",
      "shards/./0.bin",
      "",
      "a\\b",
    ]) {
      it(`refuses the shard path ${JSON.stringify(file)}`, function () {
        shards()[1]!.file = file;
        expect(() => parseManifest(manifest, "m.json")).to.throw(
          InvalidFileError,
          /shards\[1\]\.file must be a relative path/,
        );
      });
    }

    it("refuses shards out of ascending order (a customer's binary search relies on it)", function () {
      const [a, b] = [shards()[0]!, shards()[1]!];
      shards()[0] = b;
      shards()[1] = a;
      expect(() => parseManifest(manifest, "m.json")).to.throw(
        InvalidFileError,
        /does not start after shards\[0\] ends/,
      );
    });

    it("finds a leaf's shard by binary search over the first leaves", function () {
      const parsed = parseManifest(manifest, "m.json");
      const [s0, s1, s2] = parsed.shards;
      expect(shardIndexFor(parsed, `0x${"00".repeat(32)}`)).to.equal(0);
      expect(shardIndexFor(parsed, s0!.last)).to.equal(0);
      expect(shardIndexFor(parsed, s1!.first)).to.equal(1);
      expect(shardIndexFor(parsed, s2!.first)).to.equal(2);
      expect(shardIndexFor(parsed, `0x${"ff".repeat(32)}`)).to.equal(2);
    });
  });

  describe("levelPath", function () {
    it("folds a level with the tree's rule, the lone last node promoted", function () {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), (count, pick) => {
          const accounts = Array.from({ length: count }, (_, i) => ({
            accountId: `a${i}`,
            salt: toHex(createHash("sha256").update(`${count}-${i}`).digest()),
            balance: BigInt(i * 7),
          }));
          const ref = refBuild(accounts);
          const leaves = (ref.levels[0] as RefNode[]).map((n) => ({
            hash: Buffer.from(n.hash.slice(2), "hex"),
            sum: n.sum,
          }));
          const index = pick % count;
          const folded = levelPath(leaves, index);
          expect(folded).to.not.equal(undefined);
          expect(toHex(folded!.root.hash)).to.equal(ref.root.hash);
          expect(folded!.root.sum).to.equal(ref.root.sum);
        }),
        { numRuns: 40 },
      );
    });
  });

  describe("properties (fast-check)", function () {
    it("every customer's check succeeds, with the same proof `liabilities prove` gives, downloading only the manifest and one shard; the whole publication audits", async function () {
      await fc.assert(
        fc.asyncProperty(accountSets, fc.constantFrom(...SHARD_SIZES), async (accounts, shardLeaves) => {
          const { out, tree, summary, round } = await publish(scratch.dir, accounts, shardLeaves);
          try {
            for (const account of accounts) {
              const result = await check(out, round, account, account.balance);
              expect(result.ok, result.reason).to.equal(true);
              expect(result.proof?.proof).to.deep.equal(tree.prove(account.accountId).proof);
              expect(result.downloadedBytes).to.equal(summary.manifestBytes + result.shard!.bytes);
            }
            expect(await auditPublication(await publicationSource(out), round)).to.deep.include({ ok: true });
          } finally {
            tree.close();
          }
        }),
        { numRuns },
      );
    });

    it("a shard holds exactly its own run of leaves, and the manifest's top is exactly the tree's level above", async function () {
      await fc.assert(
        fc.asyncProperty(accountSets, fc.constantFrom(...SHARD_SIZES), async (accounts, shardLeaves) => {
          const { out, tree } = await publish(scratch.dir, accounts, shardLeaves);
          tree.close();
          const ref = refBuild(accounts);
          const manifest = readManifest(out);
          const level = Math.min(Math.log2(shardLeaves), ref.levels.length - 1);
          expect(hexNodes(manifest.top)).to.deep.equal(refNodes(ref.levels[level] as RefNode[]));
          manifest.shards.forEach((entry, i) => {
            const bytes = readFileSync(path.join(out, entry.file));
            const range = (ref.levels[0] as RefNode[]).slice(i * shardLeaves, (i + 1) * shardLeaves);
            expect(bytes.length).to.equal(SHARD_HEADER_BYTES + range.length * (32 + manifest.sumBytes));
            expect(hexNodes(decodeShard(bytes, manifest, i, entry.file).leaves)).to.deep.equal(
              refNodes(range),
            );
          });
        }),
        { numRuns },
      );
    });

    it("an omitted customer, or one shown another balance, is not found where their leaf must be; every other customer still checks", async function () {
      await fc.assert(
        fc.asyncProperty(
          accountSets.filter((a) => a.length >= 2),
          fc.constantFrom(...SHARD_SIZES),
          fc.nat(),
          async (accounts, shardLeaves, pick) => {
            const omitted = accounts[pick % accounts.length] as Account;
            const kept = accounts.filter((a) => a !== omitted);
            const { out, tree, round } = await publish(scratch.dir, kept, shardLeaves);
            tree.close();
            const missing = await check(out, round, omitted, omitted.balance);
            expect(missing).to.deep.include({ ok: false, failure: "account-not-found" });
            expect(missing.reason).to.match(
              /^leaf 0x[0-9a-f]{64} is not in shard \d+ \(leaves \d+ to \d+\), where its hash places it/,
            );
            const other = kept[pick % kept.length] as Account;
            expect(await check(out, round, other, other.balance + 1n)).to.deep.include({
              failure: "account-not-found",
            });
            expect(await check(out, round, other, other.balance)).to.deep.include({ ok: true });
          },
        ),
        { numRuns },
      );
    });

    it("a shard rewritten by the custodian (leaf hash or sum, with its SHA-256 updated and the manifest recommitted) fails for every customer in it", async function () {
      await fc.assert(
        fc.asyncProperty(
          accountSets,
          fc.constantFrom(...SHARD_SIZES),
          fc.nat(),
          fc.nat(),
          fc.boolean(),
          async (accounts, shardLeaves, pick, byte, inSum) => {
            const { out, tree, round } = await publish(scratch.dir, accounts, shardLeaves);
            const manifest = readManifest(out);
            const victim = accounts[pick % accounts.length] as Account;
            const position = tree.findAccount(victim.accountId)!.leaf;
            tree.close();
            const index = Math.floor(position / shardLeaves);
            const entry = manifest.shards[index]!;
            const file = path.join(out, entry.file);
            const bytes = readFileSync(file);
            const at = SHARD_HEADER_BYTES + (position - index * shardLeaves) * (32 + manifest.sumBytes);
            // A sum's low byte (+1), or a low byte of the hash (keeps the order: only the last byte).
            if (inSum)
              bytes[at + 32 + manifest.sumBytes - 1] = (bytes[at + 32 + manifest.sumBytes - 1]! + 1) & 0xff;
            else bytes.writeUInt8(bytes.readUInt8(at + 31) ^ (1 << (byte % 8)), at + 31);
            writeFileSync(file, bytes);
            const committed = {
              ...round,
              manifestHash: await rewriteManifest(out, {
                ...manifest,
                shards: manifest.shards.map((s, i) => (i === index ? { ...s, sha256: sha256(bytes) } : s)),
              }),
            };
            const positions = refBuild(accounts).positions;
            const inShard = accounts.filter(
              (a) => Math.floor(positions.get(a.accountId)! / shardLeaves) === index,
            );
            for (const account of inShard) {
              const result = await check(out, committed, account, account.balance);
              expect(result.ok).to.equal(false);
              expect(result.failure).to.be.oneOf(["path-not-to-root", "shard-invalid", "account-not-found"]);
              if (account !== victim)
                expect(result.failure).to.be.oneOf(["path-not-to-root", "shard-invalid"]);
            }
          },
        ),
        { numRuns },
      );
    });
  });

  describe("checkPublishedBalance: each failure named", function () {
    const accounts = Array.from({ length: 20 }, (_, i) => ({
      accountId: `customer-${i}`,
      salt: toHex(createHash("sha256").update(`salt-${i}`).digest()),
      balance: BigInt(i) * 1000n,
    }));
    const alice = accounts[7]!;
    let published: Published;
    beforeEach(async function () {
      published = await publish(scratch.dir, accounts, 4);
      published.tree.close();
    });

    it("succeeds and lists every check that held", async function () {
      const result = await check(published.out, published.round, alice, "7000");
      expect(result.ok).to.equal(true);
      expect(result.passed).to.have.length(4);
      expect(result.passed[0]).to.match(
        /^manifest .*manifest\.json is the one committed on-chain \(keccak256 0x[0-9a-f]{64}\)$/,
      );
      expect(result.passed[3]).to.match(
        /^leaf \d+ with balance 7000 reaches the attested root in \d+ steps$/,
      );
    });

    it("manifest-not-committed: nothing committed for the round, and nothing fetched", async function () {
      const source = {
        manifest: () => Promise.reject(new Error("must not fetch")),
        file: () => Promise.reject(new Error("must not fetch")),
        describe: () => "nowhere",
      };
      const round = { ...published.round, manifestHash: `0x${"00".repeat(32)}` as const };
      const result = await checkPublishedBalance(source, round, { ...alice, balance: "7000" });
      expect(result).to.deep.include({ ok: false, failure: "manifest-not-committed", downloadedBytes: 0 });
    });

    it("manifest-hash-differs: a manifest changed after it was committed", async function () {
      // Same content, one byte more: the bytes are what is committed.
      const file = path.join(published.out, MANIFEST_FILE);
      writeFileSync(file, `${readFileSync(file, "utf8")} `);
      const result = await check(published.out, published.round, alice, "7000");
      expect(result.failure).to.equal("manifest-hash-differs");
      expect(result.reason).to.match(/has keccak256 0x[0-9a-f]{64}, the round commits 0x[0-9a-f]{64}$/);
    });

    it("manifest-invalid: a malformed manifest committed as is", async function () {
      const bytes = Buffer.from('{"format":"por-publication/1"}');
      writeFileSync(path.join(published.out, MANIFEST_FILE), bytes);
      const round = { ...published.round, manifestHash: await manifestHash(bytes) };
      expect(await check(published.out, round, alice, "7000")).to.deep.include({
        failure: "manifest-invalid",
      });
    });

    it("round-differs: a publication of another root or total, or other decimals", async function () {
      const other = { ...published.round, total: published.round.total + 1n };
      const result = await check(published.out, other, alice, "7000");
      expect(result.failure).to.equal("round-differs");
      expect(result.reason).to.match(
        /^the manifest publishes root 0x[0-9a-f]{64} with total 190000, the round attests root 0x[0-9a-f]{64} with total 190001$/,
      );
      const decimals = await check(published.out, { ...published.round, decimals: 2 }, alice, "70");
      expect(decimals).to.deep.include({
        failure: "round-differs",
        reason: "the manifest states 0 decimals, the subject has 2",
      });
    });

    it("shard-hash-differs: a shard changed after the manifest was written", async function () {
      const manifest = readManifest(published.out);
      const index = shardIndexFor(
        manifest,
        (await check(published.out, published.round, alice, "7000")).leaf,
      );
      const file = path.join(published.out, manifest.shards[index]!.file);
      const bytes = readFileSync(file);
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
      writeFileSync(file, bytes);
      const result = await check(published.out, published.round, alice, "7000");
      expect(result.failure).to.equal("shard-hash-differs");
      expect(result.reason).to.match(
        new RegExp(
          `^shard ${index} \\(.*\\) is not the one the manifest names: \\d+ bytes with SHA-256 0x[0-9a-f]{64}, the manifest says \\d+ bytes with SHA-256 ${manifest.shards[index]!.sha256}$`,
        ),
      );
    });

    it("shard-invalid: a shard served for another index, committed with its hash", async function () {
      const manifest = readManifest(published.out);
      const index = shardIndexFor(
        manifest,
        (await check(published.out, published.round, alice, "7000")).leaf,
      );
      const other = index === 0 ? 1 : 0;
      const shards = manifest.shards.map((s, i) =>
        i === index ? { ...manifest.shards[other]!, first: s.first, last: s.last } : s,
      );
      const round = {
        ...published.round,
        manifestHash: await rewriteManifest(published.out, { ...manifest, shards }),
      };
      expect(await check(published.out, round, alice, "7000")).to.deep.include({ failure: "shard-invalid" });
    });

    it("path-not-to-root: a manifest whose top does not hash to its root", async function () {
      const manifest = readManifest(published.out);
      const top = manifest.top.map((n, i) => (i === manifest.top.length - 1 ? { ...n, sum: n.sum + 1n } : n));
      const round = {
        ...published.round,
        manifestHash: await rewriteManifest(published.out, { ...manifest, top }),
      };
      const positions = refBuild(accounts).positions;
      const inLastShard = accounts.find((a) => positions.get(a.accountId)! >= 16)!;
      const result = await check(published.out, round, inLastShard, inLastShard.balance);
      expect(result.failure).to.equal("path-not-to-root");
      expect(result.reason).to.match(
        /^shard 4 hashes to 0x[0-9a-f]{64} with sum \d+, the manifest's top\[4\] is/,
      );
      const elsewhere = accounts.find((a) => positions.get(a.accountId)! < 16)!;
      const other = await check(published.out, round, elsewhere, elsewhere.balance);
      expect(other.failure).to.equal("path-not-to-root");
      expect(other.reason).to.match(
        /^the manifest's top hashes to 0x[0-9a-f]{64} with total 190001, not its root/,
      );
    });

    it("refuses a malformed balance or salt before fetching anything", async function () {
      const source = {
        manifest: () => Promise.reject(new Error("must not fetch")),
        file: () => Promise.reject(new Error("must not fetch")),
        describe: () => "nowhere",
      };
      let err = await checkPublishedBalance(source, published.round, { ...alice, balance: "7.5" }).catch(
        (e: unknown) => e,
      );
      expect(err)
        .to.be.instanceOf(InvalidArgumentError)
        .with.property("message")
        .match(/has 1 decimals, more than the 0 allowed/);
      err = await checkPublishedBalance(source, published.round, {
        ...alice,
        salt: "0x12",
        balance: "7000",
      }).catch((e: unknown) => e);
      expect(err)
        .to.be.instanceOf(InvalidArgumentError)
        .with.property("message")
        .match(/salt is not a 0x-prefixed 32-byte hex string/);
    });
  });

  describe("auditPublication", function () {
    const accounts = Array.from({ length: 32 }, (_, i) => ({
      accountId: `member-${i}`,
      salt: toHex(createHash("sha256").update(`member salt ${i}`).digest()),
      balance: BigInt(i) * 10n,
    }));

    it("checks every shard and top: a consistent publication passes, having fetched every file", async function () {
      const { out, tree, summary, round } = await publish(scratch.dir, accounts, 4);
      tree.close();
      const audit = await auditPublication(await publicationSource(out), round);
      expect(audit).to.deep.include({
        ok: true,
        shardCount: 8,
        leafCount: 32,
        downloadedBytes: summary.totalBytes,
      });
      expect(audit.passed[2]).to.equal(
        "all 8 shards are the ones the manifest names, their 32 leaves in ascending hash order",
      );
    });

    it("finds a shard out of order that one customer's check of another shard cannot see", async function () {
      const { out, tree, round } = await publish(scratch.dir, accounts, 4);
      tree.close();
      // The custodian swaps two leaves of shard 5 and publishes a tree consistent with that: shard 5's
      // SHA-256, top[5] and the root all recomputed (and attested, and committed).
      const manifest = readManifest(out);
      const entry = manifest.shards[5]!;
      const file = path.join(out, entry.file);
      const shard = decodeShard(readFileSync(file), manifest, 5, entry.file);
      const swapped = [shard.leaves[1]!, shard.leaves[0]!, ...shard.leaves.slice(2)];
      const nodeBytes = 32 + manifest.sumBytes;
      const bytes = readFileSync(file);
      swapped.forEach((leaf, i) => {
        bytes.set(leaf.hash, SHARD_HEADER_BYTES + i * nodeBytes);
        bytes.set(
          Buffer.from(leaf.sum.toString(16).padStart(2 * manifest.sumBytes, "0"), "hex"),
          SHARD_HEADER_BYTES + i * nodeBytes + 32,
        );
      });
      writeFileSync(file, bytes);
      const top = manifest.top.map((n, i) => (i === 5 ? levelPath(swapped, 0)!.root : n));
      const root = levelPath(top, 0)!.root;
      const forged = {
        ...manifest,
        root: toHex(root.hash),
        shards: manifest.shards.map((s, i) => (i === 5 ? { ...s, sha256: sha256(bytes) } : s)),
        top,
      };
      const committed = { ...round, root: forged.root, manifestHash: await rewriteManifest(out, forged) };
      const positions = refBuild(accounts).positions;
      const elsewhere = accounts.find((a) => Math.floor(positions.get(a.accountId)! / 4) === 0)!;
      expect(await check(out, committed, elsewhere, elsewhere.balance)).to.deep.include({ ok: true });
      const audit = await auditPublication(await publicationSource(out), committed);
      expect(audit).to.deep.include({ ok: false, failure: "shard-invalid" });
      expect(audit.reason).to.match(/shards\/5\.bin: leaf 21 is not above leaf 20/);
    });
  });

  describe("publicationSource", function () {
    it("reads a directory, its manifest path or its file: URL alike, and refuses other schemes", async function () {
      const accounts = [{ accountId: "a", salt: toHex(new Uint8Array(32).fill(2)), balance: 5n }];
      const { out, tree, round } = await publish(scratch.dir, accounts, 1);
      tree.close();
      for (const uri of [
        out,
        path.join(out, MANIFEST_FILE),
        `file://${out}`,
        `file://${out}/manifest.json`,
      ]) {
        expect(
          (
            await checkPublishedBalance(await publicationSource(uri), round, {
              ...accounts[0]!,
              balance: "5",
            })
          ).ok,
          uri,
        ).to.equal(true);
      }
      const err = await publicationSource("ipfs://bafy/manifest.json").catch((e: unknown) => e);
      expect(err)
        .to.be.instanceOf(InvalidArgumentError)
        .with.property("message")
        .match(/only http\(s\) URLs, file: URLs and paths are supported/);
      const missing = await publicationSource(path.join(scratch.dir, "nothing")).catch((e: unknown) => e);
      expect(missing)
        .to.be.instanceOf(InvalidFileError)
        .with.property("message")
        .match(/cannot read .*nothing: ENOENT/);
    });
  });
});
