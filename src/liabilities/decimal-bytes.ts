/**
 * Fast path of parseDecimalAmount for the builder's hot loop: reads the balance straight from the
 * CSV bytes, with no string, regex or bigint per row. It accepts only the plain form
 * `digits[.digits]` whose value in base units has at most 15 significant digits (below 10^15 <
 * 2^53, so every step is exact in a double: no rounding is possible). Anything else returns -1 and
 * the caller falls back to parseDecimalAmount, which gives the exact result or the exact refusal
 * message, so behaviour is identical to calling parseDecimalAmount on every row.
 */

const POW10: number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);
const MAX_DIGITS = 15;
const DOT = 0x2e;
const ZERO = 0x30;

/** Base units of buf[start..end) with `decimals` decimals, or -1 if the fast path does not apply. */
export function parseSmallDecimal(buf: Uint8Array, start: number, end: number, decimals: number): number {
  if (decimals > MAX_DIGITS) return -1;
  let whole = 0;
  let wholeDigits = 0; // significant digits, leading zeros excluded
  let i = start;
  for (; i < end; i++) {
    const d = (buf[i] as number) - ZERO;
    if (d < 0 || d > 9) break;
    if (whole !== 0 || d !== 0) wholeDigits++;
    whole = whole * 10 + d;
    if (wholeDigits + decimals > MAX_DIGITS) return -1;
  }
  if (i === start) return -1;
  if (i === end) return whole * (POW10[decimals] as number);
  if (buf[i] !== DOT) return -1;
  const fracStart = ++i;
  let frac = 0;
  for (; i < end; i++) {
    const d = (buf[i] as number) - ZERO;
    if (d < 0 || d > 9) return -1;
    frac = frac * 10 + d;
  }
  const fracDigits = end - fracStart;
  if (fracDigits === 0 || fracDigits > decimals) return -1;
  return whole * (POW10[decimals] as number) + frac * (POW10[decimals - fracDigits] as number);
}

/** Writes 0 <= value < 2^53 as a 32-byte big-endian word at out[offset..offset+32). */
export function writeSmallUint256(value: number, out: Uint8Array, offset: number): void {
  out.fill(0, offset, offset + 24);
  const hi = Math.floor(value / 0x100000000);
  const lo = value >>> 0;
  out[offset + 24] = hi >>> 24;
  out[offset + 25] = (hi >>> 16) & 0xff;
  out[offset + 26] = (hi >>> 8) & 0xff;
  out[offset + 27] = hi & 0xff;
  out[offset + 28] = lo >>> 24;
  out[offset + 29] = (lo >>> 16) & 0xff;
  out[offset + 30] = (lo >>> 8) & 0xff;
  out[offset + 31] = lo & 0xff;
}
