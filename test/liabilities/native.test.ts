import { expect } from "chai";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDecimalAmount } from "../../src/liabilities";
import { parseSmallDecimal } from "../../src/liabilities/decimal-bytes";
import { keccakKernel } from "../../src/liabilities/keccak";
import { hashLeafRange, newLeafBatch } from "../../src/liabilities/leaves";
import { hashLevelRange, newLevel } from "../../src/liabilities/levels";
import { nativeKernel } from "../../src/liabilities/native";
import { SaltDeriver } from "../../src/liabilities/salt";
import { sortKeysInto } from "../../src/liabilities/sort";
import { buildGroup, type GroupJob } from "../../src/liabilities/subtree";
import { ENTRY_POINTS, type FuzzReport } from "../helpers/native-kernel-fuzz";

const numRuns = process.env.CI ? 200 : 50;

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const FUZZ_CHILD = path.join("test", "helpers", "native-kernel-fuzz.ts");

/**
 * Runs test/helpers/native-kernel-fuzz.ts with `args` in a child process (the addon itself, even
 * under POR_NO_NATIVE) and fails, naming why, unless it exits 0. A missing addon fails too: CI
 * must build it, and this says how.
 */
function runFuzzChild(args: string[]): { stdout: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", TS_NODE_SWC: "true" };
  delete env.POR_NO_NATIVE;
  const child = spawnSync(process.execPath, ["-r", "ts-node/register", FUZZ_CHILD, ...args], {
    cwd: REPO_ROOT,
    env,
    encoding: "utf8",
    timeout: 240_000,
  });
  const addon = process.env.POR_NATIVE_ADDON ? `POR_NATIVE_ADDON=${process.env.POR_NATIVE_ADDON} ` : "";
  const replay = `replay: ${addon}POR_FUZZ_TRACE=1 node -r ts-node/register ${FUZZ_CHILD} ${args.join(" ")}`;
  const stderr = child.stderr.trim();
  if (child.error)
    expect.fail(`the native kernel child did not run to the end (${child.error.message}); ${replay}`);
  if (child.signal !== null)
    expect.fail(`the native kernel crashed the child with ${child.signal}; ${replay}\n${stderr}`);
  if (child.status === 2) expect.fail(`${stderr} (npm test needs the native kernel)`);
  if (child.status !== 0)
    expect.fail(`the native kernel answered otherwise than the JavaScript kernel; ${replay}\n${stderr}`);
  return { stdout: child.stdout };
}

describe("builder fast paths", function () {
  describe("native keccak kernel", function () {
    it("computes the same salts, leaves, id prefixes and records as the WebAssembly kernel", function () {
      const native = nativeKernel();
      if (!native) this.skip(); // not built on this machine: the WebAssembly kernel is used
      fc.assert(
        fc.property(
          // HMAC keys of one SHA-256 block or longer (hashed first).
          fc.uint8Array({ minLength: 1, maxLength: 100 }),
          fc.array(
            fc.record({
              id: fc.uint8Array({ minLength: 1, maxLength: 300 }), // across the 136-byte block
              salt: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 })),
              balance: fc.uint8Array({ minLength: 32, maxLength: 32 }),
            }),
            { minLength: 1, maxLength: 20 },
          ),
          (secret, rows) => {
            const deriver = new SaltDeriver(secret);
            const batches = [0, 1].map(() => newLeafBatch(rows.length, rows.length * 300, false));
            for (const b of batches) {
              let end = 0;
              rows.forEach((r, i) => {
                b.ids.set(r.id, end);
                end += r.id.length;
                b.idEnds[i] = end;
                b.hasSalt[i] = r.salt ? 1 : 0;
                if (r.salt) b.salts.set(r.salt, i * 32);
                b.balances.set(r.balance, i * 32);
              });
              b.count = rows.length;
            }
            const [viaNative, viaWasm] = batches as [
              ReturnType<typeof newLeafBatch>,
              ReturnType<typeof newLeafBatch>,
            ];
            hashLeafRange(keccakKernel(), deriver, viaNative, 0, rows.length, native);
            hashLeafRange(keccakKernel(), deriver, viaWasm, 0, rows.length, null);
            expect(viaNative.leafHashes).to.deep.equal(viaWasm.leafHashes);
            expect(viaNative.idPrefixes).to.deep.equal(viaWasm.idPrefixes);
            expect(viaNative.salts).to.deep.equal(viaWasm.salts);
            expect(viaNative.records).to.deep.equal(viaWasm.records);
          },
        ),
        { numRuns },
      );
    });

    it("hashes levels as hashLevelRange does, through an order or not, for every sum width", function () {
      const native = nativeKernel();
      if (!native) this.skip();
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 1, max: 8 }).map((w) => w * 4),
          fc.option(fc.array(fc.integer(), { minLength: 40, maxLength: 40 })),
          fc.boolean(),
          fc.uint8Array({ minLength: 40 * 64, maxLength: 40 * 64 }),
          (count, sumBytes, shuffle, equalHashes, bytes) => {
            // 32-byte balance words whose low `sumBytes` bytes stay below half their range (no carry out).
            const hashes = bytes.slice(0, count * 32);
            if (equalHashes && count > 1) hashes.copyWithin(32, 0, 32); // the tie rule: first child first
            const sums = new Uint8Array(count * 32);
            for (let i = 0; i < count; i++) {
              sums.set(
                bytes.subarray(count * 32 + i * 32 + 32 - sumBytes, count * 32 + i * 32 + 32),
                i * 32 + 32 - sumBytes,
              );
              sums[i * 32 + 32 - sumBytes] = (sums[i * 32 + 32 - sumBytes] as number) & 0x7f;
            }
            // Leaf levels are read through an order: a permutation of the storage indices.
            const order = shuffle
              ? Uint32Array.from(
                  Array.from({ length: count }, (_, i) => i).sort(
                    (x, y) => shuffle[x]! - shuffle[y]! || x - y,
                  ),
                )
              : undefined;
            const source = { count, hashes, sums, sumStride: 32, order };
            const [viaNative, viaJs] = [0, 1].map(() => newLevel(Math.ceil(count / 2), sumBytes));
            native.level({
              hashes,
              sums,
              sumStride: 32,
              order: order ?? null,
              count,
              outHashes: viaNative!.hashes,
              outSums: viaNative!.sums,
              sumBytes,
              from: 0,
              to: viaNative!.count,
            });
            hashLevelRange(keccakKernel(), source, viaJs!, 0, viaJs!.count);
            expect(viaNative).to.deep.equal(viaJs);
          },
        ),
        { numRuns },
      );
    });

    it("builds a group of leaves into the same file bytes with the native kernel as without", function () {
      const native = nativeKernel();
      if (!native) this.skip();
      const dir = mkdtempSync(path.join(os.tmpdir(), "por-chunk-"));
      try {
        const leaves = 1000; // 990 accounts and 10 padding leaves, in a group of 1024
        const hashes = Uint8Array.from({ length: leaves * 32 }, (_, i) => (i * 131 + (i >> 5) * 17) & 0xff);
        const sums = new Uint8Array(leaves * 32);
        for (let i = 0; i < leaves; i++) sums.set([i & 0xff, (i * 7) & 0xff], i * 32 + 30);
        const order = Uint32Array.from({ length: leaves }, (_, i) => (i * 373) % leaves);
        const results = [native, null].map((kernel, k) => {
          const file = path.join(dir, `${k}.bin`);
          const fd = openSync(file, "w+");
          const job: GroupJob = {
            kind: "group",
            leaves: { count: leaves, hashes, sums, sumStride: 32, order },
            rows: 990,
            from: 0,
            to: leaves,
            levels: 10,
            sumBytes: 8,
            fd,
            levelOffsets: [16, 0, 0, 0, 64_000, 68_000, 70_000, 71_000, 72_000, 73_000, 74_000],
            leafToRowOffset: 80_000,
            rowToLeaf: new Uint32Array(990),
            tops: newLevel(1, 8),
          };
          buildGroup(job, keccakKernel(), kernel);
          closeSync(fd);
          return { file: readFileSync(file), rowToLeaf: job.rowToLeaf, tops: job.tops };
        });
        expect(results[0]).to.deep.equal(results[1]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("sorts keys into the same permutation and prefixes as sortKeysInto, ties and long runs included", function () {
      const native = nativeKernel();
      if (!native) this.skip();
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 300 }),
          fc.constantFrom(8, 32),
          fc.integer({ min: 0, max: 4 }),
          fc.uint8Array({ minLength: 300 * 32, maxLength: 300 * 32 }),
          (count, keyBytes, tieBits, bytes) => {
            // Few distinct first 32 bits (2 to 16 values) make long runs of tied prefixes,
            // and copies make whole keys equal (then the smaller index comes first).
            const keys = bytes.slice(0, Math.max(count, 1) * keyBytes);
            for (let i = 0; i < count; i++) {
              const at = i * keyBytes;
              if (tieBits > 0) keys.set([0, 0, 0, (keys[at + 3] as number) & ((1 << tieBits) - 1)], at);
              if (i % 7 === 3) keys.copyWithin(at, 0, keyBytes);
            }
            const [viaNative, viaJs] = [0, 1].map(() => ({
              perm: new Uint32Array(count),
              top: new Uint32Array(count),
            }));
            sortKeysInto(keys, keyBytes, keyBytes, count, viaNative!.perm, viaNative!.top, native);
            sortKeysInto(keys, keyBytes, keyBytes, count, viaJs!.perm, viaJs!.top, null);
            expect(viaNative).to.deep.equal(viaJs);
          },
        ),
        { numRuns },
      );
    });

    it("gathers by permutation, and refuses indices outside the arrays", function () {
      const native = nativeKernel();
      if (!native) this.skip();
      const src = Uint8Array.from({ length: 40 }, (_, i) => i);
      const dst = new Uint8Array(12);
      const call = { src, srcStride: 8, srcOffset: 2, width: 4, from: 0, dst, dstStride: 6, dstOffset: 1 };
      native.gather({ ...call, perm: Uint32Array.from([4, 0, 9]), to: 2 });
      expect([...dst]).to.deep.equal([0, 34, 35, 36, 37, 0, 0, 2, 3, 4, 5, 0]);
      expect(() => native.gather({ ...call, perm: Uint32Array.from([5]), to: 1 })).to.throw(
        RangeError,
        /perm\[0\] = 5/,
      );
      expect(() => native.gather({ ...call, perm: Uint32Array.from([0]), to: 1, srcOffset: 6 })).to.throw(
        RangeError,
        /stride/,
      );
      expect(() => native.gather({ ...call, perm: Uint32Array.from([0, 1, 2]), to: 3 })).to.throw(
        RangeError,
        /options.dst has 12 bytes/,
      );
    });
  });

  // Random and hostile calls straight at the addon. They run in a child process: a crash would
  // kill mocha itself, so it shows up here as the child's signal, with the seed to replay it.
  describe("native kernel at the JavaScript boundary", function () {
    this.timeout(300_000);
    const seed = Number(process.env.POR_NATIVE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const runs = process.env.CI ? 20_000 : 5_000;

    it("returns the JavaScript kernel's result or throws an Error for random calls of every entry point, and never crashes", function () {
      const child = runFuzzChild(["--seed", String(seed), "--runs", String(runs)]);
      const report = JSON.parse(child.stdout) as FuzzReport;
      expect(report).to.include({ seed, runs });
      // Not vacuous: every entry point both did real work that matched, and refused calls.
      for (const entry of ENTRY_POINTS) {
        const counts = report.calls[entry];
        expect(counts.worked, `${entry} calls compared with the JavaScript kernel`).to.be.greaterThan(
          runs / 100,
        );
        expect(counts.threw, `${entry} calls refused`).to.be.greaterThan(runs / 100);
      }
    });

    it("refuses sortKeysInto(keys, 32, 32, 2^20, a, a), one array as perm and top, which overflowed the heap", function () {
      const child = runFuzzChild(["--regression"]);
      expect((JSON.parse(child.stdout) as { regression: string[] }).regression).to.deep.equal([
        "RangeError: native kernel sort: options.perm and options.top share memory (an output must not overlap another output)",
        "RangeError: native kernel sort: options.perm and options.top share memory (an output must not overlap another output)",
        "TypeError: native kernel sort: takes one options object, got 6 arguments",
      ]);
    });
  });

  describe("parseSmallDecimal", function () {
    it("agrees with parseDecimalAmount whenever it applies, and applies to short plain amounts", function () {
      fc.assert(
        fc.property(
          fc.stringMatching(/^[0-9.+\- e]{0,20}$/),
          fc.integer({ min: 0, max: 36 }),
          (text, decimals) => {
            const bytes = Buffer.from(text, "latin1");
            const small = parseSmallDecimal(bytes, 0, bytes.length, decimals);
            let exact: bigint | undefined;
            try {
              exact = parseDecimalAmount(text, decimals);
            } catch {
              exact = undefined;
            }
            if (small >= 0) expect(BigInt(small)).to.equal(exact);
            else if (exact !== undefined) expect(exact >= 10n ** 15n || decimals > 15).to.equal(true);
          },
        ),
        { numRuns: numRuns * 20 },
      );
      const bytes = Buffer.from("00123.456789", "latin1");
      expect(parseSmallDecimal(bytes, 0, bytes.length, 6)).to.equal(123456789);
    });
  });
});
