/**
 * Helpers for the feed and consumer tests: the round numbering of FeedRounds written out
 * independently of the contract, the tuples feeds answer, and OwnerBatch calls with a decoder for
 * the batch's CallFailed(index, reason).
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract, ErrorDescription, Interface } from "ethers";
import type { OwnerBatch, ReserveBackedToken, ReserveRegistry } from "../../typechain-types";

/** Bit 64, set on every live round id (FeedRounds.LIVE_FLAG). */
export const LIVE_FLAG = 1n << 64n;

/** type(int256).max, where feeds saturate. */
export const INT256_MAX = ethers.MaxInt256;

/** type(uint80).max, the largest round id AggregatorV3Interface can name. */
export const UINT80_MAX = (1n << 80n) - 1n;

/** The registry's MAX_AMOUNT, type(uint128).max: the largest attested amount. */
export const MAX_AMOUNT = (1n << 128n) - 1n;

/** The live round id of block `blockNumber`: LIVE_FLAG | blockNumber. */
export function liveRoundId(blockNumber: bigint | number): bigint {
  return LIVE_FLAG | BigInt(blockNumber);
}

/** The latest block's number, timestamp and live round id: what a view call sees. */
export async function latestBlock(): Promise<{ number: bigint; timestamp: bigint; liveId: bigint }> {
  const block = await ethers.provider.getBlock("latest");
  if (block === null) throw new Error("no latest block");
  return {
    number: BigInt(block.number),
    timestamp: BigInt(block.timestamp),
    liveId: liveRoundId(block.number),
  };
}

/** A feed's five round fields for an answer: (id, answer, updatedAt, updatedAt, id). */
export function roundOf(roundId: bigint | number, answer: bigint, updatedAt: bigint | number): bigint[] {
  return [BigInt(roundId), answer, BigInt(updatedAt), BigInt(updatedAt), BigInt(roundId)];
}

/** What getRoundData answers where there is no answer: the id echoed, every other field 0. */
export function noAnswer(roundId: bigint | number): bigint[] {
  return roundOf(roundId, 0n, 0n);
}

/** One OwnerBatch call: `contract.fn(...args)`. */
export async function batchCall(
  contract: BaseContract,
  fn: string,
  args: readonly unknown[],
): Promise<OwnerBatch.CallStruct> {
  return { target: await contract.getAddress(), data: contract.interface.encodeFunctionData(fn, args) };
}

/** The raw revert data of `execute(calls)` (throws if the batch does not revert). */
export async function batchRevertData(batch: OwnerBatch, calls: OwnerBatch.CallStruct[]): Promise<string> {
  try {
    await batch.execute.staticCall(calls);
  } catch (error) {
    const data = (error as { data?: unknown }).data;
    if (typeof data === "string" && data.length >= 10) return data;
    throw error;
  }
  throw new Error("the batch did not revert");
}

/**
 * Runs `calls` as a static call, expects the batch to revert with CallFailed(index, reason), and
 * decodes `reason` with the first of `interfaces` that knows the error.
 */
export async function batchFailure(
  batch: OwnerBatch,
  calls: OwnerBatch.CallStruct[],
  ...interfaces: Interface[]
): Promise<{ index: bigint; reason: string; error: ErrorDescription }> {
  const outer = batch.interface.parseError(await batchRevertData(batch, calls));
  if (outer === null || outer.name !== "CallFailed") throw new Error("the batch did not revert CallFailed");
  const index = outer.args[0] as bigint;
  const reason = outer.args[1] as string;
  for (const iface of interfaces) {
    const error = iface.parseError(reason);
    if (error !== null) return { index, reason, error };
  }
  throw new Error(`call ${index} reverted with undecodable data ${reason}`);
}

/** A 6-decimal L1 ReserveBackedToken of `subjectId`, administered by `admin`, minted by `minter`. */
export async function deployBackedToken(
  registry: ReserveRegistry,
  subjectId: string,
  symbol: string,
  admin: HardhatEthersSigner,
  minter: BaseContract,
): Promise<ReserveBackedToken> {
  const token = await ethers.deployContract("ReserveBackedToken", [
    symbol,
    symbol,
    6,
    await registry.getAddress(),
    subjectId,
    admin.address,
    ethers.ZeroAddress, // no sequencer uptime feed: an L1 token
    0,
  ]);
  await token.connect(admin).grantRole(await token.MINTER_ROLE(), await minter.getAddress());
  return token;
}
