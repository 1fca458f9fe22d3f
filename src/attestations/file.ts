import { isHexString } from "ethers";
import { attestationDigest, attestationDomain } from "./attestation";
import type { Attestation, AttestationSignature } from "./attestation";
import { InvalidFileError } from "../core/errors";
import { fieldErrors, readJsonFile, writeFileAtomic, type WriteOptions } from "../node/files";
import { expectFormat } from "../core/formats";
import { parseAddress, parseHex32 } from "../core/hex";
import type { Address, Hex32 } from "../core/hex";
import { MAX_UINT256 } from "../core/amounts";

/** Format tag of attestation files. */
export const ATTESTATION_FORMAT = "por-attestation/1";
/** Format tag of signature files. */
export const SIGNATURE_FORMAT = "por-signature/1";

const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * An attestation file: what auditors sign, bound to one registry on one chain. On disk:
 * `{"format":"por-attestation/1","chainId":31337,"registry":"0x…","attestation":{"subjectId":"0x…",
 * "asOf":"1735689600","reserves":"1000000","liabilities":"900000","liabilitiesRoot":"0x…","reportHash":"0x…"}}`
 * with amounts and asOf as decimal strings in base units and hashes as lowercase hex.
 */
export interface AttestationFile {
  chainId: bigint;
  registry: Address;
  attestation: Attestation;
  /**
   * The subject's name and decimals as `attest create` read them, so an auditor signing offline
   * sees amounts in the subject's units. Optional and not signed: `attest sign --network` checks
   * it against the registry.
   */
  subject?: { name: string; decimals: number };
}

/**
 * A signature file: one auditor's signature over an attestation file's digest. On disk:
 * `{"format":"por-signature/1","chainId":31337,"registry":"0x…","digest":"0x…","signer":"0x…","signature":"0x…"}`.
 */
export interface SignatureFile extends AttestationSignature {
  chainId: bigint;
  registry: Address;
}

/** The EIP-712 digest of an attestation file's attestation under its registry's domain. */
export function attestationFileDigest(file: AttestationFile): Hex32 {
  return attestationDigest(attestationDomain(file.chainId, file.registry), file.attestation);
}

/** The JSON object written for `file` (decimal strings for integers). */
export function attestationFileToJson(file: AttestationFile): Record<string, unknown> {
  const att = file.attestation;
  return {
    format: ATTESTATION_FORMAT,
    chainId: jsonChainId(file.chainId),
    registry: file.registry,
    attestation: {
      subjectId: att.subjectId,
      asOf: att.asOf.toString(),
      reserves: att.reserves.toString(),
      liabilities: att.liabilities.toString(),
      liabilitiesRoot: att.liabilitiesRoot,
      reportHash: att.reportHash,
    },
    ...(file.subject === undefined
      ? {}
      : { subject: { name: file.subject.name, decimals: file.subject.decimals } }),
  };
}

/** The JSON object written for `file`. */
export function signatureFileToJson(file: SignatureFile): Record<string, unknown> {
  return {
    format: SIGNATURE_FORMAT,
    chainId: jsonChainId(file.chainId),
    registry: file.registry,
    digest: file.digest,
    signer: file.signer,
    signature: file.signature,
  };
}

/** Validates a parsed attestation file; every bad field is refused with an error naming it. */
export function parseAttestationFile(value: unknown, source = "attestation file"): AttestationFile {
  const record = expectFormat(value, ATTESTATION_FORMAT, source);
  return fieldErrors(source, () => {
    const att = objectField(record, "attestation");
    return {
      chainId: uintField(record, "chainId", MAX_UINT64),
      registry: parseAddress(record.registry, "registry"),
      attestation: {
        subjectId: parseHex32(att.subjectId, "attestation.subjectId"),
        asOf: uintField(att, "asOf", MAX_UINT64, "attestation."),
        reserves: uintField(att, "reserves", MAX_UINT256, "attestation."),
        liabilities: uintField(att, "liabilities", MAX_UINT256, "attestation."),
        liabilitiesRoot: parseHex32(att.liabilitiesRoot, "attestation.liabilitiesRoot"),
        reportHash: parseHex32(att.reportHash, "attestation.reportHash"),
      },
      ...(record.subject === undefined ? {} : { subject: subjectNote(record.subject) }),
    };
  });
}

/** The optional `subject` note of an attestation file: `{"name": "USDX / USD", "decimals": 6}`. */
function subjectNote(value: unknown): { name: string; decimals: number } {
  const note =
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  const { name, decimals } = note;
  if (
    typeof name !== "string" ||
    typeof decimals !== "number" ||
    !Number.isInteger(decimals) ||
    decimals < 0 ||
    decimals > 255
  ) {
    throw new InvalidFileError('subject must be {"name": text, "decimals": an integer from 0 to 255}');
  }
  return { name, decimals };
}

/** Validates a parsed signature file; every bad field is refused with an error naming it. */
export function parseSignatureFile(value: unknown, source = "signature file"): SignatureFile {
  const record = expectFormat(value, SIGNATURE_FORMAT, source);
  return fieldErrors(source, () => {
    const signature = record.signature;
    if (typeof signature !== "string" || !isHexString(signature) || signature.length < 4) {
      throw new InvalidFileError("signature must be 0x-prefixed hex bytes");
    }
    return {
      chainId: uintField(record, "chainId", MAX_UINT64),
      registry: parseAddress(record.registry, "registry"),
      digest: parseHex32(record.digest, "digest"),
      signer: parseAddress(record.signer, "signer"),
      signature: signature.toLowerCase(),
    };
  });
}

/** Reads and validates an attestation file. */
export async function readAttestationFile(filePath: string): Promise<AttestationFile> {
  return parseAttestationFile(await readJsonFile(filePath), filePath);
}

/** Reads and validates a signature file. */
export async function readSignatureFile(filePath: string): Promise<SignatureFile> {
  return parseSignatureFile(await readJsonFile(filePath), filePath);
}

/** Writes `file` atomically as pretty JSON; an existing file is refused unless `options.replace`. */
export async function writeAttestationFile(
  filePath: string,
  file: AttestationFile,
  options: WriteOptions = {},
): Promise<void> {
  await writeFileAtomic(filePath, `${JSON.stringify(attestationFileToJson(file), null, 2)}\n`, options);
}

/** Writes `file` atomically as pretty JSON; an existing file is refused unless `options.replace`. */
export async function writeSignatureFile(
  filePath: string,
  file: SignatureFile,
  options: WriteOptions = {},
): Promise<void> {
  await writeFileAtomic(filePath, `${JSON.stringify(signatureFileToJson(file), null, 2)}\n`, options);
}

function jsonChainId(chainId: bigint): number | string {
  return chainId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(chainId) : chainId.toString();
}

function objectField(record: Record<string, unknown>, field: string): Record<string, unknown> {
  const value = record[field];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidFileError(`${field} must be an object`);
  }
  return value as Record<string, unknown>;
}

/** A non-negative integer field given as a decimal string (or a JSON safe integer), at most `max`. */
function uintField(record: Record<string, unknown>, field: string, max: bigint, prefix = ""): bigint {
  const value = record[field];
  let parsed: bigint | undefined;
  if (typeof value === "string" && /^(0|[1-9]\d*)$/.test(value)) parsed = BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) parsed = BigInt(value);
  if (parsed === undefined) {
    throw new InvalidFileError(`${prefix}${field} must be a non-negative integer as a decimal string`, {
      details: `got ${JSON.stringify(value) ?? "nothing"}`,
    });
  }
  if (parsed > max) throw new InvalidFileError(`${prefix}${field} is out of range`);
  return parsed;
}
