/**
 * `npm run demo`: the protocol end to end on the in-process Hardhat network, as a sequence of
 * scenes sharing one context. Protocol logic lives in src/; this file only stages it and prints.
 * Later scenes (liabilities tree, wrapped-token backing) append to SCENES.
 */
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import ReserveRegistryModule from "../deploy/ReserveRegistry";
import { backingScenes } from "./demo/backing";
import { challengeScenes } from "./demo/challenges";
import { liabilitiesScenes } from "./demo/liabilities";
import {
  type DemoWebData,
  printWebHint,
  requireServePortsFree,
  serveDemo,
  serveRequested,
} from "./demo/serve";
import type { ReserveFeed, ReserveRegistry } from "../typechain-types";
import { AggregatorV3Interface__factory } from "../typechain-types/factories/contracts/interfaces/AggregatorV3Interface__factory";
import { ReserveRegistry__factory } from "../typechain-types/factories/contracts/ReserveRegistry__factory";
import {
  attestationDomain,
  buildSubmission,
  formatAmount,
  formatDuration,
  formatRoundId,
  formatSubjectId,
  formatTimestamp,
  parseAmount,
  parseSubjectConfig,
  parseSubjectId,
  PorError,
  postSubmission,
  readSubjectStatus,
  signAttestation,
  toChainError,
  ZERO_HASH,
} from "../src";
import type { Attestation, AttestationFile, Address, Hex32, SubjectConfig } from "../src";

/** State the scenes build up and share. */
interface DemoContext {
  admin: HardhatEthersSigner;
  issuer: HardhatEthersSigner;
  relayer: HardhatEthersSigner;
  auditors: Array<{ signer: HardhatEthersSigner; name: string }>;
  registry: ReserveRegistry;
  registryAddress: Address;
  chainId: bigint;
  subjectId: Hex32;
  config: SubjectConfig;
  feed: ReserveFeed;
}

type Scene = { title: string; run: (ctx: DemoContext) => Promise<void> };

const SUBJECT = "USDX";
const DECIMALS = 6;
const HEARTBEAT = "1d";

// ------------------------------------------------------------------------------------ output

function heading(index: number, title: string): void {
  process.stdout.write(`\n== ${index}. ${title} ${"=".repeat(Math.max(0, 70 - title.length))}\n`);
}

function line(label: string, value: string): void {
  process.stdout.write(`  ${label.padEnd(16)} ${value}\n`);
}

function usd(value: bigint): string {
  return `${formatAmount(value, DECIMALS, { grouping: true, fractionDigits: 2 })} USDX`;
}

// ------------------------------------------------------------------------------------ helpers

/** Signs `att` with each auditor (through the SDK) and posts it as a relayer would. */
async function signAndPost(ctx: DemoContext, att: Attestation, signers: HardhatEthersSigner[]) {
  const file: AttestationFile = { chainId: ctx.chainId, registry: ctx.registryAddress, attestation: att };
  const domain = attestationDomain(ctx.chainId, ctx.registryAddress);
  const collected = await Promise.all(
    signers.map(async (signer, i) => ({
      file: {
        chainId: ctx.chainId,
        registry: ctx.registryAddress,
        ...(await signAttestation(signer, domain, att)),
      },
      source: `signature ${i + 1}`,
      signerIsContract: false,
    })),
  );
  const submission = buildSubmission(file, collected);
  return postSubmission(ctx.registry.connect(ctx.relayer), submission);
}

async function attestation(ctx: DemoContext, ageSeconds: number, reserves: string, liabilities: string) {
  return {
    subjectId: ctx.subjectId,
    asOf: BigInt(await time.latest()) - BigInt(ageSeconds),
    reserves: parseAmount(reserves, DECIMALS, "reserves"),
    liabilities: parseAmount(liabilities, DECIMALS, "liabilities"),
    liabilitiesRoot: ZERO_HASH,
    reportHash: hre.ethers.id(`auditor report ${reserves}`) as Hex32,
  };
}

/**
 * What a lending protocol does before trusting a reserves feed: read latestRoundData through the
 * plain AggregatorV3Interface and refuse an answer that is not positive or older than maxAge.
 */
async function lendingProtocolCheck(feedAddress: string, maxAgeSeconds: bigint) {
  const aggregator = AggregatorV3Interface__factory.connect(feedAddress, hre.ethers.provider);
  const [roundId, answer, , updatedAt] = await aggregator.latestRoundData();
  const now = BigInt(await time.latest());
  const age = now - updatedAt;
  const problems: string[] = [];
  if (answer <= 0n) problems.push("answer is not positive");
  if (age > maxAgeSeconds)
    problems.push(`stale: updated ${formatDuration(age)} ago, limit ${formatDuration(maxAgeSeconds)}`);
  return { roundId, answer, updatedAt, age, accepted: problems.length === 0, problems };
}

// ------------------------------------------------------------------------------------- scenes

const SCENES: Scene[] = [
  {
    title: "Deploy the registry (Hardhat Ignition, in-process network)",
    run: async (ctx) => {
      line("registry", ctx.registryAddress);
      line("admin", ctx.admin.address);
      line("chain id", ctx.chainId.toString());
    },
  },
  {
    title: "Accredit three auditors (admin)",
    run: async (ctx) => {
      for (const { signer, name } of ctx.auditors) {
        await (await ctx.registry.accreditAuditor(signer.address, name)).wait();
        line(name, signer.address);
      }
    },
  },
  {
    title: "Register the subject and deploy its ReserveFeed (issuer)",
    run: async (ctx) => {
      await (
        await ctx.registry
          .connect(ctx.issuer)
          .registerSubject(ctx.subjectId, { ...ctx.config, heartbeat: ctx.config.heartbeatSeconds })
      ).wait();
      const feed = await hre.ethers.deployContract("ReserveFeed", [ctx.registryAddress, ctx.subjectId]);
      await feed.waitForDeployment();
      ctx.feed = feed as unknown as ReserveFeed;
      line("subject", `${formatSubjectId(ctx.subjectId)} (${ctx.config.name})`);
      line("owner", ctx.issuer.address);
      line("decimals", String(ctx.config.decimals));
      line("heartbeat", formatDuration(ctx.config.heartbeatSeconds));
      line("quorum", `${ctx.config.quorum} of ${ctx.config.auditors.length} auditors`);
      line("feed", `${await ctx.feed.getAddress()} "${await ctx.feed.description()}"`);
      const [roundId, answer, , updatedAt] = await ctx.feed.latestRoundData();
      line(
        "feed, no round",
        `latestRoundData → round ${roundId}, answer ${answer}, updatedAt ${updatedAt} (no answer yet; feeds never revert)`,
      );
    },
  },
  {
    title: "Round 1: two auditors sign, a relayer posts",
    run: async (ctx) => {
      const att = await attestation(ctx, 3600, "1050000", "1000000");
      const [alpha, beta] = ctx.auditors;
      const posted = await signAndPost(ctx, att, [beta!.signer, alpha!.signer]);
      line("round", `#${posted.roundId} (signers sorted: ${posted.signers.join(", ")})`);
      line("as of", formatTimestamp(att.asOf));
      line("reserves", usd(att.reserves));
      line("liabilities", usd(att.liabilities));
    },
  },
  {
    title: "Refusal: one signature only",
    run: async (ctx) => {
      const att = await attestation(ctx, 600, "2000000", "1000000");
      try {
        await signAndPost(ctx, att, [ctx.auditors[2]!.signer]);
        throw new Error("the registry accepted a single signature");
      } catch (err) {
        line("refused", toChainError("posting refused", err).message);
      }
    },
  },
  {
    title: "Round 2: new snapshot, two other auditors",
    run: async (ctx) => {
      const att = await attestation(ctx, 60, "1080000.5", "1000000");
      const posted = await signAndPost(ctx, att, [ctx.auditors[1]!.signer, ctx.auditors[2]!.signer]);
      const status = await readSubjectStatus(ctx.registry, ctx.subjectId);
      const round = status.latestRound!;
      line("round", `#${posted.roundId}`);
      line("reserves", usd(round.reserves));
      line("liabilities", usd(round.liabilities));
      line("ratio", round.ratio);
      line("freshness", `${round.fresh ? "fresh" : "STALE"}, age ${formatDuration(round.ageSeconds)}`);
    },
  },
];

/** Scenes that read what the rounds above (and the liabilities round) published. */
const CONSUMER_SCENES: Scene[] = [
  {
    title: "A lending protocol reads the feed (latestRoundData + staleness check)",
    run: async (ctx) => {
      const feedAddress = await ctx.feed.getAddress();
      const maxAge = BigInt(ctx.config.heartbeatSeconds);
      const show = async (when: string) => {
        const check = await lendingProtocolCheck(feedAddress, maxAge);
        line(
          when,
          `round ${formatRoundId(check.roundId)}, answer ${usd(check.answer)}, updated ${formatDuration(check.age)} ago`,
        );
        line(
          "decision",
          check.accepted ? "ACCEPT collateral pricing" : `REJECT (${check.problems.join("; ")})`,
        );
        line("isFresh", String(await ctx.registry.isFresh(ctx.subjectId)));
      };
      await show("now");
      await time.increase(ctx.config.heartbeatSeconds + 1);
      process.stdout.write(
        `  … ${formatDuration(ctx.config.heartbeatSeconds + 1)} pass with no new attestation …\n`,
      );
      await show("later");
    },
  },
];

// --------------------------------------------------------------------------------------- main

async function setUp(): Promise<DemoContext> {
  const [admin, issuer, relayer, a1, a2, a3] = await hre.ethers.getSigners();
  if (!admin || !issuer || !relayer || !a1 || !a2 || !a3) throw new Error("need six accounts");
  const { registry: deployed } = await hre.ignition.deploy(ReserveRegistryModule, {
    parameters: { ReserveRegistryModule: { admin: admin.address } },
  });
  const registryAddress = hre.ethers.getAddress(await deployed.getAddress()) as Address;
  const auditors = [
    { signer: a1, name: "Alpha Audit LLP" },
    { signer: a2, name: "Beta Assurance" },
    { signer: a3, name: "Gamma & Partners" },
  ];
  return {
    admin,
    issuer,
    relayer,
    auditors,
    registry: ReserveRegistry__factory.connect(registryAddress, admin),
    registryAddress,
    chainId: (await hre.ethers.provider.getNetwork()).chainId,
    subjectId: parseSubjectId(SUBJECT),
    config: parseSubjectConfig({
      name: "USDX / USD",
      decimals: DECIMALS,
      heartbeat: HEARTBEAT,
      quorum: 2,
      auditors: auditors.map((a) => a.signer.address),
    }),
    feed: undefined as unknown as ReserveFeed, // set by the subject scene
  };
}

async function main(): Promise<void> {
  if (serveRequested()) await requireServePortsFree();
  process.stdout.write("Proof-of-Reserves registry demo (in-process Hardhat network)\n");
  const ctx = await setUp();
  const bind = (list: Scene[]) => list.map((s) => ({ title: s.title, run: () => s.run(ctx) }));
  let web: DemoWebData | undefined;
  // How the liabilities and challenge scenes attest a tree: two of the three auditors sign.
  const liabilityRounds = {
    attest: async (ageSeconds: number, reserves: bigint, liabilities: bigint, root: Hex32) => ({
      ...(await attestation(ctx, ageSeconds, "0", "0")),
      reserves,
      liabilities,
      liabilitiesRoot: root,
    }),
    post: async (att: Attestation) =>
      (await signAndPost(ctx, att, [ctx.auditors[0]!.signer, ctx.auditors[2]!.signer])).roundId,
  };
  const scenes = [
    ...bind(SCENES),
    ...liabilitiesScenes({
      registry: ctx.registry,
      subjectId: ctx.subjectId,
      decimals: DECIMALS,
      ...liabilityRounds,
      attestedOn: { chainId: Number(ctx.chainId), registry: ctx.registryAddress, subjectId: ctx.subjectId },
      keepProof: (proof, round) => {
        web = { registry: ctx.registryAddress, subjectId: ctx.subjectId, round, proof };
      },
    }),
    ...bind(CONSUMER_SCENES),
    ...backingScenes(ctx),
    ...challengeScenes({
      registry: ctx.registry,
      feed: () => ctx.feed,
      chainId: ctx.chainId,
      subjectId: ctx.subjectId,
      decimals: DECIMALS,
      admin: ctx.admin,
      custodian: ctx.issuer,
      customer: (await hre.ethers.getSigners())[9]!,
      ...liabilityRounds,
    }),
  ];
  for (const [i, scene] of scenes.entries()) {
    heading(i + 1, scene.title);
    await scene.run();
  }
  process.stdout.write("\nDone. Try the same with the CLI: docs/cli.md\n");
  if (web === undefined) throw new Error("the liabilities scenes kept no proof for the web pages");
  if (serveRequested()) await serveDemo(hre, web);
  else printWebHint();
}

main().catch((err: unknown) => {
  // A user's problem (a port in use) in one line; anything else is a bug and keeps its stack.
  const text =
    err instanceof PorError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`demo failed: ${text}\n`);
  process.exitCode = 1;
});
