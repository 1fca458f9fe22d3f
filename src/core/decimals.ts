/**
 * `amount` with `fromDecimals` expressed with `toDecimals`, rounded down: the off-chain twin of
 * contracts/libraries/DecimalScaling.sol, so off-chain figures match on-chain ones to the unit.
 */
export function rescale(amount: bigint, fromDecimals: number, toDecimals: number): bigint {
  if (fromDecimals === toDecimals) return amount;
  if (fromDecimals < toDecimals) return amount * 10n ** BigInt(toDecimals - fromDecimals);
  return amount / 10n ** BigInt(fromDecimals - toDecimals);
}

/** Like rescale, but rounded up: for amounts owed, where rounding down would flatter the debtor. */
export function rescaleUp(amount: bigint, fromDecimals: number, toDecimals: number): bigint {
  const down = rescale(amount, fromDecimals, toDecimals);
  return rescale(down, toDecimals, fromDecimals) === amount ? down : down + 1n;
}

/** `amount` with `decimals` expressed with 18 decimals. */
export function toWad(amount: bigint, decimals: number): bigint {
  return rescale(amount, decimals, 18);
}
