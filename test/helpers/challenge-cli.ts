/**
 * A subject with liabilities rounds on the shared node, for the `por statement` and `por challenge`
 * CLI tests: the registry of test/helpers/fixture.ts (admin 0, auditors 1-3, issuer 4 owns USDX),
 * trees built with the SDK from a CSV with 6 decimals, and rounds of them signed by auditors 1 and 2.
 */
import { mkdirSync } from "node:fs";
import { NonceManager } from "ethers";
import { attestationDomain, signAttestation, ZERO_HASH } from "../../src";
import type { Attestation, Hex32 } from "../../src";
import { SaltDeriver, toHex } from "../../src/liabilities";
import type { Fixture } from "./fixture";
import { buildAccounts } from "./liabilities-build";
import { devWallet, freshProvider } from "./node";

export const SALT_SECRET = "challenge cli salt secret";
/** The statement signer's key: dev account 5. */
export const STATEMENT_KEY = devWallet(5);
/** The customer who challenges: dev account 7. */
export const CUSTOMER = devWallet(7);

/** Customers' balances at the snapshot, in the subject's units (6 decimals). */
export const BALANCES: ReadonlyArray<readonly [string, string]> = [
  ["alice@example.com", "1250.5"],
  ["bob@example.com", "980000"],
  ["carol@example.com", "18749.5"],
];

/** The salt the custodian derives for `accountId` (what its customers get with their statements). */
export function saltOf(accountId: string): string {
  return toHex(new SaltDeriver(Buffer.from(SALT_SECRET)).derive(accountId));
}

/** Builds the tree of `rows` into `dir` (DIR/tree.bin, as `liabilities build` writes it). */
export async function buildTree(
  dir: string,
  rows: ReadonlyArray<readonly [string, string]>,
): Promise<{ root: Hex32; total: bigint }> {
  mkdirSync(dir, { recursive: true });
  const csv = `account,balance\n${rows.map(([a, b]) => `${a},${b}`).join("\n")}\n`;
  const { summary, tree } = await buildAccounts(dir, [], { csv, decimals: 6, secret: SALT_SECRET });
  tree.close();
  return { root: summary.root as Hex32, total: summary.total };
}

/** Posts a round of `tree` for `subjectId`, signed by auditors 1 and 2; returns its round id. */
export async function postTreeRound(
  fixture: Fixture,
  subjectId: Hex32,
  tree: { root: Hex32; total: bigint },
): Promise<bigint> {
  // Strictly after the previous round's snapshot, even when both are posted in the same second.
  const latest = await fixture.registry.latestRoundId(subjectId);
  const previous = latest === 0n ? 0n : (await fixture.registry.getAttestation(subjectId, latest))[0].asOf;
  const now = await fixture.now();
  const att: Attestation = {
    subjectId,
    asOf: now > previous ? now : previous + 1n,
    reserves: tree.total,
    liabilities: tree.total,
    liabilitiesRoot: tree.root,
    reportHash: ZERO_HASH,
  };
  const { chainId } = await fixture.registry.runner!.provider!.getNetwork();
  const domain = attestationDomain(chainId, fixture.address);
  const signed = await Promise.all(fixture.auditors.slice(0, 2).map((a) => signAttestation(a, domain, att)));
  signed.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  const registry = fixture.registry.connect(new NonceManager(fixture.admin.connect(await freshProvider())));
  await (
    await registry.postAttestation(
      att,
      signed.map((s) => s.signer),
      signed.map((s) => s.signature),
    )
  ).wait();
  return registry.latestRoundId(subjectId);
}
