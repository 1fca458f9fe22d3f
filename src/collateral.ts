import type { BlockTag, Provider } from "ethers";
import { ReserveRegistry__factory } from "../typechain-types";
import { ChainError } from "./errors";
import { isRevert } from "./revert";
import { WAD } from "./ratio";

/** Where a side of the ratio comes from. */
export type Source = "live" | "attested";

/**
 * Health of one backing: `missing` (unknown subject or nothing attested yet), `undercollateralized`
 * (ratio below the threshold), `stale` (attested data older than the heartbeat), else `healthy`.
 * A ratio below the threshold wins over staleness: it is the more actionable alarm.
 */
export type BackingState = "healthy" | "undercollateralized" | "stale" | "missing";

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
  /** Registry round behind the figures (block number when both sides are live); 0 if none. */
  roundId: bigint;
  /** Unix time the figures were observed (attestation asOf, or the block time when live). */
  updatedAt: bigint;
  /** Seconds between updatedAt and the block read. */
  ageSeconds: bigint;
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
  const [[reservesWad, supplyWad, ratio, fresh], [roundId, updatedAt], wallets] = await Promise.all([
    registry.collateralization(subjectId, at),
    registry.collateralizationRound(subjectId, at),
    registry.reserveWallets(subjectId, at),
  ]);
  const blockTime = BigInt(block.timestamp);
  return {
    subjectId,
    name: config.name,
    reservesWad,
    supplyWad,
    ratioWad: ratio,
    fresh,
    reserveSource: wallets.length > 0 ? "live" : "attested",
    supplySource: config.token !== "0x0000000000000000000000000000000000000000" ? "live" : "attested",
    roundId,
    updatedAt,
    ageSeconds: roundId === 0n ? 0n : blockTime - updatedAt,
    state: backingState(roundId !== 0n, ratio, fresh, options.minRatioWad ?? WAD),
  };
}
