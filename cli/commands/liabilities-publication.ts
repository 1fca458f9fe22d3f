import * as path from "node:path";
import type { Command } from "commander";
import { formatAmount } from "../../src/core/amounts";
import { InvalidArgumentError, VerificationError } from "../../src/core/errors";
import { formatDuration } from "../../src/core/time";
import {
  MAX_MANIFEST_BYTES,
  MAX_SHARD_LEAVES,
  PUBLICATION_FAILURES,
  TREE_FILE,
  auditPublication,
  checkPublishedBalance,
  manifestHash,
  parseManifestBytes,
  publicationSource,
  writePublication,
  type Hex,
  type PublicationFailure,
  type PublicationSource,
} from "../../src/liabilities";
import { readDispute, summarizeDispute, type DisputeSummary } from "../../src/challenges/challenges";
import { parseAddress, type Hex32 } from "../../src/core/hex";
import type { KeyOptions } from "../../src/node/keys";
import { call } from "../../src/chain/registry-client";
import { formatSubjectId, parseSubjectId } from "../../src/core/subject-id";
import { LiabilityChallenges__factory } from "../../typechain-types/factories/contracts/LiabilityChallenges__factory";
import { action, optionsOf, output } from "../cli-kit";
import { outcomeLines, sendPlannedCall, sendingOptions, type SendingOptions } from "../sending";
import {
  keyOptions,
  openRegistry,
  openRegistryToSend,
  type RegistryContext,
  type RegistryOptions,
} from "./common";

interface PublishFlags {
  out: string;
  shardLeaves?: string;
  force?: boolean;
  progress?: boolean;
}

interface RoundFlags extends RegistryOptions {
  subject: string;
  round?: string;
}

interface CommitFlags extends RoundFlags, KeyOptions, SendingOptions {
  uri: string;
}

interface CheckFlags extends RoundFlags {
  uri?: string;
  account?: string;
  salt?: string;
  balance?: string;
  allShards?: boolean;
}

function integerFlag(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InvalidArgumentError(
      `${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return Number(value);
}

function elapsed(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(1)}s` : formatDuration(Math.round(seconds));
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

/** `por liabilities publish`: the directory appears only once every shard and the manifest are written. */
async function publish(dir: string, command: Command): Promise<void> {
  const started = performance.now();
  const flags = optionsOf<PublishFlags>(command);
  const shardLeaves =
    flags.shardLeaves === undefined
      ? undefined
      : integerFlag(flags.shardLeaves, "--shard-leaves", 1, MAX_SHARD_LEAVES);
  const progress = flags.progress ?? process.stderr.isTTY === true;
  const note = (line: string) => process.stderr.write(`progress: ${line}\n`);
  const summary = await writePublication(
    path.join(dir, TREE_FILE),
    flags.out,
    { shardLeaves, onProgress: progress ? note : undefined },
    flags.force === true,
  );
  if (progress)
    note(`published ${summary.shardCount} shards in ${elapsed((performance.now() - started) / 1000)}`);
  output(optionsOf(command), summary, () =>
    [
      `published liabilities tree ${dir}: ${summary.leafCount} leaves in ${summary.shardCount} shards of ${summary.shardLeaves}`,
      `root       ${summary.root}`,
      `total      ${summary.total} (${formatAmount(summary.total, summary.decimals)} with ${summary.decimals} decimals)`,
      `manifest   ${path.join(flags.out, "manifest.json")}, keccak256 ${summary.manifestHash}`,
      `download   at most ${kB(summary.manifestBytes + summary.largestShardBytes)} per customer (manifest ${kB(summary.manifestBytes)}, largest shard ${kB(summary.largestShardBytes)})`,
      `next       serve ${flags.out} from any static host, then commit it for the round: por liabilities commit --uri URL --subject ID --round N`,
    ].join("\n"),
  );
}

/** The round a command reads: --round, else the subject's latest; its attestation and the subject's decimals. */
async function attestedRound(ctx: Pick<RegistryContext, "registry" | "chainId">, flags: RoundFlags) {
  const subjectId = parseSubjectId(flags.subject);
  const round =
    flags.round !== undefined
      ? BigInt(integerFlag(flags.round, "--round", 1))
      : await call("reading the latest round", () => ctx.registry.latestRoundId(subjectId));
  const [att] = await call("reading the round", () => ctx.registry.getAttestation(subjectId, round));
  const [config] = await call("reading the subject", () => ctx.registry.subject(subjectId));
  const where = `subject ${formatSubjectId(subjectId)} round ${round} on chain ${ctx.chainId}`;
  if (/^0x0{64}$/.test(att.liabilitiesRoot)) {
    throw new VerificationError(`${where} attests no liabilities root, so it has no published proofs`);
  }
  const challenges = LiabilityChallenges__factory.connect(
    await call("reading the registry", () => ctx.registry.challenges()),
    ctx.registry.runner,
  );
  const [committedHash, committedUri] = await call("reading the publication", () =>
    challenges.publication(subjectId, round),
  );
  return {
    subjectId: subjectId as Hex32,
    round,
    where,
    root: att.liabilitiesRoot.toLowerCase() as Hex,
    total: att.liabilities,
    decimals: Number(config.decimals),
    challenges,
    committed: { manifestHash: committedHash.toLowerCase() as Hex, uri: committedUri },
  };
}

/**
 * `por liabilities commit`: the subject owner commits the publication at --uri for a round. Fetches
 * the manifest from --uri (what customers will fetch), refuses one that does not publish the
 * round's attested root and total, then sends publishProofs(subjectId, round, keccak256, uri).
 */
async function commit(command: Command): Promise<void> {
  const flags = optionsOf<CommitFlags>(command);
  // Committed for customers to fetch: a URL, not a path on this machine.
  if (!/^(https?|file):/i.test(flags.uri)) {
    throw new InvalidArgumentError(
      `--uri must be the URL customers fetch the manifest from, got ${flags.uri}`,
      {
        details: "https://… (or file:///… for a local test)",
      },
    );
  }
  const source = await publicationSource(flags.uri);
  const bytes = await source.manifest(MAX_MANIFEST_BYTES);
  const manifest = parseManifestBytes(bytes, source.describe());
  const hash = await manifestHash(bytes);
  const ctx = await openRegistryToSend(flags, {
    kind: "subject-owner",
    subjectId: parseSubjectId(flags.subject),
  });
  const round = await attestedRound(ctx, flags);
  if (
    manifest.root !== round.root ||
    manifest.total !== round.total ||
    manifest.decimals !== round.decimals
  ) {
    throw new InvalidArgumentError(
      `${source.describe()} publishes root ${manifest.root} with total ${manifest.total} (${manifest.decimals} decimals), ${round.where} attests root ${round.root} with total ${round.total} (${round.decimals} decimals)`,
    );
  }
  const lines = [
    `manifest   ${source.describe()}, keccak256 ${hash}`,
    `round      ${round.where}, root ${round.root}`,
  ];
  if (round.committed.manifestHash === hash && round.committed.uri === flags.uri) {
    output(
      flags,
      {
        committed: true,
        alreadyCommitted: true,
        subjectId: round.subjectId,
        round: round.round,
        manifestHash: hash,
        uri: flags.uri,
      },
      () =>
        [
          `already committed: ${round.where} commits this manifest at ${flags.uri}; nothing sent`,
          ...lines,
        ].join("\n"),
    );
    return;
  }
  const outcome = await sendPlannedCall(
    ctx.signer,
    {
      description: `commit the published proofs of ${round.where}: manifest ${hash} at ${flags.uri}`,
      to: parseAddress(await round.challenges.getAddress(), "challenges()"),
      data: round.challenges.interface.encodeFunctionData("publishProofs", [
        round.subjectId,
        round.round,
        hash,
        flags.uri,
      ]),
    },
    flags,
    "commit",
  );
  output(
    flags,
    {
      committed: outcome.sent,
      subjectId: round.subjectId,
      round: round.round,
      manifestHash: hash,
      uri: flags.uri,
      transaction: outcome,
    },
    () =>
      [
        outcome.sent
          ? `committed the published proofs of ${round.where}`
          : `not committed yet: ${round.where}`,
        ...lines,
        `uri        ${flags.uri}`,
        ...outcomeLines(outcome),
      ].join("\n"),
  );
}

/**
 * Exit code of `liabilities verify` and `check` when the proof holds but its round reads as disputed
 * (the round itself, or the latest round superseding it): included, in figures nobody should trust.
 */
export const EXIT_DISPUTED = 2;

/**
 * The verdict for a proof that holds against a round that reads as disputed: `DISPUTED: <what
 * holds>, but round 2 is disputed: challenge 1 of round 2 went unanswered (…); …`.
 */
export function disputedVerdict(holds: string, dispute: DisputeSummary): string {
  return `DISPUTED: ${holds}, but ${dispute.reason}; the inclusion holds, the round's figures are not trustworthy`;
}

/** Nothing committed and no --uri: the check fails as "not committed" before reading anything. */
const NO_PUBLICATION: PublicationSource = {
  manifest: () => Promise.reject(new InvalidArgumentError("no publication to fetch: pass --uri")),
  file: () => Promise.reject(new InvalidArgumentError("no publication to fetch: pass --uri")),
  describe: () => "(none committed)",
};

/** One line naming the failed check, the reason, and the round: the command's only error line. */
function invalid(failure: PublicationFailure | undefined, reason: string | undefined, where: string): never {
  const named = PUBLICATION_FAILURES[failure ?? "path-not-to-root"];
  throw new VerificationError(`INVALID: ${named}: ${reason ?? "does not verify"} (${where})`);
}

/**
 * `por liabilities check`: a customer checks their balance in the round's published proofs, and
 * with --all-shards (account optional then) the whole publication is checked first.
 */
async function check(command: Command): Promise<void> {
  const flags = optionsOf<CheckFlags>(command);
  const claim =
    flags.account === undefined
      ? undefined
      : { accountId: flags.account, salt: flags.salt as string, balance: flags.balance as string };
  if (claim && !/^0x[0-9a-fA-F]{64}$/.test(claim.salt))
    throw new InvalidArgumentError("--salt must be a 0x-prefixed 32-byte hex string");
  // A mirror given with --uri is checked before connecting; by default, the URI committed on-chain.
  const given = flags.uri === undefined ? undefined : await publicationSource(flags.uri);
  const ctx = await openRegistry(flags);
  const round = await attestedRound(ctx, flags);
  const uri = flags.uri ?? round.committed.uri;
  const source = given ?? (uri === "" ? NO_PUBLICATION : await publicationSource(uri));
  const committed = {
    manifestHash: round.committed.manifestHash,
    root: round.root,
    total: round.total,
    decimals: round.decimals,
  };
  const where = {
    subjectId: round.subjectId,
    round: round.round,
    chainId: ctx.chainId,
    registry: ctx.address,
    uri,
  };
  const lines: string[] = [];
  let json: Record<string, unknown> = { valid: true, ...where };

  if (flags.allShards) {
    const audit = await auditPublication(source, committed);
    if (!audit.ok) invalid(audit.failure, audit.reason, round.where);
    lines.push(
      `VALID: the publication of ${round.where} is complete and consistent`,
      ...audit.passed.map((line) => `  ${line}`),
      `downloaded ${kB(audit.downloadedBytes)}: the manifest and every shard`,
    );
    json = {
      ...json,
      manifestHash: audit.manifestHash,
      allShards: {
        shardCount: audit.shardCount,
        leafCount: audit.leafCount,
        downloadedBytes: audit.downloadedBytes,
        checks: audit.passed,
      },
    };
  }
  if (claim) {
    const result = await checkPublishedBalance(source, committed, claim);
    if (!result.ok) invalid(result.failure, result.reason, round.where);
    const who = `account ${JSON.stringify(claim.accountId)} with balance ${formatAmount(result.balance, round.decimals)}`;
    lines.push(
      `VALID: ${who} is in the published proofs of ${round.where}`,
      ...result.passed.map((line) => `  ${line}`),
      `downloaded ${kB(result.downloadedBytes)}: the manifest and one shard, the same for every customer in that shard`,
    );
    json = {
      ...json,
      accountId: claim.accountId,
      commitment: result.commitment,
      leaf: result.leaf,
      balance: result.balance,
      decimals: round.decimals,
      manifestHash: result.manifestHash,
      shard: result.shard,
      downloadedBytes: result.downloadedBytes,
      checks: result.passed,
    };
  }
  // Proofs of a disputed round, or of one a disputed round superseded, still verify: say what they are worth.
  const dispute = await readDispute(ctx.registry, round.subjectId, round.round);
  const disputed = dispute === undefined ? null : summarizeDispute(dispute);
  if (disputed) lines.push(disputedVerdict(`the checks above hold for ${round.where}`, disputed));
  output(flags, { ...json, disputed }, () => lines.join("\n"));
  if (disputed) process.exitCode = EXIT_DISPUTED;
}

/**
 * The customer's three options go together, and are required unless --all-shards checks the whole
 * publication alone: a missing one is a usage error (exit 64), like any required option.
 */
function requireClaimUnlessAllShards(command: Command): void {
  const flags = command.opts<CheckFlags>();
  const claim = [
    ["--account <id>", flags.account],
    ["--salt <hex>", flags.salt],
    ["--balance <amount>", flags.balance],
  ] as const;
  if (flags.allShards && claim.every(([, value]) => value === undefined)) return;
  const missing = claim.find(([, value]) => value === undefined);
  if (missing) {
    command.error(
      `error: required option '${missing[0]}' not specified${flags.allShards ? "" : " (or pass --all-shards)"}`,
      { exitCode: 64, code: "commander.missingMandatoryOptionValue" },
    );
  }
}

/** Adds `publish`, `commit` and `check` to `por liabilities` (docs/liabilities-tree.md, "Publication"). */
export function registerPublication(liabilities: Command): void {
  liabilities
    .command("publish")
    .description(
      "write every customer's proof as a publication any static host can serve (manifest + shards)",
    )
    .argument("<dir>", "directory written by `liabilities build`")
    .requiredOption("--out <dir>", "output directory (manifest.json and shards/)")
    .option(
      "--shard-leaves <n>",
      "leaves per shard, a power of two (default: the one that makes a customer's download smallest, at least 1024)",
    )
    .option("--force", "replace --out if it exists")
    .option("--progress", "report progress on stderr (the default when stderr is a terminal)")
    .option("--no-progress", "no progress lines, even on a terminal")
    .action(action((dir: string, _opts: unknown, command: Command) => publish(dir, command)));

  const roundOptions = (command: Command) =>
    command
      .requiredOption("--subject <id>", "subject id: 0x + 64 hex digits, or a short text like USDX")
      .option("--round <n>", "attestation round (default: the latest)")
      .option("--registry <address>", "registry address (default: $POR_REGISTRY or the deployed one)");

  const commitCommand = roundOptions(
    liabilities
      .command("commit")
      .description(
        "commit a round's publication on-chain (subject owner): publishProofs with the manifest's keccak256",
      )
      .requiredOption(
        "--uri <uri>",
        "where customers fetch the manifest: its http(s) URL (or its directory's)",
      ),
  ).addHelpText(
    "after",
    "\nFetches the manifest from --uri first and refuses one that does not publish the round's attested root" +
      "\nand total. A round's publication is committed once and never changes.",
  );
  sendingOptions(keyOptions(commitCommand, "send"), { safeBatch: true }).action(
    action((_opts: unknown, command: Command) => commit(command)),
  );

  roundOptions(
    liabilities
      .command("check")
      .description(
        "check your balance in a round's published proofs, against the manifest committed on-chain",
      )
      .option(
        "--uri <uri>",
        "the publication: http(s) URL, file: URL or path (default: the URI committed on-chain)",
      )
      .option("--account <id>", "your account id, exactly as the custodian holds it")
      .option("--salt <hex>", "your salt (0x + 64 hex digits), from the custodian")
      .option("--balance <amount>", "your balance at the round's snapshot, in the subject's units (1250.5)")
      .option(
        "--all-shards",
        "check the whole publication: every shard, in order, reaching the root (--account… then optional)",
      ),
  )
    .addHelpText(
      "after",
      "\nDownloads the manifest and the one shard your leaf hash falls in (shared with every customer in it)," +
        "\nrebuilds your path to the root and compares it with the attested round. Exit 0 only if all holds;" +
        "\nexit 2 (a DISPUTED line) if it holds but the round is disputed, or superseded by a disputed one." +
        "\n--all-shards (auditors, or before a challenge) downloads every shard: then a leaf not found where" +
        "\nits hash places it is in no shard at all.",
    )
    .hook("preAction", (_program, command) => requireClaimUnlessAllShards(command))
    .action(action((_opts: unknown, command: Command) => check(command)));
}
