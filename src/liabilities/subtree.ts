import { writeSync } from "node:fs";
import { gatherRange } from "./gather";
import { hashLevel, newLevel, type Level, type LevelSource } from "./levels";
import { nativeKernel } from "./native";
import type { KeccakKernel } from "./wasm-hash";

/** treefile.ts's NO_ROW (not imported: treefile.ts needs modules a worker under ts-node is not given). */
const NO_ROW = 0xffffffff;

/**
 * One aligned group of leaf positions [from, to) of the sorted tree (`from` a multiple of
 * 2^levels), built end to end by one thread: its level-0 nodes gathered from the row-order arrays
 * through `order`, its leaf/row positions, every level above it up to `levels` (the subtree stays
 * in cache), each written straight to its place in the tree file. Levels of an aligned group
 * depend on that group alone (a lone last node is only ever at the tree's end, which is also the
 * last group's end), so groups run in any order, on any thread.
 */
export interface GroupJob {
  kind: "group";
  /** The leaves in row order, `order` mapping sorted position -> row (shared arrays). */
  leaves: LevelSource & { order: Uint32Array };
  /** Accounts: rows at or above this are padding leaves. */
  rows: number;
  from: number;
  to: number;
  /** The group's top level: 2^levels leaves per group, or the root's level when the tree is smaller. */
  levels: number;
  sumBytes: number;
  fd: number;
  /** File offset of each level's first node, 0 for a level that is not stored. */
  levelOffsets: number[];
  leafToRowOffset: number;
  /** Out (shared): the leaf position of each account of this group. */
  rowToLeaf: Uint32Array;
  /** Out (shared): node `from / 2^levels` is this group's node at level `levels`. */
  tops: Level;
}

export function buildGroup(job: GroupJob, kernel: KeccakKernel, native = nativeKernel() ?? null): void {
  const { leaves, from, to, sumBytes, fd, levelOffsets } = job;
  const n = to - from;
  const order = leaves.order;
  // Level 0 in position order: hashes and the low `sumBytes` bytes of each 32-byte balance word.
  let level: Level = newLevel(n, sumBytes);
  const range = { perm: order, from, to, dstOffset: 0 };
  gatherRange(
    {
      ...range,
      src: leaves.hashes,
      srcStride: 32,
      srcOffset: 0,
      width: 32,
      dst: level.hashes,
      dstStride: 32,
    },
    native,
  );
  gatherRange(
    {
      ...range,
      src: leaves.sums,
      srcStride: leaves.sumStride,
      srcOffset: leaves.sumStride - sumBytes,
      width: sumBytes,
      dst: level.sums,
      dstStride: sumBytes,
    },
    native,
  );
  writeNodes(fd, level, 0, n, levelOffsets[0] as number, from, sumBytes);

  // Leaf positions: leafToRow written here, rowToLeaf filled for the main thread to write.
  const leafToRow = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const row = order[from + i] as number;
    if (row < job.rows) {
      leafToRow[i] = row;
      job.rowToLeaf[row] = from + i;
    } else {
      leafToRow[i] = NO_ROW;
    }
  }
  writeFully(fd, new Uint8Array(leafToRow.buffer), job.leafToRowOffset + from * 4);

  for (let l = 1; l <= job.levels; l++) {
    const next = newLevel(Math.ceil(level.count / 2), sumBytes);
    const source = { count: level.count, hashes: level.hashes, sums: level.sums, sumStride: sumBytes };
    hashLevel(kernel, source, next, 0, next.count, native);
    const offset = levelOffsets[l] as number;
    if (offset !== 0) writeNodes(fd, next, 0, next.count, offset, from / 2 ** l, sumBytes);
    level = next;
  }
  const k = from / 2 ** job.levels;
  job.tops.hashes.set(level.hashes.subarray(0, 32), k * 32);
  job.tops.sums.set(level.sums.subarray(0, sumBytes), k * sumBytes);
}

/**
 * Writes nodes [from, to) of `level` as tree-file node records (hash, then the sum) where node
 * `first + from` of that level goes: `levelOffset` + its index times the record size.
 */
export function writeNodes(
  fd: number,
  level: Level,
  from: number,
  to: number,
  levelOffset: number,
  first: number,
  sumBytes: number,
): void {
  const nodeBytes = 32 + sumBytes;
  // Copied as 32-bit words: hashes and sums are 4-byte aligned (sumBytes % 4 == 0).
  const step = 4096;
  const chunk = new Uint32Array((nodeBytes / 4) * Math.min(step, to - from));
  const h = new Uint32Array(level.hashes.buffer, level.hashes.byteOffset, level.hashes.byteLength >>> 2);
  const s = new Uint32Array(level.sums.buffer, level.sums.byteOffset, level.sums.byteLength >>> 2);
  const nodeWords = nodeBytes / 4;
  const sumWords = sumBytes / 4;
  for (let i = from; i < to; i += step) {
    const n = Math.min(step, to - i);
    for (let j = 0; j < n; j++) {
      const o = j * nodeWords;
      const hk = (i + j) * 8;
      for (let w = 0; w < 8; w++) chunk[o + w] = h[hk + w] as number;
      const sk = (i + j) * sumWords;
      for (let w = 0; w < sumWords; w++) chunk[o + 8 + w] = s[sk + w] as number;
    }
    writeFully(fd, new Uint8Array(chunk.buffer, 0, n * nodeBytes), levelOffset + (first + i) * nodeBytes);
  }
}

/** Writes all of `data` at `position` (positional: threads write their parts of one file). */
export function writeFully(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}
