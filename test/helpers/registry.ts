import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ethers } from "hardhat";
import type { ReserveRegistry } from "../../typechain-types";
import { ATTESTATION_TYPES } from "./eip712";

export { ATTESTATION_TYPES };

export interface AttestationValues {
  subjectId: string;
  asOf: bigint;
  reserves: bigint;
  liabilities: bigint;
  liabilitiesRoot: string;
  reportHash: string;
}

/** Deploys a registry, accredits `auditor` and registers `subjectId` with quorum 1 of [auditor]. */
export async function deployRegistryWithSubject(subjectId: string) {
  const [admin, auditor, relayer] = await ethers.getSigners();
  const registry = await ethers.deployContract("ReserveRegistry", [admin!.address]);
  await registry.accreditAuditor(auditor!.address, "Test Auditor LLP");
  await registry.registerSubject(subjectId, {
    name: "USDX / USD reserves",
    decimals: 18,
    token: ethers.ZeroAddress,
    reserveAsset: ethers.ZeroAddress,
    heartbeat: 86_400,
    quorum: 1,
    auditors: [auditor!.address],
  });
  return { registry, admin: admin!, auditor: auditor!, relayer: relayer! };
}

/** Signs `att` as `auditor` with ethers signTypedData and posts it; returns the new round id. */
export async function postAttestation(
  registry: ReserveRegistry,
  auditor: HardhatEthersSigner,
  att: AttestationValues,
): Promise<bigint> {
  const { chainId } = await ethers.provider.getNetwork();
  const domain = {
    name: "ReserveRegistry",
    version: "1",
    chainId,
    verifyingContract: await registry.getAddress(),
  };
  const signature = await auditor.signTypedData(domain, ATTESTATION_TYPES, att);
  if (
    ethers.TypedDataEncoder.hash(domain, ATTESTATION_TYPES, att) !== (await registry.attestationDigest(att))
  ) {
    throw new Error("EIP-712 digest mismatch between ethers and the registry");
  }
  await registry.postAttestation(att, [auditor.address], [signature]);
  return registry.latestRoundId(att.subjectId);
}

/** An attestation of liabilities `root`/`total` for `subjectId`, one second after the latest block. */
export async function liabilitiesAttestation(subjectId: string, root: string, total: bigint, asOfOffset = 0) {
  const latest = await ethers.provider.getBlock("latest");
  return {
    subjectId,
    asOf: BigInt(latest!.timestamp) - 100n + BigInt(asOfOffset),
    reserves: total,
    liabilities: total,
    liabilitiesRoot: root,
    reportHash: ethers.id("audit report"),
  };
}
