import { getAddress, ZeroAddress } from "ethers";
import type { ReserveRegistry } from "../../typechain-types";
import { IERC20Metadata__factory } from "../../typechain-types";
import { ChainError, InvalidArgumentError } from "../core/errors";
import { isLiveRoundId } from "../core/feed-rounds";
import type { Address, Hex32 } from "../core/hex";
import { call, registryInterface } from "../chain/registry-client";
import type { SubjectInfo } from "../chain/registry-client";
import { isRevert } from "../core/revert";
import { parseSubjectConfig } from "./config";
import type { SubjectConfig, SubjectConfigInput } from "./config";
import { formatSubjectId } from "../core/subject-id";
import { formatDuration } from "../core/time";

/**
 * `por subject update`: the new config (the current one with the given fields replaced), what
 * changes, and what the registry's updateSubject would refuse, found before anything is sent.
 * Reading the chain (readSubjectUpdateFacts) is separate from judging (findUpdateProblems), which
 * is pure so that every rule is tested without a chain.
 */

/** One field of a subject config that an update changes. */
export type SubjectConfigChange =
  | { field: "name"; from: string; to: string }
  | { field: "decimals" | "heartbeatSeconds" | "quorum"; from: number; to: number }
  | { field: "token" | "reserveAsset"; from: Address; to: Address }
  | { field: "auditors"; added: Address[]; removed: Address[] };

/** What the registry knows that decides whether an update of a subject is accepted. */
export interface SubjectUpdateFacts {
  subjectId: Hex32;
  owner: Address;
  /** The stored config. */
  current: SubjectConfig;
  /** The subject's latest round, 0 before the first: from round 1 on, token and reserve asset are frozen. */
  latestRoundId: bigint;
  /** Whether a reserve wallet was ever added (reserves are then read live for good, and frozen too). */
  reservesLive: boolean;
  /** Name and accreditation of every auditor in the current or the new config. */
  auditors: Map<Address, { name: string; accredited: boolean }>;
  /** Whether the new config's reserve asset is approved now (true when it is none). */
  reserveAssetApproved: boolean;
  /**
   * What the new config's token answers to `decimals()`, read only when the token changes to a
   * non-zero address (the registry checks it only then): a number, "no-code" or "not-a-token";
   * null when not read or when the token could not be judged (the registry then decides).
   */
  newTokenDecimals: number | "no-code" | "not-a-token" | null;
  /** The registry's MAX_HEARTBEAT. */
  maxHeartbeatSeconds: number;
  /** The registry's MAX_AUDITORS_PER_SUBJECT. */
  maxAuditors: number;
}

/** A refusal the registry would answer with `error`, in the user's terms. */
export interface UpdateProblem {
  /** The registry's custom error this stands for, e.g. "TokenFrozen". */
  error: string;
  message: string;
}

/** A SubjectInfo (as readSubject returns it) as the SubjectConfig it stores. */
export function subjectConfigOf(info: SubjectInfo): SubjectConfig {
  return {
    name: info.name,
    decimals: info.decimals,
    token: info.token,
    reserveAsset: info.reserveAsset,
    heartbeatSeconds: Number(info.heartbeatSeconds),
    quorum: info.quorum,
    auditors: info.auditors.map((a) => a.address),
  };
}

/** Whether `input` names at least one config field. */
export function hasConfigFields(input: SubjectConfigInput): boolean {
  return (["name", "decimals", "token", "reserveAsset", "heartbeat", "quorum", "auditors"] as const).some(
    (key) => input[key] !== undefined,
  );
}

/**
 * The config an update sends: `current` with the fields `input` gives replaced (validated as for
 * registration; the zero address removes a token or reserve asset). An auditor list naming the
 * same auditors as the current one in another order keeps the current order, so it is no change.
 */
export function mergeSubjectConfig(current: SubjectConfig, input: SubjectConfigInput): SubjectConfig {
  const next = parseSubjectConfig({
    name: input.name ?? current.name,
    decimals: input.decimals ?? current.decimals,
    token: input.token ?? current.token,
    reserveAsset: input.reserveAsset ?? current.reserveAsset,
    heartbeat: input.heartbeat ?? current.heartbeatSeconds,
    quorum: input.quorum ?? current.quorum,
    auditors: input.auditors ?? current.auditors,
  });
  return {
    ...next,
    // The stored name is kept byte for byte unless a new one is given (parsing trims).
    name: input.name === undefined ? current.name : next.name,
    auditors: sameMembers(next.auditors, current.auditors) ? current.auditors : next.auditors,
  };
}

/** The fields `next` changes from `current`, in config order; empty when it changes nothing. */
export function diffSubjectConfig(current: SubjectConfig, next: SubjectConfig): SubjectConfigChange[] {
  const changes: SubjectConfigChange[] = [];
  if (next.name !== current.name) changes.push({ field: "name", from: current.name, to: next.name });
  for (const field of ["decimals", "token", "reserveAsset", "heartbeatSeconds", "quorum"] as const) {
    if (next[field] !== current[field]) {
      changes.push({ field, from: current[field], to: next[field] } as SubjectConfigChange);
    }
  }
  const added = unique(next.auditors.filter((a) => !current.auditors.includes(a)));
  const removed = current.auditors.filter((a) => !next.auditors.includes(a));
  const reordered = added.length === 0 && removed.length === 0 && !sameOrder(next.auditors, current.auditors);
  if (added.length > 0 || removed.length > 0 || reordered)
    changes.push({ field: "auditors", added, removed });
  return changes;
}

/**
 * Everything updateSubject would refuse for `next`, sent by `sender`, in the order the registry
 * checks it (so the first is the error it would revert with): NotSubjectOwner, DecimalsFrozen,
 * TokenFrozen, ReserveAssetFrozen, InvalidHeartbeat, NotAContract / NotAToken / DecimalsMismatch for
 * a new token, ReserveAssetNotApproved for a new reserve asset, TooManyAuditors, InvalidQuorum,
 * AuditorNotAccredited and DuplicateAuditor. Empty when the registry would accept it.
 */
export function findUpdateProblems(
  facts: SubjectUpdateFacts,
  next: SubjectConfig,
  sender: string,
): UpdateProblem[] {
  const { current } = facts;
  const label = formatSubjectId(facts.subjectId);
  const problems: UpdateProblem[] = [];
  const add = (error: string, message: string) => problems.push({ error, message });

  if (getAddress(sender) !== facts.owner) {
    add(
      "NotSubjectOwner",
      `${getAddress(sender)} is not the owner of subject ${label}: only its owner ${facts.owner} can update it`,
    );
  }
  if (next.decimals !== current.decimals) {
    add(
      "DecimalsFrozen",
      `decimals cannot change (${current.decimals} → ${next.decimals}): auditors sign amounts in the` +
        ` subject's decimals; register a new subject instead`,
    );
  }
  const backedBy = backingReason(facts);
  if (backedBy !== null) {
    if (next.token !== current.token) {
      add(
        "TokenFrozen",
        `the token cannot change (${describeAddress(current.token)} → ${describeAddress(next.token)}) since ${backedBy}:` +
          ` it would change every ratio without an auditor; register a new subject instead`,
      );
    }
    if (next.reserveAsset !== current.reserveAsset) {
      add(
        "ReserveAssetFrozen",
        `the reserve asset cannot change (${describeAddress(current.reserveAsset)} → ${describeAddress(next.reserveAsset)})` +
          ` since ${backedBy}: what backs the subject is fixed; register a new subject instead`,
      );
    }
  }
  if (next.heartbeatSeconds > facts.maxHeartbeatSeconds) {
    add(
      "InvalidHeartbeat",
      `heartbeat ${formatDuration(next.heartbeatSeconds)} is above the registry's maximum of ${formatDuration(facts.maxHeartbeatSeconds)}`,
    );
  }
  if (next.token !== ZeroAddress && next.token !== current.token) {
    const decimals = facts.newTokenDecimals;
    if (decimals === "no-code") add("NotAContract", `token ${next.token} has no contract on this chain`);
    else if (decimals === "not-a-token") {
      add("NotAToken", `token ${next.token} does not answer ERC20 decimals(): it is not a token`);
    } else if (decimals !== null && decimals !== next.decimals) {
      add(
        "DecimalsMismatch",
        `token ${next.token} has ${decimals} decimals, the subject ${next.decimals}: a subject's token must` +
          ` use its decimals, which never change`,
      );
    }
  }
  if (
    next.reserveAsset !== ZeroAddress &&
    next.reserveAsset !== current.reserveAsset &&
    !facts.reserveAssetApproved
  ) {
    add(
      "ReserveAssetNotApproved",
      `reserve asset ${next.reserveAsset} is not approved in this registry` +
        ` (the registry admin approves it with \`por asset approve ${next.reserveAsset}\`)`,
    );
  }
  if (next.auditors.length > facts.maxAuditors) {
    add(
      "TooManyAuditors",
      `${next.auditors.length} auditors listed, the registry allows at most ${facts.maxAuditors}`,
    );
  }
  if (next.quorum > next.auditors.length) {
    add(
      "InvalidQuorum",
      `a quorum of ${next.quorum} is more than the ${next.auditors.length} auditors listed`,
    );
  }
  const seen = new Set<Address>();
  for (const auditor of next.auditors) {
    const info = facts.auditors.get(auditor);
    if (!info?.accredited) {
      add(
        "AuditorNotAccredited",
        current.auditors.includes(auditor)
          ? `auditor ${auditor}${info?.name ? ` (${info.name})` : ""} was revoked by the registry admin: remove it from the auditors`
          : `auditor ${auditor} is not accredited in this registry (the registry admin accredits it with \`por auditor accredit\`)`,
      );
    }
    if (seen.has(auditor)) add("DuplicateAuditor", `auditor ${auditor} is listed twice`);
    seen.add(auditor);
  }
  return problems;
}

/**
 * Throws the first of findUpdateProblems as one InvalidArgumentError line (saying how many more
 * there are), or returns when the registry would accept the update.
 */
export function checkSubjectUpdate(facts: SubjectUpdateFacts, next: SubjectConfig, sender: string): void {
  const [first, ...rest] = findUpdateProblems(facts, next, sender);
  if (first === undefined) return;
  const more = rest.length === 0 ? "" : ` (and ${rest.length} more problem${rest.length === 1 ? "" : "s"})`;
  throw new InvalidArgumentError(`${first.message}${more}`);
}

/**
 * Reads what decides an update of a subject (`info`, as readSubject returned it) to `next`: owner,
 * latest round, whether a reserve wallet was ever added, the accreditation of every
 * auditor named, the approval of a new reserve asset, the decimals of a new token, and the
 * registry's limits.
 */
export async function readSubjectUpdateFacts(
  registry: ReserveRegistry,
  info: SubjectInfo,
  next: SubjectConfig,
): Promise<SubjectUpdateFacts> {
  const { subjectId } = info;
  const current = subjectConfigOf(info);
  const auditors = new Map(info.auditors.map((a) => [a.address, { name: a.name, accredited: a.accredited }]));
  const newAuditors = unique(next.auditors.filter((a) => !auditors.has(a)));
  const [reads, newAuditorStatus] = await Promise.all([
    Promise.all([
      call("reading the subject's rounds", () => registry.latestRoundId(subjectId)),
      hasHadReserveWallet(registry, subjectId),
      call("reading the registry's limits", () => registry.MAX_HEARTBEAT()),
      call("reading the registry's limits", () => registry.MAX_AUDITORS_PER_SUBJECT()),
      next.reserveAsset === ZeroAddress || next.reserveAsset === current.reserveAsset
        ? Promise.resolve(true)
        : call("reading the reserve asset", () => registry.isApprovedReserveAsset(next.reserveAsset)),
      next.token === ZeroAddress || next.token === current.token
        ? Promise.resolve(null)
        : readTokenDecimals(registry, next.token),
    ]),
    Promise.all(
      newAuditors.map(async (address) => {
        const [name, accredited] = await Promise.all([
          call("reading auditor", () => registry.auditorName(address)),
          call("reading auditor", () => registry.isAccredited(address)),
        ]);
        return [address, { name, accredited }] as const;
      }),
    ),
  ]);
  const [latestRoundId, reservesLive, maxHeartbeat, maxAuditors, reserveAssetApproved, newTokenDecimals] =
    reads;
  for (const [address, status] of newAuditorStatus) auditors.set(address, status);
  return {
    subjectId,
    owner: info.owner,
    current,
    latestRoundId,
    reservesLive,
    auditors,
    reserveAssetApproved,
    newTokenDecimals,
    maxHeartbeatSeconds: Number(maxHeartbeat),
    maxAuditors: Number(maxAuditors),
  };
}

/**
 * Whether a reserve wallet was ever added to `subjectId` (the registry's reservesLive flag, which
 * never resets): reservesRound answers a live round id exactly then. Only its live branch can
 * revert (a reserve asset answering oddly); then the ReserveWalletAdded events decide.
 */
export async function hasHadReserveWallet(registry: ReserveRegistry, subjectId: Hex32): Promise<boolean> {
  try {
    const [roundId] = await registry.reservesRound(subjectId);
    return isLiveRoundId(roundId);
  } catch {
    // reverted (or failed): the events decide, and a network failure shows there
  }
  const provider = registry.runner?.provider;
  if (!provider) throw new ChainError("the registry contract is not connected to a provider");
  const event = registryInterface.getEvent("ReserveWalletAdded")!;
  const logs = await call("reading reserve wallet events", async () =>
    provider.getLogs({
      address: await registry.getAddress(),
      topics: [event.topicHash, subjectId],
      fromBlock: 0,
      toBlock: "latest",
    }),
  );
  return logs.length > 0;
}

/** What `token` answers to decimals(), as the registry would judge it. */
async function readTokenDecimals(
  registry: ReserveRegistry,
  token: Address,
): Promise<number | "no-code" | "not-a-token" | null> {
  const runner = registry.runner;
  const provider = runner?.provider;
  if (!runner || !provider) throw new ChainError("the registry contract is not connected to a provider");
  const code = await call("reading the token", () => provider.getCode(token));
  if (code === "0x") return "no-code";
  try {
    return Number(await IERC20Metadata__factory.connect(token, runner).decimals());
  } catch (err) {
    // A revert (or a malformed answer) means not a token. Anything else leaves the judgement to the
    // registry: the update is simulated before it is sent, so its refusal is still shown.
    const reverted = isRevert(err) || /revert/i.test(String((err as Error).message));
    return reverted || (err as { code?: unknown }).code === "BAD_DATA" ? "not-a-token" : null;
  }
}

/** Why the token and reserve asset are frozen, or null while they may change. */
function backingReason(facts: SubjectUpdateFacts): string | null {
  const reasons: string[] = [];
  if (facts.latestRoundId > 0n) reasons.push(`round #${facts.latestRoundId} was posted`);
  if (facts.reservesLive) reasons.push("a reserve wallet was added");
  return reasons.length === 0 ? null : reasons.join(" and ");
}

function describeAddress(address: Address): string {
  return address === ZeroAddress ? "none" : address;
}

function unique(addresses: Address[]): Address[] {
  return [...new Set(addresses)];
}

function sameMembers(a: Address[], b: Address[]): boolean {
  return a.length === b.length && unique(a).length === a.length && a.every((x) => b.includes(x));
}

function sameOrder(a: Address[], b: Address[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
