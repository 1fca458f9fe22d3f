import { encodeBytes32String } from "ethers";
import { InvalidArgumentError } from "./errors";

/**
 * A subject id from the command line: a 0x-prefixed 32-byte hex string as is (lowercased), or a
 * short text (at most 31 UTF-8 bytes) encoded with ethers' encodeBytes32String ("USDX" ->
 * 0x5553445800…). The zero id is reserved by the registry and refused.
 */
export function parseSubjectId(text: string): `0x${string}` {
  let id: string;
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) {
    id = text.toLowerCase();
  } else if (text.startsWith("0x") || text === "" || Buffer.byteLength(text, "utf8") > 31) {
    throw new InvalidArgumentError(
      `subject id must be 0x and 64 hex digits, or a text of 1 to 31 bytes: ${JSON.stringify(text)}`,
    );
  } else {
    id = encodeBytes32String(text);
  }
  if (/^0x0{64}$/.test(id)) throw new InvalidArgumentError("the zero subject id is reserved");
  return id as `0x${string}`;
}
