import { getAddress } from "ethers";
import type { ReserveRegistry } from "../../typechain-types";
import { readDispute, summarizeDispute } from "../challenges/challenges";
import type { DisputeSummary } from "../challenges/challenges";
import { ChainError } from "../core/errors";
import type { Address, Hex32 } from "../core/hex";
import { call, registryInterface } from "../chain/registry-client";
import { formatSubjectId } from "../core/subject-id";

/**
 * Discovery: every subject of a registry, from its SubjectRegistered events, with what a reader
 * checks first (name, owner, latest round, freshness), all read at one block.
 */

/**
 * Whether a subject's latest attested round is within its heartbeat (as isFresh), or there is none;
 * `disputed` when it counts as disputed (a customer's challenge went unanswered), whatever its age.
 */
export type SubjectFreshness = "fresh" | "stale" | "never-attested" | "disputed";

/** One registered subject, as `por subjects` lists it. */
export interface SubjectSummary {
  subjectId: Hex32;
  /** The id as text where it is one ("USDX"), else its hex. */
  label: string;
  name: string;
  owner: Address;
  decimals: number;
  heartbeatSeconds: number;
  /** Block and transaction of its SubjectRegistered event. */
  registeredAtBlock: number;
  registeredInTx: string;
  /** 0 before the first round. */
  latestRoundId: bigint;
  /** The latest round's snapshot time, null before the first. */
  asOf: bigint | null;
  /** Chain time minus `asOf` at the block read, null before the first round. */
  ageSeconds: bigint | null;
  freshness: SubjectFreshness;
  /** The latest round's dispute, naming the settled challenge; null when it does not count as disputed. */
  disputed: DisputeSummary | null;
}

/** How many subjects are read at once (each costs a few calls). */
const BATCH = 16;

/**
 * The subjects registered in `registry` up to block `toBlock` (default the latest), in order of
 * registration: the SubjectRegistered events from `fromBlock` (default 0; at most the registry's
 * deployment block, or earlier subjects are missed), each read at `toBlock`. Freshness is the
 * registry's own isFresh, so a raised heartbeat does not make an old round look fresh.
 */
export async function listSubjects(
  registry: ReserveRegistry,
  options: { fromBlock?: number; toBlock?: number } = {},
): Promise<{ blockNumber: number; timestamp: bigint; subjects: SubjectSummary[] }> {
  const provider = registry.runner?.provider;
  if (!provider) throw new ChainError("the registry contract is not connected to a provider");
  const toBlock =
    options.toBlock ?? (await call("reading the latest block", () => provider.getBlockNumber()));
  const block = await call("reading the latest block", () => provider.getBlock(toBlock));
  if (block === null) throw new ChainError(`block ${toBlock} is not available`);
  const registered = registryInterface.getEvent("SubjectRegistered")!;
  const registryAddress = await registry.getAddress();
  const logs = await call("reading subject events", () =>
    provider.getLogs({
      address: registryAddress,
      topics: [registered.topicHash],
      fromBlock: options.fromBlock ?? 0,
      toBlock,
    }),
  );
  const ordered = [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const seen = new Set<string>();
  const events = ordered.filter((log) => {
    const id = (log.topics[1] ?? "").toLowerCase();
    if (id === "" || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  const now = BigInt(block.timestamp);
  const subjects: SubjectSummary[] = [];
  for (let i = 0; i < events.length; i += BATCH) {
    subjects.push(
      ...(await Promise.all(
        events.slice(i, i + BATCH).map((log) =>
          readSummary(registry, log.topics[1]!.toLowerCase() as Hex32, toBlock, now, {
            registeredAtBlock: log.blockNumber,
            registeredInTx: log.transactionHash,
          }),
        ),
      )),
    );
  }
  return { blockNumber: toBlock, timestamp: now, subjects };
}

async function readSummary(
  registry: ReserveRegistry,
  subjectId: Hex32,
  blockTag: number,
  now: bigint,
  registration: { registeredAtBlock: number; registeredInTx: string },
): Promise<SubjectSummary> {
  const at = { blockTag };
  const [[config, owner], latestRoundId, fresh] = await Promise.all([
    call("reading subject", () => registry.subject(subjectId, at)),
    call("reading subject", () => registry.latestRoundId(subjectId, at)),
    call("reading subject", () => registry.isFresh(subjectId, at)),
  ]);
  let asOf: bigint | null = null;
  let disputed: DisputeSummary | null = null;
  if (latestRoundId > 0n) {
    const [att] = await call("reading subject", () => registry.getAttestation(subjectId, latestRoundId, at));
    asOf = att.asOf;
    // Only a subject that is not fresh can be disputed: the fresh majority costs no more reads.
    const dispute = fresh
      ? undefined
      : await readDispute(registry, subjectId, latestRoundId, { toBlock: blockTag });
    if (dispute?.latestDisputed) disputed = summarizeDispute(dispute);
  }
  return {
    subjectId,
    label: formatSubjectId(subjectId),
    name: config.name,
    owner: getAddress(owner) as Address,
    decimals: Number(config.decimals),
    heartbeatSeconds: Number(config.heartbeat),
    ...registration,
    latestRoundId,
    asOf,
    ageSeconds: asOf === null ? null : now > asOf ? now - asOf : 0n,
    freshness: latestRoundId === 0n ? "never-attested" : disputed ? "disputed" : fresh ? "fresh" : "stale",
    disputed,
  };
}
