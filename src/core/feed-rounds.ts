/**
 * Round ids as the registry and its feeds number them (contracts/libraries/FeedRounds.sol): an
 * attested round keeps its registry id (1, 2, 3…, below 2^64); a live reading (wallet balances, a
 * token's supply) gets LIVE_ROUND_FLAG | block.number, so no id ever answers two different values.
 */

/** Bit 64, set on every live round id. */
export const LIVE_ROUND_FLAG = 1n << 64n;

/** Whether `roundId` names a live reading of one block rather than an attested round. */
export function isLiveRoundId(roundId: bigint): boolean {
  return (roundId & LIVE_ROUND_FLAG) !== 0n;
}

/** The live round id of block `blockNumber`. */
export function liveRoundId(blockNumber: bigint | number): bigint {
  return LIVE_ROUND_FLAG | BigInt(blockNumber);
}

/** The block a live round id names, or null for an attested round id. */
export function liveRoundBlock(roundId: bigint): bigint | null {
  return isLiveRoundId(roundId) ? roundId & (LIVE_ROUND_FLAG - 1n) : null;
}

/** "#3" for an attested round, "live @ block 120" for a live one, "none" for 0. */
export function formatRoundId(roundId: bigint): string {
  if (roundId === 0n) return "none";
  const block = liveRoundBlock(roundId);
  return block === null ? `#${roundId}` : `live @ block ${block}`;
}
