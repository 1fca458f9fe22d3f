import { Contract, getAddress, ZeroAddress, type Provider } from "ethers";
import type { LiabilityChallenges, ReserveRegistry } from "../../../typechain-types";
import { lastDisputeOf, listSettledChallenges, type SettledChallenge } from "@por/sdk/challenges/disputes";
import { isLiveRoundId } from "@por/sdk/core/feed-rounds";
import type { Hex32 } from "@por/sdk/core/hex";
import { findRevertData } from "@por/sdk/core/revert";
import { findSharedAuditorOwners, type SharedAuditorOwners } from "@por/sdk/safe/auditor-owners";
import { formatSubjectId } from "@por/sdk/core/subject-id";
import { challengesOf, registryAt, rpcProvider, shortError } from "../common/connection";
import { DashboardError, reasonFor, sentence } from "./errors";
import type { Settings } from "./settings";

/**
 * Every chain read of the dashboard. Reads are pinned to one block (the latest when the page loads)
 * so a subject's figures agree with each other, and bounded: three getLogs for the whole registry
 * (SubjectRegistered, AttestationPosted, ChallengeSettled), then a fixed handful of eth_calls per
 * subject, plus one per reserve wallet, one or two per listed auditor (its code, a Safe's owners) and
 * one per distinct auditor's name; the subject page adds a
 * getAttestation and an isDisputed per round shown.
 * ethers batches calls made together into one HTTP request.
 */

/** A registry reached through the visitor's RPC, and the block every read is pinned to. */
export interface RegistryView {
  provider: Provider;
  registry: ReserveRegistry;
  /** The registry's LiabilityChallenges; null for a registry deployed before challenges existed. */
  challenges: LiabilityChallenges | null;
  chainId: bigint;
  blockNumber: number;
  blockTime: bigint;
  fromBlock: number;
}

/** An auditor as shown: its address and the name it was accredited under. */
export interface Auditor {
  address: string;
  name: string;
}

/** A round as its AttestationPosted event tells it. */
export interface PostedRound {
  roundId: bigint;
  asOf: bigint;
  reserves: bigint;
  liabilities: bigint;
  signers: string[];
}

/** A subject's reserve asset (ERC-20 on this chain), as far as its balances need it. */
export interface ReserveAsset {
  address: string;
  symbol: string | null;
  decimals: number;
  /** Balances count as reserves only while the registry admin approves the asset. */
  approved: boolean;
}

/** A reserve wallet and its balance of the reserve asset, in the asset's own decimals. */
export interface WalletBalance {
  address: string;
  balance: bigint;
}

/** The latest attested round of a subject. */
export interface LatestRound {
  roundId: bigint;
  asOf: bigint;
  postedAt: bigint;
  reserves: bigint;
  liabilities: bigint;
  /** From the round's AttestationPosted event; null when it lies before the From block. */
  auditors: Auditor[] | null;
  /** registry.isFresh: the round's asOf is within the heartbeat (and the round is not disputed). */
  fresh: boolean;
  /**
   * solvency().disputed: the round counts as disputed, its snapshot not after the subject's last
   * settled challenge (of it or of an earlier round).
   */
  disputed: boolean;
  /** The settled challenge behind the dispute; null when not disputed or its event was not found. */
  disputedBy: SettledChallenge | null;
}

/** One subject's state at the pinned block: what a card shows. */
export interface SubjectSnapshot {
  subjectId: Hex32;
  label: string;
  name: string;
  /** Decimals of reserves, liabilities and token supply. */
  decimals: number;
  heartbeatSeconds: bigint;
  token: string | null;
  latest: LatestRound | null;
  /** The reserves collateralization() uses, in the subject's decimals (reservesRound). */
  reserves: bigint;
  /** Read live from reserve wallets (for good once a wallet was added) rather than attested. */
  reservesLive: boolean;
  /** token.totalSupply() when the subject names a token, else null (liabilities are attested). */
  supply: bigint | null;
  /** collateralization().ratioWad: reserves * 1e18 / supply, uint256 max when the supply is 0. */
  ratioWad: bigint;
  /** collateralization().fresh: the backing consumers read is fresh (live sides always are). */
  backingFresh: boolean;
  /** Both sides have a figure (a side that must be attested has a round). */
  hasData: boolean;
  asset: ReserveAsset | null;
  wallets: WalletBalance[];
  /**
   * Pairs of the subject's listed auditors that one key signs for (Safes sharing an owner), with the
   * auditors' names; the reason when the owners could not be read.
   */
  sharedOwners: { pairs: SharedAuditorOwners[]; names: Map<string, string> } | { error: string };
}

/** A round of the history table, from the registry's view (getAttestation) and its event. */
export interface HistoryRound extends PostedRound {
  postedAt: bigint;
  /** null when the round's event lies before the From block. */
  auditors: Auditor[] | null;
  /** registry.isDisputed: a challenge of this round was settled unanswered. */
  disputed: boolean;
}

/** The subject page shows at most this many rounds (newest first), one getAttestation each. */
export const MAX_HISTORY_ROUNDS = 500;

/** How many subjects are read at once: each costs a handful of calls, batched by ethers. */
const SUBJECT_BATCH = 16;

const ERC20_ABI = [
  "function totalSupply() view returns (uint256)",
  "function balanceOf(address) view returns (uint256)",
  "function decimals() view returns (uint8)",
  "function symbol() view returns (string)",
];

/**
 * Connects to the RPC and checks the registry is one: a contract at the address that answers a
 * registry view. Pins the latest block. Throws DashboardError with the sentence to show.
 */
export async function openRegistry(settings: Settings): Promise<RegistryView> {
  let provider: Provider;
  try {
    provider = await rpcProvider(settings.rpcUrl);
  } catch (error) {
    throw new DashboardError(sentence((error as Error).message));
  }
  try {
    return await pinRegistry(provider, settings);
  } catch (error) {
    provider.destroy();
    if (error instanceof DashboardError) throw error;
    throw new DashboardError(sentence(`The RPC URL failed to answer: ${shortError(error)}`));
  }
}

async function pinRegistry(provider: Provider, settings: Settings): Promise<RegistryView> {
  const [network, block] = await Promise.all([provider.getNetwork(), provider.getBlock("latest")]);
  if (block === null) throw new DashboardError("The RPC URL did not return its latest block.");
  if (settings.fromBlock > block.number)
    throw new DashboardError(
      `From block ${settings.fromBlock} is after the chain's latest block ${block.number}; lower it or leave it blank.`,
    );
  const registry = registryAt(settings.registry, provider);
  if ((await provider.getCode(settings.registry, block.number)) === "0x")
    throw new DashboardError(
      `There is no contract at ${settings.registry} on chain ${network.chainId}; check the registry address and the RPC URL's network.`,
    );
  try {
    // Any cheap view: a contract that is not a registry reverts or answers garbage.
    await registry.isAccredited(ZeroAddress, { blockTag: block.number });
  } catch {
    throw new DashboardError(`The contract at ${settings.registry} does not answer as a reserve registry.`);
  }
  return {
    provider,
    registry,
    challenges: await challengesOf(registry, provider, block.number),
    chainId: network.chainId,
    blockNumber: block.number,
    blockTime: BigInt(block.timestamp),
    fromBlock: settings.fromBlock,
  };
}

/** Runs `read`, turning a failure into a DashboardError "Could not read <what>: <reason>." */
async function reading<T>(view: RegistryView, what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof DashboardError) throw error;
    throw new DashboardError(
      `Could not read ${what}: ${sentence(reasonFor(error, view.registry.interface))}`,
    );
  }
}

/** Every registered subject, in order of registration (SubjectRegistered events, one getLogs). */
export async function readSubjectIds(view: RegistryView): Promise<Hex32[]> {
  const events = await reading(view, "the SubjectRegistered events", () =>
    view.registry.queryFilter(view.registry.filters.SubjectRegistered(), view.fromBlock, view.blockNumber),
  );
  const ids = events.map((event) => (event.args.subjectId as string).toLowerCase() as Hex32);
  return [...new Set(ids)];
}

/** Posted rounds by subject, oldest first (AttestationPosted events, one getLogs), optionally of one subject. */
export async function readPostedRounds(
  view: RegistryView,
  subjectId: Hex32 | null = null,
): Promise<Map<Hex32, PostedRound[]>> {
  const events = await reading(view, "the AttestationPosted events", () =>
    view.registry.queryFilter(
      view.registry.filters.AttestationPosted(subjectId ?? undefined),
      view.fromBlock,
      view.blockNumber,
    ),
  );
  const bySubject = new Map<Hex32, PostedRound[]>();
  for (const { args } of events) {
    const id = (args.subjectId as string).toLowerCase() as Hex32;
    const rounds = bySubject.get(id) ?? [];
    rounds.push({
      roundId: args.roundId,
      asOf: args.asOf,
      reserves: args.reserves,
      liabilities: args.liabilities,
      signers: args.signers.map((signer) => getAddress(signer)),
    });
    bySubject.set(id, rounds);
  }
  for (const rounds of bySubject.values()) rounds.sort((a, b) => (a.roundId < b.roundId ? -1 : 1));
  return bySubject;
}

/**
 * The challenges settled unanswered (ChallengeSettled, one getLogs), of every subject or of one, in
 * the order settled; [] for a registry without challenges. null when the RPC refuses the log query:
 * disputes are still read from the contracts, just not named.
 */
export async function readSettlements(
  view: RegistryView,
  subjectId: Hex32 | null = null,
): Promise<SettledChallenge[] | null> {
  if (view.challenges === null) return [];
  return listSettledChallenges(view.challenges, {
    subjectId: subjectId ?? undefined,
    fromBlock: view.fromBlock,
    toBlock: view.blockNumber,
  }).catch(() => null);
}

/** Auditor names, each read once per page load however many rounds an auditor signed. */
export class AuditorNames {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly view: RegistryView) {}

  async of(addresses: readonly string[]): Promise<Auditor[]> {
    return Promise.all(addresses.map(async (address) => ({ address, name: await this.name(address) })));
  }

  private name(address: string): Promise<string> {
    let name = this.cache.get(address);
    if (name === undefined) {
      name = this.view.registry.auditorName(address, { blockTag: this.view.blockNumber }).catch(() => ""); // a name is a courtesy: the address is what counts
      this.cache.set(address, name);
    }
    return name;
  }
}

/**
 * One subject at the pinned block: six registry calls in parallel (subject, latestAttestation,
 * isFresh, collateralization, reservesRound, reserveWallets), then the token's supply, the reserve
 * asset (approved?, decimals, symbol), one balanceOf per wallet, whether the latest round counts as
 * disputed (solvency), which listed auditors share owners, and names of new auditors. `settled`:
 * readSettlements, to name a dispute.
 */
export async function readSubjectSnapshot(
  view: RegistryView,
  subjectId: Hex32,
  rounds: readonly PostedRound[],
  settled: readonly SettledChallenge[] | null,
  names: AuditorNames,
): Promise<SubjectSnapshot> {
  const label = formatSubjectId(subjectId);
  return reading(view, `subject ${label}`, async () => {
    const { registry } = view;
    const at = { blockTag: view.blockNumber };
    const [[config], latest, fresh, collateral, reservesRound, wallets] = await Promise.all([
      registry.subject(subjectId, at),
      latestRound(view, subjectId),
      registry.isFresh(subjectId, at),
      registry.collateralization(subjectId, at),
      registry.reservesRound(subjectId, at),
      registry.reserveWallets(subjectId, at),
    ]);
    const token = config.token === ZeroAddress ? null : getAddress(config.token);
    const assetAddress = config.reserveAsset === ZeroAddress ? null : getAddress(config.reserveAsset);
    const posted = latest && rounds.find((round) => round.roundId === latest.roundId);
    const [supply, asset, balances, auditors, disputed, sharedOwners] = await Promise.all([
      token === null ? null : (erc20(token, view).getFunction("totalSupply")(at) as Promise<bigint>),
      assetAddress === null ? null : readReserveAsset(view, assetAddress),
      assetAddress === null ? [] : readBalances(view, assetAddress, wallets),
      posted ? names.of(posted.signers) : null,
      latest === null || view.challenges === null
        ? false
        : view.challenges.solvency(subjectId, at).then((solvency) => solvency.disputed),
      readSharedOwners(view, config.auditors, names),
    ]);
    const disputedBy = (disputed && settled && lastDisputeOf(settled, subjectId)) || null;
    const reservesLive = isLiveRoundId(reservesRound.roundId);
    return {
      subjectId,
      label,
      name: config.name,
      decimals: Number(config.decimals),
      heartbeatSeconds: config.heartbeat,
      token,
      latest: latest && { ...latest, auditors, fresh, disputed, disputedBy },
      reserves: reservesRound.reserves,
      reservesLive,
      supply,
      ratioWad: collateral.ratioWad,
      backingFresh: collateral.fresh,
      hasData: (reservesLive || latest !== null) && (token !== null || latest !== null),
      asset,
      wallets: balances,
      sharedOwners,
    };
  });
}

/**
 * Which of `auditors` one key signs for (SDK findSharedAuditorOwners), and their names. A failed
 * read becomes its reason, shown on the card, rather than hiding the subject's figures.
 */
async function readSharedOwners(
  view: RegistryView,
  auditors: readonly string[],
  names: AuditorNames,
): Promise<SubjectSnapshot["sharedOwners"]> {
  try {
    const pairs = await findSharedAuditorOwners(view.provider, auditors, { blockTag: view.blockNumber });
    if (pairs.length === 0) return { pairs, names: new Map() };
    const named = await names.of(pairs.flatMap((pair) => pair.auditors));
    return { pairs, names: new Map(named.map((auditor) => [auditor.address, auditor.name])) };
  } catch (error) {
    return { error: shortError(error) };
  }
}

/** The latest round (one call), or null before the first: latestAttestation reverts RoundNotFound. */
async function latestRound(
  view: RegistryView,
  subjectId: Hex32,
): Promise<Omit<LatestRound, "auditors" | "fresh" | "disputed" | "disputedBy"> | null> {
  try {
    const [roundId, att, postedAt] = await view.registry.latestAttestation(subjectId, {
      blockTag: view.blockNumber,
    });
    return { roundId, asOf: att.asOf, postedAt, reserves: att.reserves, liabilities: att.liabilities };
  } catch (error) {
    if (revertName(view, error) === "RoundNotFound") return null;
    throw error;
  }
}

function revertName(view: RegistryView, error: unknown): string | null {
  const data = findRevertData(error);
  if (data === undefined) return null;
  try {
    return view.registry.interface.parseError(data)?.name ?? null;
  } catch {
    return null;
  }
}

function erc20(address: string, view: RegistryView): Contract {
  return new Contract(address, ERC20_ABI, view.provider);
}

async function readReserveAsset(view: RegistryView, address: string): Promise<ReserveAsset> {
  const at = { blockTag: view.blockNumber };
  const token = erc20(address, view);
  const [approved, decimals, symbol] = await Promise.all([
    view.registry.isApprovedReserveAsset(address, at),
    token.getFunction("decimals")(at) as Promise<bigint>,
    // symbol() is optional in ERC-20 (and bytes32 in some old tokens): the address is shown anyway.
    (token.getFunction("symbol")(at) as Promise<string>).catch(() => null),
  ]);
  return { address, symbol, decimals: Number(decimals), approved };
}

async function readBalances(
  view: RegistryView,
  asset: string,
  wallets: readonly string[],
): Promise<WalletBalance[]> {
  const balanceOf = erc20(asset, view).getFunction("balanceOf");
  return Promise.all(
    wallets.map(async (wallet) => ({
      address: getAddress(wallet),
      balance: (await balanceOf(wallet, { blockTag: view.blockNumber })) as bigint,
    })),
  );
}

/**
 * Snapshots of `subjectIds`, SUBJECT_BATCH at a time; a subject that cannot be read (a revert such
 * as LiveReservesOverflow) becomes its error sentence instead of hiding the others.
 */
export async function readSnapshots(
  view: RegistryView,
  subjectIds: readonly Hex32[],
  rounds: ReadonlyMap<Hex32, PostedRound[]>,
  settled: readonly SettledChallenge[] | null,
  names: AuditorNames,
): Promise<Array<SubjectSnapshot | { subjectId: Hex32; error: string }>> {
  const results: Array<SubjectSnapshot | { subjectId: Hex32; error: string }> = [];
  for (let i = 0; i < subjectIds.length; i += SUBJECT_BATCH) {
    const batch = subjectIds.slice(i, i + SUBJECT_BATCH);
    results.push(
      ...(await Promise.all(
        batch.map((subjectId) =>
          readSubjectSnapshot(view, subjectId, rounds.get(subjectId) ?? [], settled, names).catch(
            (error: unknown) => {
              if (!(error instanceof DashboardError)) throw error;
              return { subjectId, error: error.message };
            },
          ),
        ),
      )),
    );
  }
  return results;
}

/**
 * The subject page's rounds, newest first, at most MAX_HISTORY_ROUNDS: figures and posted time from
 * getAttestation and isDisputed (complete even before the From block), auditors from the events read.
 */
export async function readHistory(
  view: RegistryView,
  snapshot: SubjectSnapshot,
  rounds: readonly PostedRound[],
  names: AuditorNames,
): Promise<HistoryRound[]> {
  const latest = snapshot.latest?.roundId ?? 0n;
  const count = latest < BigInt(MAX_HISTORY_ROUNDS) ? Number(latest) : MAX_HISTORY_ROUNDS;
  const ids = Array.from({ length: count }, (_, i) => latest - BigInt(i));
  const signersOf = new Map(rounds.map((round) => [round.roundId, round.signers]));
  return reading(view, `the rounds of ${snapshot.label}`, () =>
    Promise.all(
      ids.map(async (roundId) => {
        const signers = signersOf.get(roundId) ?? null;
        const at = { blockTag: view.blockNumber };
        const [[att, postedAt], disputed, auditors] = await Promise.all([
          view.registry.getAttestation(snapshot.subjectId, roundId, at),
          view.challenges === null ? false : view.registry.isDisputed(snapshot.subjectId, roundId, at),
          signers === null ? null : names.of(signers),
        ]);
        return {
          roundId,
          asOf: att.asOf,
          postedAt,
          reserves: att.reserves,
          liabilities: att.liabilities,
          signers: signers ?? [],
          auditors,
          disputed,
        };
      }),
    ),
  );
}
