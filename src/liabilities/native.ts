import { createHmac } from "node:crypto";
import * as path from "node:path";

/**
 * The optional native kernel (native/keccak_leaves.c, built at install time by native/build.js).
 * It hashes whole batches of leaves (salts included) and ranges of tree levels per call, at about
 * 2.5x the WebAssembly kernel's speed, and sorts and gathers by permutation where a JavaScript
 * loop stalls on cache misses. When it was not built (no compiler, no Node headers), fails to load,
 * fails its self-test, or POR_NO_NATIVE=1 is set, `nativeKernel()` returns undefined and the
 * builder uses the WebAssembly kernel and JavaScript loops: results are identical either way
 * (test/liabilities/native.test.ts).
 */
export interface NativeKernel {
  /**
   * For accounts [from, to) of a LeafBatch: salts where hasSalt is 0 (HMAC-SHA256(secret, id);
   * `secret` null when every salt is given), leaf hashes, id prefixes and records.
   */
  leaves(
    ids: Uint8Array,
    idEnds: Uint32Array,
    salts: Uint8Array,
    hasSalt: Uint8Array,
    balances: Uint8Array,
    leafHashes: Uint8Array,
    idPrefixes: Uint8Array,
    records: Uint8Array,
    secret: Uint8Array | null,
    from: number,
    to: number,
  ): boolean;
  /** hashLevelRange (levels.ts) over the same arrays. */
  level(
    hashes: Uint8Array,
    sums: Uint8Array,
    sumStride: number,
    order: Uint32Array | null,
    count: number,
    outHashes: Uint8Array,
    outSums: Uint8Array,
    sumBytes: number,
    from: number,
    to: number,
  ): boolean;
  /** dst[(i - from) * dstStride + dstOffset, +width) = src[perm[i] * srcStride + srcOffset, +width) */
  gather(
    src: Uint8Array,
    srcStride: number,
    srcOffset: number,
    width: number,
    perm: Uint32Array,
    from: number,
    to: number,
    dst: Uint8Array,
    dstStride: number,
    dstOffset: number,
  ): boolean;
  /** sortKeysInto (sort.ts): the same permutation and prefixes. */
  sort(
    keys: Uint8Array,
    stride: number,
    keyBytes: number,
    count: number,
    perm: Uint32Array,
    top: Uint32Array,
  ): boolean;
  digest(data: Uint8Array): Uint8Array;
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
}

let loaded: NativeKernel | null | undefined;

export function nativeKernel(): NativeKernel | undefined {
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

// keccak256 of "" and of 200 bytes 0..199 (more than one 136-byte block).
const KECCAK_EMPTY = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";
const KECCAK_0_199 = "bfb0aa97863e797943cf7c33bb7e880bb4543f3d2703c0923c6901c2af57b890";

function load(): NativeKernel | null {
  if (process.env.POR_NO_NATIVE === "1") return null;
  // src/liabilities under ts-node, dist/src/liabilities when compiled.
  for (const up of [
    ["..", ".."],
    ["..", "..", ".."],
  ]) {
    const file = path.join(__dirname, ...up, "native", "build", "Release", "keccak_leaves.node");
    let kernel: NativeKernel;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      kernel = require(file) as NativeKernel;
    } catch {
      continue;
    }
    return selfTest(kernel) ? kernel : null; // built but wrong (or an older build): never use it
  }
  return null;
}

function selfTest(kernel: NativeKernel): boolean {
  const needed = ["leaves", "level", "gather", "sort", "digest", "hmac"] as const;
  if (needed.some((name) => typeof kernel[name] !== "function")) return false;
  const hex = (data: Uint8Array) => Buffer.from(data).toString("hex");
  const long = Uint8Array.from({ length: 200 }, (_, i) => i);
  // HMAC keys of one and of two SHA-256 blocks (a key over 64 bytes is hashed first).
  const hmacOk = [long.subarray(0, 20), long].every(
    (key) => hex(kernel.hmac(key, long)) === createHmac("sha256", key).update(long).digest("hex"),
  );
  return (
    hex(kernel.digest(new Uint8Array(0))) === KECCAK_EMPTY &&
    hex(kernel.digest(long)) === KECCAK_0_199 &&
    hmacOk
  );
}
