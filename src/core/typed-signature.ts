import { getAddress, Signature, verifyTypedData } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import { VerificationError } from "./errors";
import type { Address } from "./hex";

const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * The address whose ECDSA signature `signature` is over the EIP-712 `value` of `types` in `domain`,
 * checked as the registry checks it (OpenZeppelin ECDSA): VerificationError for malformed bytes, a
 * high `s` (the malleable twin the registry refuses) or a signature of nothing (r = 0, s = 0).
 * Contract-wallet (ERC-1271) signatures do not recover; only the chain can check those.
 */
export function recoverTypedDataSigner(
  domain: TypedDataDomain,
  types: Record<string, TypedDataField[]>,
  value: Record<string, unknown>,
  signature: string,
): Address {
  let parsed: Signature;
  try {
    parsed = Signature.from(signature);
  } catch (err) {
    throw new VerificationError("malformed ECDSA signature", { cause: err });
  }
  // `_s` is the raw s; ethers' `s` getter throws for the non-canonical (high) half.
  if (BigInt(parsed._s) > SECP256K1_HALF_N) throw new VerificationError("signature has a high s value");
  try {
    return getAddress(verifyTypedData(domain, types, value, parsed)) as Address;
  } catch (err) {
    throw new VerificationError("signature does not recover to any address", { cause: err });
  }
}
