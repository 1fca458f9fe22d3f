import { getAddress, TypedDataEncoder } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import type { Address, Hex32 } from "../core/hex";
import { VerificationError } from "../core/errors";
import { recoverTypedDataSigner } from "../core/typed-signature";

/**
 * What auditors sign (IReserveRegistry.Attestation): a subject's reserves and liabilities, in the
 * subject's decimals, at snapshot time `asOf` (unix seconds).
 */
export interface Attestation {
  subjectId: Hex32;
  asOf: bigint;
  reserves: bigint;
  liabilities: bigint;
  liabilitiesRoot: Hex32;
  reportHash: Hex32;
}

/** The EIP-712 domain name and version ReserveRegistry uses. */
export const ATTESTATION_DOMAIN_NAME = "ReserveRegistry";
export const ATTESTATION_DOMAIN_VERSION = "1";

/** The EIP-712 type string ReserveRegistry hashes (ATTESTATION_TYPEHASH). */
export const ATTESTATION_TYPE =
  "Attestation(bytes32 subjectId,uint64 asOf,uint256 reserves,uint256 liabilities,bytes32 liabilitiesRoot,bytes32 reportHash)";

/** ATTESTATION_TYPE as ethers typed-data fields. */
export const ATTESTATION_TYPES: Record<string, TypedDataField[]> = {
  Attestation: [
    { name: "subjectId", type: "bytes32" },
    { name: "asOf", type: "uint64" },
    { name: "reserves", type: "uint256" },
    { name: "liabilities", type: "uint256" },
    { name: "liabilitiesRoot", type: "bytes32" },
    { name: "reportHash", type: "bytes32" },
  ],
};

/** The EIP-712 domain of the registry at `registryAddress` on chain `chainId`. */
export function attestationDomain(chainId: bigint | number, registryAddress: string): TypedDataDomain {
  return {
    name: ATTESTATION_DOMAIN_NAME,
    version: ATTESTATION_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: getAddress(registryAddress),
  };
}

/** The EIP-712 digest auditors sign; equals ReserveRegistry.attestationDigest(att). */
export function attestationDigest(domain: TypedDataDomain, att: Attestation): Hex32 {
  return TypedDataEncoder.hash(domain, ATTESTATION_TYPES, { ...att }) as Hex32;
}

/** Anything that signs EIP-712 typed data: an ethers Wallet or a JSON-RPC signer. */
export interface TypedDataSigner {
  getAddress(): Promise<string>;
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** A signed attestation: who signed, what digest, and the 65-byte signature. */
export interface AttestationSignature {
  signer: Address;
  digest: Hex32;
  signature: string;
}

/**
 * Signs `att` for `domain` with `signer` and checks the result before returning it: the
 * signature must recover to the signer and be low-s, as the registry requires.
 */
export async function signAttestation(
  signer: TypedDataSigner,
  domain: TypedDataDomain,
  att: Attestation,
): Promise<AttestationSignature> {
  const address = getAddress(await signer.getAddress()) as Address;
  const signature = await signer.signTypedData(domain, ATTESTATION_TYPES, { ...att });
  const recovered = recoverAttestationSigner(domain, att, signature);
  if (recovered !== address) {
    throw new VerificationError(`signature recovers to ${recovered}, not the signer ${address}`);
  }
  return { signer: address, digest: attestationDigest(domain, att), signature: signature.toLowerCase() };
}

/**
 * The address whose ECDSA signature `signature` is over `att`'s digest. Throws VerificationError
 * for a malformed or high-s signature (which the registry refuses). Contract-wallet (ERC-1271)
 * signatures do not recover; only the chain can check those.
 */
export function recoverAttestationSigner(
  domain: TypedDataDomain,
  att: Attestation,
  signature: string,
): Address {
  return recoverTypedDataSigner(domain, ATTESTATION_TYPES, { ...att }, signature);
}
