import { getAddress, ZeroAddress } from "ethers";
import type { LiabilityChallenges, ReserveRegistry } from "../../typechain-types";
import { VerificationError } from "../core/errors";
import type { Address, Hex32 } from "../core/hex";
import { call } from "../chain/registry-client";
import { checkStatementFileSignature } from "./statement-file";
import type { BalanceStatementFile } from "./statement-file";
import { formatSubjectId } from "../core/subject-id";
import { formatDuration, formatTimestamp } from "../core/time";

/**
 * A balance statement against the chain: is it for a round of this registry, with that round's
 * snapshot time, signed by a key the challenge contract accepts for the round, and can the round
 * still be challenged? What `statement verify` prints and `challenge open` checks before paying.
 */

/** What the chain says about a statement's round. */
export interface StatementRound {
  subject: { name: string; decimals: number; owner: Address };
  roundId: bigint;
  asOf: bigint;
  postedAt: bigint;
  liabilitiesRoot: Hex32;
  liabilities: bigint;
  /** The round's challenge window (the one in force when it was posted); 0: not challengeable. */
  windowSeconds: number;
  /** Last second a challenge may be opened, null when the window is 0. */
  closesAt: bigint | null;
  /** Chain time of the block read. */
  now: bigint;
  /** The keys the contract accepts statements of for this round: at posting time, and now. */
  signers: { atPosting: Address | null; current: Address | null };
  /**
   * Whether the signer's address has code (an EIP-7702 account or a contract). Informational: the
   * statement must be its ECDSA signature all the same, and a plain contract cannot make one.
   */
  signerIsContract: boolean;
  /** Wei a challenge takes. */
  bond: bigint;
}

/**
 * Reads the statement's round and checks the statement against it, refusing with one line naming
 * the first problem: another chain or registry, an unknown round (the registry's RoundNotFound), a
 * snapshot time that is not the round's, a signature that is not its signer's (keys; a contract
 * signer is left to the chain), a signer the contract does not accept for the round. A closed
 * window is not refused here: the caller decides (verify reports it, open refuses).
 */
export async function checkStatementOnChain(
  registry: ReserveRegistry,
  challenges: LiabilityChallenges,
  file: BalanceStatementFile,
  source = "statement file",
): Promise<StatementRound> {
  const provider = registry.runner!.provider!;
  const { chainId } = await call("reading the network", () => provider.getNetwork());
  const registryAddress = getAddress(await registry.getAddress());
  if (file.chainId !== chainId) {
    throw new VerificationError(
      `${source} is for chain ${file.chainId}, but this network is chain ${chainId}`,
    );
  }
  if (file.registry !== registryAddress) {
    throw new VerificationError(`${source} is for registry ${file.registry}, not ${registryAddress}`);
  }
  const where = `round ${file.roundId} of subject ${formatSubjectId(file.subjectId)}`;
  const block = await call("reading the latest block", () => provider.getBlock("latest"));
  const at = { blockTag: block!.number };
  const [[config, owner], [att, postedAt]] = await Promise.all([
    call("reading the subject", () => registry.subject(file.subjectId, at)),
    call(`reading ${where}`, () => registry.getAttestation(file.subjectId, file.roundId, at)),
  ]);
  if (att.asOf !== file.asOf) {
    throw new VerificationError(
      `${source} states a balance at ${formatTimestamp(file.asOf)}, but ${where} is a snapshot at ${formatTimestamp(att.asOf)}`,
      { details: "a statement is for one round: ask the custodian for one at this round's time" },
    );
  }
  requireLiabilitiesTree(file.subjectId, file.roundId, att.liabilitiesRoot);
  const signerIsContract =
    (await call("reading the signer", () => provider.getCode(file.signer, at.blockTag))) !== "0x";
  // The challenge contract accepts plain ECDSA only (a contract signer could revoke its statements).
  checkStatementFileSignature(file, source);
  const [windowSeconds, current, atPosting, bond] = await call("reading the challenge settings", () =>
    Promise.all([
      challenges.roundChallengeWindow(file.subjectId, file.roundId, at),
      challenges.statementSigner(file.subjectId, at),
      challenges.roundStatementSigner(file.subjectId, file.roundId, at),
      challenges.challengeBond(file.subjectId, at),
    ]),
  );
  const signerOrNull = (a: string) => (a === ZeroAddress ? null : (getAddress(a) as Address));
  const signers = { current: signerOrNull(current), atPosting: signerOrNull(atPosting) };
  if (file.signer !== signers.current && file.signer !== signers.atPosting) {
    const accepted = [...new Set([signers.atPosting, signers.current].filter((s) => s !== null))];
    throw new VerificationError(
      `${source} is signed by ${file.signer}, which is not a statement signer of subject ${formatSubjectId(file.subjectId)} for round ${file.roundId}`,
      {
        details:
          accepted.length === 0
            ? "the subject names no statement signer"
            : `the challenge contract accepts statements of ${accepted.join(" or ")}`,
      },
    );
  }
  return {
    subject: { name: config.name, decimals: Number(config.decimals), owner: getAddress(owner) as Address },
    roundId: file.roundId,
    asOf: att.asOf,
    postedAt,
    signerIsContract,
    liabilitiesRoot: att.liabilitiesRoot.toLowerCase() as Hex32,
    liabilities: att.liabilities,
    windowSeconds: Number(windowSeconds),
    closesAt: windowSeconds === 0n ? null : postedAt + windowSeconds,
    now: BigInt(block!.timestamp),
    signers,
    bond,
  };
}

/**
 * Refuses a round that committed no liabilities tree (root 0): no proof can ever answer a challenge
 * of it, so the challenge contract refuses one (RoundHasNoLiabilitiesTree) and a statement for it
 * would only look like protection.
 */
export function requireLiabilitiesTree(subjectId: Hex32, roundId: bigint, liabilitiesRoot: string): void {
  if (BigInt(liabilitiesRoot) !== 0n) return;
  throw new VerificationError(
    `round ${roundId} of subject ${formatSubjectId(subjectId)} committed no liabilities tree (its liabilities root is 0), so no statement can be used against it`,
    {
      details:
        "a challenge of such a round could never be answered, so the challenge contract refuses one (RoundHasNoLiabilitiesTree); ask for a statement of a round that publishes a tree",
    },
  );
}

/** Whether the statement's round can still be challenged, and in words. */
export function challengeWindowState(round: StatementRound): { open: boolean; text: string } {
  if (round.closesAt === null) {
    return { open: false, text: "none: the round was posted while the subject's challenge window was 0" };
  }
  if (round.now > round.closesAt)
    return { open: false, text: `closed at ${formatTimestamp(round.closesAt)}` };
  return {
    open: true,
    text: `open until ${formatTimestamp(round.closesAt)} (${formatDuration(round.closesAt - round.now)} left)`,
  };
}
