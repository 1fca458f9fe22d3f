import type { Command } from "commander";
import { formatUnits, parseUnits } from "ethers";
import type { Signer } from "ethers";
import { InvalidArgumentError } from "../src/errors";
import { checkSendSettings, executeCall } from "../src/transactions";
import type { CallOutcome, PlannedCall, SendSettings } from "../src/transactions";

/** The options every command that sends a transaction takes (sendingOptions adds them). */
export interface SendingOptions {
  dryRun?: boolean;
  confirmations?: string;
  maxFeeGwei?: string;
  priorityFeeGwei?: string;
}

/** Adds --dry-run, --confirmations, --max-fee-gwei and --priority-fee-gwei. */
export function sendingOptions(command: Command): Command {
  return command
    .option("--dry-run", "print what would be sent (to, data, value, estimated gas) and send nothing")
    .option("--confirmations <n>", "blocks to wait for after inclusion (default: 1, the receipt)")
    .option("--max-fee-gwei <gwei>", "EIP-1559 max fee per gas (default: the node's suggestion)")
    .option(
      "--priority-fee-gwei <gwei>",
      "EIP-1559 priority fee (tip) per gas (default: the node's suggestion)",
    );
}

/** The settings `options` ask for, validated. */
export function sendSettingsOf(options: SendingOptions): SendSettings {
  const settings: SendSettings = {
    dryRun: options.dryRun === true,
    confirmations: options.confirmations === undefined ? 1 : parseConfirmations(options.confirmations),
    maxFeePerGas: parseGwei(options.maxFeeGwei, "--max-fee-gwei"),
    maxPriorityFeePerGas: parseGwei(options.priorityFeeGwei, "--priority-fee-gwei"),
  };
  checkSendSettings(settings);
  return settings;
}

/**
 * Sends `planned` from `signer` as `options` ask (or only simulates it with --dry-run). At a
 * terminal the transaction hash is shown on stderr as soon as it is known, so a user who stops
 * waiting can still find it; the command's output then repeats it.
 */
export async function sendPlannedCall(
  signer: Signer,
  planned: PlannedCall,
  options: SendingOptions,
  what: string,
): Promise<CallOutcome> {
  return executeCall(signer, planned, sendSettingsOf(options), what, {
    sent: (hash, confirmations) =>
      process.stderr.isTTY &&
      process.stderr.write(
        `sent ${hash}, waiting for ${confirmations} confirmation${confirmations === 1 ? "" : "s"}\n`,
      ),
  });
}

/** Human lines for an outcome: the transaction and its gas, or what a dry run would have sent. */
export function outcomeLines(outcome: CallOutcome): string[] {
  if (!outcome.sent) {
    return [
      `dry run    nothing sent: ${outcome.description}`,
      `from       ${outcome.from}`,
      `to         ${outcome.to}`,
      `value      ${outcome.value} wei`,
      `data       ${outcome.data}`,
      `gas        ${outcome.estimatedGas} (estimated)`,
    ];
  }
  return [
    `tx         ${outcome.transactionHash}`,
    `block      ${outcome.blockNumber}, gas used ${outcome.gasUsed} at ${formatUnits(outcome.effectiveGasPrice, "gwei")} gwei`,
  ];
}

function parseConfirmations(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(
      `--confirmations must be a whole number ≥ 1, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function parseGwei(value: string | undefined, flag: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d{1,9})?$/.test(value.trim())) {
    throw new InvalidArgumentError(
      `${flag} must be a number of gwei (up to 9 decimals), got ${JSON.stringify(value)}`,
    );
  }
  return parseUnits(value.trim(), "gwei");
}
