import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readSync, writeFileSync, writeSync } from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, InvalidFileError } from "../core/errors";
import { writeDirectoryAtomic } from "../node/files";
import { compareHashes, readUint, toHex, type Hex, type SumNode } from "./hash";
import { keccakKernel } from "./keccak";
import { hashLevel, levelSizes, newLevel, type Level } from "./levels";
import { MAX_MANIFEST_BYTES } from "./publication";
import {
  MANIFEST_FILE,
  MAX_SHARD_LEAVES,
  SHARD_DIRECTORY,
  encodeShardHeader,
  isPowerOfTwo,
  manifestToJson,
  shardCount,
  shardFileBytes,
  shardFileName,
  shardLevel,
  type PublicationManifest,
  type ShardEntry,
} from "./publication-format";
import { manifestHash } from "./publication-verify";
import { TreeFile, type TreeHeader } from "./treefile";

export interface PublishOptions {
  /** Leaves per shard, a power of two up to MAX_SHARD_LEAVES. Default: defaultShardLeaves(). */
  shardLeaves?: number;
  /** Called with progress lines on long runs, at most one every 2 s. */
  onProgress?: (message: string) => void;
}

/** What `publish` wrote: the hash to commit on-chain and the sizes a customer downloads. */
export interface PublicationSummary {
  /** keccak256 of manifest.json: `publishProofs(subjectId, roundId, manifestHash, uri)`. */
  manifestHash: Hex;
  root: Hex;
  total: bigint;
  leafCount: number;
  decimals: number;
  shardLeaves: number;
  shardCount: number;
  manifestBytes: number;
  largestShardBytes: number;
  /** All files: the manifest and every shard. */
  totalBytes: number;
}

/** Smallest default shard: a customer's download is shared by at least this many leaves. */
export const MIN_DEFAULT_SHARD_LEAVES = 1024;

/** Manifest bytes per shard: its `shards` line (three hashes, size, path) and its `top` line. */
export function manifestBytesPerShard(sumBytes: number): number {
  return 370 + Math.ceil(sumBytes * 2.41); // 2.41 ≈ decimal digits per byte of a sum
}

/**
 * The default shard size: the power of two from MIN_DEFAULT_SHARD_LEAVES up that makes the
 * manifest plus one shard (what a customer downloads) smallest. The manifest grows with the number
 * of shards and a shard with its size, so the best is near sqrt(leafCount × manifest bytes per
 * shard / node bytes): 8192 leaves at 10M accounts with 12-byte sums, about 0.85 MB in all.
 */
export function defaultShardLeaves(leafCount: number, sumBytes: number): number {
  const download = (s: number) =>
    shardCount(leafCount, s) * manifestBytesPerShard(sumBytes) + shardFileBytes(s, sumBytes);
  let best = MIN_DEFAULT_SHARD_LEAVES;
  for (let s = best * 2; s <= MAX_SHARD_LEAVES; s *= 2) if (download(s) < download(best)) best = s;
  return best;
}

/** Leaves read and hashed per block: whole shards, about 64k leaves (a few MB). */
const BLOCK_LEAVES = 65536;

/**
 * Writes the publication of tree file `treeFile` into directory `outDir`, all or nothing (a staging
 * directory renamed at the end; an existing `outDir` is refused unless `replace`): the shard files,
 * then manifest.json. Streams level 0 of the tree file one block of shards at a time (memory stays
 * a few MB whatever the tree's size), recomputes every shard's node from its leaves and checks that
 * they hash to the tree's root and total before the manifest is written.
 */
export async function writePublication(
  treeFile: string,
  outDir: string,
  options: PublishOptions = {},
  replace = false,
): Promise<PublicationSummary> {
  const header = readTreeHeader(treeFile);
  const shardLeaves = options.shardLeaves ?? defaultShardLeaves(header.leafCount, header.sumBytes);
  checkShardLeaves(shardLeaves, header);
  return writeDirectoryAtomic(
    outDir,
    async (staging) => {
      mkdirSync(path.join(staging, SHARD_DIRECTORY));
      const shards = await writeShards(treeFile, header, staging, shardLeaves, options.onProgress);
      checkReachesRoot(shards.top, header, treeFile);
      const manifest: PublicationManifest = {
        root: toHex(header.root),
        total: header.total,
        leafCount: header.leafCount,
        decimals: header.decimals,
        sumBytes: header.sumBytes,
        shardLeaves,
        shards: shards.entries,
        top: nodesOf(shards.top),
      };
      const bytes = new TextEncoder().encode(manifestToJson(manifest));
      if (bytes.length > MAX_MANIFEST_BYTES) throw manifestTooLarge(bytes.length, shardLeaves, header);
      writeFileSync(path.join(staging, MANIFEST_FILE), bytes);
      return {
        manifestHash: await manifestHash(bytes),
        root: manifest.root,
        total: manifest.total,
        leafCount: manifest.leafCount,
        decimals: manifest.decimals,
        shardLeaves,
        shardCount: manifest.shards.length,
        manifestBytes: bytes.length,
        largestShardBytes: Math.max(...manifest.shards.map((s) => s.bytes)),
        totalBytes: bytes.length + manifest.shards.reduce((sum, s) => sum + s.bytes, 0),
      };
    },
    { replace, hint: "pass --force to replace it" },
  );
}

/** The tree file's header, checked by TreeFile.open (magic, version, size, level table). */
function readTreeHeader(treeFile: string): TreeHeader {
  const tree = TreeFile.open(treeFile);
  tree.close();
  return tree.header;
}

/** Refuses a shard size that is not a power of two, or that makes a manifest readers would not fetch. */
function checkShardLeaves(shardLeaves: number, header: TreeHeader): void {
  if (!isPowerOfTwo(shardLeaves) || shardLeaves > MAX_SHARD_LEAVES) {
    throw new InvalidArgumentError(
      `--shard-leaves must be a power of two from 1 to ${MAX_SHARD_LEAVES}, got ${shardLeaves}`,
    );
  }
  const estimate = shardCount(header.leafCount, shardLeaves) * manifestBytesPerShard(header.sumBytes);
  if (estimate > MAX_MANIFEST_BYTES) throw manifestTooLarge(estimate, shardLeaves, header);
}

function manifestTooLarge(bytes: number, shardLeaves: number, header: TreeHeader): InvalidArgumentError {
  return new InvalidArgumentError(
    `--shard-leaves ${shardLeaves} makes a manifest of about ${bytes} bytes, above the ${MAX_MANIFEST_BYTES} readers fetch`,
    {
      details: `pass a larger --shard-leaves (default ${defaultShardLeaves(header.leafCount, header.sumBytes)})`,
    },
  );
}

/** The level-0 node count and file offset from the tree file's level table. */
function levelZero(fd: number, levelTableOffset: number): { count: number; offset: number } {
  const entry = Buffer.alloc(16);
  readFully(fd, entry, levelTableOffset);
  return { count: Number(entry.readBigUInt64LE(0)), offset: Number(entry.readBigUInt64LE(8)) };
}

function readFully(fd: number, buf: Buffer, position: number): void {
  for (let done = 0; done < buf.length;) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new InvalidFileError("the tree file is truncated");
    done += n;
  }
}

/**
 * Writes every shard file into `dir` and returns the manifest's `shards` and the level they fold
 * to. Level 0 is read a block of whole shards at a time; each block's leaves are hashed
 * log2(shardLeaves) levels up with the builder's own level code (hashLevel), giving each
 * shard's node. Shards are aligned to a power of two, so no pair straddles two shards and only the
 * tree's very last node can be promoted: exactly the nodes of the tree's level log2(shardLeaves).
 */
async function writeShards(
  treeFile: string,
  header: TreeHeader,
  dir: string,
  shardLeaves: number,
  onProgress?: (message: string) => void,
): Promise<{ entries: ShardEntry[]; top: Level }> {
  const { leafCount, sumBytes } = header;
  const nodeBytes = 32 + sumBytes;
  const count = shardCount(leafCount, shardLeaves);
  const blockLeaves = Math.max(shardLeaves, BLOCK_LEAVES - (BLOCK_LEAVES % shardLeaves));
  const raw = Buffer.alloc(blockLeaves * nodeBytes);
  const leaves = newLevel(blockLeaves, sumBytes);
  const top = newLevel(count, sumBytes);
  const entries: ShardEntry[] = [];
  const kernel = keccakKernel();
  let lastReport = performance.now();
  const fd = openSync(treeFile, "r");
  try {
    const level0 = levelZero(fd, header.levelTableOffset);
    if (level0.count !== leafCount || level0.offset === 0)
      throw new InvalidFileError(`${treeFile} has an inconsistent level table`);
    for (let start = 0; start < leafCount; start += blockLeaves) {
      const m = Math.min(blockLeaves, leafCount - start);
      const block = raw.subarray(0, m * nodeBytes);
      readFully(fd, block, level0.offset + start * nodeBytes);
      for (let i = 0; i < m; i++) {
        leaves.hashes.set(block.subarray(i * nodeBytes, i * nodeBytes + 32), i * 32);
        leaves.sums.set(block.subarray(i * nodeBytes + 32, (i + 1) * nodeBytes), i * sumBytes);
      }
      checkAscending(leaves.hashes, m, start, entries.at(-1)?.last, treeFile);
      const nodes = foldLevels(kernel, { ...leaves, count: m }, shardLevel(shardLeaves));
      const firstShard = start / shardLeaves;
      top.hashes.set(nodes.hashes.subarray(0, nodes.count * 32), firstShard * 32);
      top.sums.set(nodes.sums.subarray(0, nodes.count * sumBytes), firstShard * sumBytes);
      for (let j = 0; j < nodes.count; j++) {
        const from = j * shardLeaves;
        const body = block.subarray(from * nodeBytes, Math.min(m, from + shardLeaves) * nodeBytes);
        entries.push(writeShardFile(dir, firstShard + j, count, start + from, body, sumBytes));
      }
      if (onProgress && performance.now() - lastReport >= 2000) {
        lastReport = performance.now();
        onProgress(`wrote ${entries.length}/${count} shards`);
      }
      // Let signal handlers run between blocks: Ctrl-C removes the staging directory at once.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    closeSync(fd);
  }
  return { entries, top };
}

/** Writes shard `index` (its leaves' records in `body`) and returns its manifest entry. */
function writeShardFile(
  dir: string,
  index: number,
  count: number,
  firstLeaf: number,
  body: Uint8Array,
  sumBytes: number,
): ShardEntry {
  const nodeBytes = 32 + sumBytes;
  const n = body.length / nodeBytes;
  const header = encodeShardHeader(sumBytes, index, n, firstLeaf);
  const file = shardFileName(index, count);
  const fd = openSync(path.join(dir, file), "wx");
  try {
    writeSync(fd, header);
    writeSync(fd, body);
  } finally {
    closeSync(fd);
  }
  return {
    first: toHex(body.subarray(0, 32)),
    last: toHex(body.subarray((n - 1) * nodeBytes, (n - 1) * nodeBytes + 32)),
    sha256: `0x${createHash("sha256").update(header).update(body).digest("hex")}`,
    bytes: shardFileBytes(n, sumBytes),
    file,
  };
}

/** Hashes `level` up `levels` times with the builder's level code (its native kernel when built). */
function foldLevels(kernel: ReturnType<typeof keccakKernel>, level: Level, levels: number): Level {
  let current = level;
  for (let l = 0; l < levels; l++) {
    const next = newLevel(Math.ceil(current.count / 2), current.sumBytes);
    hashLevel(
      kernel,
      { count: current.count, hashes: current.hashes, sums: current.sums, sumStride: current.sumBytes },
      next,
      0,
      next.count,
    );
    current = next;
  }
  return current;
}

/** Refuses to publish shards whose nodes do not fold to the tree file's root and total. */
function checkReachesRoot(top: Level, header: TreeHeader, treeFile: string): void {
  const root = foldLevels(keccakKernel(), top, levelSizes(top.count).length - 1);
  if (
    compareHashes(root.hashes, 0, header.root, 0) !== 0 ||
    readUint(root.sums, 0, header.sumBytes) !== header.total
  ) {
    throw new InvalidFileError(`${treeFile} is corrupt: its leaves do not hash to its root and total`);
  }
}

function nodesOf(level: Level): SumNode[] {
  return Array.from({ length: level.count }, (_, i) => ({
    hash: level.hashes.slice(i * 32, i * 32 + 32),
    sum: readUint(level.sums, i * level.sumBytes, level.sumBytes),
  }));
}

/**
 * Refuses a tree file whose leaves are not in strictly ascending hash order (within the block, and
 * after the last leaf of the previous block): customers find their shard by binary search.
 */
function checkAscending(
  hashes: Uint8Array,
  count: number,
  start: number,
  previous: Hex | undefined,
  treeFile: string,
): void {
  const corrupt = (leaf: number) =>
    new InvalidFileError(`${treeFile} is corrupt: leaf ${leaf} is not above leaf ${leaf - 1}`);
  if (previous !== undefined && toHex(hashes.subarray(0, 32)) <= previous) throw corrupt(start);
  for (let i = 1; i < count; i++) {
    if (compareHashes(hashes, (i - 1) * 32, hashes, i * 32) >= 0) throw corrupt(start + i);
  }
}
