import type { BlockTag, Provider } from "ethers";
import { ReserveRegistry__factory } from "../../typechain-types";
import { readDispute, summarizeDispute } from "../challenges/challenges";
import type { DisputeSummary } from "../challenges/challenges";
import { ChainError } from "../core/errors";
import type { Hex32 } from "../core/hex";
import { isLiveRoundId } from "../core/feed-rounds";
import { isRevert } from "../core/revert";
import { WAD } from "../core/ratio";

/** Where a side of the ratio comes from. */
export type Source = "live" | "attested";

/**
 * Health of one backing: `missing` (unknown subject or nothing attested yet), `undercollateralized`
 * (ratio below the threshold), `stale` (attested data older than the heartbeat), else `healthy`.
 * A ratio below the threshold wins over staleness: it is the more actionable alarm. A subject's
 * reading is `disputed` above all (its latest round counts as disputed: its figures do not count).
 */
export type BackingState = "healthy" | "undercollateralized" | "stale" | "missing" | "disputed";

/** A subject's collateralization as the registry reports it, both sides in 18 decimals. */
export interface SubjectCollateral {
  subjectId: string;
  name: string;
  reservesWad: bigint;
  supplyWad: bigint;
  ratioWad: bigint;
  fresh: boolean;
  reserveSource: Source;
  supplySource: Source;
  /**
   * False while live reserves are in a reserve asset the registry admin revoked: they then count as
   * 0 and the figures are not fresh. True otherwise (including attested reserves).
   */
  reserveAssetApproved: boolean;
  /**
   * The round ReserveRatioFeed answers for these figures (collateralizationRound): the registry
   * round when both sides are attested, a live id (LIVE_ROUND_FLAG | block number, see
   * feed-rounds.ts) when a side is read live; 0 while a side that must be attested has no round.
   */
  roundId: bigint;
  /** Unix time the figures were observed (attestation asOf, or the block time when live). */
  updatedAt: bigint;
  /**
   * Seconds between updatedAt and the block read; null while disputed (the registry dates the
   * figures 0 then, which is no age).
   */
  ageSeconds: bigint | null;
  /** The dispute of the latest round (a customer's challenge went unanswered), null when none. */
  disputed: DisputeSummary | null;
  state: BackingState;
}

/** Classifies a reading against `minRatioWad`; see BackingState. */
export function backingState(
  hasData: boolean,
  ratioWad: bigint,
  fresh: boolean,
  minRatioWad: bigint,
): BackingState {
  if (!hasData) return "missing";
  if (ratioWad < minRatioWad) return "undercollateralized";
  return fresh ? "healthy" : "stale";
}

/**
 * Reads `subjectId`'s collateralization from the registry at `registryAddress`, every call at the
 * same block (`blockTag`, default the latest at call time) so the figures are consistent.
 * Returns null for a subject the registry does not know.
 */
export async function readSubjectCollateral(
  runner: Provider,
  registryAddress: string,
  subjectId: string,
  options: { blockTag?: BlockTag; minRatioWad?: bigint } = {},
): Promise<SubjectCollateral | null> {
  const registry = ReserveRegistry__factory.connect(registryAddress, runner);
  const block = await runner.getBlock(options.blockTag ?? "latest");
  if (block === null) throw new Error(`block ${String(options.blockTag)} not found`);
  const at = { blockTag: block.number };
  if ((await runner.getCode(registryAddress, block.number)) === "0x") {
    throw new ChainError(`no contract at registry address ${registryAddress} (block ${block.number})`);
  }
  let config: Awaited<ReturnType<typeof registry.subject>>["config"];
  try {
    ({ config } = await registry.subject(subjectId, at));
  } catch (err) {
    if (isRevert(err)) return null;
    throw err;
  }
  const [[reservesWad, supplyWad, ratio, fresh], [roundId, updatedAt], [reservesRoundId], latestRoundId] =
    await Promise.all([
      registry.collateralization(subjectId, at),
      registry.collateralizationRound(subjectId, at),
      registry.reservesRound(subjectId, at),
      registry.latestRoundId(subjectId, at),
    ]);
  const dispute =
    latestRoundId === 0n
      ? undefined
      : await readDispute(registry, subjectId as Hex32, latestRoundId, { toBlock: block.number });
  // The round asked about is the latest: it is disputed exactly when the latest counts as disputed.
  const disputed = dispute?.latestDisputed ? summarizeDispute(dispute) : null;
  // Reserves are live for good from the first reserve wallet on, even once every wallet is removed.
  const reserveSource: Source = isLiveRoundId(reservesRoundId) ? "live" : "attested";
  const reserveAssetApproved =
    reserveSource === "attested" || (await registry.isApprovedReserveAsset(config.reserveAsset, at));
  const blockTime = BigInt(block.timestamp);
  return {
    subjectId,
    name: config.name,
    reservesWad,
    supplyWad,
    ratioWad: ratio,
    fresh,
    reserveSource,
    supplySource: config.token !== "0x0000000000000000000000000000000000000000" ? "live" : "attested",
    reserveAssetApproved,
    roundId,
    updatedAt,
    ageSeconds: disputed ? null : roundId === 0n ? 0n : blockTime - updatedAt,
    disputed,
    state: disputed ? "disputed" : backingState(roundId !== 0n, ratio, fresh, options.minRatioWad ?? WAD),
  };
}
