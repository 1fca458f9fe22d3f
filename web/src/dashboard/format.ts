import { formatAmount, MAX_UINT256 } from "@por/sdk/core/amounts";
import { formatDuration, formatTimestamp } from "@por/sdk/core/time";

/** Base units as a grouped decimal, exactly (bigint math): 1050000000n with 6 decimals → "1,050". */
export function amount(value: bigint, decimals: number): string {
  return formatAmount(value, decimals, { grouping: true });
}

/**
 * A wad ratio as a percentage with two decimals, rounded down ("105.00%"); "∞" for the registry's
 * no-supply answer (uint256 max), "—" when there is nothing to compare (`hasData` false).
 */
export function percent(ratioWad: bigint, hasData = true): string {
  if (!hasData) return "—";
  if (ratioWad === MAX_UINT256) return "∞";
  return `${formatAmount(ratioWad, 16, { grouping: true, fractionDigits: 2 })}%`;
}

/** A unix time in UTC without seconds noise: "2025-01-01 12:00:00 UTC". */
export function utc(seconds: bigint): string {
  return formatTimestamp(seconds).replace("T", " ").replace(/Z$/, " UTC");
}

/** A heartbeat for people: "1h", "1d". */
export function duration(seconds: bigint): string {
  return formatDuration(seconds);
}

/**
 * base units as a JavaScript number for the chart only: exact figures are always shown as text
 * (amount()); a double keeps ~15 significant digits, plenty for a line on a canvas.
 */
export function chartNumber(value: bigint, decimals: number): number {
  return Number.parseFloat(formatAmount(value, decimals));
}
