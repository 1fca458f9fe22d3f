import { getAddress, isAddress, isHexString } from "ethers";
import { InvalidArgumentError } from "./errors";

/** A 0x-prefixed, lowercase, 32-byte hex string (hashes, subject ids, roots). */
export type Hex32 = `0x${string}` & { readonly __brand: "Hex32" };

/** An EIP-55 checksummed address. */
export type Address = `0x${string}` & { readonly __brand: "Address" };

/** The all-zero Hex32 ("no root", "no report"). */
export const ZERO_HASH = `0x${"0".repeat(64)}` as Hex32;

/** Whether `value` is a 0x-prefixed 32-byte hex string (any case). */
export function isHex32(value: unknown): value is string {
  return typeof value === "string" && isHexString(value, 32);
}

/** `value` as a lowercase Hex32, or InvalidArgumentError naming `field`. */
export function parseHex32(value: unknown, field: string): Hex32 {
  if (!isHex32(value)) {
    throw new InvalidArgumentError(`${field} must be a 0x-prefixed 32-byte hex string`, {
      details: `got ${describe(value)}`,
    });
  }
  return value.toLowerCase() as Hex32;
}

/** `value` as a checksummed Address, or InvalidArgumentError naming `field`. */
export function parseAddress(value: unknown, field: string): Address {
  if (typeof value !== "string" || !isAddress(value)) {
    throw new InvalidArgumentError(`${field} must be an address`, { details: `got ${describe(value)}` });
  }
  return getAddress(value) as Address;
}

/** A short, safe rendering of a user-supplied value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
