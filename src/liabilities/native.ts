import * as path from "node:path";

/**
 * The optional native keccak kernel (native/keccak_leaves.c, built at install time by
 * native/build.js). It computes a whole batch of leaves per call at about 2.5x the WebAssembly
 * kernel's speed. When it was not built (no compiler, no Node headers), fails to load, fails its
 * self-test, or POR_NO_NATIVE=1 is set, `nativeKernel()` returns undefined and the builder uses the
 * WebAssembly kernel: results are identical either way (test/liabilities/native.test.ts).
 */
export interface NativeKernel {
  /** For accounts [from, to) of a LeafBatch with salts filled in: leaf hashes and id prefixes. */
  leaves(
    ids: Uint8Array,
    idEnds: Uint32Array,
    salts: Uint8Array,
    balances: Uint8Array,
    leafHashes: Uint8Array,
    idPrefixes: Uint8Array,
    from: number,
    to: number,
  ): boolean;
  digest(data: Uint8Array): Uint8Array;
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
    const hex = (data: Uint8Array) => Buffer.from(kernel.digest(data)).toString("hex");
    const long = Uint8Array.from({ length: 200 }, (_, i) => i);
    if (hex(new Uint8Array(0)) === KECCAK_EMPTY && hex(long) === KECCAK_0_199) return kernel;
    return null; // built but wrong: never use it
  }
  return null;
}
