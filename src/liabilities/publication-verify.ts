// Browser-safe (the web verify page can check published proofs with it): no Node built-ins.
import { keccak } from "hash-wasm";
import { PorError } from "../core/errors";
import { compareHashes, parentNode, toHex, type Hex, type SumNode } from "./hash";
import { decodeShard, type DecodedShard, type PublicationManifest } from "./publication-format";

/**
 * What failed when a customer checks their balance in a published round, in the order the checks
 * run (docs/liabilities-tree.md, "Publication"):
 * - manifest-not-committed: the round has no publication on-chain;
 * - manifest-hash-differs: the manifest's keccak256 is not the one committed on-chain;
 * - manifest-invalid: the committed manifest is malformed;
 * - round-differs: its root, total or decimals are not the attested round's;
 * - shard-hash-differs: the shard's SHA-256 or size is not the manifest's;
 * - shard-invalid: the shard does not decode as the manifest says (header, order, range);
 * - account-not-found: the customer's leaf is not in the shard where it must be;
 * - path-not-to-root: the shard, or the manifest's `top`, does not hash to the root and total.
 */
export type PublicationFailure =
  | "manifest-not-committed"
  | "manifest-hash-differs"
  | "manifest-invalid"
  | "round-differs"
  | "shard-hash-differs"
  | "shard-invalid"
  | "account-not-found"
  | "path-not-to-root";

/** Each failure in a few words, for verdict lines ("INVALID: shard hash differs from the manifest's: …"). */
export const PUBLICATION_FAILURES: Record<PublicationFailure, string> = {
  "manifest-not-committed": "manifest not committed on-chain",
  "manifest-hash-differs": "manifest hash differs from the one committed on-chain",
  "manifest-invalid": "committed manifest is malformed",
  "round-differs": "publication is not the attested round",
  "shard-hash-differs": "shard hash differs from the manifest's",
  "shard-invalid": "shard is malformed",
  "account-not-found": "account not in the publication",
  "path-not-to-root": "path does not reach the root",
};

/**
 * keccak256 of the manifest's exact bytes: what `publishProofs` commits on-chain. hash-wasm's
 * keccak (WebAssembly, in Node and browsers): a manifest is up to megabytes, beyond the tree's
 * fixed-buffer kernel.
 */
export async function manifestHash(bytes: Uint8Array): Promise<Hex> {
  return `0x${await keccak(bytes, 256)}`;
}

/** SHA-256 with the platform's WebCrypto (Node 20 and every browser). */
export async function sha256Hex(bytes: Uint8Array): Promise<Hex> {
  // DOM's typing of digest() refuses views that may be SharedArrayBuffer-backed (type only: read
  // and fetched bytes never are).
  const view = bytes as Uint8Array<ArrayBuffer>;
  return toHex(new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", view)));
}

/** The steps from node `index` of a level to the single node the level reduces to, and that node. */
export interface LevelPath {
  steps: SumNode[];
  root: SumNode;
}

/**
 * Applies the tree's level rule to `nodes` (pairs (0, 1), (2, 3)…, a lone last node promoted
 * unchanged; parentNode hashes each pair) until one node is left, collecting the sibling of node
 * `index` at each level that has one: the proof steps from that node up. Undefined if a sum
 * overflows uint256, which no valid tree contains. Used on a shard's leaves (up to the shard's
 * node) and on the manifest's `top` (up to the root): both are aligned runs of one level.
 */
export function levelPath(nodes: readonly SumNode[], index: number): LevelPath | undefined {
  if (!Number.isInteger(index) || index < 0 || index >= nodes.length)
    throw new RangeError(`no node ${index}`);
  let level: readonly SumNode[] = nodes;
  let i = index;
  const steps: SumNode[] = [];
  while (level.length > 1) {
    const sibling = level[i ^ 1];
    if (sibling !== undefined) steps.push(sibling);
    const next: SumNode[] = [];
    for (let j = 0; j < level.length; j += 2) {
      const right = level[j + 1];
      const parent = right === undefined ? level[j] : parentNode(level[j] as SumNode, right);
      if (parent === undefined) return undefined;
      next.push(parent);
    }
    level = next;
    i >>= 1;
  }
  return { steps, root: level[0] as SumNode };
}

/** Position of `leafHash` among a shard's ascending leaves, or -1. */
export function leafPosition(shard: DecodedShard, leafHash: Uint8Array): number {
  let lo = 0;
  let hi = shard.leaves.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const d = compareHashes((shard.leaves[mid] as SumNode).hash, 0, leafHash, 0);
    if (d === 0) return mid;
    if (d < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Outcome of checking a shard: the decoded shard, or the failure and why. */
export type ShardCheck =
  { ok: true; shard: DecodedShard } | { ok: false; failure: PublicationFailure; reason: string };

/**
 * Checks shard `index`'s bytes against the manifest: SHA-256 and size first (the manifest is bound
 * on-chain, so this binds the shard), then its decoding (publication-format.ts decodeShard).
 */
export async function checkShard(
  manifest: PublicationManifest,
  index: number,
  bytes: Uint8Array,
  source: string,
): Promise<ShardCheck> {
  const entry = manifest.shards[index];
  if (entry === undefined) throw new RangeError(`no shard ${index}`);
  const digest = await sha256Hex(bytes);
  if (bytes.length !== entry.bytes || digest !== entry.sha256) {
    return {
      ok: false,
      failure: "shard-hash-differs",
      reason: `shard ${index} (${source}) is not the one the manifest names: ${bytes.length} bytes with SHA-256 ${digest}, the manifest says ${entry.bytes} bytes with SHA-256 ${entry.sha256}`,
    };
  }
  try {
    return { ok: true, shard: decodeShard(bytes, manifest, index, source) };
  } catch (err) {
    if (!(err instanceof PorError)) throw err;
    return { ok: false, failure: "shard-invalid", reason: err.message };
  }
}

/** A failed check: which, and why. */
export interface PublicationFailed {
  failure: PublicationFailure;
  reason: string;
}

/** Outcome of finding a leaf in its shard and folding its path to the manifest's root. */
export type PathCheck =
  { ok: true; position: number; steps: SumNode[] } | ({ ok: false } & PublicationFailed);

/** Why shard `index`, folded to `folded` (undefined: a sum overflowed), is not the manifest's top[index]. */
export function shardNodeFailure(
  manifest: PublicationManifest,
  index: number,
  folded: SumNode | undefined,
): PublicationFailed | undefined {
  const node = manifest.top[index] as SumNode;
  if (folded !== undefined && sameNode(folded, node)) return undefined;
  const got = folded ? `${toHex(folded.hash)} with sum ${folded.sum}` : "an overflowing sum";
  return {
    failure: "path-not-to-root",
    reason: `shard ${index} hashes to ${got}, the manifest's top[${index}] is ${toHex(node.hash)} with sum ${node.sum}`,
  };
}

/** Why the manifest's `top`, folded to `folded` (undefined: a sum overflowed), is not its root and total. */
export function topRootFailure(
  manifest: PublicationManifest,
  folded: SumNode | undefined,
): PublicationFailed | undefined {
  if (folded !== undefined && toHex(folded.hash) === manifest.root && folded.sum === manifest.total)
    return undefined;
  const got = folded ? `${toHex(folded.hash)} with total ${folded.sum}` : "an overflowing sum";
  return {
    failure: "path-not-to-root",
    reason: `the manifest's top hashes to ${got}, not its root ${manifest.root} with total ${manifest.total}`,
  };
}

/**
 * The proof steps of `leafHash` from a checked shard: its path to the shard's node (recomputed from
 * the shard's leaves), which must be the manifest's `top[index]`, then from `top` to the manifest's
 * root and total. Fails as account-not-found if the shard does not hold the leaf, and as
 * path-not-to-root if the shard or `top` does not hash to what the manifest states.
 */
export function publishedPath(
  manifest: PublicationManifest,
  shard: DecodedShard,
  leafHash: Uint8Array,
): PathCheck {
  const index = shard.index;
  const position = leafPosition(shard, leafHash);
  if (position < 0) {
    const range = `leaves ${shard.firstLeaf} to ${shard.firstLeaf + shard.leaves.length - 1}`;
    return {
      ok: false,
      failure: "account-not-found",
      reason: `leaf ${toHex(leafHash)} is not in shard ${index} (${range}), where its hash places it: this account and balance are not in the publication`,
    };
  }
  const inShard = levelPath(shard.leaves, position);
  const notNode = shardNodeFailure(manifest, index, inShard?.root);
  if (notNode) return { ok: false, ...notNode };
  const above = levelPath(manifest.top, index);
  const notRoot = topRootFailure(manifest, above?.root);
  if (notRoot) return { ok: false, ...notRoot };
  return {
    ok: true,
    position: shard.firstLeaf + position,
    steps: [...(inShard as LevelPath).steps, ...(above as LevelPath).steps],
  };
}

function sameNode(a: SumNode, b: SumNode): boolean {
  return a.sum === b.sum && compareHashes(a.hash, 0, b.hash, 0) === 0;
}
