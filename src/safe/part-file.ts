import { getAddress } from "ethers";
import { attestationDomain } from "../attestations/attestation";
import { InvalidFileError, VerificationError } from "../core/errors";
import { chainIdField, fieldErrors, readJsonFile, writeFileAtomic } from "../node/files";
import { expectFormat } from "../core/formats";
import type { WriteOptions } from "../node/files";
import { parseAddress, parseHex32 } from "../core/hex";
import type { Address, Hex32 } from "../core/hex";
import { reserveAddressDigest } from "../backing/reserve-address";
import type { TypedDataSigner } from "../attestations/attestation";
import { safeMessageHash, signSafeMessage } from "./message";
import { recoverSafePartSigner } from "./parts";
import type { SafeSignaturePart } from "./parts";

/** Format tag of Safe signature-part files. */
export const SAFE_PART_FORMAT = "por-safe-signature-part/1";

/**
 * One Safe owner's part of the Safe's ERC-1271 signature of a registry digest, written by
 * `por attest sign --safe` (kind "attestation": the digest is an attestation's) or
 * `por wallet consent --safe` (kind "wallet-consent": the digest is ReserveAddress(subjectId,
 * wallet = the Safe, reserveAsset)). `por attest combine` / `por wallet combine` assemble the parts
 * of enough owners into the Safe's signature. On disk:
 * `{"format":"por-safe-signature-part/1","kind":"attestation","chainId":31337,"registry":"0x…",
 * "safe":"0x…","digest":"0x…","safeMessageHash":"0x…","owner":"0x…","signature":"0x…"}`, plus
 * `"subjectId"` and `"reserveAsset"` for a wallet consent. `safeMessageHash` is what the owner signed
 * (safeMessageHash(chainId, safe, digest)); `signature` is the owner's 65-byte ECDSA signature of it,
 * v 27 or 28. Reading a file checks both, so a part that does not match its own fields is refused.
 */
export type SafePartFile = SafeAttestationPart | SafeConsentPart;

interface SafePartCommon {
  chainId: bigint;
  registry: Address;
  safe: Address;
  /** The registry digest the Safe signs through ERC-1271. */
  digest: Hex32;
  /** The Safe message hash of `digest`, which the owner signed. */
  safeMessageHash: Hex32;
  owner: Address;
  signature: string;
}

export interface SafeAttestationPart extends SafePartCommon {
  kind: "attestation";
}

export interface SafeConsentPart extends SafePartCommon {
  kind: "wallet-consent";
  subjectId: Hex32;
  reserveAsset: Address;
}

/** What a part is of, without the signature: a kind, its chain, registry, Safe and digest. */
export type SafePartTarget =
  | { kind: "attestation"; chainId: bigint; registry: string; safe: string; digest: Hex32 }
  | {
      kind: "wallet-consent";
      chainId: bigint;
      registry: string;
      safe: string;
      subjectId: Hex32;
      reserveAsset: string;
    };

/** The part file for `part` (an owner's signature made with signSafeMessage) of `target`. */
export function safePartFile(target: SafePartTarget, part: SafeSignaturePart): SafePartFile {
  const registry = getAddress(target.registry) as Address;
  const safe = getAddress(target.safe) as Address;
  const digest = safePartDigest(target);
  const common = {
    chainId: target.chainId,
    registry,
    safe,
    digest,
    safeMessageHash: safeMessageHash(target.chainId, safe, digest),
    owner: part.owner,
    signature: part.signature,
  };
  const file: SafePartFile =
    target.kind === "attestation"
      ? { kind: "attestation", ...common }
      : {
          kind: "wallet-consent",
          ...common,
          subjectId: target.subjectId,
          reserveAsset: getAddress(target.reserveAsset) as Address,
        };
  checkPartSignature(file);
  return file;
}

/** The registry digest a part of `target` signs (through the Safe message hash). */
export function safePartDigest(target: SafePartTarget): Hex32 {
  return target.kind === "attestation"
    ? target.digest
    : consentDigest(target.chainId, target.registry, target.subjectId, target.safe, target.reserveAsset);
}

/**
 * `owner`'s part of the Safe's signature of `target`: signs the Safe message hash of its digest
 * (signSafeMessage) and returns the part file. Whether `owner` owns the Safe is checked against the
 * chain by the caller (checkSafeOwner) or at combination.
 */
export async function signSafePart(owner: TypedDataSigner, target: SafePartTarget): Promise<SafePartFile> {
  return safePartFile(
    target,
    await signSafeMessage(owner, target.chainId, target.safe, safePartDigest(target)),
  );
}

/** The JSON object written for `file`. */
export function safePartToJson(file: SafePartFile): Record<string, unknown> {
  return {
    format: SAFE_PART_FORMAT,
    kind: file.kind,
    chainId: file.chainId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(file.chainId) : file.chainId.toString(),
    registry: file.registry,
    safe: file.safe,
    ...(file.kind === "wallet-consent" ? { subjectId: file.subjectId, reserveAsset: file.reserveAsset } : {}),
    digest: file.digest,
    safeMessageHash: file.safeMessageHash,
    owner: file.owner,
    signature: file.signature,
  };
}

const COMMON_FIELDS = [
  "format",
  "kind",
  "chainId",
  "registry",
  "safe",
  "digest",
  "safeMessageHash",
  "owner",
  "signature",
];
const CONSENT_FIELDS = ["subjectId", "reserveAsset"];

/**
 * Validates a parsed part file: unknown format, kind or field, a malformed field, a digest or Safe
 * message hash that does not follow from the other fields, or a signature not by `owner` over the
 * Safe message hash are refused with an error naming the file.
 */
export function parseSafePartFile(value: unknown, source = "Safe signature part"): SafePartFile {
  const record = expectFormat(value, SAFE_PART_FORMAT, source);
  return fieldErrors(source, () => {
    const kind = record.kind;
    if (kind !== "attestation" && kind !== "wallet-consent") {
      throw new InvalidFileError(
        `kind must be "attestation" or "wallet-consent", not ${JSON.stringify(kind)}`,
      );
    }
    const known = new Set(kind === "attestation" ? COMMON_FIELDS : [...COMMON_FIELDS, ...CONSENT_FIELDS]);
    for (const key of Object.keys(record)) {
      if (!known.has(key)) throw new InvalidFileError(`unknown field ${JSON.stringify(key)}`);
    }
    const signature = record.signature;
    if (typeof signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(signature)) {
      throw new InvalidFileError("signature must be 65 bytes of 0x-prefixed hex");
    }
    const common = {
      chainId: chainIdField(record.chainId),
      registry: parseAddress(record.registry, "registry"),
      safe: parseAddress(record.safe, "safe"),
      digest: parseHex32(record.digest, "digest"),
      safeMessageHash: parseHex32(record.safeMessageHash, "safeMessageHash"),
      owner: parseAddress(record.owner, "owner"),
      signature: signature.toLowerCase(),
    };
    const file: SafePartFile =
      kind === "attestation"
        ? { kind, ...common }
        : {
            kind,
            ...common,
            subjectId: parseHex32(record.subjectId, "subjectId"),
            reserveAsset: parseAddress(record.reserveAsset, "reserveAsset"),
          };
    if (file.kind === "wallet-consent") {
      const digest = consentDigest(file.chainId, file.registry, file.subjectId, file.safe, file.reserveAsset);
      if (digest !== file.digest) {
        throw new InvalidFileError("digest is not the ReserveAddress digest of its subject, Safe and asset", {
          details: `expected ${digest}`,
        });
      }
    }
    const expected = safeMessageHash(file.chainId, file.safe, file.digest);
    if (expected !== file.safeMessageHash) {
      throw new InvalidFileError("safeMessageHash is not the Safe message hash of its digest", {
        details: `expected ${expected}`,
      });
    }
    checkPartSignature(file);
    return file;
  });
}

/** Reads and validates a part file. */
export async function readSafePartFile(filePath: string): Promise<SafePartFile> {
  return parseSafePartFile(await readJsonFile(filePath), filePath);
}

/** Writes `file` atomically as pretty JSON; an existing file is refused unless `options.replace`. */
export async function writeSafePartFile(
  filePath: string,
  file: SafePartFile,
  options: WriteOptions = {},
): Promise<void> {
  await writeFileAtomic(filePath, `${JSON.stringify(safePartToJson(file), null, 2)}\n`, options);
}

/** The part's owner and signature, labelled with `source`, for assembleSafeSignature. */
export function partOf(file: SafePartFile, source: string): SafeSignaturePart {
  return { owner: file.owner, signature: file.signature, source };
}

/**
 * Checks that `parts` (each labelled with its file name) are all of `kind` and of one chain,
 * registry, Safe and digest, and returns the first (whose fields are then every part's).
 */
export function commonSafePartTarget(
  parts: ReadonlyArray<{ file: SafePartFile; source: string }>,
  kind: SafePartFile["kind"],
): SafePartFile {
  const first = parts[0];
  if (first === undefined) throw new VerificationError("no Safe signature parts given");
  for (const { file, source } of parts) {
    if (file.kind !== kind) {
      throw new VerificationError(`${source} is a part of kind "${file.kind}", not "${kind}"`);
    }
    for (const field of ["chainId", "registry", "safe", "digest"] as const) {
      if (file[field] !== first.file[field]) {
        throw new VerificationError(
          `${source} is for ${field} ${String(file[field])}, ${first.source} for ${String(first.file[field])}`,
          { details: "all parts must be of the same Safe signing the same thing" },
        );
      }
    }
  }
  return first.file;
}

function checkPartSignature(file: SafePartFile): void {
  const recovered = recoverSafePartSigner(file.safeMessageHash, file.signature);
  if (recovered !== file.owner) {
    throw new VerificationError(`signature recovers to ${recovered}, not its owner ${file.owner}`, {
      details: "it signs something else, or the file was altered",
    });
  }
}

function consentDigest(
  chainId: bigint,
  registry: string,
  subjectId: Hex32,
  safe: string,
  reserveAsset: string,
): Hex32 {
  return reserveAddressDigest(attestationDomain(chainId, registry), subjectId, safe, reserveAsset);
}
