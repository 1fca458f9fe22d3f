import { createHmac } from "node:crypto";
import * as path from "node:path";

/**
 * The optional native kernel (native/keccak_leaves.c, built at install time by native/build.js).
 * It hashes whole batches of leaves (salts included) and ranges of tree levels per call, at about
 * 2.5x the WebAssembly kernel's speed, and sorts and gathers by permutation where a JavaScript
 * loop stalls on cache misses. When it was not built (no compiler, no Node headers), fails to load,
 * fails its self-test, or POR_NO_NATIVE=1 is set, `nativeKernel()` returns undefined (and
 * `nativeKernelProblem()` says why) and the builder uses the WebAssembly kernel and JavaScript
 * loops: results are identical either way (test/liabilities/native.test.ts).
 *
 * Each entry point takes one options object, named fields rather than positions, so two arrays
 * cannot be swapped unnoticed. The kernel checks every call and throws a TypeError or RangeError
 * instead of touching memory it was not given: each array must be a typed array of exactly the
 * type below (not on a detached buffer), each number an integer in [0, 2^32), each range inside
 * its array, and no output may share memory with another output or an input. Byte arrays the
 * JavaScript kernel reads as words (noted below) must start at a multiple of 4 bytes, so both
 * kernels accept the same calls (test/helpers/native-kernel-fuzz.ts checks they answer alike).
 */
export interface NativeKernel {
  /** hashLeafRange (leaves.ts) of accounts [from, to) of a LeafBatch. */
  leaves(args: LeafRangeArgs): void;
  /** hashLevelRange (levels.ts): parents [from, to) of a level. */
  level(args: LevelRangeArgs): void;
  /** gatherRange (gather.ts). */
  gather(args: GatherArgs): void;
  /** sortKeysInto (sort.ts): the same permutation and prefixes. */
  sort(args: SortArgs): void;
  digest(data: Uint8Array): Uint8Array;
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
}

/**
 * Accounts [from, to) of a LeafBatch (leaves.ts): salts where hasSalt is 0 (HMAC-SHA256(secret,
 * id)), leaf hashes, id prefixes and records. Outputs: salts (read where given), leafHashes,
 * idPrefixes, records. Word-aligned: salts, balances, leafHashes, idPrefixes.
 */
export interface LeafRangeArgs {
  ids: Uint8Array;
  idEnds: Uint32Array;
  salts: Uint8Array;
  hasSalt: Uint8Array;
  balances: Uint8Array;
  leafHashes: Uint8Array;
  idPrefixes: Uint8Array;
  records: Uint8Array;
  /** The salt secret (not empty), or null when every salt is given. */
  secret: Uint8Array | null;
  from: number;
  to: number;
}

/**
 * Parents [from, to) of a level of `count` nodes (hashes, sums every `sumStride` bytes, the last
 * `sumBytes` of each used; through `order` unless null) into outHashes and outSums. sumBytes is 4,
 * 8, ... or 32 and sumStride a multiple of 4. Outputs: outHashes, outSums. Word-aligned: all four
 * byte arrays.
 */
export interface LevelRangeArgs {
  hashes: Uint8Array;
  sums: Uint8Array;
  sumStride: number;
  order: Uint32Array | null;
  count: number;
  outHashes: Uint8Array;
  outSums: Uint8Array;
  sumBytes: number;
  from: number;
  to: number;
}

/**
 * For i in [from, to): dst[(i - from) * dstStride + dstOffset, +width) =
 * src[perm[i] * srcStride + srcOffset, +width); srcOffset + width <= srcStride, and the same for
 * dst. Output: dst.
 */
export interface GatherArgs {
  src: Uint8Array;
  srcStride: number;
  srcOffset: number;
  width: number;
  perm: Uint32Array;
  from: number;
  to: number;
  dst: Uint8Array;
  dstStride: number;
  dstOffset: number;
}

/**
 * `count` keys of keyBytes (4 to stride) big-endian bytes every `stride` bytes of `keys`: perm
 * sorts them and top gets their first 32 bits, in sorted order. Outputs: perm, top.
 */
export interface SortArgs {
  keys: Uint8Array;
  stride: number;
  keyBytes: number;
  count: number;
  perm: Uint32Array;
  top: Uint32Array;
}

/** Where native/build.js puts the addon, from the repository root. */
export const NATIVE_ADDON = "native/build/Release/keccak_leaves.node";

let loaded: { kernel: NativeKernel } | { problem: string } | undefined;

export function nativeKernel(): NativeKernel | undefined {
  loaded ??= load();
  return "kernel" in loaded ? loaded.kernel : undefined;
}

/** Why nativeKernel() is undefined (one line naming the fix), or undefined when it is loaded. */
export function nativeKernelProblem(): string | undefined {
  loaded ??= load();
  return "problem" in loaded ? loaded.problem : undefined;
}

// keccak256 of "" and of 200 bytes 0..199 (more than one 136-byte block).
const KECCAK_EMPTY = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";
const KECCAK_0_199 = "bfb0aa97863e797943cf7c33bb7e880bb4543f3d2703c0923c6901c2af57b890";

const BUILD_IT = "run `node native/build.js` (it needs a C compiler, Python and node-gyp)";

function load(): { kernel: NativeKernel } | { problem: string } {
  if (process.env.POR_NO_NATIVE === "1") return { problem: "POR_NO_NATIVE=1 is set" };
  // src/liabilities under ts-node, dist/src/liabilities when compiled.
  for (const up of [
    ["..", ".."],
    ["..", "..", ".."],
  ]) {
    const file = path.join(__dirname, ...up, ...NATIVE_ADDON.split("/"));
    let kernel: NativeKernel;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      kernel = require(file) as NativeKernel;
    } catch (err) {
      if ((err as { code?: unknown }).code === "MODULE_NOT_FOUND") continue;
      return { problem: `${NATIVE_ADDON} does not load (${(err as Error).message}): ${BUILD_IT}` };
    }
    // Built but wrong, or an older build with another API: never used.
    if (!selfTest(kernel)) return { problem: `${NATIVE_ADDON} fails its self-test: ${BUILD_IT}` };
    return { kernel };
  }
  return { problem: `${NATIVE_ADDON} is not built: ${BUILD_IT}` };
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
  // The options-object API (an older build takes positional arguments and throws here).
  const perm = new Uint32Array(2);
  const top = new Uint32Array(2);
  try {
    kernel.sort({
      keys: Uint8Array.from([2, 0, 0, 0, 1, 0, 0, 0]),
      stride: 4,
      keyBytes: 4,
      count: 2,
      perm,
      top,
    });
  } catch {
    return false;
  }
  return (
    hex(kernel.digest(new Uint8Array(0))) === KECCAK_EMPTY &&
    hex(kernel.digest(long)) === KECCAK_0_199 &&
    hmacOk &&
    perm.join() === "1,0" &&
    top.join() === `${2 ** 24},${2 ** 25}`
  );
}
