import { InvalidArgumentError } from "../core/errors";
import { MAX_UINT256 } from "./hash";

/** Largest `--decimals` accepted: the registry's MAX_DECIMALS, so amounts stay comparable on-chain. */
export const MAX_DECIMALS = 36;

const DECIMAL = /^([0-9]+)(?:\.([0-9]+))?$/;

/** Checks a `--decimals` value: an integer in [0, MAX_DECIMALS]. */
export function parseDecimals(value: string | number): number {
  const text = String(value);
  if (!/^[0-9]{1,2}$/.test(text) || Number(text) > MAX_DECIMALS) {
    throw new InvalidArgumentError(
      `decimals must be an integer from 0 to ${MAX_DECIMALS}, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

/**
 * Converts a non-negative decimal string ("12.5") to integer base units with `decimals` decimals,
 * exactly (string digits to bigint, no floating point). Refuses a sign, exponent, spaces, empty
 * parts ("1.", ".5"), more fractional digits than `decimals` (even zeros: the input must not claim
 * a precision the ledger does not have) and values above 2^256 - 1.
 */
export function parseDecimalAmount(text: string, decimals: number): bigint {
  const match = DECIMAL.exec(text);
  if (match === null) {
    if (/^\s*-/.test(text)) throw new InvalidArgumentError(`negative balance ${JSON.stringify(text)}`);
    throw new InvalidArgumentError(`balance ${JSON.stringify(text)} is not a non-negative decimal number`);
  }
  const whole = match[1] as string;
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) {
    throw new InvalidArgumentError(
      `balance ${JSON.stringify(text)} has ${fraction.length} decimals, more than the ${decimals} allowed`,
    );
  }
  // 78 digits always exceed 2^256; bound the string before BigInt parses it.
  if (whole.replace(/^0+/, "").length + decimals > 78) {
    throw new InvalidArgumentError(`balance ${JSON.stringify(text)} overflows uint256`);
  }
  const units = BigInt(whole + fraction.padEnd(decimals, "0"));
  if (units > MAX_UINT256)
    throw new InvalidArgumentError(`balance ${JSON.stringify(text)} overflows uint256`);
  return units;
}
