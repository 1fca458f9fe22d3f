import * as path from "node:path";
import { Option, type Command } from "commander";
import { ChainError, InvalidArgumentError, VerificationError } from "../../src/errors";
import { formatAmount } from "../../src/amounts";
import { writeFileAtomic } from "../../src/files";
import {
  SUMMARY_FILE,
  TREE_FILE,
  TreeFile,
  buildLiabilitiesDirectory,
  loadSaltSecret,
  parseDecimals,
  proofStepsForContract,
  readProofPackage,
  summaryToJson,
  verifyProofPackage,
  type LiabilityProofPackage,
} from "../../src/liabilities";
import { action, optionsOf, output } from "../cli-kit";
import { connect, resolveRegistryAddress } from "../network";

interface BuildFlags {
  out: string;
  decimals: string;
  saltSecretFile?: string;
  padTo?: string;
  threads?: string;
  force?: boolean;
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

/** `por liabilities build`: the directory appears only once the tree and summary are complete. */
async function build(csv: string, command: Command): Promise<void> {
  const flags = optionsOf<BuildFlags>(command);
  const decimals = parseDecimals(flags.decimals);
  const padTo = flags.padTo === undefined ? undefined : positiveInteger(flags.padTo, "--pad-to", 1);
  const threads = flags.threads === undefined ? undefined : positiveInteger(flags.threads, "--threads", 0);
  const saltSecret = await loadSaltSecret(flags.saltSecretFile);
  const summary = await buildLiabilitiesDirectory(
    flags.out,
    {
      input: csv,
      decimals,
      saltSecret,
      padTo,
      threads,
      onProgress: (message) => process.stderr.write(`${message}\n`),
    },
    flags.force === true,
  );
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

async function prove(dir: string, accountId: string, command: Command): Promise<void> {
  const flags = optionsOf<{ out?: string }>(command);
  const tree = openTree(dir);
  let pkg: LiabilityProofPackage;
  try {
    pkg = tree.prove(accountId);
  } finally {
    tree.close();
  }
  const json = `${JSON.stringify(pkg, null, 2)}\n`;
  if (flags.out !== undefined) await writeFileAtomic(flags.out, json);
  else process.stdout.write(json);
}

/** Streams every proof package as one JSON line, honouring stdout backpressure. */
async function exportProofs(dir: string): Promise<void> {
  const tree = openTree(dir);
  try {
    let closed = false;
    process.stdout.once("error", () => (closed = true)); // e.g. EPIPE from `| head`
    for (const pkg of tree.proofs()) {
      if (closed) break;
      if (!process.stdout.write(`${JSON.stringify(pkg)}\n`)) {
        await new Promise((resolve) => process.stdout.once("drain", resolve));
      }
    }
  } finally {
    tree.close();
  }
}

async function verify(file: string, command: Command): Promise<void> {
  const flags = optionsOf<VerifyFlags>(command);
  if (flags.subject === undefined && (flags.round !== undefined || flags.registry !== undefined)) {
    throw new InvalidArgumentError("--round and --registry need --subject");
  }
  const pkg = await readProofPackage(file);
  const result = verifyProofPackage(pkg);
  const who = `account ${JSON.stringify(pkg.accountId)} with balance ${pkg.balance}`;
  if (!result.ok) throw new VerificationError(`INVALID: ${who}: ${result.reason ?? "does not verify"}`);
  const lines = [`VALID: ${who} is included in liabilities root ${pkg.root} with total ${pkg.total}`];
  let onChain: Record<string, unknown> | undefined;
  if (flags.subject !== undefined) {
    // Loaded here: ethers and Hardhat are only needed for on-chain checks, and slow to load.
    const { parseSubjectId } = await import("../../src/subject-id");
    const subjectId = parseSubjectId(flags.subject);
    const hre = await connect(optionsOf(command));
    const address = await resolveRegistryAddress(hre, flags.registry);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ReserveRegistry__factory } =
      require("../../typechain-types") as typeof import("../../typechain-types");
    const registry = ReserveRegistry__factory.connect(address, hre.ethers.provider);
    const { chainId } = await hre.ethers.provider.getNetwork();
    const decode = (err: unknown): never => {
      // ethers decodes the registry's custom errors into `revert`; Hardhat's provider errors carry
      // the revert data in `data` or `data.data`.
      const { revert, data: raw } = err as { revert?: { name: string; args: unknown[] }; data?: unknown };
      const data = typeof raw === "object" && raw !== null ? (raw as { data?: unknown }).data : raw;
      let parsed: { name: string; args: ArrayLike<unknown> } | null = revert ?? null;
      if (parsed === null && typeof data === "string" && data !== "0x") {
        try {
          parsed = registry.interface.parseError(data);
        } catch {
          parsed = null;
        }
      }
      if (parsed) {
        const args = Array.from(parsed.args).map(String).join(", ");
        throw new ChainError(`registry ${address} refused: ${parsed.name}(${args})`, { cause: err });
      }
      throw new ChainError(`cannot query registry ${address} on chain ${chainId}`, {
        details: (err as Error).message.split("\n")[0],
        cause: err,
      });
    };
    const round =
      flags.round !== undefined
        ? BigInt(positiveInteger(flags.round, "--round", 1))
        : await registry.latestRoundId(subjectId).catch(decode);
    const [att] = await registry.getAttestation(subjectId, round).catch(decode);
    const where = `subject ${flags.subject} round ${round} on chain ${chainId}`;
    if (att.liabilitiesRoot === hre.ethers.ZeroHash) {
      throw new VerificationError(`INVALID on-chain: ${where} publishes no liabilities root`);
    }
    if (att.liabilitiesRoot !== pkg.root || att.liabilities !== BigInt(pkg.total)) {
      throw new VerificationError(
        `INVALID on-chain: ${where} attests root ${att.liabilitiesRoot} with total ${att.liabilities}, the proof is for root ${pkg.root} with total ${pkg.total}`,
      );
    }
    const ok = await registry
      .verifyLiability(subjectId, round, result.commitment, BigInt(pkg.balance), proofStepsForContract(pkg))
      .catch(decode);
    if (!ok) throw new VerificationError(`INVALID on-chain: verifyLiability returned false for ${where}`);
    lines.push(`VALID on-chain: verifyLiability is true for ${where} (registry ${address})`);
    onChain = { subjectId, round, chainId, registry: address };
  }
  output(
    optionsOf(command),
    { valid: true, accountId: pkg.accountId, commitment: result.commitment, onChain },
    () => lines.join("\n"),
  );
}

export function registerLiabilities(program: Command): void {
  const liabilities = program
    .command("liabilities")
    .description(
      "Merkle-sum tree of customer balances: build, prove, export and verify (docs/liabilities-tree.md)",
    );

  liabilities
    .command("build")
    .description("build the liabilities tree of a CSV (account,balance[,salt]) into a directory")
    .argument("<csv>", "CSV with header account,balance or account,balance,salt")
    .requiredOption("--out <dir>", "output directory (summary.json and tree.bin)")
    .requiredOption("--decimals <n>", "decimals of the CSV balances; amounts are stored in base units")
    .option("--salt-secret-file <file>", "secret for salts missing from the CSV (else $POR_SALT_SECRET)")
    .option("--pad-to <n>", "add zero-balance dummy leaves up to n leaves")
    .addOption(new Option("--threads <n>", "hashing worker threads (default: cores)").hideHelp())
    .option("--force", "replace --out if it exists")
    .action(action((csv: string, _opts: unknown, command: Command) => build(csv, command)));

  liabilities
    .command("prove")
    .description("print one customer's proof package (por-liability-proof/1)")
    .argument("<dir>", "directory written by `liabilities build`")
    .argument("<accountId>", "the customer's account id")
    .option("--out <file>", "write the proof package to a file instead of stdout")
    .action(
      action((dir: string, accountId: string, _opts: unknown, command: Command) =>
        prove(dir, accountId, command),
      ),
    );

  liabilities
    .command("export")
    .description("stream every customer's proof package as NDJSON on stdout")
    .argument("<dir>", "directory written by `liabilities build`")
    .action(action((dir: string) => exportProofs(dir)));

  liabilities
    .command("verify")
    .description("verify a proof package off-chain and, given --subject, against an attested round on-chain")
    .argument("<proof>", "proof package JSON (por-liability-proof/1)")
    .option("--subject <id>", "subject id: 0x + 64 hex digits, or a short text like USDX")
    .option("--round <n>", "attestation round (default: the latest)")
    .option("--registry <address>", "registry address (default: $POR_REGISTRY or the deployed one)")
    .action(action((file: string, _opts: unknown, command: Command) => verify(file, command)));
}
