import type { Provider } from "ethers";
import { IERC20Metadata__factory, ReserveRegistry__factory } from "../../typechain-types";
import {
  type BackingState,
  backingState,
  readSubjectCollateral,
  type SubjectCollateral,
} from "../backing/collateral";
import { formatAmount } from "../core/amounts";
import { readRoundChallenges, type DisputeSummary, type RoundChallenges } from "../challenges/challenges";
import { toWad } from "../core/decimals";
import { disputeCauseText } from "../challenges/disputes";
import { PorError } from "../core/errors";
import { formatRatio, ratioWad } from "../core/ratio";
import { toChainError } from "../chain/registry-client";
import { isRevert } from "../core/revert";
import { connectRpc, UnreachableError, withRetry } from "../chain/rpc";
import { findSharedAuditorOwners, type SharedAuditorOwners } from "../safe/auditor-owners";
import { formatDuration, formatTimestamp } from "../core/time";
import type { Hex32 } from "../core/hex";
import type { BridgeCheck, Check, MonitorConfig, SubjectCheck } from "./config";

/**
 * A check's state: a BackingState; `disputed` when a subject's latest round counts as disputed (a
 * customer's challenge of it, or of an earlier round, went unanswered: nobody proved the balance the
 * custodian signed, and no snapshot after that settlement was posted); `challenged` when it has
 * open challenges, which its owner must answer before their deadline; `unreachable` when an RPC
 * endpoint failed every retry.
 */
export type CheckState = BackingState | "disputed" | "challenged" | "unreachable";

export interface CheckResult {
  check: Check;
  state: CheckState;
  /** Backing side (reserves, or the locked balance) in 18 decimals, when known. */
  reservesWad?: bigint;
  /** Backed side (supply, or the wrapped supply) in 18 decimals, when known. */
  supplyWad?: bigint;
  ratioWad?: bigint;
  /** Block read per network, so an alert can be reproduced. */
  blocks: Record<string, number>;
  /** A subject's latest round: disputed, open challenges (absent for a registry without challenges). */
  challenges?: RoundChallenges;
  /** A disputed subject's dispute, naming the settled challenge behind it. */
  disputed?: DisputeSummary;
  /**
   * A registered subject's listed auditors that one key signs for (Safes sharing an owner): a
   * warning printed beside the state, never a state of its own, so it leaves the exit code alone.
   */
  sharedAuditorOwners?: SharedAuditorOwners[];
  detail: string;
}

/**
 * `--once` exit codes (docs/monitor.md): a confirmed problem (a shortfall, or a disputed round) outranks
 * what still needs looking at (stale or missing data, an open challenge, an unreachable endpoint).
 */
export const EXIT_HEALTHY = 0;
export const EXIT_UNDERCOLLATERALIZED = 1;
export const EXIT_STALE_OR_UNREACHABLE = 2;

export function exitCodeFor(results: CheckResult[]): number {
  if (results.some((r) => r.state === "undercollateralized" || r.state === "disputed"))
    return EXIT_UNDERCOLLATERALIZED;
  if (results.some((r) => r.state !== "healthy")) return EXIT_STALE_OR_UNREACHABLE;
  return EXIT_HEALTHY;
}

/**
 * RPC connections by network name, opened on first use and kept across rounds. `providers` supplies
 * ready-made ones (an in-process network in the demo and tests); the others are opened from rpcUrl.
 */
export class Connections {
  private readonly open = new Map<string, Promise<Provider>>();
  private readonly given = new Set<string>();

  constructor(
    private readonly config: MonitorConfig,
    providers: Record<string, Provider> = {},
  ) {
    for (const [network, provider] of Object.entries(providers)) {
      this.open.set(network, Promise.resolve(provider));
      this.given.add(network);
    }
  }

  get(network: string): Promise<Provider> {
    let provider = this.open.get(network);
    if (provider === undefined) {
      const { rpcUrl, chainId } = this.config.networks[network]!;
      provider = connectRpc(rpcUrl, this.config.retry, chainId, `${network} (${rpcUrl})`);
      // A failed connection is retried from scratch next round rather than cached.
      provider.catch(() => this.open.delete(network));
      this.open.set(network, provider);
    }
    return provider;
  }

  /** The latest block on `network`, retried with backoff. */
  async block(network: string): Promise<{ provider: Provider; number: number }> {
    const provider = await this.get(network);
    const number = await withRetry(network, this.config.retry, () => provider.getBlockNumber());
    return { provider, number };
  }

  /** Closes the connections this object opened (not the ones it was given). */
  destroy(): void {
    for (const [network, provider] of this.open) {
      if (!this.given.has(network)) provider.then((p) => p.destroy()).catch(() => undefined);
    }
    this.open.clear();
  }
}

/** Evaluates every check once. Never throws for a check: failures become its state. */
export async function runChecks(config: MonitorConfig, connections: Connections): Promise<CheckResult[]> {
  return Promise.all(config.checks.map((check) => runCheck(check, config, connections)));
}

async function runCheck(check: Check, config: MonitorConfig, connections: Connections): Promise<CheckResult> {
  try {
    return check.type === "subject"
      ? await runSubjectCheck(check, config, connections)
      : await runBridgeCheck(check, config, connections);
  } catch (err) {
    if (err instanceof UnreachableError)
      return { check, state: "unreachable", blocks: {}, detail: err.message };
    // Anything else (a revert, undecodable data, a chain-id mismatch) means no trustworthy figure;
    // a revert is explained in words (toChainError) rather than as a raw custom error.
    const reason =
      err instanceof PorError
        ? err.message
        : isRevert(err)
          ? toChainError("reverted", err).message
          : ((err as { shortMessage?: string }).shortMessage ?? String(err));
    return { check, state: "missing", blocks: {}, detail: reason };
  }
}

async function runSubjectCheck(
  check: SubjectCheck,
  config: MonitorConfig,
  connections: Connections,
): Promise<CheckResult> {
  const { provider, number } = await connections.block(check.network);
  const reading = await withRetry(check.network, config.retry, () =>
    readSubjectCollateral(provider, check.registry, check.subjectId, {
      blockTag: number,
      minRatioWad: check.minRatioWad,
    }),
  );
  const blocks = { [check.network]: number };
  if (reading === null)
    return { check, state: "missing", blocks, detail: `subject not registered in ${check.registry}` };
  const sharedAuditorOwners = await withRetry(check.network, config.retry, () =>
    readSharedAuditorOwners(provider, check.registry, check.subjectId as Hex32, number),
  );
  const { reservesWad, supplyWad } = reading;
  if (reading.state === "missing")
    return { check, state: "missing", blocks, sharedAuditorOwners, detail: "nothing attested yet" };
  const challenges = await withRetry(check.network, config.retry, () =>
    readRoundChallenges(provider, check.registry, check.subjectId as Hex32, number),
  );
  const figures =
    `reserves ${formatWad(reservesWad)} / supply ${formatWad(supplyWad)} = ratio ${formatRatio(reading.ratioWad)}` +
    ` (min ${formatRatio(check.minRatioWad)})`;
  const result = { check, reservesWad, supplyWad, ratioWad: reading.ratioWad, blocks, sharedAuditorOwners };
  if (challenges === null)
    return { ...result, state: reading.state, detail: `${figures}, ${freshnessText(reading)}` };
  if (challenges.disputed) {
    const cause = disputeCauseText(reading.disputed?.challenge ?? null);
    return {
      ...result,
      challenges,
      ...(reading.disputed === null ? {} : { disputed: reading.disputed }),
      state: "disputed",
      detail:
        `${figures}; round ${challenges.roundId} is disputed: ${cause},` +
        " so its figures do not count until a round with a later snapshot is posted",
    };
  }
  const open = challenges.openChallenges === 0 ? "" : `; ${openChallengesText(challenges)}`;
  const state = reading.state !== "undercollateralized" && open !== "" ? "challenged" : reading.state;
  return { ...result, challenges, state, detail: `${figures}, ${freshnessText(reading)}${open}` };
}

/** The subject's listed auditors one key signs for, at `blockTag`. */
async function readSharedAuditorOwners(
  provider: Provider,
  registryAddress: string,
  subjectId: Hex32,
  blockTag: number,
): Promise<SharedAuditorOwners[]> {
  const [config] = await ReserveRegistry__factory.connect(registryAddress, provider).subject(subjectId, {
    blockTag,
  });
  return findSharedAuditorOwners(provider, config.auditors, { blockTag });
}

/** "1 open challenge of round 3, the first answer due by 2026-…Z". */
function openChallengesText(c: RoundChallenges): string {
  const count = `${c.openChallenges} open challenge${c.openChallenges === 1 ? "" : "s"} of round ${c.roundId}`;
  return c.nextDeadline === null
    ? count
    : `${count}, the first answer due by ${formatTimestamp(c.nextDeadline)}`;
}

async function runBridgeCheck(
  check: BridgeCheck,
  config: MonitorConfig,
  connections: Connections,
): Promise<CheckResult> {
  const [wrappedSide, lockedSide] = await Promise.all([
    connections.block(check.wrapped.network),
    connections.block(check.locked.network),
  ]);
  const read = <T>(network: string, call: () => Promise<T>) => withRetry(network, config.retry, call);
  const blocks = { [check.wrapped.network]: wrappedSide.number, [check.locked.network]: lockedSide.number };

  // A token address without code answers every call with empty data, which is no figure at all.
  const [wrappedCode, lockedCode] = await Promise.all([
    read(check.wrapped.network, () => wrappedSide.provider.getCode(check.wrapped.token, wrappedSide.number)),
    read(check.locked.network, () => lockedSide.provider.getCode(check.locked.token, lockedSide.number)),
  ]);
  const noCode = [
    ...(wrappedCode === "0x" ? [`wrapped token ${check.wrapped.token} on ${check.wrapped.network}`] : []),
    ...(lockedCode === "0x" ? [`locked token ${check.locked.token} on ${check.locked.network}`] : []),
  ];
  if (noCode.length > 0) {
    return { check, state: "missing", blocks, detail: `no contract at ${noCode.join(", nor at ")}` };
  }

  const wrapped = IERC20Metadata__factory.connect(check.wrapped.token, wrappedSide.provider);
  const wrappedAt = { blockTag: wrappedSide.number };
  const [wrappedSupply, wrappedDecimals] = await Promise.all([
    read(check.wrapped.network, () => wrapped.totalSupply(wrappedAt)),
    read(check.wrapped.network, () => wrapped.decimals(wrappedAt)),
  ]);

  const original = IERC20Metadata__factory.connect(check.locked.token, lockedSide.provider);
  const lockedAt = { blockTag: lockedSide.number };
  const [balances, lockedDecimals] = await Promise.all([
    Promise.all(
      check.locked.holders.map((h) => read(check.locked.network, () => original.balanceOf(h, lockedAt))),
    ),
    read(check.locked.network, () => original.decimals(lockedAt)),
  ]);

  const reservesWad = toWad(
    balances.reduce((a, b) => a + b, 0n),
    Number(lockedDecimals),
  );
  const supplyWad = toWad(wrappedSupply, Number(wrappedDecimals));
  const ratio = ratioWad(reservesWad, supplyWad);
  const state = backingState(true, ratio, true, check.minRatioWad);
  const detail =
    `locked ${formatWad(reservesWad)} on ${check.locked.network} / wrapped ${formatWad(supplyWad)} on ${check.wrapped.network}` +
    ` = ratio ${formatRatio(ratio)} (min ${formatRatio(check.minRatioWad)})`;
  return { check, state, reservesWad, supplyWad, ratioWad: ratio, blocks, detail };
}

function freshnessText(reading: SubjectCollateral): string {
  if (!reading.reserveAssetApproved) return "stale: the reserve asset was revoked by the registry admin";
  if (reading.fresh) return "fresh";
  return reading.ageSeconds === null ? "stale" : `stale: ${formatDuration(reading.ageSeconds)} old`;
}

function formatWad(value: bigint): string {
  return formatAmount(value, 18);
}
