import { Command, CommanderError } from "commander";
import { reportFailure } from "./cli-kit";
import { registerAsset } from "./commands/asset";
import { registerAttest } from "./commands/attest";
import { registerAuditor } from "./commands/auditor";
import { registerCollateral } from "./commands/collateral";
import { registerDeploy } from "./commands/deploy";
import { registerLiabilities } from "./commands/liabilities";
import { registerMonitor } from "./commands/monitor";
import { registerReporter } from "./commands/reporter";
import { registerStatus } from "./commands/status";
import { registerSubject } from "./commands/subject";

/** Each command area registers its sub-commands on the root program. */
const areas: Array<(program: Command) => void> = [
  registerDeploy,
  registerAuditor,
  registerAsset,
  registerSubject,
  registerAttest,
  registerStatus,
  registerLiabilities,
  registerReporter,
  registerCollateral,
  registerMonitor,
];

export function buildProgram(): Command {
  const program = new Command("por")
    .description("Proof-of-Reserves registry: auditor attestations, reserve feeds and liability proofs")
    .option("--network <name>", "Hardhat network to use (default: the in-process 'hardhat' network)")
    .option("--json", "machine-readable JSON output")
    .showHelpAfterError()
    .exitOverride();
  for (const register of areas) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // Commander already printed usage errors and --help; keep its exit code.
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    reportFailure(err);
  }
}
