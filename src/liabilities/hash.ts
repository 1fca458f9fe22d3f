// Browser-safe (the web verify page imports it): no Node built-ins, no Buffer.
import { InvalidArgumentError } from "../core/errors";
import { keccak256Bytes } from "./keccak";

/** A 0x-prefixed lowercase hex string (hashes, salts). */
export type Hex = `0x${string}`;

/** 2^256 - 1: the largest balance or sum a uint256 can hold. */
export const MAX_UINT256 = (1n << 256n) - 1n;

const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** The bytes as lowercase hex, without a prefix. */
function hexDigits(bytes: Uint8Array, offset = 0, length = bytes.length - offset): string {
  let out = "";
  for (let i = offset; i < offset + length; i++) out += HEX_BYTES[bytes[i] as number];
  return out;
}

export function toHex(bytes: Uint8Array): Hex {
  return `0x${hexDigits(bytes)}`;
}

/** Parses a 0x-prefixed 32-byte hex string (either case). */
export function bytes32FromHex(value: unknown, what: string): Uint8Array {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new InvalidArgumentError(`${what} is not a 0x-prefixed 32-byte hex string`);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(value.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

/** Writes `value` (0 <= value < 2^256) as a 32-byte big-endian word at out[offset..offset+32). */
export function writeUint256(value: bigint, out: Uint8Array, offset: number): void {
  if (value < 0n || value > MAX_UINT256) throw new RangeError("value out of uint256 range");
  let rest = value;
  for (let i = offset + 31; i >= offset; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

/** Reads a big-endian unsigned integer of `length` bytes. */
export function readUint(bytes: Uint8Array, offset: number, length: number): bigint {
  if (length === 0) return 0n;
  return BigInt(`0x${hexDigits(bytes, offset, length)}`);
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

const UTF8 = new TextEncoder();

/** keccak256(bytes(accountId)) with UTF-8 bytes. */
export function accountIdHash(accountId: string): Uint8Array {
  return keccak256Bytes(UTF8.encode(accountId));
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
