import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, openSync, readSync, rmSync, statSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { InvalidArgumentError, InvalidFileError } from "../core/errors";
import { CONFIDENTIAL_FILE_MODE } from "../node/files";
import { scanLiabilitiesCsv } from "./csv";
import { writeSmallUint256 } from "./decimal-bytes";
import { gatherRange } from "./gather";
import { MAX_UINT256, toHex, writeUint256 } from "./hash";
import { keccakKernel } from "./keccak";
import { runJob, type HashJob } from "./jobs";
import { hashLeafRange, newLeafBatch, type LeafBatch } from "./leaves";
import { hashLevel, levelSizes, newLevel, type Level } from "./levels";
import { PhaseClock, type PhaseListener } from "./phases";
import { HashPool } from "./pool";
import { SaltDeriver } from "./salt-deriver";
import { compareKeys } from "./sort";
import { writeFully, writeNodes } from "./subtree";
import type { LiabilitiesSummary } from "./summary";
import { HEADER_BYTES, INDEX_ENTRY_BYTES, encodeHeader } from "./treefile";
import type { KeccakKernel } from "./wasm-hash";

/** File names inside a build's output directory. */
export const TREE_FILE = "tree.bin";
export const SUMMARY_FILE = "summary.json";

/** Levels 1 .. CHUNK_LEVELS-1 are recomputed from 16 leaves at proof time instead of stored. */
export const CHUNK_LEVELS = 4;

/**
 * Levels built per group of leaves by one worker (2^15 leaves: level 0 of a group is 1.4 MB, so a
 * group's levels are hashed while it is in cache); the levels above come from the groups' tops.
 */
const GROUP_LEVELS = 15;

/**
 * Most leaves a build may have. The tree file's positions are u32, but the builder keeps each
 * per-leaf array of 32-byte words in one buffer, and Node's buffers stop at 4 GiB: 2^27 leaves.
 */
export const MAX_LEAVES = 2 ** 32 / 32;

export interface BuildOptions extends PhaseListener {
  /** The CSV of `account,balance[,salt]`. */
  input: string;
  /** Where the tree file is written (summary.json is the caller's: see buildLiabilitiesDirectory). */
  treeFile: string;
  decimals: number;
  /** Secret for salts the CSV does not give (HMAC-SHA256(secret, accountId)). Must be non-empty. */
  saltSecret: Uint8Array;
  /** Pad with zero-balance dummy leaves up to this many leaves. */
  padTo?: number;
  /** Hashing worker threads; 0 hashes on the calling thread. Default: available cores, at most 4. */
  threads?: number;
  /** Wait until the worker threads have started before reading the input (tests, benchmarks). */
  waitForWorkers?: boolean;
  /** Called with progress lines during long builds, at most one every 2 s. */
  onProgress?: (message: string) => void;
}

const BATCH_ROWS = 32768;

/** Row-order arrays that grow as the CSV streams in (shared with workers when there are any). */
class RowStore {
  capacity: number;
  leafHashes: Uint8Array;
  balances: Uint8Array;
  idPrefixes: Uint8Array;
  lines: Uint32Array;

  constructor(
    capacity: number,
    private readonly shared: boolean,
  ) {
    this.capacity = capacity;
    this.leafHashes = this.bytes(capacity * 32);
    this.balances = this.bytes(capacity * 32);
    this.idPrefixes = this.bytes(capacity * 8);
    this.lines = new Uint32Array(capacity);
  }

  private bytes(n: number): Uint8Array {
    return new Uint8Array(this.shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
  }

  ensure(rows: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.min(Math.max(rows, Math.ceil(this.capacity * 1.25)), MAX_LEAVES);
    if (capacity <= this.capacity) return; // at MAX_LEAVES: the caller refuses the next row
    const grow = (old: Uint8Array, width: number) => {
      const next = this.bytes(capacity * width);
      next.set(old.subarray(0, this.capacity * width));
      return next;
    };
    this.leafHashes = grow(this.leafHashes, 32);
    this.balances = grow(this.balances, 32);
    this.idPrefixes = grow(this.idPrefixes, 8);
    const lines = new Uint32Array(capacity);
    lines.set(this.lines);
    this.lines = lines;
    this.capacity = capacity;
  }
}

/** Buffered sequential writer over a file descriptor (the records, as batches finish). */
class FileWriter {
  position = 0;
  closed = false;
  private readonly buffer = Buffer.allocUnsafe(8 << 20);
  private used = 0;

  constructor(readonly fd: number) {}

  write(data: Uint8Array): void {
    if (data.length > this.buffer.length - this.used) this.flush();
    if (data.length >= this.buffer.length) {
      this.writeFully(data, this.position);
    } else {
      this.buffer.set(data, this.used);
      this.used += data.length;
    }
    this.position += data.length;
  }

  flush(): void {
    if (this.used === 0) return;
    this.writeFully(this.buffer.subarray(0, this.used), this.position - this.used);
    this.used = 0;
  }

  private writeFully(data: Uint8Array, position: number): void {
    if (this.closed) throw new Error("BUG: write after close");
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, position + done);
  }
}

/** Rows per byte in the first MiB of the CSV: sizes the row arrays once instead of regrowing. */
function estimateRows(file: string): number {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return 1024;
  }
  const fd = openSync(file, "r");
  try {
    const sample = Buffer.alloc(Math.min(size, 1 << 20));
    const n = readSync(fd, sample, 0, sample.length, 0);
    let lines = 0;
    for (let i = 0; i < n; i++) if (sample[i] === 0x0a) lines++;
    if (lines <= 1 || n === size) return lines + 2;
    return Math.ceil((size / n) * lines * 1.02) + 1024;
  } finally {
    closeSync(fd);
  }
}

/**
 * Builds the liabilities tree of a CSV into a tree file and returns its summary. Streams the input;
 * keeps per account only 32-byte leaf hash and balance words and an 8-byte index key in memory
 * (ids and salts go straight to the file), hashes on worker threads, and computes the levels with
 * fixed-width sums. Refuses (InvalidFileError with the line) anything parseLiabilitiesCsv refuses, a
 * duplicate account, and a total above 2^256 - 1.
 */
export async function buildTreeFile(options: BuildOptions): Promise<LiabilitiesSummary> {
  const { input, decimals, onProgress } = options;
  if (options.saltSecret.length === 0) throw new InvalidArgumentError("empty salt secret");
  const threads = options.threads ?? Math.min(availableParallelism(), 4);
  const started = Date.now();
  let lastReport = started;
  // At most one line every 2 s, so short builds print nothing.
  const progress = (message: string) => {
    if (!onProgress) return;
    const now = Date.now();
    if (now - lastReport < 2000) return;
    lastReport = now;
    onProgress(`${((now - started) / 1000).toFixed(1)}s ${message}`);
  };

  const shared = threads > 0;
  const store = new RowStore(Math.min(estimateRows(input), MAX_LEAVES), shared);
  const pool = shared ? new HashPool(threads, options.saltSecret) : undefined;
  const deriver = new SaltDeriver(options.saltSecret);
  const kernel = keccakKernel();
  const clock = new PhaseClock(options);
  // Every account id and salt: created owner-only, and made so if an existing file was truncated.
  const fd = openSync(options.treeFile, "w+", CONFIDENTIAL_FILE_MODE);
  fchmodSync(fd, CONFIDENTIAL_FILE_MODE);
  const out = new FileWriter(fd);
  let tail: Promise<void> = Promise.resolve();
  let failed = false;
  try {
    if (options.waitForWorkers) await pool?.ready();
    // ---------------------------------------------------------------- accounts -> leaves
    clock.start("read and hash accounts");
    out.write(new Uint8Array(HEADER_BYTES));
    const recordsOffset = out.position;
    let rowOffsetsTyped = new Float64Array(store.capacity + 1);
    let rows = 0;
    let total = 0n;
    const freeBatches: LeafBatch[] = [];
    let batch = newLeafBatch(BATCH_ROWS, BATCH_ROWS * 64, shared);
    let batchFirstRow = 0;
    let inflight = 0;
    let failure: unknown;

    const merge = (b: LeafBatch, firstRow: number) => {
      store.leafHashes.set(b.leafHashes.subarray(0, b.count * 32), firstRow * 32);
      store.idPrefixes.set(b.idPrefixes.subarray(0, b.count * 8), firstRow * 8);
      store.balances.set(b.balances.subarray(0, b.count * 32), firstRow * 32);
      // The worker laid the records out back to back: one copy per batch.
      const base = out.position - recordsOffset;
      let start = 0;
      for (let i = 0; i < b.count; i++) {
        rowOffsetsTyped[firstRow + i] = base + 36 * i + start;
        start = b.idEnds[i] as number;
      }
      out.write(b.records.subarray(0, 36 * b.count + start));
      freeBatches.push(b);
    };

    const dispatch = () => {
      const b = batch;
      const firstRow = batchFirstRow;
      batch = freeBatches.pop() ?? newLeafBatch(BATCH_ROWS, BATCH_ROWS * 64, shared);
      batch.count = 0;
      batchFirstRow = rows;
      if (b.count === 0) {
        freeBatches.push(b);
        return;
      }
      // Queued to the workers once any has started, so the main thread only parses (it is the
      // serial part); while they start up it hashes the batch itself.
      let work: Promise<void>;
      if (pool?.anyStarted) {
        work = pool.run({ kind: "leaves", batch: b, from: 0, to: b.count });
      } else {
        hashLeafRange(kernel, deriver, b, 0, b.count);
        work = Promise.resolve();
      }
      work.catch(() => undefined); // handled through `tail` below
      inflight++;
      tail = tail
        .then(() => work)
        .then(() => merge(b, firstRow))
        .catch((err: unknown) => {
          failure ??= err;
        })
        .finally(() => {
          inflight--;
        });
    };

    // The running total: balances below 10^15 (nearly all) are added as exact numbers and moved
    // into the bigint every 2^52; per-row bigint arithmetic only for big balances or when the total
    // comes within 2^64 of the limit (then every row is checked, to name the overflowing line).
    let smallTotal = 0;
    let nearLimit = false;
    const flushTotal = () => {
      total += BigInt(smallTotal);
      smallTotal = 0;
      nearLimit = MAX_UINT256 - total < 1n << 64n;
    };
    const csv = await scanLiabilitiesCsv(
      input,
      decimals,
      (row) => {
        if (rows >= MAX_LEAVES)
          throw new InvalidFileError(`${input}:${row.line}: more than ${MAX_LEAVES} accounts`);
        const small = row.smallBalance;
        if (small >= 0 && !nearLimit) {
          smallTotal += small;
          if (smallTotal >= 2 ** 52) flushTotal();
        } else {
          flushTotal();
          total += small >= 0 ? BigInt(small) : row.bigBalance;
          if (total > MAX_UINT256) {
            throw new InvalidFileError(`${input}:${row.line}: the total of balances overflows uint256`);
          }
          nearLimit = MAX_UINT256 - total < 1n << 64n;
        }
        let idStart = batch.count === 0 ? 0 : (batch.idEnds[batch.count - 1] as number);
        const idLength = row.idEnd - row.idStart;
        if (batch.count === BATCH_ROWS || idStart + idLength > batch.ids.length) {
          dispatch();
          idStart = 0;
        }
        const i = batch.count;
        const ids = batch.ids;
        const source = row.source;
        for (let k = row.idStart, o = idStart; k < row.idEnd; k++, o++) ids[o] = source[k] as number;
        batch.idEnds[i] = idStart + idLength;
        if (row.salt) {
          batch.salts.set(row.salt, i * 32);
          batch.hasSalt[i] = 1;
        } else {
          batch.hasSalt[i] = 0;
        }
        if (small >= 0) writeSmallUint256(small, batch.balances, i * 32);
        else writeUint256(row.bigBalance, batch.balances, i * 32);
        if (rows + 1 >= store.capacity) {
          store.ensure(rows + 2);
          if (rowOffsetsTyped.length < store.capacity + 1) {
            const grown = new Float64Array(store.capacity + 1);
            grown.set(rowOffsetsTyped);
            rowOffsetsTyped = grown;
          }
        }
        store.lines[rows] = row.line;
        batch.count++;
        rows++;
      },
      async (bytesRead) => {
        dispatch();
        while (inflight > 2 * threads) await tail;
        if (failure !== undefined) throw failure;
        progress(`read ${(bytesRead / 1e6).toFixed(0)} MB, ${rows} accounts`);
      },
    );
    flushTotal();
    dispatch();
    await tail;
    if (failure !== undefined) throw failure;
    rowOffsetsTyped[rows] = out.position - recordsOffset;
    progress(`hashed ${rows} accounts`);
    clock.end(`${rows} accounts, ${(csv.bytes / 1e6).toFixed(1)} MB`);

    // ---------------------------------------------------------------- padding
    const leafCount = Math.max(rows, options.padTo ?? 0);
    if (options.padTo !== undefined) {
      if (!Number.isSafeInteger(options.padTo) || options.padTo < 1 || options.padTo > MAX_LEAVES) {
        throw new InvalidArgumentError(`--pad-to must be an integer from 1 to ${MAX_LEAVES}`);
      }
      if (options.padTo < rows) {
        throw new InvalidArgumentError(`--pad-to ${options.padTo} is below the ${rows} accounts in ${input}`);
      }
    }
    if (leafCount > rows) clock.start("pad");
    store.ensure(leafCount);
    for (let r = rows; r < leafCount; r++) {
      // A dummy leaf: a random commitment nobody can open, balance zero.
      const io = kernel.io;
      io.set(randomBytes(32), 0);
      io.fill(0, 32, 64);
      kernel.hash(64);
      kernel.hash(32);
      store.leafHashes.set(io.subarray(0, 32), r * 32);
      store.balances.fill(0, r * 32, r * 32 + 32);
    }
    if (leafCount > rows) clock.end(`${leafCount - rows} dummy leaves`);

    // ---------------------------------------------------------------- sorts
    // Accounts by id hash (the index, and duplicates side by side) and leaves by hash, one sort
    // per worker at the same time.
    clock.start("sort ids and leaves");
    progress("sorting");
    out.flush(); // the records are on disk: a duplicate's id is read back from there
    const u32 = (n: number) =>
      shared ? new Uint32Array(new SharedArrayBuffer(Math.max(n, 1) * 4)) : new Uint32Array(Math.max(n, 1));
    const byId = u32(rows);
    const idTop = u32(rows);
    const order = u32(leafCount);
    await runJobs(pool, kernel, deriver, [
      { kind: "sort", keys: store.idPrefixes, stride: 8, keyBytes: 8, count: rows, perm: byId, top: idTop },
      {
        kind: "sort",
        keys: store.leafHashes,
        stride: 32,
        keyBytes: 32,
        count: leafCount,
        perm: order,
        top: u32(leafCount),
      },
    ]);
    clock.end(`${rows} account ids, ${leafCount} leaves`);

    // ---------------------------------------------------------------- duplicates
    clock.start("check duplicates");
    const readId = (row: number): Buffer => {
      const start = rowOffsetsTyped[row] as number;
      const end = rowOffsetsTyped[row + 1] as number;
      const buf = Buffer.alloc(end - start);
      readSync(fd, buf, 0, buf.length, recordsOffset + start);
      return buf.subarray(36);
    };
    for (let i = 1; i < rows; i++) {
      if (idTop[i] !== idTop[i - 1]) continue;
      const a = byId[i - 1] as number;
      const b = byId[i] as number;
      if (compareKeys(store.idPrefixes, a * 8, b * 8, 8) === 0 && readId(a).equals(readId(b))) {
        const [first, second] = a < b ? [a, b] : [b, a];
        throw new InvalidFileError(
          `${input}:${store.lines[second]}: duplicate account ${JSON.stringify(readId(a).toString("utf8"))} (first on line ${store.lines[first]})`,
        );
      }
    }
    clock.end(`${rows} account ids`);

    // ---------------------------------------------------------------- levels and tables
    // Every offset is known now, so each part of the file is written at its place by whichever
    // thread has it: the workers build aligned groups of leaves (level 0, leaf positions, levels up
    // to GROUP_LEVELS) while this thread writes the row offsets and the index.
    clock.start("hash and write levels");
    progress("hashing levels");
    const totalBytes = Math.max(1, Math.ceil(total.toString(16).length / 2));
    const sumBytes = Math.ceil(totalBytes / 4) * 4;
    const sizes = levelSizes(leafCount);
    const layout = treeLayout(recordsOffset + (rowOffsetsTyped[rows] as number), rows, sizes, sumBytes);
    const groupLevels = Math.min(GROUP_LEVELS, sizes.length - 1);
    const tops = newLevel(sizes[groupLevels] as number, sumBytes, shared);
    const rowToLeaf = u32(rows);
    const groups: HashJob[] = [];
    for (let from = 0; from < leafCount; from += 2 ** groupLevels) {
      groups.push({
        kind: "group",
        leaves: { count: leafCount, hashes: store.leafHashes, sums: store.balances, sumStride: 32, order },
        rows,
        from,
        to: Math.min(leafCount, from + 2 ** groupLevels),
        levels: groupLevels,
        sumBytes,
        fd,
        levelOffsets: layout.levelOffsets,
        leafToRowOffset: layout.leafToRowOffset,
        rowToLeaf,
        tops,
      });
    }
    const groupsDone = runJobs(pool, kernel, deriver, groups);
    groupsDone.catch(() => undefined); // awaited below; marked handled in case a write fails first
    try {
      writeRowOffsets(fd, rowOffsetsTyped, rows, layout.rowOffsetsOffset);
      writeIndex(fd, store.idPrefixes, byId, rows, layout.indexOffset);
    } finally {
      // Never leave a worker writing to the descriptor the caller is about to close.
      await groupsDone.catch(() => undefined);
    }
    await groupsDone;
    writeFully(fd, new Uint8Array(rowToLeaf.buffer, 0, rows * 4), layout.rowToLeafOffset);
    // The levels above the groups: a few thousand nodes at most, on this thread.
    let top: Level = tops;
    for (let level = groupLevels + 1; level < sizes.length; level++) {
      const next = newLevel(sizes[level] as number, sumBytes);
      hashLevel(
        kernel,
        { count: top.count, hashes: top.hashes, sums: top.sums, sumStride: sumBytes },
        next,
        0,
        next.count,
      );
      writeNodes(fd, next, 0, next.count, layout.levelOffsets[level] as number, 0, sumBytes);
      top = next;
    }
    const root = top.hashes.slice(0, 32);
    const table = Buffer.alloc(sizes.length * 16);
    sizes.forEach((n, l) => {
      table.writeBigUInt64LE(BigInt(n), l * 16);
      table.writeBigUInt64LE(BigInt(layout.levelOffsets[l] as number), l * 16 + 8);
    });
    writeFully(fd, table, layout.levelTableOffset);
    const inputSha256 = Uint8Array.from(Buffer.from(csv.inputSha256.slice(2), "hex"));
    const header = encodeHeader({
      sumBytes,
      leafCount,
      accountCount: rows,
      decimals,
      levelCount: sizes.length,
      chunkLevels: CHUNK_LEVELS,
      recordsOffset,
      rowOffsetsOffset: layout.rowOffsetsOffset,
      leafToRowOffset: layout.leafToRowOffset,
      rowToLeafOffset: layout.rowToLeafOffset,
      indexOffset: layout.indexOffset,
      levelTableOffset: layout.levelTableOffset,
      root,
      total,
      inputSha256,
      fileBytes: layout.fileBytes,
    });
    writeFully(fd, header, 0);
    clock.end(`${sizes.length} levels, tree file ${(layout.fileBytes / 1e6).toFixed(1)} MB`);
    progress(`done: ${rows} accounts, ${leafCount} leaves`);
    return { root: toHex(root), total, leafCount, decimals, inputSha256: csv.inputSha256 };
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // Let in-flight batches finish writing before the descriptor is closed (and maybe reused).
    await tail.catch(() => undefined);
    out.closed = true;
    closeSync(fd);
    await pool?.close();
    if (failed) rmSync(options.treeFile, { force: true }); // no half-built tree file
  }
}

/** Runs `jobs` on the workers (all at once, queued) or, without any yet, one after the other here. */
async function runJobs(
  pool: HashPool | undefined,
  kernel: KeccakKernel,
  deriver: SaltDeriver,
  jobs: HashJob[],
): Promise<void> {
  // A small build can finish before any worker has started (that takes ~0.3 s under ts-node).
  if (!pool?.anyStarted) {
    for (const job of jobs) runJob(job, kernel, deriver);
    return;
  }
  // Settled, not raced: a failed job must not leave others writing while the caller cleans up.
  const results = await Promise.allSettled(jobs.map((job) => pool.run(job)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

/** Where each part of the tree file goes (docs/liabilities-tree.md §4), from the counts alone. */
function treeLayout(recordsEnd: number, rows: number, sizes: number[], sumBytes: number) {
  const align8 = (n: number) => Math.ceil(n / 8) * 8;
  const rowOffsetsOffset = align8(recordsEnd);
  const leafToRowOffset = rowOffsetsOffset + (rows + 1) * 8;
  const rowToLeafOffset = align8(leafToRowOffset + (sizes[0] as number) * 4);
  const indexOffset = align8(rowToLeafOffset + rows * 4);
  const levelTableOffset = align8(indexOffset + rows * INDEX_ENTRY_BYTES);
  let position = levelTableOffset + sizes.length * 16;
  // Level 0, levels from CHUNK_LEVELS up, and the root's level are stored, one after the other.
  const levelOffsets = sizes.map((count, level) => {
    if (level !== 0 && level < CHUNK_LEVELS && level !== sizes.length - 1) return 0;
    const offset = position;
    position += count * (32 + sumBytes);
    return offset;
  });
  return {
    rowOffsetsOffset,
    leafToRowOffset,
    rowToLeafOffset,
    indexOffset,
    levelTableOffset,
    levelOffsets,
    fileBytes: position,
  };
}

/** The row offsets table: u64 per account and one past the last record, relative to the records. */
function writeRowOffsets(fd: number, rowOffsets: Float64Array, rows: number, position: number): void {
  const words = new Uint32Array(2 * 8192);
  for (let r = 0; r <= rows; r += 8192) {
    const n = Math.min(8192, rows + 1 - r);
    for (let i = 0; i < n; i++) {
      // Two u32 halves: offsets stay below 2^53, and no bigint per row.
      const value = rowOffsets[r + i] as number;
      words[2 * i] = value >>> 0;
      words[2 * i + 1] = Math.floor(value / 2 ** 32);
    }
    writeFully(fd, new Uint8Array(words.buffer, 0, n * 8), position + r * 8);
  }
}

/** The account index: per account in id-hash order, its 8-byte id hash prefix and u32 row. */
function writeIndex(
  fd: number,
  idPrefixes: Uint8Array,
  byId: Uint32Array,
  rows: number,
  position: number,
): void {
  const step = 8192;
  const entries = new Uint32Array((INDEX_ENTRY_BYTES / 4) * step);
  const bytes = new Uint8Array(entries.buffer);
  for (let i = 0; i < rows; i += step) {
    const n = Math.min(step, rows - i);
    // The prefixes are read in id order, at random.
    gatherRange({
      src: idPrefixes,
      srcStride: 8,
      srcOffset: 0,
      width: 8,
      perm: byId,
      from: i,
      to: i + n,
      dst: bytes,
      dstStride: INDEX_ENTRY_BYTES,
      dstOffset: 0,
    });
    for (let j = 0; j < n; j++) entries[3 * j + 2] = byId[i + j] as number;
    writeFully(fd, bytes.subarray(0, n * INDEX_ENTRY_BYTES), position + i * INDEX_ENTRY_BYTES);
  }
}
