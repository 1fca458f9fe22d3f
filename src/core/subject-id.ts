import { decodeBytes32String, encodeBytes32String, isHexString, toUtf8Bytes } from "ethers";
import { InvalidArgumentError } from "./errors";
import type { Hex32 } from "./hex";

/**
 * A subject id from user input: a 0x-prefixed 32-byte hex string is taken as is (lowercased);
 * any other text of 1 to 31 UTF-8 bytes is encoded with ethers' encodeBytes32String ("USDX" →
 * 0x5553445800…). Anything else throws InvalidArgumentError.
 */
export function parseSubjectId(input: string): Hex32 {
  if (isHexString(input, 32)) {
    if (/^0x0{64}$/.test(input))
      throw new InvalidArgumentError("subject id 0x00…00 is reserved (the registry refuses it)");
    return input.toLowerCase() as Hex32;
  }
  if (input.startsWith("0x") && isHexString(input)) {
    throw new InvalidArgumentError(`subject id ${input} is hex but not 32 bytes`);
  }
  const length = toUtf8Bytes(input).length;
  if (length === 0) throw new InvalidArgumentError("subject id must not be empty");
  if (length > 31) {
    throw new InvalidArgumentError(`subject id "${input}" is ${length} bytes`, {
      details: "text ids are at most 31 bytes; pass a 0x-prefixed 32-byte hex id instead",
    });
  }
  return encodeBytes32String(input).toLowerCase() as Hex32;
}

/** The text a subject id encodes when it decodes cleanly to printable text, else its hex. */
export function formatSubjectId(id: string): string {
  try {
    const text = decodeBytes32String(id);
    // eslint-disable-next-line no-control-regex
    const printable = text.length > 0 && !/[\u0000-\u001f\u007f]/.test(text);
    // A text that itself looks like hex would not parse back to the same id.
    const reparses = !isHexString(text) && encodeBytes32String(text) === id.toLowerCase();
    if (printable && reparses) return text;
  } catch {
    // not a NUL-terminated UTF-8 string: fall through to hex
  }
  return id.toLowerCase();
}
