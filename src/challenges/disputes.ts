import type { LiabilityChallenges, ReserveRegistry } from "../../typechain-types";
import type { Hex32 } from "../core/hex";

/**
 * Why a round reads as disputed (docs/protocol.md "Rounds and freshness"), and the challenge that
 * caused it. A round is disputed when a challenge of it was settled unanswered
 * (`registry.isDisputed`); the subject's latest round counts as disputed while its snapshot is not
 * after the subject's last such settlement (`solvency().disputed`). Browser-safe: callers pass the
 * contracts, so the web pages connect them with ABIs alone (no factories with bytecode).
 */

/** A challenge settled unanswered (its ChallengeSettled event): it disputed its round. */
export interface SettledChallenge {
  challengeId: bigint;
  subjectId: Hex32;
  roundId: bigint;
  blockNumber: number;
  transactionHash: string;
}

/** Where settlement events are read: a registry's deployment block keeps the log query cheap. */
export interface SettlementRange {
  fromBlock?: number;
  /** Also the block the views are read at (default latest). */
  toBlock?: number;
}

/**
 * The ChallengeSettled events from `fromBlock` (default 0) to `toBlock` (default latest), of one
 * subject (and round) or of every subject, in the order they were settled.
 */
export async function listSettledChallenges(
  challenges: Pick<LiabilityChallenges, "filters" | "queryFilter">,
  filter: { subjectId?: Hex32; roundId?: bigint } & SettlementRange = {},
): Promise<SettledChallenge[]> {
  const events = await challenges.queryFilter(
    challenges.filters.ChallengeSettled(undefined, filter.subjectId, filter.roundId),
    filter.fromBlock ?? 0,
    filter.toBlock ?? "latest",
  );
  return events
    .map((event) => ({
      challengeId: event.args.challengeId,
      subjectId: event.args.subjectId.toLowerCase() as Hex32,
      roundId: event.args.roundId,
      blockNumber: event.blockNumber,
      transactionHash: event.transactionHash,
      logIndex: event.index,
    }))
    .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
    .map(({ logIndex: _, ...settled }) => settled);
}

/** The settlement that disputed round `roundId`: its first (a later one of the same round changes nothing). */
export function settlementDisputing(
  settled: readonly SettledChallenge[],
  subjectId: Hex32,
  roundId: bigint,
): SettledChallenge | undefined {
  return settled.find((s) => s.subjectId === subjectId.toLowerCase() && s.roundId === roundId);
}

/**
 * The settlement behind the subject's last dispute, the one its latest round's snapshot is measured
 * against: the latest first settlement of a round (the registry records a round's dispute once).
 */
export function lastDisputeOf(
  settled: readonly SettledChallenge[],
  subjectId: Hex32,
): SettledChallenge | undefined {
  const id = subjectId.toLowerCase();
  const disputedRounds = new Set<bigint>();
  let last: SettledChallenge | undefined;
  for (const s of settled) {
    if (s.subjectId !== id || disputedRounds.has(s.roundId)) continue;
    disputedRounds.add(s.roundId);
    last = s;
  }
  return last;
}

/** Whether round `roundId` reads as disputed, and the challenge that caused it. */
export interface RoundDispute {
  roundId: bigint;
  latestRoundId: bigint;
  /** registry.isDisputed: a challenge of this round was settled unanswered. */
  roundDisputed: boolean;
  /** solvency().disputed: the latest round's snapshot is not after the subject's last settled dispute. */
  latestDisputed: boolean;
  /**
   * The settled challenge behind it (the round's own when it is disputed, else the subject's last);
   * null when the settlement events could not be read or lie before the range read.
   */
  cause: SettledChallenge | null;
}

/**
 * Round `roundId` of `subjectId` as a customer holding its proof should read it: disputed when the
 * round itself is, or when the latest round (the round itself, or one superseding it) counts as
 * disputed. Undefined when neither is. Two view calls; the settlement events only when disputed.
 */
export async function readRoundDispute(
  registry: Pick<ReserveRegistry, "isDisputed">,
  challenges: Pick<LiabilityChallenges, "solvency" | "filters" | "queryFilter">,
  subjectId: Hex32,
  roundId: bigint,
  range: SettlementRange = {},
): Promise<RoundDispute | undefined> {
  const at = range.toBlock === undefined ? {} : { blockTag: range.toBlock };
  const [roundDisputed, solvency] = await Promise.all([
    registry.isDisputed(subjectId, roundId, at),
    challenges.solvency(subjectId, at),
  ]);
  if (!roundDisputed && !solvency.disputed) return undefined;
  let cause: SettledChallenge | null = null;
  try {
    const settled = await listSettledChallenges(challenges, { subjectId, ...range });
    cause =
      (roundDisputed
        ? settlementDisputing(settled, subjectId, roundId)
        : lastDisputeOf(settled, subjectId)) ?? null;
  } catch {
    // An RPC that refuses the log query: the dispute stands, unnamed.
  }
  return {
    roundId,
    latestRoundId: solvency.roundId,
    roundDisputed,
    latestDisputed: solvency.disputed,
    cause,
  };
}

/** "challenge 3 of round 2 went unanswered (settled in block 120)", or the plain fact without a name. */
export function disputeCauseText(cause: SettledChallenge | null): string {
  if (cause === null) return "a customer's challenge went unanswered";
  return `challenge ${cause.challengeId} of round ${cause.roundId} went unanswered (settled in block ${cause.blockNumber})`;
}
