import { getBytes, keccak256 } from "ethers";

/**
 * keccak256 for the browser (web/): ethers' keccak256 (@noble/hashes), synchronous and free of Node
 * built-ins. The page hashes a few dozen nodes per proof, so the WebAssembly kernel of keccak.ts
 * would buy nothing there. Same export as keccak.ts, which web/vite.config.mts replaces with this.
 */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  return getBytes(keccak256(data));
}
