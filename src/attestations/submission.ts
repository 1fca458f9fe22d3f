import { recoverAttestationSigner, attestationDomain } from "./attestation";
import type { Attestation } from "./attestation";
import { attestationFileDigest } from "./file";
import type { AttestationFile, SignatureFile } from "./file";
import { VerificationError } from "../core/errors";
import type { Address } from "../core/hex";

/** A signature file to include, where it came from, and whether its signer is a contract wallet. */
export interface CollectedSignature {
  file: SignatureFile;
  /** File name (or other label) for error messages. */
  source: string;
  /** Contract-wallet (ERC-1271) signers cannot be checked off-chain; the registry checks them. */
  signerIsContract: boolean;
}

/** The arguments of IReserveRegistry.postAttestation, signers strictly ascending. */
export interface Submission {
  attestation: Attestation;
  signers: Address[];
  signatures: string[];
}

/**
 * Checks each signature against the attestation file off-chain (same chain, same registry, same
 * digest, and for EOAs that the signature recovers to its signer), refuses duplicates, and sorts
 * signers ascending as the registry requires. Quorum, accreditation and the subject's auditor
 * list are left to the chain, which decides them at posting time.
 */
export function buildSubmission(
  attestationFile: AttestationFile,
  collected: CollectedSignature[],
): Submission {
  checkSignatureFiles(attestationFile, collected);
  const domain = attestationDomain(attestationFile.chainId, attestationFile.registry);
  for (const { file, source, signerIsContract } of collected) {
    if (signerIsContract) continue;
    const recovered = recoverWithSource(source, () =>
      recoverAttestationSigner(domain, attestationFile.attestation, file.signature),
    );
    if (recovered !== file.signer) {
      throw new VerificationError(
        `${source}: signature recovers to ${recovered}, not its signer ${file.signer}`,
      );
    }
  }
  const sorted = [...collected].sort((a, b) => compareAddresses(a.file.signer, b.file.signer));
  return {
    attestation: attestationFile.attestation,
    signers: sorted.map((c) => c.file.signer),
    signatures: sorted.map((c) => c.file.signature),
  };
}

/**
 * The checks that need no chain: every signature file is for the attestation file's chain,
 * registry and digest, and no signer appears twice. buildSubmission runs them too; the CLI runs
 * them before connecting so a wrong file fails fast.
 */
export function checkSignatureFiles(
  attestationFile: AttestationFile,
  collected: ReadonlyArray<Pick<CollectedSignature, "file" | "source">>,
): void {
  const digest = attestationFileDigest(attestationFile);
  const seen = new Map<Address, string>();
  for (const { file, source } of collected) {
    if (file.chainId !== attestationFile.chainId) {
      throw new VerificationError(
        `${source} is for chain ${file.chainId}, the attestation for chain ${attestationFile.chainId}`,
      );
    }
    if (file.registry !== attestationFile.registry) {
      throw new VerificationError(
        `${source} is for registry ${file.registry}, the attestation for registry ${attestationFile.registry}`,
      );
    }
    if (file.digest !== digest) {
      throw new VerificationError(`${source} signs a different attestation`, {
        details: `digest ${file.digest}, expected ${digest}`,
      });
    }
    const previous = seen.get(file.signer);
    if (previous !== undefined) {
      throw new VerificationError(`${file.signer} signed twice (${previous} and ${source})`);
    }
    seen.set(file.signer, source);
  }
}

/** Orders addresses as uint160, the order the registry requires for signers. */
export function compareAddresses(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function recoverWithSource(source: string, recover: () => Address): Address {
  try {
    return recover();
  } catch (err) {
    if (err instanceof VerificationError) {
      throw new VerificationError(`${source}: ${err.shortMessage}`, { details: err.details, cause: err });
    }
    throw err;
  }
}
