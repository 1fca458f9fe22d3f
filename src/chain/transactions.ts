import { getAddress } from "ethers";
import type { Signer, TransactionReceipt, TransactionRequest } from "ethers";
import { ChainError, InvalidArgumentError } from "../core/errors";
import type { Address } from "../core/hex";
import { call } from "./registry-client";

/**
 * Sending one contract call the way every `por` command does: simulate it (a refusal is decoded into
 * a sentence before anything is signed), estimate its gas, then either stop there (dry run) or send
 * it with EIP-1559 fees, wait for the receipt and report the gas used.
 */

/** One call a command wants made: where, with what calldata, and a line saying what it does. */
export interface PlannedCall {
  /** What the call does, for people: "accredit auditor 0x… as “Alpha Audit LLP”". */
  description: string;
  to: Address;
  data: string;
  value?: bigint;
}

/** How to send: fee caps (wei, default: the node's EIP-1559 suggestion), confirmations, dry run. */
export interface SendSettings {
  dryRun: boolean;
  /** Blocks to wait for after inclusion (1 = the receipt). */
  confirmations: number;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

export const DEFAULT_SEND_SETTINGS: SendSettings = { dryRun: false, confirmations: 1 };

/** What a dry run would have sent. */
export interface DryRun {
  sent: false;
  description: string;
  from: Address;
  to: Address;
  data: string;
  value: bigint;
  estimatedGas: bigint;
}

/** A call that was mined. */
export interface SentCall {
  sent: true;
  description: string;
  from: Address;
  to: Address;
  transactionHash: string;
  blockNumber: number;
  gasUsed: bigint;
  /** Wei per gas actually paid (base fee + tip). */
  effectiveGasPrice: bigint;
  confirmations: number;
}

export type CallOutcome = DryRun | SentCall;

/** Hooks for progress while a call is in flight (the CLI prints them on stderr). */
export interface SendObserver {
  sent?(transactionHash: string, confirmations: number): void;
}

/**
 * Simulates `planned` from `signer`'s address in the pending block, estimates its gas, and unless
 * `settings.dryRun` sends it and waits for `settings.confirmations`. `what` prefixes errors ("adding
 * the wallet"): "<what> refused: <sentence>" for a revert found before sending, "<what> failed: …"
 * for one found after.
 */
export async function executeCall(
  signer: Signer,
  planned: PlannedCall,
  settings: SendSettings,
  what: string,
  observer: SendObserver = {},
): Promise<CallOutcome> {
  checkSendSettings(settings);
  const provider = signer.provider;
  if (!provider) throw new ChainError(`${what}: the signer is not connected to a network`);
  const from = getAddress(await signer.getAddress()) as Address;
  const request: TransactionRequest = {
    from,
    to: planned.to,
    data: planned.data,
    value: planned.value ?? 0n,
  };
  // Simulated in the pending block: a local node that mines on demand may hold an old latest block.
  await call(`${what} refused`, () => provider.call({ ...request, blockTag: "pending" }));
  const estimatedGas = await call(`${what} refused`, () => provider.estimateGas(request));
  if (settings.dryRun) {
    return {
      sent: false,
      description: planned.description,
      from,
      to: planned.to,
      data: planned.data,
      value: planned.value ?? 0n,
      estimatedGas,
    };
  }
  const fees = await feeFields(signer, settings);
  const tx = await call(`${what} refused`, () => signer.sendTransaction({ ...request, ...fees }));
  observer.sent?.(tx.hash, settings.confirmations);
  const receipt = await call(`${what} failed`, () => tx.wait(settings.confirmations));
  return sentCall(planned, from, receiptOrFail(receipt, tx.hash, what), settings.confirmations);
}

/** Validates settings a user typed: whole confirmations ≥ 1, a tip no higher than the fee cap. */
export function checkSendSettings(settings: SendSettings): void {
  if (!Number.isSafeInteger(settings.confirmations) || settings.confirmations < 1) {
    throw new InvalidArgumentError(`confirmations must be a whole number ≥ 1, got ${settings.confirmations}`);
  }
  const { maxFeePerGas, maxPriorityFeePerGas } = settings;
  if (
    maxFeePerGas !== undefined &&
    maxPriorityFeePerGas !== undefined &&
    maxPriorityFeePerGas > maxFeePerGas
  ) {
    throw new InvalidArgumentError("the priority fee cannot be higher than the max fee");
  }
}

/**
 * EIP-1559 fee fields: the user's caps where given, the node's suggestion for the rest (ethers
 * fills both when neither is given). A legacy-only chain gets its gas price from ethers instead.
 */
async function feeFields(signer: Signer, settings: SendSettings): Promise<Partial<TransactionRequest>> {
  const { maxFeePerGas, maxPriorityFeePerGas } = settings;
  if (maxFeePerGas === undefined && maxPriorityFeePerGas === undefined) return {};
  const suggested = await signer.provider!.getFeeData();
  const tip = maxPriorityFeePerGas ?? suggested.maxPriorityFeePerGas ?? undefined;
  const cap = maxFeePerGas ?? suggested.maxFeePerGas ?? undefined;
  if (tip === undefined || cap === undefined) {
    throw new InvalidArgumentError("this network does not support EIP-1559 fees: drop the fee options");
  }
  return { type: 2, maxPriorityFeePerGas: tip, maxFeePerGas: cap < tip ? tip : cap };
}

function receiptOrFail(receipt: TransactionReceipt | null, hash: string, what: string): TransactionReceipt {
  if (receipt === null) throw new ChainError(`${what} failed: no receipt for ${hash}`);
  if (receipt.status !== 1) throw new ChainError(`${what} failed: transaction ${hash} reverted`);
  return receipt;
}

function sentCall(
  planned: PlannedCall,
  from: Address,
  receipt: TransactionReceipt,
  confirmations: number,
): SentCall {
  return {
    sent: true,
    description: planned.description,
    from,
    to: planned.to,
    transactionHash: receipt.hash,
    blockNumber: receipt.blockNumber,
    gasUsed: receipt.gasUsed,
    effectiveGasPrice: receipt.gasPrice,
    confirmations,
  };
}
