/**
 * Demo scenes for the liabilities side: the custodian builds a Merkle-sum tree of customer
 * balances, auditors attest its root and total, and one customer verifies their own balance
 * off-chain and on-chain. Staged here; the logic is in src/liabilities.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { ReserveRegistry } from "../../typechain-types";
import type { Attestation, Hex32 } from "../../src";
import { formatAmount, parseHex32 } from "../../src";
import {
  type AttestedOn,
  buildTreeFile,
  type LiabilitiesSummary,
  type LiabilityProofPackage,
  proofStepsForContract,
  TreeFile,
  verifyProofPackage,
} from "../../src/liabilities";
import type { Scene } from "./output";
import { line } from "./output";

/** What the liabilities scenes need from the demo's set-up. */
export interface LiabilitiesContext {
  registry: ReserveRegistry;
  subjectId: Hex32;
  decimals: number;
  /** Builds an attestation `ageSeconds` old with the given amounts (base units) and root. */
  attest(ageSeconds: number, reserves: bigint, liabilities: bigint, root: Hex32): Promise<Attestation>;
  /** Has two auditors sign `att` and a relayer post it; returns the round. */
  post(att: Attestation): Promise<bigint>;
  /** Where the tree is attested, written into the customer's proof package. */
  attestedOn: AttestedOn;
  /** Receives the customer's proof package and its round, for the web pages. */
  keepProof(pkg: LiabilityProofPackage, round: bigint): void;
}

const CUSTOMERS = `account,balance
alice@example.com,250000.00
bob@example.com,125000.50
carol@example.com,0.01
dave@example.com,310000
erin@example.com,99999.99
`;

// A fixed secret keeps the demo reproducible. A real custodian keeps its secret private
// (--salt-secret-file or POR_SALT_SECRET) and never reuses one from documentation.
const DEMO_SALT_SECRET = new TextEncoder().encode("por-registry demo salt secret (public, do not reuse)");

export function liabilitiesScenes(ctx: LiabilitiesContext): Scene[] {
  let dir: string;
  let summary: LiabilitiesSummary;
  let pkg: LiabilityProofPackage;
  let round: bigint;
  const amount = (value: bigint) =>
    `${formatAmount(value, ctx.decimals, { grouping: true, fractionDigits: 2 })} USDX`;

  return [
    {
      title: "Liabilities: the custodian builds a Merkle-sum tree of customer balances",
      run: async () => {
        dir = await mkdtemp(path.join(os.tmpdir(), "por-demo-liabilities-"));
        const csv = path.join(dir, "balances.csv");
        await writeFile(csv, CUSTOMERS);
        summary = await buildTreeFile({
          input: csv,
          treeFile: path.join(dir, "tree.bin"),
          decimals: ctx.decimals,
          saltSecret: DEMO_SALT_SECRET,
          padTo: 8,
          threads: 0,
        });
        line("customers", "5 (padded with zero-balance leaves to 8, hiding the exact count)");
        line("total", amount(summary.total));
        line("root", summary.root);
      },
    },
    {
      title: "Auditors attest reserves against the tree's root and total",
      run: async () => {
        const reserves = (summary.total * 105n) / 100n;
        round = await ctx.post(
          await ctx.attest(30, reserves, summary.total, parseHex32(summary.root, "root")),
        );
        line("round", `#${round}`);
        line("reserves", amount(reserves));
        line("liabilities", `${amount(summary.total)} (root ${summary.root.slice(0, 18)}…)`);
      },
    },
    {
      title: "A customer verifies their balance, off-chain and on-chain",
      run: async () => {
        const tree = TreeFile.open(path.join(dir, "tree.bin"));
        try {
          pkg = { ...tree.prove("bob@example.com"), attestedOn: ctx.attestedOn };
        } finally {
          tree.close();
        }
        const offChain = verifyProofPackage(pkg);
        line(
          "customer",
          `${pkg.accountId}, balance ${amount(BigInt(pkg.balance))}, ${pkg.proof.length} proof steps`,
        );
        line(
          "off-chain",
          offChain.ok ? "VALID: included in the attested total" : `INVALID: ${offChain.reason}`,
        );
        const commitment = offChain.commitment;
        const onChain = await ctx.registry.verifyLiability(
          ctx.subjectId,
          round,
          commitment,
          BigInt(pkg.balance),
          proofStepsForContract(pkg),
        );
        line("on-chain", onChain ? "VALID: verifyLiability(round) is true" : "INVALID");
        const shaved = await ctx.registry.verifyLiability(
          ctx.subjectId,
          round,
          commitment,
          BigInt(pkg.balance) - 1n,
          proofStepsForContract(pkg),
        );
        line(
          "tampered",
          `the same proof with 0.000001 USDX less: ${shaved ? "ACCEPTED (bug!)" : "REJECTED"}`,
        );
        ctx.keepProof(pkg, round);
        await rm(dir, { recursive: true, force: true });
      },
    },
  ];
}
