import { formatAmount, MAX_UINT256, parseAmount } from "./amounts";

/** 1.0 as an 18-decimal fixed-point ratio ("wad"), the unit of collateralization() ratios. */
export const WAD = 10n ** 18n;

/**
 * reserves / supply as a wad, rounded down; uint256 max when supply is 0, the same convention as
 * the on-chain collateralization().
 */
export function ratioWad(reserves: bigint, supply: bigint): bigint {
  return supply === 0n ? MAX_UINT256 : (reserves * WAD) / supply;
}

/** Parses a ratio like "1", "0.98" or "98%" into a wad, exactly. */
export function parseRatio(text: string, field = "ratio"): bigint {
  const trimmed = text.trim();
  return trimmed.endsWith("%")
    ? parseAmount(trimmed.slice(0, -1), 16, field)
    : parseAmount(trimmed, 18, field);
}

/** A wad ratio with `places` decimals (rounded down), or "∞" when there is no supply. */
export function formatRatio(ratio: bigint, places = 4): string {
  return ratio === MAX_UINT256 ? "∞" : formatAmount(ratio, 18, { fractionDigits: places });
}
