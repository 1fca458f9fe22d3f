import { getAddress, isHexString } from "ethers";
import { attestationDomain } from "../attestations/attestation";
import type { TypedDataSigner } from "../attestations/attestation";
import { InvalidFileError, VerificationError } from "../core/errors";
import { chainIdField, fieldErrors, readJsonFile, writeFileAtomic } from "../node/files";
import { expectFormat } from "../core/formats";
import { parseAddress, parseHex32 } from "../core/hex";
import type { Address, Hex32 } from "../core/hex";
import { formatSubjectId } from "../core/subject-id";
import { recoverReserveAddressSigner, reserveAddressDigest, signReserveAddress } from "./reserve-address";

/** Format tag of wallet consent files. */
export const WALLET_CONSENT_FORMAT = "por-wallet-consent/1";

/**
 * A reserve wallet's consent to back one subject of one registry with its balance of one asset:
 * its EIP-712 signature over `ReserveAddress(bytes32 subjectId,address wallet,address reserveAsset)`
 * in the registry's domain (chain id, registry address). The wallet's holder writes it
 * (`por wallet consent`), the subject owner passes it to addReserveWallet (`por wallet add`). On disk:
 * `{"format":"por-wallet-consent/1","chainId":31337,"registry":"0x…","subjectId":"0x…","wallet":"0x…",
 * "reserveAsset":"0x…","signature":"0x…"}` (addresses checksummed, subject id and signature lowercase
 * hex). `signature` is 65 ECDSA bytes for an EOA, or whatever a contract wallet's ERC-1271
 * `isValidSignature` accepts.
 */
export interface WalletConsent {
  chainId: bigint;
  registry: Address;
  subjectId: Hex32;
  wallet: Address;
  reserveAsset: Address;
  signature: string;
}

/** What a consent is for: everything the wallet signs except its own address. */
export interface WalletConsentTarget {
  chainId: bigint;
  registry: string;
  subjectId: Hex32;
  reserveAsset: string;
}

/**
 * Signs a consent with `wallet` (an EOA key) and checks the result recovers to it before
 * returning it, as the registry will.
 */
export async function signWalletConsent(
  wallet: TypedDataSigner,
  target: WalletConsentTarget,
): Promise<WalletConsent> {
  const consent: WalletConsent = {
    chainId: target.chainId,
    registry: getAddress(target.registry) as Address,
    subjectId: target.subjectId,
    wallet: getAddress(await wallet.getAddress()) as Address,
    reserveAsset: getAddress(target.reserveAsset) as Address,
    signature: "",
  };
  const signature = await signReserveAddress(
    wallet,
    attestationDomain(consent.chainId, consent.registry),
    consent.subjectId,
    consent.reserveAsset,
  );
  const signed = { ...consent, signature: signature.toLowerCase() };
  checkConsentSignature(signed);
  return signed;
}

/** The EIP-712 digest the consent's signature is over (ReserveRegistry.reserveAddressDigest). */
export function walletConsentDigest(consent: WalletConsent): Hex32 {
  return reserveAddressDigest(
    attestationDomain(consent.chainId, consent.registry),
    consent.subjectId,
    consent.wallet,
    consent.reserveAsset,
  );
}

/**
 * Checks an EOA wallet's consent: its signature must recover to `wallet`. A contract wallet's
 * (ERC-1271) signature cannot be checked off-chain; the registry checks it when the wallet is added.
 */
export function checkConsentSignature(consent: WalletConsent): void {
  const recovered = recoverReserveAddressSigner(
    attestationDomain(consent.chainId, consent.registry),
    consent.subjectId,
    consent.wallet,
    consent.reserveAsset,
    consent.signature,
  );
  if (recovered !== consent.wallet) {
    throw new VerificationError(`the consent's signature is not by the wallet ${consent.wallet}`, {
      details:
        "it was made by another key, or for another subject, asset, registry or chain, or the file was altered",
    });
  }
}

/**
 * Checks that `consent` is for `target` (the live chain, registry, subject and its reserve asset),
 * naming the first field that differs.
 */
export function checkConsentTarget(
  consent: WalletConsent,
  target: WalletConsentTarget,
  source: string,
): void {
  const mismatch = (field: string, got: string, want: string) =>
    new VerificationError(`${source} is for ${field} ${got}, not ${want}`);
  if (consent.chainId !== target.chainId) {
    throw mismatch("chain", consent.chainId.toString(), target.chainId.toString());
  }
  if (consent.registry !== getAddress(target.registry)) {
    throw mismatch("registry", consent.registry, getAddress(target.registry));
  }
  if (consent.subjectId !== target.subjectId.toLowerCase()) {
    throw mismatch("subject", formatSubjectId(consent.subjectId), formatSubjectId(target.subjectId));
  }
  if (consent.reserveAsset !== getAddress(target.reserveAsset)) {
    throw new VerificationError(
      `${source} names reserve asset ${consent.reserveAsset}, but the subject's is ${getAddress(target.reserveAsset)}`,
      { details: "the wallet must sign a new consent for the subject's asset" },
    );
  }
}

/** The JSON object written for `consent`. */
export function walletConsentToJson(consent: WalletConsent): Record<string, unknown> {
  return {
    format: WALLET_CONSENT_FORMAT,
    chainId:
      consent.chainId <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(consent.chainId)
        : consent.chainId.toString(),
    registry: consent.registry,
    subjectId: consent.subjectId,
    wallet: consent.wallet,
    reserveAsset: consent.reserveAsset,
    signature: consent.signature,
  };
}

const CONSENT_FIELDS = new Set([
  "format",
  "chainId",
  "registry",
  "subjectId",
  "wallet",
  "reserveAsset",
  "signature",
]);

/**
 * Validates a parsed consent file: an unknown format, an unknown field or a malformed one is
 * refused with an error naming it. The signature is not checked here (checkConsentSignature).
 */
export function parseWalletConsent(value: unknown, source = "consent file"): WalletConsent {
  const record = expectFormat(value, WALLET_CONSENT_FORMAT, source);
  for (const key of Object.keys(record)) {
    if (!CONSENT_FIELDS.has(key))
      throw new InvalidFileError(`${source}: unknown field ${JSON.stringify(key)}`);
  }
  return fieldErrors(source, () => {
    const signature = record.signature;
    if (typeof signature !== "string" || !isHexString(signature) || signature.length < 4) {
      throw new InvalidFileError("signature must be 0x-prefixed hex bytes");
    }
    return {
      chainId: chainIdField(record.chainId),
      registry: parseAddress(record.registry, "registry"),
      subjectId: parseHex32(record.subjectId, "subjectId"),
      wallet: parseAddress(record.wallet, "wallet"),
      reserveAsset: parseAddress(record.reserveAsset, "reserveAsset"),
      signature: signature.toLowerCase(),
    };
  });
}

/** Reads and validates a consent file. */
export async function readWalletConsentFile(filePath: string): Promise<WalletConsent> {
  return parseWalletConsent(await readJsonFile(filePath), filePath);
}

/**
 * Writes `consent` as pretty JSON, atomically; an existing file is refused unless `force` is set.
 */
export async function writeWalletConsentFile(
  filePath: string,
  consent: WalletConsent,
  options: { force?: boolean } = {},
): Promise<void> {
  await writeFileAtomic(filePath, `${JSON.stringify(walletConsentToJson(consent), null, 2)}\n`, {
    replace: options.force,
  });
}
