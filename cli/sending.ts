import type { Command } from "commander";
import { formatUnits, parseUnits } from "ethers";
import type { Signer } from "ethers";
import { InvalidArgumentError } from "../src/core/errors";
import { checkOutputPath } from "../src/node/files";
import { parseAddress } from "../src/core/hex";
import { appendSafeBatch } from "../src/safe/batch";
import { checkSendSettings, DEFAULT_SEND_SETTINGS, executeCall } from "../src/chain/transactions";
import type { CallOutcome, DryRun, PlannedCall, SendSettings } from "../src/chain/transactions";

/** The options every command that sends a transaction takes (sendingOptions adds them). */
export interface SendingOptions {
  dryRun?: boolean;
  confirmations?: string;
  maxFeeGwei?: string;
  priorityFeeGwei?: string;
  /** With sendingOptions(…, { safeBatch: true }): write the call to this Safe batch file instead. */
  safeTx?: string;
  append?: boolean;
  safe?: string;
  force?: boolean;
}

/**
 * Adds --dry-run, --confirmations, --max-fee-gwei and --priority-fee-gwei; with `safeBatch`, also
 * --safe-tx FILE, --append, --safe ADDRESS and (unless the command has its own) --force, for
 * commands whose call a Safe may have to make: they then write it to a Safe Transaction Builder
 * batch instead of sending it (sendPlannedCall; openRegistryToSend needs no key then).
 */
export function sendingOptions(command: Command, options: { safeBatch?: boolean } = {}): Command {
  command
    .option("--dry-run", "print what would be sent (to, data, value, estimated gas) and send nothing")
    .option("--confirmations <n>", "blocks to wait for after inclusion (default: 1, the receipt)")
    .option("--max-fee-gwei <gwei>", "EIP-1559 max fee per gas (default: the node's suggestion)")
    .option(
      "--priority-fee-gwei <gwei>",
      "EIP-1559 priority fee (tip) per gas (default: the node's suggestion)",
    );
  if (options.safeBatch !== true) return command;
  command
    .option(
      "--safe-tx <file>",
      "write the call to FILE, a Safe Transaction Builder batch, instead of sending it (no key needed)",
    )
    .option("--append", "with --safe-tx: add the call to the batch already in FILE")
    .option(
      "--safe <address>",
      "with --safe-tx: the Safe that will make the call (default: the account it needs, e.g. the registry admin)",
    );
  if (!command.options.some((o) => o.long === "--force")) {
    command.option("--force", "with --safe-tx: replace FILE if it exists");
  }
  return command.addHelpText(
    "after",
    "\nWith --safe-tx FILE, nothing is sent: the call is simulated from the Safe (--safe, else the account" +
      "\nthe registry requires) and added to FILE, which the Safe web app's Transaction Builder imports.",
  );
}

/**
 * Refuses, before connecting, sending options that cannot go together: Safe-batch options without
 * --safe-tx, fee and confirmation options with it (the Safe's executor sends), --append with
 * --force, and a batch file that exists without --append or --force.
 */
export async function checkSendingOptions(options: SendingOptions): Promise<void> {
  sendSettingsOf(options);
  if (options.safeTx === undefined) {
    for (const [flag, given] of [
      ["--append", options.append],
      ["--safe", options.safe],
    ] as const) {
      if (given !== undefined && given !== false) {
        throw new InvalidArgumentError(`${flag} needs --safe-tx FILE (the Safe batch to write)`);
      }
    }
    return;
  }
  for (const [flag, given] of [
    ["--confirmations", options.confirmations],
    ["--max-fee-gwei", options.maxFeeGwei],
    ["--priority-fee-gwei", options.priorityFeeGwei],
  ] as const) {
    if (given !== undefined) {
      throw new InvalidArgumentError(
        `${flag} has no effect with --safe-tx: nothing is sent, the Safe's owners execute the batch`,
      );
    }
  }
  if (options.append === true && options.force === true) {
    throw new InvalidArgumentError("pass --append (add to the batch) or --force (replace it), not both");
  }
  if (options.safe !== undefined) parseAddress(options.safe, "--safe");
  if (options.dryRun !== true) {
    await checkOutputPath(options.safeTx, {
      replace: options.append === true || options.force === true,
      hint: "pass --append to add to it, or --force to replace it",
    });
  }
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
): Promise<SendOutcome> {
  if (options.safeTx !== undefined) return batchPlannedCall(signer, planned, options, options.safeTx, what);
  return executeCall(signer, planned, sendSettingsOf(options), what, {
    sent: (hash, confirmations) =>
      process.stderr.isTTY &&
      process.stderr.write(
        `sent ${hash}, waiting for ${confirmations} confirmation${confirmations === 1 ? "" : "s"}\n`,
      ),
  });
}

/** A call written to a Safe batch file instead of being sent (--safe-tx). */
export interface BatchedCall extends Omit<DryRun, "sent"> {
  sent: false;
  /** The batch file written. */
  safeTx: string;
  /** How many calls the batch holds now (more than 1 with --append). */
  batchCalls: number;
  chainId: bigint;
}

/** What a sending command did: sent the call, only simulated it (--dry-run), or batched it (--safe-tx). */
export type SendOutcome = CallOutcome | BatchedCall;

/**
 * --safe-tx: simulates `planned` from `signer`'s address (the Safe; a refusal is said as for a
 * send), then, unless --dry-run, adds it to the batch file. Nothing is sent.
 */
async function batchPlannedCall(
  signer: Signer,
  planned: PlannedCall,
  options: SendingOptions,
  file: string,
  what: string,
): Promise<SendOutcome> {
  const simulated = await executeCall(signer, planned, { ...DEFAULT_SEND_SETTINGS, dryRun: true }, what);
  if (simulated.sent || options.dryRun === true) return simulated;
  const { chainId } = await signer.provider!.getNetwork();
  const batch = await appendSafeBatch(
    file,
    { chainId, safeAddress: simulated.from, calls: [planned] },
    { append: options.append === true, force: options.force === true },
  );
  return { ...simulated, safeTx: file, batchCalls: batch.transactions.length, chainId };
}

/** Human lines for an outcome: the transaction and its gas, or what a dry run would have sent. */
export function outcomeLines(outcome: SendOutcome): string[] {
  if ("safeTx" in outcome) {
    return [
      `safe batch ${outcome.safeTx}: call ${outcome.batchCalls}, not sent: ${outcome.description}`,
      `safe       ${outcome.from} (chain ${outcome.chainId}) makes the call once its owners execute the batch`,
      `to         ${outcome.to}`,
      `value      ${outcome.value} wei`,
      `data       ${outcome.data}`,
      `gas        ${outcome.estimatedGas} (estimated, from the Safe)`,
    ];
  }
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
