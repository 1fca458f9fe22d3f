import { getAddress, TypedDataEncoder } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import type { TypedDataSigner } from "../attestations/attestation";
import { VerificationError } from "../core/errors";
import type { Address, Hex32 } from "../core/hex";
import { recoverTypedDataSigner } from "../core/typed-signature";

/**
 * What a custodian's statement signer signs for a customer's account page: the customer's balance
 * at a round's snapshot, `BalanceStatement(bytes32 subjectId,bytes32 accountCommitment,uint256
 * balance,uint64 asOf)` in the registry's EIP-712 domain (attestationDomain). `asOf` is the round's,
 * so a statement names exactly one round of the subject. A customer who holds one can challenge a
 * round that omits or shrinks that balance (ILiabilityChallenges.challenge, docs/protocol.md).
 */
export interface BalanceStatement {
  subjectId: Hex32;
  /** keccak256(abi.encode(salt, keccak256(bytes(accountId)))), docs/liabilities-tree.md. */
  accountCommitment: Hex32;
  /** The balance in the subject's base units. */
  balance: bigint;
  /** The round's snapshot time (unix seconds). */
  asOf: bigint;
}

/** The EIP-712 type string the registry hashes (BALANCE_STATEMENT_TYPEHASH). */
export const BALANCE_STATEMENT_TYPE =
  "BalanceStatement(bytes32 subjectId,bytes32 accountCommitment,uint256 balance,uint64 asOf)";

/** BALANCE_STATEMENT_TYPE as ethers typed-data fields. */
export const BALANCE_STATEMENT_TYPES: Record<string, TypedDataField[]> = {
  BalanceStatement: [
    { name: "subjectId", type: "bytes32" },
    { name: "accountCommitment", type: "bytes32" },
    { name: "balance", type: "uint256" },
    { name: "asOf", type: "uint64" },
  ],
};

/** The EIP-712 digest a statement signer signs; equals ReserveRegistry.balanceStatementDigest. */
export function balanceStatementDigest(domain: TypedDataDomain, statement: BalanceStatement): Hex32 {
  return TypedDataEncoder.hash(domain, BALANCE_STATEMENT_TYPES, { ...statement }) as Hex32;
}

/** A signed statement: who signed, the digest, and the 65-byte signature (lowercase hex). */
export interface StatementSignature {
  signer: Address;
  digest: Hex32;
  signature: string;
}

/**
 * Signs `statement` for `domain` with `signer` and checks the result recovers to the signer (and
 * is low-s, as the registry's ECDSA check requires) before returning it.
 */
export async function signBalanceStatement(
  signer: TypedDataSigner,
  domain: TypedDataDomain,
  statement: BalanceStatement,
): Promise<StatementSignature> {
  const address = getAddress(await signer.getAddress()) as Address;
  const signature = await signer.signTypedData(domain, BALANCE_STATEMENT_TYPES, { ...statement });
  const recovered = recoverBalanceStatementSigner(domain, statement, signature);
  if (recovered !== address) {
    throw new VerificationError(`signature recovers to ${recovered}, not the signer ${address}`);
  }
  return {
    signer: address,
    digest: balanceStatementDigest(domain, statement),
    signature: signature.toLowerCase(),
  };
}

/**
 * The address whose ECDSA signature `signature` is over `statement`'s digest. VerificationError for
 * a malformed or high-s signature (the challenge contract refuses both).
 */
export function recoverBalanceStatementSigner(
  domain: TypedDataDomain,
  statement: BalanceStatement,
  signature: string,
): Address {
  return recoverTypedDataSigner(domain, BALANCE_STATEMENT_TYPES, { ...statement }, signature);
}
