import { InvalidArgumentError } from "../errors";
import { KeccakKernel } from "./wasm-hash";

/** A 0x-prefixed lowercase hex string (hashes, salts). */
export type Hex = `0x${string}`;

/** 2^256 - 1: the largest balance or sum a uint256 can hold. */
export const MAX_UINT256 = (1n << 256n) - 1n;

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

export function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/** Parses a 0x-prefixed 32-byte hex string (either case). */
export function bytes32FromHex(value: unknown, what: string): Uint8Array {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new InvalidArgumentError(`${what} is not a 0x-prefixed 32-byte hex string`);
  }
  return Uint8Array.from(Buffer.from(value.slice(2), "hex"));
}

/** Writes `value` (0 <= value < 2^256) as a 32-byte big-endian word at out[offset..offset+32). */
export function writeUint256(value: bigint, out: Uint8Array, offset: number): void {
  if (value < 0n || value > MAX_UINT256) throw new RangeError("value out of uint256 range");
  const hex = value.toString(16);
  out.fill(0, offset, offset + 32);
  Buffer.from(out.buffer, out.byteOffset, out.byteLength).write(
    hex.length % 2 === 0 ? hex : `0${hex}`,
    offset + 32 - Math.ceil(hex.length / 2),
    "hex",
  );
}

/** Reads a big-endian unsigned integer of `length` bytes. */
export function readUint(bytes: Uint8Array, offset: number, length: number): bigint {
  if (length === 0) return 0n;
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset + offset, length).toString("hex");
  return BigInt(`0x${hex}`);
}

/** Compares two 32-byte hashes as uint256 (big-endian): negative, zero or positive. */
export function compareHashes(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number): number {
  for (let i = 0; i < 32; i++) {
    const d = (a[aOffset + i] as number) - (b[bOffset + i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

// ------------------------------------------------------------------ the tree's hash functions
// Cold-path versions of the normative functions (docs/liabilities-tree.md). The builder uses the
// same encodings written straight into the kernel's buffer (leaves.ts, levels.ts).

/** keccak256(bytes(accountId)) with UTF-8 bytes. */
export function accountIdHash(accountId: string): Uint8Array {
  return keccak256Bytes(Buffer.from(accountId, "utf8"));
}

/** commitment = keccak256(abi.encode(bytes32 salt, keccak256(bytes(accountId)))). */
export function accountCommitment(salt: Uint8Array, accountId: string): Uint8Array {
  const input = new Uint8Array(64);
  input.set(salt, 0);
  input.set(accountIdHash(accountId), 32);
  return keccak256Bytes(input);
}

/** hash = keccak256(bytes.concat(keccak256(abi.encode(commitment, uint256 balance)))). */
export function leafHash(commitment: Uint8Array, balance: bigint): Uint8Array {
  const input = new Uint8Array(64);
  input.set(commitment, 0);
  writeUint256(balance, input, 32);
  return keccak256Bytes(keccak256Bytes(input));
}

/** A tree node or proof step: hash and sum. */
export interface SumNode {
  hash: Uint8Array;
  sum: bigint;
}

/**
 * Parent of two nodes: children ordered by hash ascending, hash = keccak256(abi.encode(h1, s1, h2,
 * s2)), sum = s1 + s2. Returns undefined if the sum overflows uint256 (no valid tree has such a node).
 */
export function parentNode(a: SumNode, b: SumNode): SumNode | undefined {
  const sum = a.sum + b.sum;
  if (sum > MAX_UINT256 || a.sum < 0n || b.sum < 0n) return undefined;
  const [lo, hi] = compareHashes(a.hash, 0, b.hash, 0) <= 0 ? [a, b] : [b, a];
  const input = new Uint8Array(128);
  input.set(lo.hash, 0);
  writeUint256(lo.sum, input, 32);
  input.set(hi.hash, 64);
  writeUint256(hi.sum, input, 96);
  return { hash: keccak256Bytes(input), sum };
}
