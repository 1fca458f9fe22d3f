/**
 * Demo scenes for customers as auditors: the custodian publishes every proof and commits the
 * publication on-chain, but its new round leaves out a customer to whom its account page had signed
 * a balance statement. The customer does not find herself in the publication, challenges the round,
 * nobody can answer, and the round is disputed: no consumer counts it as fresh any more. Staged
 * here; the logic is in src/ (statement.ts, challenges.ts, liabilities/publication*.ts).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ReserveFeed, ReserveRegistry } from "../../typechain-types";
import type { Attestation, Hex32 } from "../../src";
import {
  attestationDomain,
  challengesContract,
  formatAmount,
  parseHex32,
  signBalanceStatement,
} from "../../src";
import {
  accountCommitment,
  buildTreeFile,
  checkPublishedBalance,
  publicationSource,
  toHex,
  writePublication,
  type CommittedRound,
} from "../../src/liabilities";
import { bytes32FromHex } from "../../src/liabilities/hash";
import type { Scene } from "./output";
import { line } from "./output";

/** What the challenge scenes need from the demo's set-up. */
export interface ChallengeContext {
  registry: ReserveRegistry;
  /** The subject's ReserveFeed, deployed by an earlier scene. */
  feed(): ReserveFeed;
  chainId: bigint;
  subjectId: Hex32;
  decimals: number;
  admin: HardhatEthersSigner;
  /** The subject's owner: the custodian, whose account page signs statements. */
  custodian: HardhatEthersSigner;
  customer: HardhatEthersSigner;
  attest(ageSeconds: number, reserves: bigint, liabilities: bigint, root: Hex32): Promise<Attestation>;
  post(att: Attestation): Promise<bigint>;
}

const WINDOW_SECONDS = 7 * 86_400;
const BOND = hre.ethers.parseEther("0.01");
const CAROL = { accountId: "carol@example.com", balance: "125000.50" };
// Everyone but Carol: the custodian's new ledger "forgets" her.
const LEDGER_WITHOUT_CAROL = `account,balance
alice@example.com,250000.00
bob@example.com,99000.00
dave@example.com,310000
erin@example.com,99999.99
`;
const DEMO_SALT_SECRET = new TextEncoder().encode("por-registry demo salt secret (public, do not reuse)");

export function challengeScenes(ctx: ChallengeContext): Scene[] {
  let dir: string;
  let round: bigint;
  let asOf: bigint;
  let challengeId: bigint;
  let carolSalt: string;
  let statementSignature: string;
  const amount = (value: bigint) =>
    `${formatAmount(value, ctx.decimals, { grouping: true, fractionDigits: 2 })} USDX`;
  const carolBalance = hre.ethers.parseUnits(CAROL.balance, ctx.decimals);
  const challenges = () => challengesContract(ctx.registry);

  return [
    {
      title: "Customers as auditors: statements, a challenge window and a bond",
      run: async () => {
        const c = await challenges();
        await (await c.connect(ctx.admin).setChallengeBond(BOND)).wait();
        await (
          await c.connect(ctx.custodian).setStatementSigner(ctx.subjectId, ctx.custodian.address)
        ).wait();
        await (await c.connect(ctx.custodian).setChallengeWindow(ctx.subjectId, WINDOW_SECONDS)).wait();
        line("challenges", `${await c.getAddress()} (created by the registry)`);
        line("statement key", `${ctx.custodian.address} (signs what account pages show)`);
        line("window", "7 days from each round's posting; bond 0.01 ETH");
      },
    },
    {
      title: "The custodian leaves Carol out of its next round, and publishes every proof",
      run: async () => {
        dir = await mkdtemp(path.join(os.tmpdir(), "por-demo-challenge-"));
        const csv = path.join(dir, "balances.csv");
        await writeFile(csv, LEDGER_WITHOUT_CAROL);
        const tree = path.join(dir, "tree.bin");
        const summary = await buildTreeFile({
          input: csv,
          treeFile: tree,
          decimals: ctx.decimals,
          saltSecret: DEMO_SALT_SECRET,
          padTo: 8,
          threads: 0,
        });
        const att = await ctx.attest(
          10,
          (summary.total * 105n) / 100n,
          summary.total,
          parseHex32(summary.root, "root"),
        );
        asOf = att.asOf;
        // Carol's account page showed her balance at this snapshot, signed by the statement key.
        carolSalt = hre.ethers.id(`demo salt of ${CAROL.accountId}`);
        const commitment = toHex(accountCommitment(bytes32FromHex(carolSalt, "salt"), CAROL.accountId));
        const domain = attestationDomain(ctx.chainId, await ctx.registry.getAddress());
        ({ signature: statementSignature } = await signBalanceStatement(ctx.custodian, domain, {
          subjectId: ctx.subjectId,
          accountCommitment: commitment as Hex32,
          balance: carolBalance,
          asOf,
        }));
        round = await ctx.post(att);
        const published = await writePublication(tree, path.join(dir, "publication"));
        const uri = `file://${path.join(dir, "publication")}/`;
        const c = await challenges();
        await (
          await c.connect(ctx.custodian).publishProofs(ctx.subjectId, round, published.manifestHash, uri)
        ).wait();
        line(
          "round",
          `#${round}: liabilities ${amount(summary.total)}, Carol's ${amount(carolBalance)} missing`,
        );
        line(
          "published",
          `${published.shardCount} shard(s), manifest ${published.manifestHash.slice(0, 18)}… on-chain`,
        );
        line("fresh", String(await ctx.registry.isFresh(ctx.subjectId)));
      },
    },
    {
      title: "Carol checks the publication, does not find herself, and challenges the round",
      run: async () => {
        const c = await challenges();
        const [committed] = await c.publication(ctx.subjectId, round);
        const [att] = await ctx.registry.getAttestation(ctx.subjectId, round);
        const onChain: CommittedRound = {
          manifestHash: committed as Hex32,
          root: att.liabilitiesRoot as Hex32,
          total: att.liabilities,
          decimals: ctx.decimals,
        };
        const check = await checkPublishedBalance(
          await publicationSource(path.join(dir, "publication")),
          onChain,
          {
            accountId: CAROL.accountId,
            salt: carolSalt,
            balance: CAROL.balance,
          },
        );
        line("her check", check.ok ? "FOUND (bug!)" : `NOT FOUND: ${check.reason ?? check.failure}`);
        const commitment = toHex(accountCommitment(bytes32FromHex(carolSalt, "salt"), CAROL.accountId));
        const tx = await c
          .connect(ctx.customer)
          .challenge(ctx.subjectId, round, commitment, carolBalance, statementSignature, { value: BOND });
        const receipt = await tx.wait();
        const opened = receipt?.logs
          .map((log) => c.interface.parseLog(log))
          .find((event) => event?.name === "ChallengeOpened");
        challengeId = opened?.args.challengeId as bigint;
        line("challenge", `#${challengeId}, with her signed statement and the 0.01 ETH bond`);
      },
    },
    {
      title: "Nobody can answer: after the deadline the round is disputed",
      run: async () => {
        const c = await challenges();
        await time.increase(WINDOW_SECONDS + 1);
        await (await c.settleChallenge(challengeId)).wait();
        const [, , , updatedAt] = await ctx.feed().latestRoundData();
        const solvency = await c.solvency(ctx.subjectId);
        line("isDisputed", String(await ctx.registry.isDisputed(ctx.subjectId, round)));
        line(
          "fresh",
          `${await ctx.registry.isFresh(ctx.subjectId)} (collateralization, guards and mints refuse it)`,
        );
        line("feed updatedAt", `${updatedAt} (a consumer checking freshness rejects the round)`);
        line(
          "solvency()",
          `round ${solvency.roundId}, disputed ${solvency.disputed}, fresh ${solvency.fresh}`,
        );
        await (await c.connect(ctx.customer).withdraw()).wait();
        line("bond", "returned to Carol");
        await rm(dir, { recursive: true, force: true });
      },
    },
  ];
}
