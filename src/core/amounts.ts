import { InvalidArgumentError } from "./errors";

/** Largest value a uint256 holds. */
export const MAX_UINT256 = (1n << 256n) - 1n;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a non-negative decimal string ("1234.5") into base units with `decimals` decimals
 * (1234500000 for 6), exactly, with no floating point. Thousands separators ("_" or ",") are
 * accepted between digits. Refuses signs, exponents, more fractional digits than `decimals`,
 * and values above uint256. `field` names the value in error messages.
 */
export function parseAmount(text: string, decimals: number, field = "amount"): bigint {
  validateDecimals(decimals);
  const trimmed = text.trim();
  const compact = /^\d{1,3}([,_]\d{3})+(\.\d+)?$/.test(trimmed) ? trimmed.replace(/[,_]/g, "") : trimmed;
  const match = DECIMAL.exec(compact);
  if (!match) {
    throw new InvalidArgumentError(`${field} must be a non-negative decimal number`, {
      details: `got ${JSON.stringify(text)}`,
    });
  }
  const whole = match[1] ?? "0";
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) {
    throw new InvalidArgumentError(`${field} has ${fraction.length} fractional digits`, {
      details: `at most ${decimals} allowed (${JSON.stringify(text)})`,
    });
  }
  const value = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  if (value > MAX_UINT256) throw new InvalidArgumentError(`${field} does not fit in a uint256`);
  return value;
}

/** Options for formatAmount. */
export interface FormatAmountOptions {
  /** Group the integer part in thousands with "," (for humans; parseAmount accepts it back). */
  grouping?: boolean;
  /** Always show exactly this many fractional digits (rounding down); default: as many as needed. */
  fractionDigits?: number;
}

/**
 * Formats base units `value` with `decimals` decimals as a decimal string, exactly:
 * formatAmount(1234500000n, 6) === "1234.5". The inverse of parseAmount.
 */
export function formatAmount(value: bigint, decimals: number, options: FormatAmountOptions = {}): string {
  validateDecimals(decimals);
  if (value < 0n) throw new InvalidArgumentError("amount must not be negative");
  const unit = 10n ** BigInt(decimals);
  const whole = (value / unit).toString();
  let fraction = decimals === 0 ? "" : (value % unit).toString().padStart(decimals, "0");
  if (options.fractionDigits === undefined) {
    fraction = fraction.replace(/0+$/, "");
  } else {
    fraction = fraction.slice(0, options.fractionDigits).padEnd(options.fractionDigits, "0");
  }
  const integer = options.grouping ? whole.replace(/\B(?=(\d{3})+$)/g, ",") : whole;
  return fraction.length > 0 ? `${integer}.${fraction}` : integer;
}

function validateDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255) {
    throw new InvalidArgumentError(`decimals must be an integer from 0 to 255, got ${decimals}`);
  }
}
