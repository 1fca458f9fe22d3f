import { getAddress, TypedDataEncoder } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import type { TypedDataSigner } from "../attestations/attestation";
import { parseHex32 } from "../core/hex";
import type { Address, Hex32 } from "../core/hex";
import { safeSignaturePart } from "./parts";
import type { SafeSignaturePart } from "./parts";

/**
 * How a Safe (1.3.0 and later, with CompatibilityFallbackHandler) signs for ERC-1271: a contract
 * asking `isValidSignature(digest, signature)` of the Safe reaches the handler, which checks
 * `signature` with the Safe's own `checkSignatures` against the Safe message hash of
 * `abi.encode(digest)`: the EIP-712 hash of `SafeMessage(bytes message)` in the Safe's domain
 * `EIP712Domain(uint256 chainId,address verifyingContract)`. Each owner signs that hash; the parts,
 * sorted by owner, make the Safe's signature (signature.ts).
 */

/** The Safe's EIP-712 domain: chain id and the Safe's address, no name or version. */
export function safeDomain(chainId: bigint | number, safe: string): TypedDataDomain {
  return { chainId: BigInt(chainId), verifyingContract: getAddress(safe) };
}

/** CompatibilityFallbackHandler's SAFE_MSG_TYPEHASH type: keccak256("SafeMessage(bytes message)"). */
export const SAFE_MESSAGE_TYPES: Record<string, TypedDataField[]> = {
  SafeMessage: [{ name: "message", type: "bytes" }],
};

/**
 * The hash a Safe's owners sign for the Safe to accept `digest` through ERC-1271
 * `isValidSignature(bytes32 digest, bytes signature)`: the SafeMessage hash of `abi.encode(digest)`
 * (the 32 bytes themselves) in the Safe's domain. Equals the handler's
 * `getMessageHashForSafe(safe, abi.encode(digest))`.
 */
export function safeMessageHash(chainId: bigint | number, safe: string, digest: string): Hex32 {
  const message = parseHex32(digest, "digest");
  return TypedDataEncoder.hash(safeDomain(chainId, safe), SAFE_MESSAGE_TYPES, { message }) as Hex32;
}

/**
 * One owner's part of the Safe's signature of `digest`: the owner's EIP-712 signature of the
 * SafeMessage (65 bytes r‖s‖v, v 27 or 28, the Safe's plain-ECDSA signature type), checked to
 * recover to the owner before it is returned. Whether the signer owns the Safe is for the chain to
 * say (checkSafeOwner, assembleSafeSignature).
 */
export async function signSafeMessage(
  owner: TypedDataSigner,
  chainId: bigint | number,
  safe: string,
  digest: string,
): Promise<SafeSignaturePart> {
  const message = parseHex32(digest, "digest");
  const address = getAddress(await owner.getAddress()) as Address;
  const signature = await owner.signTypedData(safeDomain(chainId, safe), SAFE_MESSAGE_TYPES, { message });
  return safeSignaturePart(address, safeMessageHash(chainId, safe, message), signature);
}
