import { getAddress, solidityPacked, TypedDataEncoder, ZeroAddress } from "ethers";
import type { TypedDataField } from "ethers";
import type { TypedDataSigner } from "../attestations/attestation";
import { InvalidArgumentError } from "../core/errors";
import type { Address, Hex32 } from "../core/hex";
import { multiSendInterface, safeInterface } from "./contracts";
import { safeDomain } from "./message";
import { safeSignaturePart } from "./parts";
import type { SafeSignaturePart } from "./parts";

/**
 * A Safe transaction (what `execTransaction` runs once its owners have signed its hash), its
 * EIP-712 hash (the Safe's `getTransactionHash`), an owner's signature of it, and MultiSend's
 * packed encoding for several calls in one transaction.
 */

/** Safe operation: 0 = CALL, 1 = DELEGATECALL (used only to reach MultiSendCallOnly). */
export const SafeOperation = { Call: 0, DelegateCall: 1 } as const;
export type SafeOperation = (typeof SafeOperation)[keyof typeof SafeOperation];

/** What a Safe transaction does: one call or delegatecall from the Safe. */
export interface SafeTransactionData {
  to: Address;
  value: bigint;
  data: string;
  operation: SafeOperation;
}

/** A Safe transaction with the refund fields (all zero here: the executor pays its own gas) and nonce. */
export interface SafeTransaction extends SafeTransactionData {
  safeTxGas: bigint;
  baseGas: bigint;
  gasPrice: bigint;
  gasToken: Address;
  refundReceiver: Address;
  nonce: bigint;
}

/** The Safe's SAFE_TX_TYPEHASH type. */
export const SAFE_TX_TYPES: Record<string, TypedDataField[]> = {
  SafeTx: [
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "data", type: "bytes" },
    { name: "operation", type: "uint8" },
    { name: "safeTxGas", type: "uint256" },
    { name: "baseGas", type: "uint256" },
    { name: "gasPrice", type: "uint256" },
    { name: "gasToken", type: "address" },
    { name: "refundReceiver", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
};

/** `data` as a Safe transaction at `nonce` with no gas refund (safeTxGas, baseGas, gasPrice 0). */
export function safeTransaction(data: SafeTransactionData, nonce: bigint): SafeTransaction {
  return {
    ...data,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: ZeroAddress as Address,
    refundReceiver: ZeroAddress as Address,
    nonce,
  };
}

/** The hash owners sign to approve `tx`; equals the Safe's getTransactionHash(…, nonce). */
export function safeTransactionHash(chainId: bigint | number, safe: string, tx: SafeTransaction): Hex32 {
  return TypedDataEncoder.hash(safeDomain(chainId, safe), SAFE_TX_TYPES, { ...tx }) as Hex32;
}

/** An owner's EIP-712 signature of `tx` (v 27/28), checked to recover to the owner. */
export async function signSafeTransaction(
  owner: TypedDataSigner,
  chainId: bigint | number,
  safe: string,
  tx: SafeTransaction,
): Promise<SafeSignaturePart> {
  const signature = await owner.signTypedData(safeDomain(chainId, safe), SAFE_TX_TYPES, { ...tx });
  return safeSignaturePart(await owner.getAddress(), safeTransactionHash(chainId, safe, tx), signature);
}

/** Calldata of `execTransaction(tx…, signatures)` (signatures from assembleSafeSignature). */
export function encodeExecTransaction(tx: SafeTransaction, signatures: string): string {
  return safeInterface.encodeFunctionData("execTransaction", [
    tx.to,
    tx.value,
    tx.data,
    tx.operation,
    tx.safeTxGas,
    tx.baseGas,
    tx.gasPrice,
    tx.gasToken,
    tx.refundReceiver,
    signatures,
  ]);
}

/** One call inside a MultiSend batch. */
export interface MultiSendCall {
  to: string;
  value?: bigint;
  data: string;
}

/**
 * The packed `transactions` argument of MultiSend(CallOnly).multiSend: for each call
 * `uint8 operation (0) ‖ address to ‖ uint256 value ‖ uint256 data length ‖ data`.
 */
export function encodeMultiSendTransactions(calls: readonly MultiSendCall[]): string {
  const packed = calls.map((c) => {
    const value = c.value ?? 0n;
    if (value < 0n) throw new InvalidArgumentError("a call's value must not be negative");
    const length = (c.data.length - 2) / 2;
    return solidityPacked(
      ["uint8", "address", "uint256", "uint256", "bytes"],
      [SafeOperation.Call, getAddress(c.to), value, length, c.data],
    ).slice(2);
  });
  return `0x${packed.join("")}`;
}

/**
 * The Safe transaction running `calls` in order, all or nothing: a single call as a CALL to its
 * target, several as a DELEGATECALL to MultiSendCallOnly at `multiSendCallOnly` (which refuses any
 * nested DELEGATECALL).
 */
export function safeTransactionForCalls(
  calls: readonly MultiSendCall[],
  multiSendCallOnly?: string,
): SafeTransactionData {
  if (calls.length === 0) throw new InvalidArgumentError("a Safe transaction needs at least one call");
  if (calls.length === 1) {
    const only = calls[0]!;
    return {
      to: getAddress(only.to) as Address,
      value: only.value ?? 0n,
      data: only.data,
      operation: SafeOperation.Call,
    };
  }
  if (multiSendCallOnly === undefined) {
    throw new InvalidArgumentError(
      `${calls.length} calls need the address of MultiSendCallOnly on this chain`,
    );
  }
  return {
    to: getAddress(multiSendCallOnly) as Address,
    value: 0n,
    data: multiSendInterface.encodeFunctionData("multiSend", [encodeMultiSendTransactions(calls)]),
    operation: SafeOperation.DelegateCall,
  };
}
