import { randomBytes } from "node:crypto";
import { closeSync, openSync, readSync, rmSync, statSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { InvalidArgumentError, InvalidFileError } from "../errors";
import { scanLiabilitiesCsv } from "./csv";
import { writeSmallUint256 } from "./decimal-bytes";
import { MAX_UINT256, toHex, writeUint256 } from "./hash";
import { keccakKernel } from "./keccak";
import { hashLeafRange, newLeafBatch, type LeafBatch } from "./leaves";
import { hashLevelRange, levelSizes, newLevel, type Level, type LevelSource } from "./levels";
import { PhaseClock, type PhaseListener } from "./phases";
import { HashPool } from "./pool";
import { SaltDeriver } from "./salt-deriver";
import { compareKeys, sortKeys } from "./sort";
import type { LiabilitiesSummary } from "./summary";
import { HEADER_BYTES, INDEX_ENTRY_BYTES, NO_ROW, encodeHeader } from "./treefile";

/** File names inside a build's output directory. */
export const TREE_FILE = "tree.bin";
export const SUMMARY_FILE = "summary.json";

/** Levels 1 .. CHUNK_LEVELS-1 are recomputed from 16 leaves at proof time instead of stored. */
export const CHUNK_LEVELS = 4;

/** Most leaves a tree may have: positions are u32 in the tree file. */
export const MAX_LEAVES = 0xfffffffe;

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
  /** Hashing worker threads; 0 hashes on the calling thread. Default: available cores. */
  threads?: number;
  /** Wait until the worker threads have started before reading the input (tests, benchmarks). */
  waitForWorkers?: boolean;
  /** Called with progress lines during long builds, at most one every 2 s. */
  onProgress?: (message: string) => void;
}

const BATCH_ROWS = 8192;

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
    const capacity = Math.max(rows, Math.ceil(this.capacity * 1.25));
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

/** Buffered sequential writer over a file descriptor, with positional patches. */
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

  align(to: number): void {
    const pad = (to - (this.position % to)) % to;
    if (pad > 0) this.write(new Uint8Array(pad));
  }

  flush(): void {
    if (this.used === 0) return;
    this.writeFully(this.buffer.subarray(0, this.used), this.position - this.used);
    this.used = 0;
  }

  writeAt(data: Uint8Array, position: number): void {
    this.flush();
    this.writeFully(data, position);
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
  const store = new RowStore(estimateRows(input), shared);
  const pool = shared ? new HashPool(threads, options.saltSecret) : undefined;
  const deriver = new SaltDeriver(options.saltSecret);
  const kernel = keccakKernel();
  const clock = new PhaseClock(options);
  const fd = openSync(options.treeFile, "w+");
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

    // ---------------------------------------------------------------- duplicates and index
    clock.start("check duplicates");
    const { perm: byId, top: idTop } = sortKeys(store.idPrefixes, 8, 8, rows);
    const readId = (row: number): Buffer => {
      const start = rowOffsetsTyped[row] as number;
      const end = rowOffsetsTyped[row + 1] as number;
      out.flush();
      const buf = Buffer.alloc(end - start);
      readSync(fd, buf, 0, buf.length, recordsOffset + start);
      return buf.subarray(36);
    };
    for (let i = 1; i < rows; i++) {
      const a = byId[i - 1] as number;
      const b = byId[i] as number;
      if (
        idTop[i] === idTop[i - 1] &&
        compareKeys(store.idPrefixes, a * 8, b * 8, 8) === 0 &&
        readId(a).equals(readId(b))
      ) {
        const [first, second] = a < b ? [a, b] : [b, a];
        throw new InvalidFileError(
          `${input}:${store.lines[second]}: duplicate account ${JSON.stringify(readId(a).toString("utf8"))} (first on line ${store.lines[first]})`,
        );
      }
    }
    clock.end(`${rows} account ids`);
    clock.start("sort leaves");
    progress("sorting leaves");
    const order = sortKeys(store.leafHashes, 32, 32, leafCount).perm;
    clock.end(`${leafCount} leaves`);

    // ---------------------------------------------------------------- fixed-width sums
    clock.start("write tables");
    const totalBytes = Math.max(1, Math.ceil(total.toString(16).length / 2));
    const sumBytes = Math.ceil(totalBytes / 4) * 4;

    // Level 1 (half of all node hashes) is hashed on the workers while this thread writes the
    // tables and level 0 below, which need only the leaves and the order.
    const sizes = levelSizes(leafCount);
    const leafSource: LevelSource = {
      count: leafCount,
      hashes: store.leafHashes,
      sums: store.balances,
      sumStride: 32,
      order: shared ? shareOrder(order) : order,
    };
    const level1 = sizes.length > 1 ? newLevel(sizes[1] as number, sumBytes, shared) : undefined;
    const level1Done = level1 ? computeLevel(pool, kernel, leafSource, level1) : Promise.resolve();
    level1Done.catch(() => undefined); // awaited below; marked handled in case a write fails first

    // ---------------------------------------------------------------- tables
    out.align(8);
    const rowOffsetsOffset = out.position;
    const u64 = Buffer.alloc(8 * 4096);
    for (let r = 0; r <= rows; r += 4096) {
      const n = Math.min(4096, rows + 1 - r);
      for (let i = 0; i < n; i++) {
        // Two u32 halves: offsets stay below 2^53, and no bigint per row.
        const value = rowOffsetsTyped[r + i] as number;
        u64.writeUInt32LE(value % 2 ** 32, i * 8);
        u64.writeUInt32LE(Math.floor(value / 2 ** 32), i * 8 + 4);
      }
      out.write(u64.subarray(0, n * 8));
    }
    const leafToRow = new Uint32Array(leafCount);
    const rowToLeaf = new Uint32Array(Math.max(rows, 1));
    for (let p = 0; p < leafCount; p++) {
      const r = order[p] as number;
      if (r < rows) {
        leafToRow[p] = r;
        rowToLeaf[r] = p;
      } else {
        leafToRow[p] = NO_ROW;
      }
    }
    const leafToRowOffset = out.position;
    out.write(new Uint8Array(leafToRow.buffer, 0, leafCount * 4));
    out.align(8);
    const rowToLeafOffset = out.position;
    out.write(new Uint8Array(rowToLeaf.buffer, 0, rows * 4));
    out.align(8);
    const indexOffset = out.position;
    const entries = Buffer.alloc(INDEX_ENTRY_BYTES * 4096);
    for (let i = 0; i < rows; i += 4096) {
      const n = Math.min(4096, rows - i);
      for (let j = 0; j < n; j++) {
        const r = byId[i + j] as number;
        const at = j * INDEX_ENTRY_BYTES;
        for (let k = 0; k < 8; k++) entries[at + k] = store.idPrefixes[r * 8 + k] as number;
        entries.writeUInt32LE(r, at + 8);
      }
      out.write(entries.subarray(0, n * INDEX_ENTRY_BYTES));
    }

    clock.end(`${rows} records, index, ${sumBytes}-byte sums`);
    // ---------------------------------------------------------------- levels
    clock.start("hash levels");
    out.align(8);
    const levelTableOffset = out.position;
    out.write(new Uint8Array(sizes.length * 16));
    const levelOffsets = sizes.map(() => 0);
    const nodeBytes = 32 + sumBytes;
    const writeLevel = (
      level: number,
      hashes: Uint8Array,
      sums: Uint8Array,
      stride: number,
      ord?: Uint32Array,
    ) => {
      levelOffsets[level] = out.position;
      const count = sizes[level] as number;
      // Copied as 32-bit words: hashes, sums and records are all 4-byte aligned (sumBytes % 4 == 0).
      const chunk = new Uint32Array((nodeBytes / 4) * 4096);
      const chunkBytes = new Uint8Array(chunk.buffer);
      const h = new Uint32Array(hashes.buffer, hashes.byteOffset, hashes.byteLength >>> 2);
      const sw = new Uint32Array(sums.buffer, sums.byteOffset, sums.byteLength >>> 2);
      const nodeWords = nodeBytes / 4;
      const sumWords = sumBytes / 4;
      const strideWords = stride / 4;
      const skipWords = strideWords - sumWords;
      for (let i = 0; i < count; i += 4096) {
        const n = Math.min(4096, count - i);
        for (let j = 0; j < n; j++) {
          const k = ord ? (ord[i + j] as number) : i + j;
          const o = j * nodeWords;
          const hk = k * 8;
          for (let w = 0; w < 8; w++) chunk[o + w] = h[hk + w] as number;
          const sk = k * strideWords + skipWords;
          for (let w = 0; w < sumWords; w++) chunk[o + 8 + w] = sw[sk + w] as number;
        }
        out.write(chunkBytes.subarray(0, n * nodeBytes));
      }
    };
    writeLevel(0, store.leafHashes, store.balances, 32, order);
    let source = leafSource;
    let top: Level = {
      count: 1,
      hashes: store.leafHashes.slice((order[0] as number) * 32, (order[0] as number) * 32 + 32),
      sums: new Uint8Array(0),
      sumBytes,
    };
    for (let level = 1; level < sizes.length; level++) {
      let next: Level;
      if (level === 1 && level1) {
        await level1Done;
        next = level1;
      } else {
        next = newLevel(sizes[level] as number, sumBytes, shared);
        await computeLevel(pool, kernel, source, next);
      }
      if (level >= CHUNK_LEVELS || level === sizes.length - 1)
        writeLevel(level, next.hashes, next.sums, sumBytes);
      source = { count: next.count, hashes: next.hashes, sums: next.sums, sumStride: sumBytes };
      top = next;
      progress(`level ${level}/${sizes.length - 1}`);
    }
    const root = top.hashes.slice(0, 32);
    out.flush();
    const table = Buffer.alloc(sizes.length * 16);
    sizes.forEach((n, l) => {
      table.writeBigUInt64LE(BigInt(n), l * 16);
      table.writeBigUInt64LE(BigInt(levelOffsets[l] as number), l * 16 + 8);
    });
    out.writeAt(table, levelTableOffset);
    const inputSha256 = Uint8Array.from(Buffer.from(csv.inputSha256.slice(2), "hex"));
    out.writeAt(
      encodeHeader({
        sumBytes,
        leafCount,
        accountCount: rows,
        decimals,
        levelCount: sizes.length,
        chunkLevels: CHUNK_LEVELS,
        recordsOffset,
        rowOffsetsOffset,
        leafToRowOffset,
        rowToLeafOffset,
        indexOffset,
        levelTableOffset,
        root,
        total,
        inputSha256,
        fileBytes: out.position,
      }),
      0,
    );
    clock.end(`${sizes.length} levels, tree file ${(out.position / 1e6).toFixed(1)} MB`);
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

function shareOrder(order: Uint32Array): Uint32Array {
  const shared = new Uint32Array(new SharedArrayBuffer(order.byteLength));
  shared.set(order);
  return shared;
}

async function computeLevel(
  pool: HashPool | undefined,
  kernel: ReturnType<typeof keccakKernel>,
  source: LevelSource,
  out: Level,
) {
  if (!pool || out.count < 4096) {
    hashLevelRange(kernel, source, out, 0, out.count);
    return;
  }
  const parts = pool.size * 4;
  const step = Math.ceil(out.count / parts);
  const jobs: Array<Promise<void>> = [];
  for (let from = 0; from < out.count; from += step) {
    jobs.push(pool.run({ kind: "level", source, out, from, to: Math.min(out.count, from + step) }));
  }
  await Promise.all(jobs);
}
