import { getAddress, recoverAddress, Signature } from "ethers";
import { VerificationError } from "../core/errors";
import type { Address } from "../core/hex";

/**
 * A Safe's signature is its owners' signatures of one hash (a Safe message hash for ERC-1271, a
 * Safe transaction hash for execTransaction), 65 bytes each, concatenated in ascending order of
 * owner address, at least `threshold` of them. `por` uses one signature type: plain ECDSA over the
 * hash (r‖s‖v with v 27 or 28), which is what an EOA owner's EIP-712 signature is. Owners that are
 * contracts (a Safe owning a Safe) or pre-approved hashes are not supported.
 */

/** One owner's signature of a Safe hash. */
export interface SafeSignaturePart {
  owner: Address;
  /** 65 bytes r‖s‖v, v 27 or 28, lowercase hex. */
  signature: string;
  /** Where the part came from (a file name), for error messages. */
  source?: string;
}

/** The address whose plain-ECDSA signature `signature` is of `hash` (v 27/28, as the Safe checks it). */
export function recoverSafePartSigner(hash: string, signature: string): Address {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    throw new VerificationError("an owner's signature must be 65 bytes of 0x-prefixed hex");
  }
  // The Safe reads v as the signature type: 27/28 is plain ECDSA, 0 a contract, 1 an approved hash.
  const v = parseInt(signature.slice(130), 16);
  if (v !== 27 && v !== 28) {
    throw new VerificationError(`an owner's signature must end in v = 27 or 28 (plain ECDSA), not ${v}`);
  }
  try {
    return getAddress(recoverAddress(hash, Signature.from(signature))) as Address;
  } catch (err) {
    throw new VerificationError("malformed ECDSA signature", { cause: err });
  }
}

/**
 * `signature` as a part of `owner`'s: normalized to 65 bytes with v 27 or 28, refused unless it
 * recovers to `owner` over `hash`.
 */
export function safeSignaturePart(owner: string, hash: string, signature: string): SafeSignaturePart {
  const address = getAddress(owner) as Address;
  let serialized: string;
  try {
    serialized = Signature.from(signature).serialized.toLowerCase();
  } catch (err) {
    throw new VerificationError("malformed ECDSA signature", { cause: err });
  }
  const recovered = recoverSafePartSigner(hash, serialized);
  if (recovered !== address) {
    throw new VerificationError(`signature recovers to ${recovered}, not the owner ${address}`);
  }
  return { owner: address, signature: serialized };
}
