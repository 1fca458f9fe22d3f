import { getAddress, parseUnits, ZeroAddress } from "ethers";
import type { BlockTag, ContractRunner, Provider } from "ethers";
import type { LiabilityChallenges, ReserveRegistry } from "../../typechain-types";
import { LiabilityChallenges__factory } from "../../typechain-types/factories/contracts/LiabilityChallenges__factory";
import { ReserveRegistry__factory } from "../../typechain-types/factories/contracts/ReserveRegistry__factory";
import { disputeCauseText, readRoundDispute } from "./disputes";
import type { RoundDispute, SettledChallenge, SettlementRange } from "./disputes";
import { ChainError, InvalidArgumentError } from "../core/errors";
import type { Address, Hex32 } from "../core/hex";
import { call, toChainError } from "../chain/registry-client";
import { isEmptyRevert } from "../core/revert";
import type { BalanceStatementFile } from "./statement-file";
import { formatSubjectId } from "../core/subject-id";
import { formatDuration, parseDuration } from "../core/time";
import type { PlannedCall } from "../chain/transactions";

/**
 * Customer challenges (ILiabilityChallenges, docs/protocol.md): reading a registry's challenge
 * contract, a subject's settings and its challenges, and planning the calls the CLI sends through
 * the send pipeline (transactions.ts). The proof that answers a challenge: challenge-answer.ts.
 */

/** Longest challenge window a subject may set (LiabilityChallenges.MAX_CHALLENGE_WINDOW). */
export const MAX_CHALLENGE_WINDOW_SECONDS = 30 * 86_400;

/** Where a challenge stands: open until answered (proof in time) or settled (none: round disputed). */
export type ChallengeStatus = "open" | "answered" | "settled";

const STATUSES: readonly ChallengeStatus[] = ["open", "answered", "settled"];

/** A challenge as the contract stores it, with its id. */
export interface Challenge {
  challengeId: bigint;
  subjectId: Hex32;
  roundId: bigint;
  /** Last second an answer is accepted; settling is possible after it. */
  deadline: bigint;
  status: ChallengeStatus;
  challenger: Address;
  /** Bond paid, in wei. */
  bond: bigint;
  accountCommitment: Hex32;
  /** The statement's balance, in the subject's base units: an answer must prove exactly this. */
  balance: bigint;
}

/** A listed challenge: where it was opened. */
export interface ListedChallenge extends Challenge {
  openedAtBlock: number;
  openedInTx: string;
}

/** A subject's challenge settings, as they apply to rounds posted from now on. */
export interface ChallengeSettings {
  subjectId: Hex32;
  /** The registry's challenge contract. */
  challenges: Address;
  /** The key that signs customers' balance statements, null for none. */
  statementSigner: Address | null;
  /** 0: rounds posted now cannot be challenged. */
  windowSeconds: number;
  /** Wei a challenge takes. */
  bond: bigint;
}

/**
 * The address of the registry's challenge contract (`challenges()`), or null for a registry
 * deployed before customer challenges existed (it has no such function: the call reverts empty).
 */
export async function challengesAddress(
  registry: ReserveRegistry,
  blockTag?: BlockTag,
): Promise<Address | null> {
  try {
    return getAddress(await registry.challenges(blockTag === undefined ? {} : { blockTag })) as Address;
  } catch (err) {
    // Empty revert data: no such function.
    if (isEmptyRevert(err)) return null;
    throw toChainError("reading the registry's challenge contract", err);
  }
}

/**
 * The registry's challenge contract, connected to `runner` (default the registry's); one line for
 * a registry that has none.
 */
export async function challengesContract(
  registry: ReserveRegistry,
  runner: ContractRunner | null = registry.runner,
): Promise<LiabilityChallenges> {
  const address = await challengesAddress(registry);
  if (address === null) {
    throw new ChainError(
      `registry ${await registry.getAddress()} has no challenge contract: it was deployed before customer challenges existed`,
    );
  }
  return LiabilityChallenges__factory.connect(address, runner);
}

/** `subjectId`'s statement signer, challenge window and the bond, read from `challenges`. */
export async function readChallengeSettings(
  challenges: LiabilityChallenges,
  subjectId: Hex32,
): Promise<ChallengeSettings> {
  const [signer, windowSeconds, bond] = await call("reading the challenge settings", () =>
    Promise.all([
      challenges.statementSigner(subjectId),
      challenges.challengeWindow(subjectId),
      challenges.challengeBond(subjectId),
    ]),
  );
  return {
    subjectId,
    challenges: getAddress(await challenges.getAddress()) as Address,
    statementSigner: signer === ZeroAddress ? null : (getAddress(signer) as Address),
    windowSeconds: Number(windowSeconds),
    bond,
  };
}

/** Challenge `challengeId` (ChainError "there is no challenge N" for an unknown id). */
export async function readChallenge(
  challenges: LiabilityChallenges,
  challengeId: bigint,
  blockTag?: BlockTag,
): Promise<Challenge> {
  const c = await call(`reading challenge ${challengeId}`, () =>
    challenges.getChallenge(challengeId, blockTag === undefined ? {} : { blockTag }),
  );
  return {
    challengeId,
    subjectId: c.subjectId.toLowerCase() as Hex32,
    roundId: c.roundId,
    deadline: c.deadline,
    status: STATUSES[Number(c.status) - 1] ?? "open",
    challenger: getAddress(c.challenger) as Address,
    bond: c.bond,
    accountCommitment: c.accountCommitment.toLowerCase() as Hex32,
    balance: c.balance,
  };
}

/**
 * The challenges opened from block `fromBlock` (default 0: on an RPC that limits log ranges, pass
 * the registry's deployment block) to `toBlock` (default the latest), oldest first, each read at
 * `toBlock`: from the ChallengeOpened events (filtered by subject and round when given), with the
 * status the contract holds now.
 */
export async function listChallenges(
  challenges: LiabilityChallenges,
  options: { subjectId?: Hex32; roundId?: bigint; fromBlock?: number; toBlock?: number } = {},
): Promise<{ blockNumber: number; challenges: ListedChallenge[] }> {
  const provider = providerOf(challenges);
  const toBlock =
    options.toBlock ?? (await call("reading the latest block", () => provider.getBlockNumber()));
  const filter = challenges.filters.ChallengeOpened(undefined, options.subjectId, options.roundId);
  const events = await call("reading challenge events", () =>
    challenges.queryFilter(filter, options.fromBlock ?? 0, toBlock),
  );
  const listed = await Promise.all(
    events.map(async (event) => ({
      ...(await readChallenge(challenges, event.args.challengeId, toBlock)),
      openedAtBlock: event.blockNumber,
      openedInTx: event.transactionHash,
    })),
  );
  listed.sort((a, b) => (a.challengeId < b.challengeId ? -1 : 1));
  return { blockNumber: toBlock, challenges: listed };
}

/** The challenge id a `challenge(…)` transaction opened, from its ChallengeOpened event. */
export async function openedChallengeId(
  challenges: LiabilityChallenges,
  transactionHash: string,
): Promise<{ challengeId: bigint; deadline: bigint }> {
  const receipt = await call("reading the receipt", () =>
    providerOf(challenges).getTransactionReceipt(transactionHash),
  );
  const address = (await challenges.getAddress()).toLowerCase();
  for (const log of receipt?.logs ?? []) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = challenges.interface.parseLog(log);
    if (parsed?.name === "ChallengeOpened") {
      return { challengeId: parsed.args.challengeId as bigint, deadline: parsed.args.deadline as bigint };
    }
  }
  throw new ChainError(`transaction ${transactionHash} opened no challenge`);
}

/** What a watcher needs about a subject's latest round: disputed, and its open challenges. */
export interface RoundChallenges {
  roundId: bigint;
  disputed: boolean;
  openChallenges: number;
  /** The earliest deadline among the open challenges, when they could be listed. */
  nextDeadline: bigint | null;
}

/**
 * The latest round's dispute state and open challenges at `blockTag`, or null for a registry
 * deployed before challenges existed (it has none). The next deadline comes from the challenge
 * events, read only when a challenge is open; null if they cannot be read.
 */
export async function readRoundChallenges(
  provider: Provider,
  registryAddress: string,
  subjectId: Hex32,
  blockTag: number,
): Promise<RoundChallenges | null> {
  const registry = ReserveRegistry__factory.connect(registryAddress, provider);
  const address = await challengesAddress(registry, blockTag);
  if (address === null) return null;
  const challenges = LiabilityChallenges__factory.connect(address, provider);
  const solvency = await challenges.solvency(subjectId, { blockTag });
  const result: RoundChallenges = {
    roundId: solvency.roundId,
    disputed: solvency.disputed,
    openChallenges: Number(solvency.openChallenges),
    nextDeadline: null,
  };
  if (result.openChallenges > 0) {
    try {
      const listed = await listChallenges(challenges, {
        subjectId,
        roundId: result.roundId,
        toBlock: blockTag,
      });
      const deadlines = listed.challenges.filter((c) => c.status === "open").map((c) => c.deadline);
      result.nextDeadline = deadlines.reduce<bigint | null>((a, d) => (a === null || d < a ? d : a), null);
    } catch {
      // An RPC that limits log ranges: the count stands without a deadline.
    }
  }
  return result;
}

/**
 * Round `roundId` of `subjectId` as a reader should take it after customer challenges
 * (disputes.ts readRoundDispute: the round itself disputed, or the latest round, which is the round
 * or one superseding it, counting as disputed), read at `range.toBlock` (default latest). Undefined
 * when neither is, and for a registry deployed before challenges existed.
 */
export async function readDispute(
  registry: ReserveRegistry,
  subjectId: Hex32,
  roundId: bigint,
  range: SettlementRange = {},
): Promise<RoundDispute | undefined> {
  const address = await challengesAddress(registry, range.toBlock);
  if (address === null) return undefined;
  const challenges = LiabilityChallenges__factory.connect(address, registry.runner);
  return call("reading the round's disputes", () =>
    readRoundDispute(registry, challenges, subjectId, roundId, range),
  );
}

/** A dispute as read commands report it (`disputed` in their --json): the facts and one sentence. */
export interface DisputeSummary {
  /** The round asked about. */
  roundId: bigint;
  /** The subject's latest round when read. */
  latestRoundId: bigint;
  /** A challenge of `roundId` itself was settled unanswered. */
  roundDisputed: boolean;
  /** The latest round counts as disputed (no snapshot after the last settlement yet). */
  latestDisputed: boolean;
  /** The settled challenge that caused it; null when its event could not be read. */
  challenge: SettledChallenge | null;
  /** describeDispute's sentence. */
  reason: string;
}

export function summarizeDispute(dispute: RoundDispute): DisputeSummary {
  const { roundId, latestRoundId, roundDisputed, latestDisputed, cause } = dispute;
  return {
    roundId,
    latestRoundId,
    roundDisputed,
    latestDisputed,
    challenge: cause,
    reason: describeDispute(dispute),
  };
}

/**
 * Why round `roundId` reads as disputed, naming the challenge: "round 2 is disputed: challenge 1
 * of round 2 went unanswered (settled in block 120)"; "round 3 counts as disputed: …, and no round
 * with a later snapshot was posted since"; "round 1 is superseded by round 3, which counts as
 * disputed: …".
 */
export function describeDispute(dispute: RoundDispute): string {
  const cause = disputeCauseText(dispute.cause);
  if (dispute.roundDisputed) return `round ${dispute.roundId} is disputed: ${cause}`;
  if (dispute.latestRoundId === dispute.roundId)
    return `round ${dispute.roundId} counts as disputed: ${cause}, and no round with a later snapshot was posted since`;
  return `round ${dispute.roundId} is superseded by round ${dispute.latestRoundId}, which counts as disputed: ${cause}`;
}

// ---------------------------------------------------------------------------- input parsing

/**
 * A challenge window: a duration (`3600`, `12h`, `7d`) up to 30 days, or `0` / `off` for none.
 */
export function parseChallengeWindow(text: string, field = "--window"): number {
  if (/^\s*(0+|off)\s*$/i.test(text)) return 0;
  const seconds = parseDuration(text, field);
  if (seconds > MAX_CHALLENGE_WINDOW_SECONDS) {
    throw new InvalidArgumentError(
      `${field} must be at most ${formatDuration(MAX_CHALLENGE_WINDOW_SECONDS)}, got ${formatDuration(seconds)}`,
    );
  }
  return seconds;
}

const NATIVE_UNITS: Record<string, number> = { wei: 0, gwei: 9, eth: 18, ether: 18 };

/**
 * An amount of the chain's native currency in wei: `0.01` or `0.01 ETH` (ether), `10 gwei`,
 * `10000 wei`. Exact: more fractional digits than the unit has are refused.
 */
export function parseNativeAmount(text: string, field = "amount"): bigint {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const decimals = match ? NATIVE_UNITS[(match[2] || "eth").toLowerCase()] : undefined;
  if (!match || decimals === undefined) {
    throw new InvalidArgumentError(`${field} must be an amount such as 0.01 (ETH), 10gwei or 1000wei`, {
      details: `got ${JSON.stringify(text)}`,
    });
  }
  try {
    return parseUnits(match[1]!, decimals);
  } catch {
    throw new InvalidArgumentError(`${field} has more decimals than ${match[2] || "ETH"} allows`, {
      details: `got ${JSON.stringify(text)}`,
    });
  }
}

// ---------------------------------------------------------------------------- planned calls

/** Opens a challenge of the statement's round with exactly `bond` wei. */
export function planOpenChallenge(
  challenges: Address,
  file: BalanceStatementFile,
  bond: bigint,
): PlannedCall {
  return {
    description: `challenge round ${file.roundId} of subject ${formatSubjectId(file.subjectId)} with a statement of balance ${file.balance} for ${file.accountCommitment}, bond ${bond} wei`,
    to: challenges,
    data: challengesInterface.encodeFunctionData("challenge", [
      file.subjectId,
      file.roundId,
      file.accountCommitment,
      file.balance,
      file.signature,
    ]),
    value: bond,
  };
}

/** Answers challenge `challengeId` with its inclusion proof (ProofStep[], leaf to root). */
export function planAnswerChallenge(
  challenges: Address,
  challengeId: bigint,
  proof: ReadonlyArray<{ hash: string; sum: bigint }>,
): PlannedCall {
  return {
    description: `answer challenge ${challengeId} with a ${proof.length}-step inclusion proof`,
    to: challenges,
    data: challengesInterface.encodeFunctionData("answerChallenge", [
      challengeId,
      proof.map((s) => ({ hash: s.hash, sum: s.sum })),
    ]),
  };
}

/** Settles challenge `challengeId` after its deadline: its round becomes disputed. */
export function planSettleChallenge(challenges: Address, challengeId: bigint): PlannedCall {
  return {
    description: `settle challenge ${challengeId}: its round becomes disputed`,
    to: challenges,
    data: challengesInterface.encodeFunctionData("settleChallenge", [challengeId]),
  };
}

/** Withdraws the bonds owed to the sender (`amount` wei, for the description). */
export function planWithdrawBonds(challenges: Address, amount: bigint): PlannedCall {
  return {
    description: `withdraw ${amount} wei of bonds`,
    to: challenges,
    data: challengesInterface.encodeFunctionData("withdraw"),
  };
}

/** Names `signer` (zero address: none) as the subject's statement signer. Subject owner only. */
export function planSetStatementSigner(challenges: Address, subjectId: Hex32, signer: Address): PlannedCall {
  return {
    description: `set the statement signer of subject ${formatSubjectId(subjectId)} to ${signer === ZeroAddress ? "none" : signer}`,
    to: challenges,
    data: challengesInterface.encodeFunctionData("setStatementSigner", [subjectId, signer]),
  };
}

/** Sets the subject's challenge window (0: none) for rounds posted from then on. Subject owner only. */
export function planSetChallengeWindow(
  challenges: Address,
  subjectId: Hex32,
  windowSeconds: number,
): PlannedCall {
  return {
    description: `set the challenge window of subject ${formatSubjectId(subjectId)} to ${windowSeconds === 0 ? "0 (no challenges)" : formatDuration(windowSeconds)}`,
    to: challenges,
    data: challengesInterface.encodeFunctionData("setChallengeWindow", [subjectId, windowSeconds]),
  };
}

/** Sets the bond every challenge takes, in wei. Registry admin only. */
export function planSetChallengeBond(challenges: Address, bond: bigint): PlannedCall {
  return {
    description: `set the challenge bond to ${bond} wei`,
    to: challenges,
    data: challengesInterface.encodeFunctionData("setChallengeBond", [bond]),
  };
}

const challengesInterface = LiabilityChallenges__factory.createInterface();

function providerOf(challenges: LiabilityChallenges): Provider {
  const provider = challenges.runner?.provider;
  if (!provider) throw new ChainError("the challenge contract is not connected to a provider");
  return provider;
}
