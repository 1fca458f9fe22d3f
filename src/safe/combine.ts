import type { Provider } from "ethers";
import { attestationFileDigest } from "../attestations/file";
import type { AttestationFile, SignatureFile } from "../attestations/file";
import type { WalletConsent } from "../backing/consent-file";
import { VerificationError } from "../core/errors";
import { commonSafePartTarget, partOf } from "./part-file";
import type { SafePartFile } from "./part-file";
import { combineSafeSignature } from "./signature";
import type { CombinedSafeSignature } from "./signature";

/** A part file read from `source`. */
export interface SourcedSafePart {
  file: SafePartFile;
  source: string;
}

/**
 * The Safe's signature file for `attestation` from its owners' parts (`por attest combine`): every
 * part must be of this attestation (chain, registry, digest) and of one Safe; the Safe's owners and
 * threshold are read from the chain and the Safe itself must accept the result (combineSafeSignature).
 * The file's signer is the Safe, so `attest post` leaves its check to the registry (ERC-1271).
 */
export async function combineSafeAttestationSignature(
  provider: Provider,
  attestation: AttestationFile,
  parts: readonly SourcedSafePart[],
): Promise<{ file: SignatureFile; combined: CombinedSafeSignature }> {
  const digest = attestationFileDigest(attestation);
  for (const { file, source } of parts) {
    if (file.kind !== "attestation") {
      throw new VerificationError(`${source} is a part of kind "${file.kind}", not "attestation"`);
    }
    if (file.chainId !== attestation.chainId || file.registry !== attestation.registry) {
      throw new VerificationError(
        `${source} is for registry ${file.registry} on chain ${file.chainId}, the attestation for ${attestation.registry} on chain ${attestation.chainId}`,
      );
    }
    if (file.digest !== digest) {
      throw new VerificationError(`${source} signs a different attestation`, {
        details: `digest ${file.digest}, expected ${digest}`,
      });
    }
  }
  const target = commonSafePartTarget(parts, "attestation");
  const combined = await combineSafeSignature(
    provider,
    { chainId: target.chainId, safe: target.safe, digest },
    parts.map((p) => partOf(p.file, p.source)),
  );
  return {
    file: {
      chainId: attestation.chainId,
      registry: attestation.registry,
      digest,
      signer: target.safe,
      signature: combined.signature,
    },
    combined,
  };
}

/**
 * The Safe's consent file (wallet = the Safe) from its owners' parts (`por wallet combine`): every
 * part must be a wallet-consent part of one Safe, registry, subject and asset; the Safe's owners and
 * threshold are read from the chain and the Safe itself must accept the result.
 */
export async function combineSafeWalletConsent(
  provider: Provider,
  parts: readonly SourcedSafePart[],
): Promise<{ consent: WalletConsent; combined: CombinedSafeSignature }> {
  const target = commonSafePartTarget(parts, "wallet-consent");
  if (target.kind !== "wallet-consent") throw new VerificationError("not a wallet-consent part");
  const combined = await combineSafeSignature(
    provider,
    { chainId: target.chainId, safe: target.safe, digest: target.digest },
    parts.map((p) => partOf(p.file, p.source)),
  );
  return {
    consent: {
      chainId: target.chainId,
      registry: target.registry,
      subjectId: target.subjectId,
      wallet: target.safe,
      reserveAsset: target.reserveAsset,
      signature: combined.signature,
    },
    combined,
  };
}
