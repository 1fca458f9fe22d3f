import { ZeroHash, type Provider } from "ethers";
import { readRoundDispute, type RoundDispute } from "@por/sdk/challenges/disputes";
import type { Hex32 } from "@por/sdk/core/hex";
import type { ReserveRegistry } from "../../../typechain-types";
import { proofStepsForContract, type LiabilityProofPackage } from "@por/sdk/liabilities/proof";
import { formatSubjectId } from "@por/sdk/core/subject-id";
import {
  challengesOf,
  hasCode,
  injectedWallet,
  registryAt,
  rpcProvider,
  shortError,
  walletProvider,
} from "../common/connection";
import { chainFailure } from "./chain-errors";
import type { ChainSettings } from "./chain-settings";
import { roundSigners, type RoundSigner } from "./round-signers";

/** The attested round a proof was checked against, as the round details show it. */
export interface RoundReport {
  chainId: bigint;
  registry: string;
  subjectId: Hex32;
  subjectName: string;
  decimals: number;
  round: bigint;
  latestRound: bigint;
  asOf: bigint;
  postedAt: bigint;
  reserves: bigint;
  liabilities: bigint;
  liabilitiesRoot: string;
  /** isFresh for the latest round; undefined for an older one (superseded). */
  fresh: boolean | undefined;
  /**
   * Set when the round reads as disputed: its own challenge went unanswered, or the latest round (it,
   * or one superseding it) counts as disputed. Undefined otherwise, and for a registry without challenges.
   */
  dispute: RoundDispute | undefined;
  /** From the AttestationPosted event; undefined when the RPC would not give the logs. */
  signers: RoundSigner[] | undefined;
}

/**
 * The chain's answer. `verified` means verifyLiability confirmed the proof (a disputed round says so
 * in its report); `unreachable` that the RPC did not answer, so nothing was learnt either way.
 */
export type ChainOutcome = { warnings: string[] } & (
  | { verified: true; report: RoundReport }
  | { verified: false; reason: string; report?: RoundReport; unreachable?: boolean }
);

/** The visitor's registry, connected for one check. */
export interface RegistryConnection {
  provider: Provider;
  registry: ReserveRegistry;
  chainId: bigint;
}

/**
 * Connects to the registry the settings name, runs `body` and closes the connection. A failure to
 * connect or to read becomes the verdict's one sentence (the registry's custom errors decoded), marked
 * unreachable when the RPC did not answer; warnings `body` collected before it failed are kept.
 */
export async function withRegistry<T extends ChainOutcome>(
  settings: ChainSettings,
  body: (chain: RegistryConnection, warnings: string[]) => Promise<T>,
): Promise<T | ChainOutcome> {
  let provider: Provider;
  try {
    provider = await connect(settings);
  } catch (error) {
    return { verified: false, reason: shortError(error), unreachable: true, warnings: [] };
  }
  const registry = registryAt(settings.registry, provider);
  const warnings: string[] = [];
  try {
    const { chainId } = await provider.getNetwork();
    return await body({ provider, registry, chainId }, warnings);
  } catch (error) {
    const { reason, unreachable } = chainFailure(error, registry.interface, settings.registry);
    return { verified: false, reason, unreachable, warnings };
  } finally {
    provider.destroy();
  }
}

/**
 * Asks the registry whether round `settings.round` (default: the latest) of the subject attests the
 * proof's root and total, through `verifyLiability` with the commitment recomputed locally. Only
 * view calls and a log query: nothing is signed or sent.
 */
export function checkOnChain(
  settings: ChainSettings,
  pkg: LiabilityProofPackage,
  commitment: string,
): Promise<ChainOutcome> {
  return withRegistry(settings, async ({ provider, registry, chainId }, warnings) => {
    warnings.push(...attestedOnWarnings(pkg, settings, chainId));
    const report = await readRound(provider, registry, settings, chainId);
    if (typeof report === "string") return { verified: false, reason: report, warnings };
    return confirmOnChain(registry, report, settings, pkg, commitment, warnings);
  });
}

/** The verdict of `verifyLiability` for a proof checked against `report`'s round. */
export async function confirmOnChain(
  registry: ReserveRegistry,
  report: RoundReport,
  settings: ChainSettings,
  pkg: LiabilityProofPackage,
  commitment: string,
  warnings: string[],
): Promise<ChainOutcome> {
  const reason = await whyNotIncluded(registry, report, settings, pkg, commitment);
  return reason === undefined
    ? { verified: true, report, warnings }
    : { verified: false, reason, report, warnings };
}

/** The round to check against (the latest when none is given), or why there is none. */
export async function readRound(
  provider: Provider,
  registry: ReserveRegistry,
  settings: ChainSettings,
  chainId: bigint,
): Promise<RoundReport | string> {
  const { subjectId } = settings;
  if (!(await hasCode(provider, settings.registry)))
    return `there is no contract at ${settings.registry} on chain ${chainId}`;
  const [[config], latestRound] = await Promise.all([
    registry.subject(subjectId),
    registry.latestRoundId(subjectId),
  ]);
  if (latestRound === 0n) return `${formatSubjectId(subjectId)} has no attested round yet`;
  const round = settings.round ?? latestRound;
  const [att, postedAt] = await registry.getAttestation(subjectId, round);
  const challenges = await challengesOf(registry, provider);
  const [fresh, signers, dispute] = await Promise.all([
    round === latestRound ? registry.isFresh(subjectId) : undefined,
    roundSigners(registry, provider, subjectId, round, postedAt),
    challenges === null ? undefined : readRoundDispute(registry, challenges, subjectId, round),
  ]);
  return {
    chainId,
    registry: settings.registry,
    subjectId,
    subjectName: config.name,
    decimals: Number(config.decimals),
    round,
    latestRound,
    asOf: att.asOf,
    postedAt,
    reserves: att.reserves,
    liabilities: att.liabilities,
    liabilitiesRoot: att.liabilitiesRoot,
    fresh,
    dispute,
    signers,
  };
}

/** Undefined when verifyLiability confirms the proof for the round; else why not, in one sentence. */
async function whyNotIncluded(
  registry: ReserveRegistry,
  report: RoundReport,
  settings: ChainSettings,
  pkg: LiabilityProofPackage,
  commitment: string,
): Promise<string | undefined> {
  const subject = formatSubjectId(report.subjectId);
  const where = `round ${report.round} of ${subject}`;
  // The subject's decimals are the unit the auditors signed: a package stating others misleads.
  if (pkg.decimals !== undefined && pkg.decimals !== report.decimals)
    return `the proof states ${pkg.decimals} decimals, but ${subject} uses ${report.decimals}`;
  if (report.liabilitiesRoot === ZeroHash) return `${where} publishes no liabilities root`;
  const steps = proofStepsForContract(pkg);
  if (await registry.verifyLiability(report.subjectId, report.round, commitment, BigInt(pkg.balance), steps))
    return undefined;
  if (report.liabilitiesRoot === pkg.root && report.liabilities === BigInt(pkg.total))
    return `the registry's verifyLiability rejects this proof for ${where}`;
  // A customer keeps last month's proof: point to the round that attests it, if a recent one does.
  const other =
    settings.round === undefined
      ? await roundAttesting(registry, report.subjectId, pkg, report.round)
      : undefined;
  return other === undefined
    ? `${where} does not attest this root and total (this proof is for another round or tree)`
    : `${where}, the latest, does not attest this root and total; round ${other} does: enter ${other} as the round to check it there`;
}

/** How many rounds before the latest are searched for the proof's root. */
const ROUNDS_SEARCHED = 24;

/** The newest round before `latest` that attests the package's root and total, if a recent one does. */
async function roundAttesting(
  registry: ReserveRegistry,
  subjectId: string,
  pkg: LiabilityProofPackage,
  latest: bigint,
): Promise<bigint | undefined> {
  const rounds: bigint[] = [];
  for (let r = latest - 1n; r >= 1n && rounds.length < ROUNDS_SEARCHED; r--) rounds.push(r);
  const atts = await Promise.all(rounds.map((r) => registry.getAttestation(subjectId, r).catch(() => null)));
  const index = atts.findIndex(
    (a) => a !== null && a.att.liabilitiesRoot === pkg.root && a.att.liabilities === BigInt(pkg.total),
  );
  return index < 0 ? undefined : rounds[index];
}

async function connect(settings: ChainSettings): Promise<Provider> {
  if (settings.source.kind === "rpc") return rpcProvider(settings.source.url);
  const wallet = injectedWallet();
  if (!wallet) throw new Error("no browser wallet is installed");
  return walletProvider(wallet);
}

/** Where the proof says it is attested, when the visitor checks somewhere else. */
function attestedOnWarnings(pkg: LiabilityProofPackage, settings: ChainSettings, chainId: bigint): string[] {
  const on = pkg.attestedOn;
  if (!on) return [];
  const warnings: string[] = [];
  if (BigInt(on.chainId) !== chainId)
    warnings.push(
      `The proof says it is attested on chain ${on.chainId}, but you are connected to chain ${chainId}.`,
    );
  if (on.registry.toLowerCase() !== settings.registry.toLowerCase())
    warnings.push(`The proof names registry ${on.registry}; you are checking ${settings.registry}.`);
  if (on.subjectId !== settings.subjectId)
    warnings.push(
      `The proof names subject ${formatSubjectId(on.subjectId)}; you are checking ${formatSubjectId(settings.subjectId)}.`,
    );
  return warnings;
}
