// Browser-safe (the web verify page can check published proofs with it): no Node built-ins.
import { InvalidFileError } from "../core/errors";
import { expectFormat } from "../core/formats";
import { MAX_DECIMALS } from "./decimal";
import { MAX_UINT256, bytes32FromHex, compareHashes, readUint, toHex, type Hex, type SumNode } from "./hash";

/**
 * A round's published proofs (`por-publication/1`, docs/liabilities-tree.md "Publication"): the
 * tree's level 0 cut into shards of `shardLeaves` consecutive leaves (a power of two, so each shard
 * is exactly one node's subtree), and a manifest naming every shard's leaf range, size and SHA-256,
 * and `top`, the node each shard hashes to. A customer downloads the manifest and the one shard
 * their leaf hash falls in: enough to rebuild their whole path to the root.
 */
export const PUBLICATION_FORMAT = "por-publication/1";
export const MANIFEST_FILE = "manifest.json";
export const SHARD_DIRECTORY = "shards";

/** Shard files: `PORSHARD`, then little-endian u32 fields, then the nodes (see SHARD_HEADER_BYTES). */
export const SHARD_MAGIC = "PORSHARD";
export const SHARD_VERSION = 1;
/**
 * Header of a shard file, little-endian: magic (8 bytes), version u32, sumBytes u32, shard index
 * u32, leaf count u32, first leaf position u64. Then `leafCount` nodes of a 32-byte hash and a
 * `sumBytes`-byte big-endian sum, the same node record as tree.bin's levels.
 */
export const SHARD_HEADER_BYTES = 32;
/** Largest `shardLeaves`: 2^20 leaves, a shard of at most 64 MiB. */
export const MAX_SHARD_LEAVES = 2 ** 20;
/** Largest leaf count of a tree (docs/liabilities-tree.md, limits of this implementation). */
export const MAX_PUBLISHED_LEAVES = 2 ** 32 - 2;

/** One shard in the manifest. Hashes are 0x-prefixed lowercase hex. */
export interface ShardEntry {
  /** Its first and last leaf hash (leaves are in ascending hash order). */
  first: Hex;
  last: Hex;
  /** SHA-256 of the shard file's bytes. */
  sha256: Hex;
  /** The shard file's size. */
  bytes: number;
  /** Path of the shard file relative to the manifest's directory. */
  file: string;
}

/** A manifest as read (`top` parsed to nodes, `total` to a bigint). */
export interface PublicationManifest {
  root: Hex;
  total: bigint;
  leafCount: number;
  decimals: number;
  /** Width of each node's sum in a shard file: a multiple of 4, enough for the total. */
  sumBytes: number;
  shardLeaves: number;
  shards: ShardEntry[];
  /** The node shard i hashes to, for every i: the tree's level log2(shardLeaves). */
  top: SumNode[];
}

/** A shard file's nodes (leaves), decoded and checked against its manifest entry. */
export interface DecodedShard {
  index: number;
  firstLeaf: number;
  leaves: SumNode[];
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** The level of the tree the shards' nodes sit at: log2(shardLeaves). */
export function shardLevel(shardLeaves: number): number {
  return Math.round(Math.log2(shardLeaves));
}

export function shardCount(leafCount: number, shardLeaves: number): number {
  return Math.ceil(leafCount / shardLeaves);
}

/** Leaves in shard `index` (all but the last hold exactly shardLeaves). */
export function shardLeafCount(leafCount: number, shardLeaves: number, index: number): number {
  return Math.min(shardLeaves, leafCount - index * shardLeaves);
}

/** Size of a shard file of `leaves` leaves. */
export function shardFileBytes(leaves: number, sumBytes: number): number {
  return SHARD_HEADER_BYTES + leaves * (32 + sumBytes);
}

/** Shard i's file name: zero-padded so that a listing sorts in leaf order. */
export function shardFileName(index: number, count: number): string {
  return `${SHARD_DIRECTORY}/${String(index).padStart(String(count - 1).length, "0")}.bin`;
}

/** The header of shard `index` holding `leafCount` leaves from position `firstLeaf`. */
export function encodeShardHeader(
  sumBytes: number,
  index: number,
  leafCount: number,
  firstLeaf: number,
): Uint8Array {
  const header = new Uint8Array(SHARD_HEADER_BYTES);
  for (let i = 0; i < SHARD_MAGIC.length; i++) header[i] = SHARD_MAGIC.charCodeAt(i);
  const view = new DataView(header.buffer);
  view.setUint32(8, SHARD_VERSION, true);
  view.setUint32(12, sumBytes, true);
  view.setUint32(16, index, true);
  view.setUint32(20, leafCount, true);
  view.setBigUint64(24, BigInt(firstLeaf), true);
  return header;
}

/**
 * The shard whose leaf range must hold `leafHash` if the tree has it: the last shard whose first
 * leaf is at most `leafHash` (shard 0 for a hash below every shard). Leaves are in ascending hash
 * order, so this binary search over the manifest needs nothing but the customer's own leaf hash.
 */
export function shardIndexFor(manifest: Pick<PublicationManifest, "shards">, leafHash: Hex): number {
  const target = leafHash.toLowerCase();
  let lo = 0;
  let hi = manifest.shards.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    // Equal-length lowercase hex: string order is numeric order.
    if ((manifest.shards[mid] as ShardEntry).first <= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// ------------------------------------------------------------------------------ manifest JSON

/**
 * The manifest's exact bytes as text: one field per line and one shard or top node per line, so it
 * reads (and diffs) well and stays compact. Its keccak256 is what the subject owner commits on-chain.
 */
export function manifestToJson(manifest: PublicationManifest): string {
  const field = (key: string, value: unknown) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  const list = (key: string, rows: unknown[]) =>
    `  ${JSON.stringify(key)}: [\n${rows.map((r) => `    ${JSON.stringify(r)}`).join(",\n")}\n  ]`;
  return `{\n${[
    field("format", PUBLICATION_FORMAT),
    field("root", manifest.root),
    field("total", manifest.total.toString()),
    field("leafCount", manifest.leafCount),
    field("decimals", manifest.decimals),
    field("sumBytes", manifest.sumBytes),
    field("shardLeaves", manifest.shardLeaves),
    list(
      "shards",
      manifest.shards.map((s) => ({
        first: s.first,
        last: s.last,
        sha256: s.sha256,
        bytes: s.bytes,
        file: s.file,
      })),
    ),
    list(
      "top",
      manifest.top.map((n) => ({ hash: toHex(n.hash), sum: n.sum.toString() })),
    ),
  ].join(",\n")}\n}\n`;
}

const HASH = /^0x[0-9a-f]{64}$/;
const AMOUNT = /^(0|[1-9][0-9]*)$/;
/** Relative paths of plain names: no `..`, no absolute path, no scheme, no query. */
const FILE = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

/**
 * Validates a parsed manifest: refuses an unknown `format`, a malformed field, and anything a reader
 * must be able to rely on before fetching a shard: shard count and sizes matching leafCount,
 * shardLeaves and sumBytes, leaf ranges in strictly ascending order, shard paths that stay under
 * the manifest's directory. Whether the shards and `top` hash to `root` is checked by the verifier.
 */
export function parseManifest(value: unknown, source: string): PublicationManifest {
  const r = expectFormat(value, PUBLICATION_FORMAT, source);
  const bad = (what: string) => new InvalidFileError(`${source}: ${what}`);
  const hash = (v: unknown, what: string): Hex => {
    if (typeof v !== "string" || !HASH.test(v))
      throw bad(`${what} must be 0x-prefixed lowercase 32-byte hex`);
    return v as Hex;
  };
  const amount = (v: unknown, what: string): bigint => {
    if (typeof v !== "string" || !AMOUNT.test(v) || v.length > 78 || BigInt(v) > MAX_UINT256)
      throw bad(`${what} must be a uint256 as a decimal string`);
    return BigInt(v);
  };
  const integer = (v: unknown, what: string, min: number, max: number): number => {
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max)
      throw bad(`${what} must be an integer from ${min} to ${max}`);
    return v;
  };
  const array = (v: unknown, what: string, length: number): unknown[] => {
    if (!Array.isArray(v)) throw bad(`${what} must be an array`);
    if (v.length !== length) throw bad(`${what} has ${v.length} entries, expected ${length}`);
    return v;
  };
  const object = (v: unknown, what: string): Record<string, unknown> => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(`${what} must be an object`);
    return v as Record<string, unknown>;
  };

  const root = hash(r.root, "root");
  const total = amount(r.total, "total");
  const leafCount = integer(r.leafCount, "leafCount", 1, MAX_PUBLISHED_LEAVES);
  const decimals = integer(r.decimals, "decimals", 0, MAX_DECIMALS);
  const sumBytes = integer(r.sumBytes, "sumBytes", 4, 32);
  if (sumBytes % 4 !== 0) throw bad("sumBytes must be a multiple of 4");
  if (total >= 1n << BigInt(8 * sumBytes)) throw bad(`total does not fit in sumBytes (${sumBytes})`);
  const shardLeaves = integer(r.shardLeaves, "shardLeaves", 1, MAX_SHARD_LEAVES);
  if (!isPowerOfTwo(shardLeaves)) throw bad("shardLeaves must be a power of two");
  const count = shardCount(leafCount, shardLeaves);

  const shards = array(r.shards, "shards", count).map((v, i): ShardEntry => {
    const s = object(v, `shards[${i}]`);
    const entry: ShardEntry = {
      first: hash(s.first, `shards[${i}].first`),
      last: hash(s.last, `shards[${i}].last`),
      sha256: hash(s.sha256, `shards[${i}].sha256`),
      bytes: integer(s.bytes, `shards[${i}].bytes`, 0, Number.MAX_SAFE_INTEGER),
      file: typeof s.file === "string" ? s.file : "",
    };
    if (!FILE.test(entry.file) || entry.file.length > 200)
      throw bad(`shards[${i}].file must be a relative path of plain names under the manifest's directory`);
    const leaves = shardLeafCount(leafCount, shardLeaves, i);
    if (entry.bytes !== shardFileBytes(leaves, sumBytes))
      throw bad(
        `shards[${i}].bytes is ${entry.bytes}, but ${leaves} leaves take ${shardFileBytes(leaves, sumBytes)}`,
      );
    if (leaves === 1 ? entry.first !== entry.last : entry.first >= entry.last)
      throw bad(`shards[${i}]: first must be below last (leaves are in ascending hash order)`);
    return entry;
  });
  shards.forEach((s, i) => {
    const previous = shards[i - 1];
    if (previous && previous.last >= s.first)
      throw bad(
        `shards[${i}] does not start after shards[${i - 1}] ends (leaves are in ascending hash order)`,
      );
  });
  const top = array(r.top, "top", count).map((v, i): SumNode => {
    const n = object(v, `top[${i}]`);
    return {
      hash: bytes32FromHex(hash(n.hash, `top[${i}].hash`), `top[${i}].hash`),
      sum: amount(n.sum, `top[${i}].sum`),
    };
  });
  return { root, total, leafCount, decimals, sumBytes, shardLeaves, shards, top };
}

/** Parses a manifest from its bytes (UTF-8 JSON). */
export function parseManifestBytes(bytes: Uint8Array, source: string): PublicationManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
  } catch (err) {
    throw new InvalidFileError(`${source} is not valid JSON`, {
      details: (err as Error).message,
      cause: err,
    });
  }
  return parseManifest(value, source);
}

// ------------------------------------------------------------------------------ shard files

/**
 * Decodes shard `index` of `manifest` from its file's bytes, refusing a header that does not match
 * the manifest (format, index, size, sum width), leaves out of strictly ascending hash order, and a
 * first or last leaf other than the manifest's. Its SHA-256 is checked before this runs
 * (publication-verify.ts); whether its leaves hash to the root is checked after.
 */
export function decodeShard(
  bytes: Uint8Array,
  manifest: PublicationManifest,
  index: number,
  source: string,
): DecodedShard {
  const bad = (what: string) => new InvalidFileError(`${source}: ${what}`);
  const entry = manifest.shards[index];
  if (entry === undefined) throw new RangeError(`no shard ${index}`);
  const leafCount = shardLeafCount(manifest.leafCount, manifest.shardLeaves, index);
  const firstLeaf = index * manifest.shardLeaves;
  if (bytes.length !== shardFileBytes(leafCount, manifest.sumBytes))
    throw bad(`${bytes.length} bytes, expected ${shardFileBytes(leafCount, manifest.sumBytes)}`);
  const expected = encodeShardHeader(manifest.sumBytes, index, leafCount, firstLeaf);
  for (let i = 0; i < SHARD_HEADER_BYTES; i++) {
    if (bytes[i] !== expected[i]) throw bad(`is not shard ${index} of this publication (its header differs)`);
  }
  const nodeBytes = 32 + manifest.sumBytes;
  const leaves: SumNode[] = [];
  for (let i = 0; i < leafCount; i++) {
    const at = SHARD_HEADER_BYTES + i * nodeBytes;
    if (i > 0 && compareHashes(bytes, at - nodeBytes, bytes, at) >= 0)
      throw bad(
        `leaf ${firstLeaf + i} is not above leaf ${firstLeaf + i - 1} (leaves are in ascending hash order)`,
      );
    leaves.push({ hash: bytes.slice(at, at + 32), sum: readUint(bytes, at + 32, manifest.sumBytes) });
  }
  const first = leaves[0];
  const last = leaves[leaves.length - 1];
  if (!first || !last || toHex(first.hash) !== entry.first || toHex(last.hash) !== entry.last)
    throw bad(`its first and last leaves are not the manifest's shards[${index}].first and .last`);
  return { index, firstLeaf, leaves };
}
