import * as path from "node:path";
import { Option, type Command } from "commander";
import { ChainError, InvalidArgumentError, VerificationError } from "../../src/core/errors";
import { findRevertData, shortMessage } from "../../src/core/revert";
import { toChainError } from "../../src/chain/registry-client";
import { formatAmount } from "../../src/core/amounts";
import { CONFIDENTIAL_FILE_MODE, expectReadableFile, writeFileAtomic } from "../../src/node/files";
import { formatDuration } from "../../src/core/time";
import {
  SUMMARY_FILE,
  TREE_FILE,
  TreeFile,
  attestedOnFromAttestation,
  buildLiabilitiesDirectory,
  loadSaltSecret,
  parseDecimals,
  proofStepsForContract,
  readProofPackage,
  summaryToJson,
  verifyProofPackage,
  type AttestedOn,
  type LiabilityProofPackage,
} from "../../src/liabilities";
import { action, optionsOf, output } from "../cli-kit";
import { IN_PROCESS_NETWORK, connect, resolveRegistryAddress } from "../network";
import { disputedVerdict, EXIT_DISPUTED, registerPublication } from "./liabilities-publication";
import { readDispute, summarizeDispute, type DisputeSummary } from "../../src/challenges/challenges";

interface BuildFlags {
  out: string;
  decimals: string;
  saltSecretFile?: string;
  padTo?: string;
  threads?: string;
  force?: boolean;
  progress?: boolean;
  verbose?: boolean;
}

interface ProveFlags {
  out?: string;
  force?: boolean;
  attestation?: string;
}

interface ExportFlags {
  attestation?: string;
  progress?: boolean;
}

interface VerifyFlags {
  subject?: string;
  round?: string;
  registry?: string;
}

function positiveInteger(value: string, flag: string, min: number): number {
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw new InvalidArgumentError(
      `${flag} must be an integer of at least ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return Number(value);
}

/**
 * Progress goes to stderr, one `progress:` line at a time, when stderr is a terminal or with
 * --progress (never with --no-progress): stdout carries only the command's output (JSON, NDJSON).
 */
function progressWanted(flag: boolean | undefined): boolean {
  return flag ?? process.stderr.isTTY === true;
}

function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

function elapsed(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(1)}s` : formatDuration(Math.round(seconds));
}

/** `por liabilities build`: the directory appears only once the tree and summary are complete. */
async function build(csv: string, command: Command): Promise<void> {
  const started = performance.now();
  const flags = optionsOf<BuildFlags>(command);
  await expectReadableFile(csv);
  const decimals = parseDecimals(flags.decimals);
  const padTo = flags.padTo === undefined ? undefined : positiveInteger(flags.padTo, "--pad-to", 1);
  const threads = flags.threads === undefined ? undefined : positiveInteger(flags.threads, "--threads", 0);
  const saltSecret = await loadSaltSecret(flags.saltSecretFile);
  const progress = progressWanted(flags.progress);
  const summary = await buildLiabilitiesDirectory(
    flags.out,
    {
      input: csv,
      decimals,
      saltSecret,
      padTo,
      threads,
      onProgress: progress ? (message) => note(`progress: ${message}`) : undefined,
      onPhaseStart: progress ? (phase) => note(`progress: ${phase}…`) : undefined,
      onPhaseEnd: flags.verbose
        ? (t) => note(`timing: ${t.phase} ${t.seconds.toFixed(2)}s (${t.detail})`)
        : undefined,
    },
    flags.force === true,
  );
  const seconds = (performance.now() - started) / 1000;
  if (flags.verbose) note(`timing: total ${seconds.toFixed(2)}s`);
  if (progress) note(`progress: built ${summary.leafCount} leaves in ${elapsed(seconds)}`);
  output(optionsOf(command), summaryToJson(summary), () =>
    [
      `built liabilities tree of ${csv}: ${summary.leafCount} leaves`,
      `total  ${summary.total} (${formatAmount(summary.total, decimals)} with ${decimals} decimals)`,
      `root   ${summary.root}`,
      `wrote  ${path.join(flags.out, SUMMARY_FILE)} and ${path.join(flags.out, TREE_FILE)}`,
    ].join("\n"),
  );
}

function openTree(dir: string): TreeFile {
  return TreeFile.open(path.join(dir, TREE_FILE));
}

/** Where the tree is attested, from `--attestation FILE` (which must sign this tree's root and total). */
async function attestedOnOf(file: string | undefined, tree: TreeFile): Promise<AttestedOn | undefined> {
  if (file === undefined) return undefined;
  // Loaded here: the attestation file reader needs ethers, slow to load for commands without it.
  const { readAttestationFile } = await import("../../src/attestations/file");
  return attestedOnFromAttestation(
    await readAttestationFile(file),
    { root: tree.root, total: tree.header.total },
    file,
  );
}

async function prove(dir: string, accountId: string, command: Command): Promise<void> {
  const flags = optionsOf<ProveFlags>(command);
  const tree = openTree(dir);
  let pkg: LiabilityProofPackage;
  try {
    const attestedOn = await attestedOnOf(flags.attestation, tree);
    pkg = tree.prove(accountId);
    if (attestedOn) pkg.attestedOn = attestedOn;
  } finally {
    tree.close();
  }
  const json = `${JSON.stringify(pkg, null, 2)}\n`;
  // The customer's account id and salt: for that customer only (docs/liabilities-tree.md).
  if (flags.out !== undefined)
    await writeFileAtomic(flags.out, json, { replace: flags.force, mode: CONFIDENTIAL_FILE_MODE });
  else process.stdout.write(json);
}

/** Streams every proof package as one JSON line, honouring stdout backpressure. */
async function exportProofs(dir: string, command: Command): Promise<void> {
  const flags = optionsOf<ExportFlags>(command);
  const tree = openTree(dir);
  try {
    const attestedOn = await attestedOnOf(flags.attestation, tree);
    const progress = progressWanted(flags.progress);
    const total = tree.header.accountCount;
    const started = performance.now();
    let lastReport = started;
    if (progress) note(`progress: exporting ${total} proof packages from ${dir}`);
    let count = 0;
    let closed = false;
    process.stdout.once("error", () => (closed = true)); // e.g. EPIPE from `| head`
    for (const pkg of tree.proofs()) {
      if (closed) break;
      if (attestedOn) pkg.attestedOn = attestedOn;
      if (!process.stdout.write(`${JSON.stringify(pkg)}\n`)) {
        await new Promise((resolve) => process.stdout.once("drain", resolve));
      }
      count++;
      // A clock read every 1024 packages (about 0.1 s), a line every 2 s.
      if (progress && (count & 1023) === 0 && performance.now() - lastReport >= 2000) {
        lastReport = performance.now();
        const seconds = (lastReport - started) / 1000;
        const left = (seconds / count) * (total - count);
        note(
          `progress: ${count}/${total} proof packages (${((100 * count) / total).toFixed(1)}%), ${elapsed(seconds)} elapsed, about ${elapsed(left)} left`,
        );
      }
    }
    if (progress) {
      note(`progress: exported ${count} proof packages in ${elapsed((performance.now() - started) / 1000)}`);
    }
  } finally {
    tree.close();
  }
}

/** An amount in base units with its decimals, when known: "1500.25 (1500250000 base units)". */
function amountText(baseUnits: string, decimals: number | undefined): string {
  if (decimals === undefined) return `${baseUnits} (base units)`;
  if (decimals === 0) return baseUnits;
  return `${formatAmount(BigInt(baseUnits), decimals)} (${baseUnits} base units)`;
}

async function verify(file: string, command: Command): Promise<void> {
  const flags = optionsOf<VerifyFlags>(command);
  const globals = optionsOf(command);
  const pkg = await readProofPackage(file);
  const attestedOn = pkg.attestedOn;
  // On-chain with --subject, or with --network for a package that names its subject.
  const onChainWanted =
    flags.subject !== undefined || (attestedOn !== undefined && globals.network !== undefined);
  if (!onChainWanted && (flags.round !== undefined || flags.registry !== undefined)) {
    throw new InvalidArgumentError("--round and --registry need --subject", {
      details: "or --network, for a package that names where it is attested",
    });
  }
  const result = verifyProofPackage(pkg);
  let decimals = pkg.decimals;
  const who = () =>
    `account ${JSON.stringify(pkg.accountId)} with balance ${amountText(pkg.balance, decimals)}`;
  if (!result.ok) throw new VerificationError(`INVALID: ${who()}: ${result.reason ?? "does not verify"}`);
  let onChainLine: string | undefined;
  let onChain: Record<string, unknown> | undefined;
  let disputed: DisputeSummary | null | undefined;
  if (onChainWanted) {
    // Loaded here: ethers and Hardhat are only needed for on-chain checks, and slow to load.
    const { formatSubjectId, parseSubjectId } = await import("../../src/core/subject-id");
    const subjectText = flags.subject ?? (attestedOn?.subjectId as string);
    const subjectId = parseSubjectId(subjectText);
    if (attestedOn && subjectId !== attestedOn.subjectId) {
      throw new InvalidArgumentError(
        `${file} is attested for subject ${attestedOn.subjectId}, not ${subjectText}`,
      );
    }
    const hre = await connect(globals);
    const { chainId } = await hre.ethers.provider.getNetwork();
    const connected = `${hre.network.name} (chain ${chainId})`;
    if (attestedOn && BigInt(attestedOn.chainId) !== chainId) {
      throw new ChainError(
        `${file} expects chain ${attestedOn.chainId}, but this is ${connected}: pass the --network of chain ${attestedOn.chainId}`,
      );
    }
    const candidate = flags.registry ?? attestedOn?.registry ?? process.env.POR_REGISTRY;
    if (candidate !== undefined && hre.ethers.isAddress(candidate)) {
      if (attestedOn && candidate.toLowerCase() !== attestedOn.registry.toLowerCase()) {
        throw new InvalidArgumentError(
          `${file} is attested on registry ${attestedOn.registry}, not ${candidate}`,
        );
      }
      if ((await hre.ethers.provider.getCode(candidate)) === "0x") {
        const expects = attestedOn
          ? `${file} expects chain ${attestedOn.chainId}`
          : `${file} does not say which chain (\`liabilities prove --attestation\` writes it)`;
        const empty =
          hre.network.name === IN_PROCESS_NETWORK
            ? " (the in-process network starts empty: pass --network)"
            : "";
        throw new ChainError(`no registry at ${candidate} on ${connected}${empty}; ${expects}`);
      }
    }
    const address = await resolveRegistryAddress(hre, candidate);
    const { ReserveRegistry__factory } = await import("../../typechain-types");
    const registry = ReserveRegistry__factory.connect(address, hre.ethers.provider);
    // The SDK's decoder: a revert becomes its sentence ("subject USDX has no round 3"), anything else
    // says which registry could not be queried.
    const decode = (err: unknown): never => {
      if (findRevertData(err) !== undefined) throw toChainError(`registry ${address} refused`, err);
      throw new ChainError(`cannot query registry ${address} on chain ${chainId}`, {
        details: shortMessage(err),
        cause: err,
      });
    };
    const round =
      flags.round !== undefined
        ? BigInt(positiveInteger(flags.round, "--round", 1))
        : await registry.latestRoundId(subjectId).catch(decode);
    const [att] = await registry.getAttestation(subjectId, round).catch(decode);
    const where = `subject ${formatSubjectId(subjectId)} round ${round} on chain ${chainId}`;
    if (att.liabilitiesRoot === hre.ethers.ZeroHash) {
      throw new VerificationError(`INVALID on-chain: ${where} publishes no liabilities root`);
    }
    if (att.liabilitiesRoot !== pkg.root || att.liabilities !== BigInt(pkg.total)) {
      throw new VerificationError(
        `INVALID on-chain: ${where} attests root ${att.liabilitiesRoot} with total ${att.liabilities}, the proof is for root ${pkg.root} with total ${pkg.total}`,
      );
    }
    // The subject's decimals are the unit auditors signed: a package stating others misleads.
    const [config] = await registry.subject(subjectId).catch(decode);
    const subjectDecimals = Number(config.decimals);
    if (decimals !== undefined && decimals !== subjectDecimals) {
      throw new VerificationError(
        `INVALID on-chain: ${file} states ${decimals} decimals, ${where} has ${subjectDecimals}`,
      );
    }
    decimals = subjectDecimals;
    const ok = await registry
      .verifyLiability(subjectId, round, result.commitment, BigInt(pkg.balance), proofStepsForContract(pkg))
      .catch(decode);
    if (!ok) throw new VerificationError(`INVALID on-chain: verifyLiability returned false for ${where}`);
    const verified = `verifyLiability is true for ${where} (registry ${address})`;
    const dispute = await readDispute(registry, subjectId, round);
    disputed = dispute === undefined ? null : summarizeDispute(dispute);
    onChainLine = disputed
      ? disputedVerdict(`on-chain ${verified}`, disputed)
      : `VALID on-chain: ${verified}`;
    onChain = { subjectId, round, chainId, registry: address };
  }
  const lines = [
    `VALID: ${who()} is included in liabilities root ${pkg.root} with total ${amountText(pkg.total, decimals)}`,
  ];
  if (onChainLine) lines.push(onChainLine);
  else if (attestedOn) {
    lines.push(
      `attested on chain ${attestedOn.chainId}, registry ${attestedOn.registry}, subject ${attestedOn.subjectId}: pass --network to check it there`,
    );
  }
  output(
    globals,
    {
      valid: true,
      accountId: pkg.accountId,
      commitment: result.commitment,
      balance: pkg.balance,
      total: pkg.total,
      decimals,
      onChain,
      disputed,
    },
    () => lines.join("\n"),
  );
  if (disputed) process.exitCode = EXIT_DISPUTED;
}

export function registerLiabilities(program: Command): void {
  const liabilities = program
    .command("liabilities")
    .description(
      "Merkle-sum tree of customer balances: build, prove, export, verify, and publish every proof (docs/liabilities-tree.md)",
    );

  liabilities
    .command("build")
    .description("build the liabilities tree of a CSV (account,balance[,salt]) into a directory")
    .argument("<csv>", "CSV with header account,balance or account,balance,salt")
    .requiredOption("--out <dir>", "output directory (summary.json, and tree.bin with mode 0600)")
    .requiredOption("--decimals <n>", "decimals of the CSV balances; amounts are stored in base units")
    .option("--salt-secret-file <file>", "secret for salts missing from the CSV (else $POR_SALT_SECRET)")
    .option("--pad-to <n>", "add zero-balance dummy leaves up to n leaves (at most 2^27 = 134217728)")
    .addOption(new Option("--threads <n>", "hashing worker threads (default: cores)").hideHelp())
    .option("--force", "replace --out if it exists")
    .option("--progress", "report progress on stderr (the default when stderr is a terminal)")
    .option("--no-progress", "no progress lines, even on a terminal")
    .option("--verbose", "print each phase's wall time on stderr")
    .action(action((csv: string, _opts: unknown, command: Command) => build(csv, command)));

  liabilities
    .command("prove")
    .description("print one customer's proof package (por-liability-proof/1)")
    .argument("<dir>", "directory written by `liabilities build`")
    .argument("<accountId>", "the customer's account id")
    .option(
      "--out <file>",
      "write the proof package to a file (mode 0600: it holds the salt) instead of stdout",
    )
    .option("--force", "replace --out if it exists")
    .option(
      "--attestation <file>",
      "attestation file of this tree: the package then names its chain, registry and subject",
    )
    .action(
      action((dir: string, accountId: string, _opts: unknown, command: Command) =>
        prove(dir, accountId, command),
      ),
    );

  liabilities
    .command("export")
    .description("stream every customer's proof package as NDJSON on stdout")
    .argument("<dir>", "directory written by `liabilities build`")
    .option(
      "--attestation <file>",
      "attestation file of this tree: each package then names its chain, registry and subject",
    )
    .option("--progress", "report progress on stderr (the default when stderr is a terminal)")
    .option("--no-progress", "no progress lines, even on a terminal")
    .action(action((dir: string, _opts: unknown, command: Command) => exportProofs(dir, command)));

  liabilities
    .command("verify")
    .description("verify a proof package off-chain and, given --subject, against an attested round on-chain")
    .argument("<proof>", "proof package JSON (por-liability-proof/1)")
    .option(
      "--subject <id>",
      "subject id: 0x + 64 hex digits, or a short text like USDX (default: the package's)",
    )
    .option("--round <n>", "attestation round (default: the latest)")
    .option(
      "--registry <address>",
      "registry address (default: the package's, $POR_REGISTRY or the deployed one)",
    )
    .addHelpText(
      "after",
      "\nExit 0: VALID (on-chain too, when checked). Exit 1: INVALID, one error line. Exit 2: the proof" +
        "\nverifies on-chain, but its round is disputed (a customer's challenge went unanswered), or is" +
        "\nsuperseded by a round that is: a DISPUTED line names the challenge.",
    )
    .action(action((file: string, _opts: unknown, command: Command) => verify(file, command)));

  registerPublication(liabilities);
}
