import { getAddress, TypedDataEncoder } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import type { TypedDataSigner } from "../attestations/attestation";
import type { Address, Hex32 } from "../core/hex";
import { recoverTypedDataSigner } from "../core/typed-signature";

/**
 * What a reserve wallet signs to back a subject with its balance of one asset:
 * `ReserveAddress(bytes32 subjectId,address wallet,address reserveAsset)` in the registry's EIP-712
 * domain (the same as attestations, see attestationDomain). The subject owner then passes the
 * signature to `addReserveWallet`. Naming the asset means a consent given for one asset cannot be
 * reused after the subject's asset is swapped for another.
 */
export const RESERVE_ADDRESS_TYPES: Record<string, TypedDataField[]> = {
  ReserveAddress: [
    { name: "subjectId", type: "bytes32" },
    { name: "wallet", type: "address" },
    { name: "reserveAsset", type: "address" },
  ],
};

/** The digest a wallet signs; equals ReserveRegistry.reserveAddressDigest(subjectId, wallet, reserveAsset). */
export function reserveAddressDigest(
  domain: TypedDataDomain,
  subjectId: Hex32,
  wallet: string,
  reserveAsset: string,
): Hex32 {
  return TypedDataEncoder.hash(domain, RESERVE_ADDRESS_TYPES, {
    subjectId,
    wallet: getAddress(wallet),
    reserveAsset: getAddress(reserveAsset),
  }) as Hex32;
}

/** The wallet's signature consenting to back `subjectId` with `reserveAsset` (an EOA key; contract wallets sign their own way). */
export async function signReserveAddress(
  wallet: TypedDataSigner,
  domain: TypedDataDomain,
  subjectId: Hex32,
  reserveAsset: string,
): Promise<string> {
  return wallet.signTypedData(domain, RESERVE_ADDRESS_TYPES, {
    subjectId,
    wallet: getAddress(await wallet.getAddress()),
    reserveAsset: getAddress(reserveAsset),
  });
}

/**
 * The address whose ECDSA signature `signature` is over ReserveAddress(subjectId, wallet,
 * reserveAsset) in `domain`. Throws VerificationError for a malformed or high-s signature (which
 * the registry's ECDSA check refuses). Contract-wallet (ERC-1271) signatures do not recover; only
 * the chain can check those.
 */
export function recoverReserveAddressSigner(
  domain: TypedDataDomain,
  subjectId: Hex32,
  wallet: string,
  reserveAsset: string,
  signature: string,
): Address {
  const value = { subjectId, wallet: getAddress(wallet), reserveAsset: getAddress(reserveAsset) };
  return recoverTypedDataSigner(domain, RESERVE_ADDRESS_TYPES, value, signature);
}
