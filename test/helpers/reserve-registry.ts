import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Signer, TypedDataDomain } from "ethers";
import type { IReserveRegistry } from "../../typechain-types";
import { ATTESTATION_TYPES } from "./eip712";
import { registryDomain } from "./backing";

export { ATTESTATION_TYPES, registryDomain };

/**
 * Test helpers for ReserveRegistry attestations. They build EIP-712 signatures with ethers'
 * `signTypedData` straight from the documented type string in IReserveRegistry, independently of
 * any SDK helper, so a mistake in an SDK cannot hide a mistake in the contract.
 */

export type Attestation = IReserveRegistry.AttestationStruct;
export type SubjectConfig = IReserveRegistry.SubjectConfigStruct;

/** secp256k1 group order n: (r, n - s, v ^ 1) is the malleated twin of a signature (r, s, v). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A subject id the way issuers are expected to derive one: keccak256 of a readable label. */
export function subjectIdOf(label: string): string {
  return ethers.id(label);
}

/** Signs `att` for `domain` with `signer` (an EOA: a Hardhat account or an ethers Wallet). */
export async function signAttestation(
  signer: Signer,
  domain: TypedDataDomain,
  att: Attestation,
): Promise<string> {
  return signer.signTypedData(domain, ATTESTATION_TYPES, att);
}

/** Addresses in the strictly ascending order postAttestation requires. */
export function ascending<T extends { address: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => {
    const x = BigInt(a.address);
    const y = BigInt(b.address);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** The high-s twin of a valid 65-byte signature: same signer under plain ecrecover, but malleable. */
export function malleate(signature: string): string {
  const sig = ethers.Signature.from(signature);
  const highS = SECP256K1_N - BigInt(sig.s);
  const flippedV = sig.v === 27 ? 28 : 27;
  return ethers.concat([sig.r, ethers.toBeHex(highS, 32), ethers.toBeHex(flippedV, 1)]);
}

/** The struct as ethers decodes it from an event or a view, for deep comparison. */
export function configTuple(config: SubjectConfig): unknown[] {
  return [
    config.name,
    BigInt(config.decimals),
    config.token,
    config.reserveAsset,
    BigInt(config.heartbeat),
    BigInt(config.quorum),
    config.auditors,
  ];
}

/** The attestation struct as a tuple, for deep comparison with a decoded Result. */
export function attestationTuple(att: Attestation): unknown[] {
  return [
    att.subjectId,
    BigInt(att.asOf),
    BigInt(att.reserves),
    BigInt(att.liabilities),
    att.liabilitiesRoot,
    att.reportHash,
  ];
}

/** Hardhat accounts 0, 1, 2… under the given names, e.g. `namedAccounts("admin", "auditor")`. */
export async function namedAccounts<N extends string>(
  ...names: N[]
): Promise<Record<N, HardhatEthersSigner>> {
  const accounts = await ethers.getSigners();
  if (accounts.length < names.length) throw new Error(`need ${names.length} Hardhat accounts`);
  return Object.fromEntries(names.map((name, i) => [name, accounts[i]])) as Record<N, HardhatEthersSigner>;
}
