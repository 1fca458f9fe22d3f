import { KeccakKernel } from "./wasm-hash";

/**
 * keccak256 for Node: hash-wasm's WebAssembly kernel, one per thread. The web build swaps this
 * module for keccak.browser.ts (web/vite.config.mts), so the tree rules in hash.ts and proof.ts are
 * one implementation in both places; test/liabilities/keccak-browser.test.ts checks the two agree.
 */

let sharedKernel: KeccakKernel | undefined;

/** This thread's keccak kernel (created on first use). */
export function keccakKernel(): KeccakKernel {
  sharedKernel ??= new KeccakKernel();
  return sharedKernel;
}

/** keccak256 of `data`. */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  return keccakKernel().digest(data);
}
