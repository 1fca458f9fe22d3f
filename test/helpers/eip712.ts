/**
 * The registry's EIP-712 types, written out for the tests from the documented type strings in
 * IReserveRegistry, independently of the SDK (src/attestations/attestation.ts): a mistake in one cannot hide a
 * mistake in the other or in the contract.
 */

/** `Attestation(bytes32 subjectId,uint64 asOf,uint256 reserves,uint256 liabilities,bytes32 liabilitiesRoot,bytes32 reportHash)` */
export const ATTESTATION_TYPES = {
  Attestation: [
    { name: "subjectId", type: "bytes32" },
    { name: "asOf", type: "uint64" },
    { name: "reserves", type: "uint256" },
    { name: "liabilities", type: "uint256" },
    { name: "liabilitiesRoot", type: "bytes32" },
    { name: "reportHash", type: "bytes32" },
  ],
};

/** `ReserveAddress(bytes32 subjectId,address wallet,address reserveAsset)` */
export const RESERVE_ADDRESS_TYPES = {
  ReserveAddress: [
    { name: "subjectId", type: "bytes32" },
    { name: "wallet", type: "address" },
    { name: "reserveAsset", type: "address" },
  ],
};

/** The registry's EIP-712 domain on chain `chainId` at `verifyingContract` (the one place tests spell it). */
export function registryDomainAt(chainId: bigint, verifyingContract: string) {
  return { name: "ReserveRegistry", version: "1", chainId, verifyingContract };
}
