/**
 * A registry set up directly with ethers on the shared node (fast, no CLI), so each CLI area's
 * tests start from the state they need: admin = dev account 0, auditors = accounts 1-3.
 */
import { NonceManager } from "ethers";
import type { Wallet } from "ethers";
import { ReserveRegistry__factory } from "../../typechain-types/factories/contracts/ReserveRegistry__factory";
import { MockERC20__factory } from "../../typechain-types/factories/contracts/test/MockERC20__factory";
import type { ReserveRegistry } from "../../typechain-types";
import { attestationDomain, parseSubjectId, signAttestation, ZERO_HASH } from "../../src";
import type { Attestation, Hex32 } from "../../src";
import { devWallet, freshProvider } from "./node";

export const ADMIN = 0;
export const AUDITORS = [1, 2, 3] as const;
export const ISSUER = 4;
export const OUTSIDER = 6;

export interface Fixture {
  registry: ReserveRegistry;
  address: string;
  admin: Wallet;
  auditors: Wallet[];
  issuer: Wallet;
  /** Latest block time on the node. */
  now(): Promise<bigint>;
}

/** Deploys a registry; accredits auditors 1-3 unless `accredit` is false. */
export async function deployRegistry(options: { accredit?: boolean } = {}): Promise<Fixture> {
  const provider = await freshProvider();
  const admin = devWallet(ADMIN, provider);
  // A fresh provider and NonceManager per helper call: CLI processes send from the same accounts
  // between calls, and ethers briefly caches nonce reads per provider.
  const registry = await new ReserveRegistry__factory(new NonceManager(admin)).deploy(admin.address);
  await registry.waitForDeployment();
  const auditors = AUDITORS.map((i) => devWallet(i, provider));
  if (options.accredit ?? true) {
    for (const [i, auditor] of auditors.entries()) {
      await (await registry.accreditAuditor(auditor.address, `Auditor ${i + 1}`)).wait();
    }
  }
  return {
    registry: registry.connect(admin),
    address: await registry.getAddress(),
    admin,
    auditors,
    issuer: devWallet(ISSUER, provider),
    now: async () => BigInt((await provider.getBlock("latest"))!.timestamp),
  };
}

/** Deploys a MockERC20 `symbol` with `decimals` (from the admin account); returns its address. */
export async function deployToken(fixture: Fixture, symbol: string, decimals: number): Promise<string> {
  const deployer = new NonceManager(fixture.admin.connect(await freshProvider()));
  const token = await new MockERC20__factory(deployer).deploy(`${symbol} token`, symbol, decimals);
  await token.waitForDeployment();
  return token.getAddress();
}

/** Has the admin approve `asset` as a reserve asset (directly, not through the CLI). */
export async function approveReserveAsset(fixture: Fixture, asset: string): Promise<void> {
  const admin = new NonceManager(fixture.admin.connect(await freshProvider()));
  await (await fixture.registry.connect(admin).approveReserveAsset(asset)).wait();
}

/** Registers `id` (6 decimals, heartbeat 1 day, quorum 2 of auditors 1-3) owned by the issuer. */
export async function registerSubject(fixture: Fixture, id: string): Promise<Hex32> {
  const subjectId = parseSubjectId(id);
  const registry = fixture.registry.connect(new NonceManager(fixture.issuer.connect(await freshProvider())));
  await (
    await registry.registerSubject(subjectId, {
      name: `${id} / USD reserves`,
      decimals: 6,
      token: "0x0000000000000000000000000000000000000000",
      reserveAsset: "0x0000000000000000000000000000000000000000",
      heartbeat: 86_400,
      quorum: 2,
      auditors: fixture.auditors.map((a) => a.address),
    })
  ).wait();
  return subjectId;
}

/** Posts a round for `subjectId` signed by auditors 1 and 2 (through the SDK). */
export async function postRound(
  fixture: Fixture,
  subjectId: Hex32,
  amounts: { reserves: bigint; liabilities: bigint; ageSeconds?: bigint },
): Promise<Attestation> {
  const att: Attestation = {
    subjectId,
    asOf: (await fixture.now()) - (amounts.ageSeconds ?? 10n),
    reserves: amounts.reserves,
    liabilities: amounts.liabilities,
    liabilitiesRoot: ZERO_HASH,
    reportHash: ZERO_HASH,
  };
  const { chainId } = await fixture.registry.runner!.provider!.getNetwork();
  const domain = attestationDomain(chainId, fixture.address);
  const signed = await Promise.all(fixture.auditors.slice(0, 2).map((a) => signAttestation(a, domain, att)));
  signed.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  await (
    await fixture.registry
      .connect(new NonceManager(fixture.admin.connect(await freshProvider())))
      .postAttestation(
        att,
        signed.map((s) => s.signer),
        signed.map((s) => s.signature),
      )
  ).wait();
  return att;
}
