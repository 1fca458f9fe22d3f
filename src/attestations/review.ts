import type { TypedDataDomain } from "ethers";
import { formatAmount } from "../core/amounts";
import { attestationDomain } from "./attestation";
import { attestationFileDigest } from "./file";
import type { AttestationFile } from "./file";
import { InvalidFileError, VerificationError } from "../core/errors";
import { ZERO_HASH } from "../core/hex";
import type { Address, Hex32 } from "../core/hex";
import { formatSubjectId } from "../core/subject-id";
import { checkSnapshotTime, formatDuration, formatTimestamp } from "../core/time";

/** A subject's name and decimals, and where they were read: the registry itself, or the file's note. */
export interface SubjectFacts {
  name: string;
  decimals: number;
  source: "registry" | "file";
}

/** An amount in base units, and in the subject's units when its decimals are known. */
export interface ReviewedAmount {
  baseUnits: bigint;
  formatted: string | null;
}

/** Everything an auditor signs, laid out for review: every field of the EIP-712 message and domain. */
export interface AttestationReview {
  subject: { id: Hex32; text: string; name: string | null; decimals: number | null; source: string | null };
  asOf: { unix: bigint; iso: string; ageSeconds: bigint };
  reserves: ReviewedAmount;
  liabilities: ReviewedAmount;
  liabilitiesRoot: Hex32;
  reportHash: Hex32;
  domain: { name: string; version: string; chainId: bigint; verifyingContract: Address };
  digest: Hex32;
}

/**
 * The review of `file` before signing it at `nowSeconds`: refuses a snapshot time of 0, in
 * milliseconds or in the future (checkSnapshotTime), and subject facts from the registry that
 * contradict the file's note. `subject` is what is known of the subject (null: nothing).
 */
export function reviewAttestation(
  file: AttestationFile,
  subject: SubjectFacts | null,
  nowSeconds: bigint,
  source = "attestation file",
): AttestationReview {
  const att = file.attestation;
  try {
    checkSnapshotTime(att.asOf, "attestation.asOf", nowSeconds);
  } catch (err) {
    throw new InvalidFileError(`${source}: ${(err as Error).message}`, { cause: err });
  }
  const domain: TypedDataDomain = attestationDomain(file.chainId, file.registry);
  const amount = (baseUnits: bigint): ReviewedAmount => ({
    baseUnits,
    formatted: subject === null ? null : formatAmount(baseUnits, subject.decimals, { grouping: true }),
  });
  return {
    subject: {
      id: att.subjectId,
      text: formatSubjectId(att.subjectId),
      name: subject?.name ?? null,
      decimals: subject?.decimals ?? null,
      source: subject?.source ?? null,
    },
    asOf: { unix: att.asOf, iso: formatTimestamp(att.asOf), ageSeconds: nowSeconds - att.asOf },
    reserves: amount(att.reserves),
    liabilities: amount(att.liabilities),
    liabilitiesRoot: att.liabilitiesRoot,
    reportHash: att.reportHash,
    domain: {
      name: String(domain.name),
      version: String(domain.version),
      chainId: file.chainId,
      verifyingContract: file.registry,
    },
    digest: attestationFileDigest(file),
  };
}

/**
 * The subject facts to review with: the registry's when read (`onChain`), checked against the
 * file's note (a file claiming other decimals than the registry's is refused: its amounts would
 * be misread), else the file's note, else null.
 */
export function subjectFacts(
  file: AttestationFile,
  onChain: { name: string; decimals: number } | null,
  source = "attestation file",
): SubjectFacts | null {
  const note = file.subject;
  if (onChain !== null) {
    if (note !== undefined && note.decimals !== onChain.decimals) {
      throw new VerificationError(
        `${source} says subject ${formatSubjectId(file.attestation.subjectId)} has ${note.decimals} decimals, the registry says ${onChain.decimals}`,
      );
    }
    return { ...onChain, source: "registry" };
  }
  return note === undefined ? null : { ...note, source: "file" };
}

/** The review as aligned lines for a terminal. */
export function reviewLines(review: AttestationReview): string[] {
  const { subject } = review;
  const units = (amount: ReviewedAmount) =>
    amount.formatted === null
      ? `${amount.baseUnits} base units (decimals unknown)`
      : `${amount.formatted} (${amount.baseUnits} base units)`;
  const subjectLine =
    subject.name === null
      ? `${subject.text} (name and decimals unknown: pass --network to read them from the registry)`
      : `${subject.text}, "${subject.name}", ${subject.decimals} decimals` +
        (subject.source === "registry"
          ? " (read from the registry)"
          : " (noted in the file, not checked: pass --network to check)");
  const hash = (value: Hex32) => (value === ZERO_HASH ? `${value} (none)` : value);
  const age = review.asOf.ageSeconds;
  return [
    "attestation (every field signed):",
    `  subject           ${subjectLine}`,
    `  subjectId         ${subject.id}`,
    `  as of             ${review.asOf.iso} (unix ${review.asOf.unix}, ${age === 0n ? "now" : `${formatDuration(age)} ago`})`,
    `  reserves          ${units(review.reserves)}`,
    `  liabilities       ${units(review.liabilities)}`,
    `  liabilities root  ${hash(review.liabilitiesRoot)}`,
    `  report hash       ${hash(review.reportHash)}`,
    "EIP-712 domain:",
    `  name              ${review.domain.name}`,
    `  version           ${review.domain.version}`,
    `  chain id          ${review.domain.chainId}`,
    `  registry          ${review.domain.verifyingContract}`,
    `digest              ${review.digest}`,
  ];
}
