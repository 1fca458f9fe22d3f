/**
 * Shared helpers for the backing tests (reserve wallets, collateralization, ratio feed, guard, secure
 * mint): EIP-712 signing of attestations and reserve addresses with ethers' signTypedData, and a
 * subject config builder. Fixtures stay in the test files, one per contract.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract, Signer, TypedDataDomain } from "ethers";
import type { ReserveRegistry } from "../../typechain-types";
import type { IReserveRegistry } from "../../typechain-types/contracts/ReserveRegistry";
import { ATTESTATION_TYPES, RESERVE_ADDRESS_TYPES, registryDomainAt } from "./eip712";

export { ATTESTATION_TYPES, RESERVE_ADDRESS_TYPES };

export const WAD = 10n ** 18n;
export const MAX_RESERVE_WALLETS = 50;
export const HEARTBEAT_SECONDS = 86_400;

/** The registry's EIP-712 domain; `overrides` forge a domain for another registry or chain. */
export async function registryDomain(
  registry: BaseContract,
  overrides: Partial<TypedDataDomain> = {},
): Promise<TypedDataDomain> {
  const { chainId } = await ethers.provider.getNetwork();
  return { ...registryDomainAt(chainId, await registry.getAddress()), ...overrides };
}

export interface AttestationInput {
  subjectId: string;
  asOf: bigint | number;
  reserves: bigint;
  liabilities: bigint;
  liabilitiesRoot?: string;
  reportHash?: string;
}

function fullAttestation(att: AttestationInput): IReserveRegistry.AttestationStruct {
  return {
    subjectId: att.subjectId,
    asOf: BigInt(att.asOf),
    reserves: att.reserves,
    liabilities: att.liabilities,
    liabilitiesRoot: att.liabilitiesRoot ?? ethers.ZeroHash,
    reportHash: att.reportHash ?? ethers.id("report"),
  };
}

/** Has `auditors` sign `att` and posts it; signers are sorted ascending as the registry requires. */
export async function postAttestation(
  registry: ReserveRegistry,
  auditors: Signer[],
  att: AttestationInput,
): Promise<void> {
  const full = fullAttestation(att);
  const domain = await registryDomain(registry);
  const signed = await Promise.all(
    auditors.map(async (auditor) => ({
      address: await auditor.getAddress(),
      signature: await auditor.signTypedData(domain, ATTESTATION_TYPES, full),
    })),
  );
  signed.sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  await (
    await registry.postAttestation(
      full,
      signed.map((s) => s.address),
      signed.map((s) => s.signature),
    )
  ).wait();
}

/**
 * `signer`'s signature over ReserveAddress(subjectId, wallet, reserveAsset); `wallet` defaults to the
 * signer, `reserveAsset` to the subject's current one (zero for an unregistered subject).
 */
export async function signReserveAddress(
  signer: Signer,
  registry: ReserveRegistry,
  subjectId: string,
  wallet?: string,
  domainOverrides: Partial<TypedDataDomain> = {},
  reserveAsset?: string,
): Promise<string> {
  return signer.signTypedData(await registryDomain(registry, domainOverrides), RESERVE_ADDRESS_TYPES, {
    subjectId,
    wallet: wallet ?? (await signer.getAddress()),
    reserveAsset: reserveAsset ?? (await subjectReserveAsset(registry, subjectId)),
  });
}

async function subjectReserveAsset(registry: ReserveRegistry, subjectId: string): Promise<string> {
  try {
    const [config] = await registry.subject(subjectId);
    return config.reserveAsset;
  } catch {
    return ethers.ZeroAddress; // unregistered: the registry will refuse the subject anyway
  }
}

/** Has the registry's admin approve each of `assets` as a reserve asset. */
export async function approveReserveAssets(
  registry: ReserveRegistry,
  admin: Signer,
  ...assets: BaseContract[]
): Promise<void> {
  for (const asset of assets) {
    await (await registry.connect(admin).approveReserveAsset(await asset.getAddress())).wait();
  }
}

/** Registers `wallet` (an EOA signing for itself) as a reserve wallet of `subjectId`. */
export async function addWallet(
  registry: ReserveRegistry,
  owner: Signer,
  subjectId: string,
  wallet: Signer,
): Promise<void> {
  const signature = await signReserveAddress(wallet, registry, subjectId);
  await (
    await registry.connect(owner).addReserveWallet(subjectId, await wallet.getAddress(), signature)
  ).wait();
}

/** A subject config with one auditor, quorum 1, a one-day heartbeat and no token or reserve asset. */
export function subjectConfig(
  auditors: string[],
  overrides: Partial<IReserveRegistry.SubjectConfigStruct> = {},
): IReserveRegistry.SubjectConfigStruct {
  return {
    name: "USDX / USD reserves",
    decimals: 6,
    token: ethers.ZeroAddress,
    reserveAsset: ethers.ZeroAddress,
    heartbeat: HEARTBEAT_SECONDS,
    quorum: 1,
    auditors,
    ...overrides,
  };
}

/** Deterministic offline EOAs for reserve wallets beyond Hardhat's funded accounts. */
export function offlineWallets(
  count: number,
  label = "reserve-wallet",
): InstanceType<typeof ethers.Wallet>[] {
  return Array.from({ length: count }, (_, i) => new ethers.Wallet(ethers.id(`${label}-${i}`)));
}

/** Rescales `amount` between decimal precisions, rounding down: the naive reference for DecimalScaling. */
export function rescaleRef(amount: bigint, fromDecimals: number, toDecimals: number): bigint {
  if (fromDecimals <= toDecimals) return amount * 10n ** BigInt(toDecimals - fromDecimals);
  return amount / 10n ** BigInt(fromDecimals - toDecimals);
}

/** Hardhat's funded signers by name, in order: `namedSigners("admin", "owner")` → { admin, owner }. */
export async function namedSigners<K extends string>(...names: K[]): Promise<Record<K, HardhatEthersSigner>> {
  const all = await ethers.getSigners();
  if (all.length < names.length) throw new Error(`only ${all.length} signers for ${names.length} names`);
  return Object.fromEntries(names.map((name, i) => [name, all[i]])) as Record<K, HardhatEthersSigner>;
}
