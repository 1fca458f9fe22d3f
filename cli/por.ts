import { Command, CommanderError } from "commander";
import { version } from "../package.json";
import { EXIT_USAGE, reportFailure, userDirectory } from "./cli-kit";
import { registerAsset } from "./commands/asset";
import { registerAttest } from "./commands/attest";
import { registerAuditor } from "./commands/auditor";
import { registerChallenge } from "./commands/challenge";
import { registerCollateral } from "./commands/collateral";
import { registerDeploy } from "./commands/deploy";
import { registerDeployments } from "./commands/deployments";
import { registerFeed } from "./commands/feed";
import { registerKey } from "./commands/key";
import { registerLiabilities } from "./commands/liabilities";
import { registerMonitor } from "./commands/monitor";
import { registerReporter } from "./commands/reporter";
import { registerStatement } from "./commands/statement";
import { registerStatus } from "./commands/status";
import { registerSubject } from "./commands/subject";
import { registerToken } from "./commands/token";
import { registerWallet } from "./commands/wallet";

/** Each command area registers its sub-commands on the root program. */
const areas: Array<(program: Command) => void> = [
  registerDeploy,
  registerFeed,
  registerToken,
  registerDeployments,
  registerAuditor,
  registerAsset,
  registerSubject,
  registerWallet,
  registerAttest,
  registerStatus,
  registerLiabilities,
  registerStatement,
  registerChallenge,
  registerReporter,
  registerCollateral,
  registerMonitor,
  registerKey,
];

/**
 * Commander checks required options before unknown ones, so a misspelled required option (`--decimal 6`)
 * read as the real one missing. A command without sub-commands names an unknown option first.
 */
class PorCommand extends Command {
  override createCommand(name?: string): Command {
    return new PorCommand(name);
  }

  override parseOptions(argv: string[]): ReturnType<Command["parseOptions"]> {
    const parsed = super.parseOptions(argv);
    const first = parsed.unknown[0];
    // --help and -h reach commander as unknown tokens: it answers them itself.
    if (this.commands.length === 0 && first?.startsWith("-") && first.length > 1 && !HELP_FLAGS.has(first)) {
      (this as unknown as { unknownOption(flag: string): never }).unknownOption(first);
    }
    return parsed;
  }
}

const HELP_FLAGS = new Set(["--help", "-h"]);

export function buildProgram(): Command {
  const program = new PorCommand("por")
    .description("Proof-of-Reserves registry: auditor attestations, reserve feeds and liability proofs")
    .option("--network <name>", "Hardhat network to use (default: the in-process 'hardhat' network)")
    .option("--json", "machine-readable JSON output")
    .version(version, "-V, --version", "print the version of por")
    .addHelpText("after", ENVIRONMENT_HELP)
    .exitOverride();
  for (const register of areas) register(program);
  pointToHelpOnUsageErrors(program, program.name());
  return program;
}

const ENVIRONMENT_HELP = `
Environment:
  POR_RPC_URL_<NAME>, POR_CHAIN_ID_<NAME>  RPC URL (and expected chain id) of --network NAME (docs/networks.md)
  POR_LOCALHOST_RPC                        URL of --network localhost (default http://127.0.0.1:8545)
  POR_REGISTRY                             registry address when --registry is not given
  POR_PRIVATE_KEY                          signing key (or --keystore FILE with POR_KEYSTORE_PASSWORD)
  POR_KEYSTORE_PASSWORD                    password of --keystore (or --password-file FILE)
  POR_SALT_SECRET                          liabilities salt secret (or --salt-secret-file FILE)
  POR_IGNITION_DIR                         where deployment records are kept (default: ignition/ of the project)

Every command, with examples: docs/cli.md`;

/**
 * A usage error (missing or unknown option, unknown command, missing argument) is one line that
 * points to the command's help, `error: … (see 'por attest sign --help')`, not the whole help.
 */
function pointToHelpOnUsageErrors(command: Command, name: string): void {
  command.showHelpAfterError(false).configureOutput({
    outputError: (message, write) =>
      write(`${message.trim().replace(/\s*\n\s*/g, " ")} (see '${name} --help')\n`),
  });
  for (const sub of command.commands) pointToHelpOnUsageErrors(sub, `${name} ${sub.name()}`);
}

export async function main(argv: string[]): Promise<void> {
  try {
    // Relative paths mean what the user sees: from where they ran `npm run por`, not the repo root.
    process.chdir(userDirectory());
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // Commander already printed the usage error (or --help, exit 0).
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    reportFailure(err);
  }
}
