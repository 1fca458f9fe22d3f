import { isUtf8 } from "node:buffer";

/**
 * What an account id may be, so that a customer typing their id gets exactly the bytes the tree
 * committed to (docs/liabilities-tree.md, "Input CSV"): valid UTF-8, no whitespace or invisible
 * character at either end, and in Unicode normalization form C (NFC). Interior spaces are allowed.
 *
 * The CSV parser calls `asciiEdgeIsSpace` on every id (two byte comparisons) and `unicodeIdProblem`
 * only for ids with a byte >= 0x80, so ASCII ledgers pay nothing more for the Unicode rules.
 */

/**
 * Whether code point `cp` is refused at either end of an id: Unicode White_Space (tab, line feed,
 * vertical tab, form feed, return, space, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029,
 * U+202F, U+205F, U+3000) and the invisible U+180E, U+200B–U+200D, U+2060 and U+FEFF.
 */
export function isEdgeCharacter(cp: number): boolean {
  if (cp < 0x80) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  return (
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    cp === 0x180e ||
    (cp >= 0x2000 && cp <= 0x200d) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x2060 ||
    cp === 0x3000 ||
    cp === 0xfeff
  );
}

/** Whether the id bytes buf[start..end) (non-empty) begin or end with an ASCII whitespace byte. */
export function asciiEdgeIsSpace(buf: Uint8Array, start: number, end: number): boolean {
  const first = buf[start] as number;
  const last = buf[end - 1] as number;
  return (
    first === 0x20 || (first >= 0x09 && first <= 0x0d) || last === 0x20 || (last >= 0x09 && last <= 0x0d)
  );
}

/** The code point whose UTF-8 encoding starts at buf[i] (the bytes are valid UTF-8). */
function codePointAt(buf: Uint8Array, i: number): number {
  const b0 = buf[i] as number;
  if (b0 < 0x80) return b0;
  const b1 = (buf[i + 1] as number) & 0x3f;
  if (b0 < 0xe0) return ((b0 & 0x1f) << 6) | b1;
  const b2 = (buf[i + 2] as number) & 0x3f;
  if (b0 < 0xf0) return ((b0 & 0x0f) << 12) | (b1 << 6) | b2;
  return ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | ((buf[i + 3] as number) & 0x3f);
}

/**
 * Why the id bytes buf[start..end) are refused, or undefined; `maxByte` is the largest of them, at
 * least 0x80 (ASCII ids need only asciiEdgeIsSpace). Works on the bytes: the id is decoded only
 * to normalize it, and not even then when `maxByte` is below 0xCC: the id then holds only code
 * points below U+0300 (ASCII, Latin-1, Latin Extended), none of which composes or decomposes, so
 * it is NFC as it stands.
 */
export function unicodeIdProblem(
  buf: Buffer,
  start: number,
  end: number,
  maxByte: number,
): string | undefined {
  if (!isUtf8(buf.subarray(start, end))) return "is not valid UTF-8";
  let last = end - 1;
  while (last > start && ((buf[last] as number) & 0xc0) === 0x80) last--;
  if (isEdgeCharacter(codePointAt(buf, start)) || isEdgeCharacter(codePointAt(buf, last))) {
    return `${showId(buf.toString("utf8", start, end))} has leading or trailing whitespace`;
  }
  if (maxByte < 0xcc) return undefined;
  const id = buf.toString("utf8", start, end);
  return id.normalize("NFC") === id ? undefined : notNfc(id);
}

/** The same rules for an id given as a string (prove's argument, hints): undefined when it is fine. */
export function accountIdProblem(accountId: string): string | undefined {
  if (accountId === "") return "is empty";
  const points = Array.from(accountId, (c) => c.codePointAt(0) as number);
  if (isEdgeCharacter(points[0] as number) || isEdgeCharacter(points[points.length - 1] as number)) {
    return `${showId(accountId)} has leading or trailing whitespace`;
  }
  if (accountId.normalize("NFC") !== accountId) return notNfc(accountId);
  return undefined;
}

function notNfc(id: string): string {
  const nfc = id.normalize("NFC");
  return `${showId(id, true)}${codePoints(id)} is not in Unicode normalization form NFC: its NFC form ${showId(nfc, true)}${codePoints(nfc)} has other bytes`;
}

/** " (U+2126 …)": the non-ASCII code points of `text`, at most 8, for messages. */
function codePoints(text: string): string {
  const points = [...text]
    .filter((c) => c > "\u007f")
    .map((c) => `U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")}`);
  return ` (${points.length > 8 ? `${points.slice(0, 8).join(" ")} …` : points.join(" ")})`;
}

/**
 * The id quoted for a message, with control, format and non-ASCII space characters (and, with
 * `marks`, combining marks) written as \u escapes, so what makes it differ is visible.
 */
export function showId(accountId: string, marks = false): string {
  const hidden = marks ? /[\p{Cc}\p{Cf}\p{Z}\p{M}]/gu : /[\p{Cc}\p{Cf}\p{Z}]/gu;
  const escaped = accountId
    .replace(/["\\]/g, (c) => `\\${c}`)
    .replace(hidden, (c) => (c === " " ? c : codePointEscape(c.codePointAt(0) as number)));
  return `"${escaped}"`;
}

const SHORT_ESCAPES: Record<number, string> = { 0x09: "\\t", 0x0a: "\\n", 0x0d: "\\r" };

function codePointEscape(cp: number): string {
  const short = SHORT_ESCAPES[cp];
  if (short !== undefined) return short;
  const hex = cp.toString(16);
  return cp > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, "0")}`;
}
