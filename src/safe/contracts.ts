import { Contract, getAddress, Interface, ZeroAddress } from "ethers";
import type { Provider } from "ethers";
import { ChainError } from "../core/errors";
import type { Address } from "../core/hex";
import { call } from "../chain/registry-client";

/**
 * The parts of the Safe contracts (v1.3.0 and later; tested against the npm
 * `@safe-global/safe-contracts` 1.4.1 artifacts) that `por` calls, as human-readable ABI. The SDK
 * does not depend on the Safe package at run time: these few functions are all it needs.
 */
export const SAFE_ABI = [
  "function VERSION() view returns (string)",
  "function getOwners() view returns (address[])",
  "function getThreshold() view returns (uint256)",
  "function isOwner(address owner) view returns (bool)",
  "function nonce() view returns (uint256)",
  "function domainSeparator() view returns (bytes32)",
  "function getStorageAt(uint256 offset, uint256 length) view returns (bytes)",
  "function getTransactionHash(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, uint256 _nonce) view returns (bytes32)",
  "function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address payable refundReceiver, bytes signatures) payable returns (bool success)",
  "function checkSignatures(bytes32 dataHash, bytes data, bytes signatures) view",
  "event ExecutionSuccess(bytes32 txHash, uint256 payment)",
  "event ExecutionFailure(bytes32 txHash, uint256 payment)",
] as const;

/**
 * CompatibilityFallbackHandler's ERC-1271 and message-hash views. Called at a Safe's address they
 * reach the handler through the Safe's fallback (the Safe is then `msg.sender`).
 */
export const SAFE_FALLBACK_HANDLER_ABI = [
  "function isValidSignature(bytes32 _dataHash, bytes _signature) view returns (bytes4)",
  "function getMessageHash(bytes message) view returns (bytes32)",
  "function getMessageHashForSafe(address safe, bytes message) view returns (bytes32)",
] as const;

/** MultiSendCallOnly's one function: runs packed calls in order, all or nothing (never DELEGATECALL). */
export const MULTI_SEND_ABI = ["function multiSend(bytes transactions) payable"] as const;

export const safeInterface = new Interface(SAFE_ABI);
export const multiSendInterface = new Interface(MULTI_SEND_ABI);

/** ERC-1271's magic value: what isValidSignature(bytes32, bytes) returns for a valid signature. */
export const ERC1271_MAGIC_VALUE = "0x1626ba7e";

/** The Safe's storage slot holding its fallback handler: keccak256("fallback_manager.handler.address"). */
export const FALLBACK_HANDLER_STORAGE_SLOT =
  "0x6c9a6c4a39284e37ed1cf53d337577d14212a4870fb976a4366c693b939918d5";

/** What a Safe's signatures depend on, read from the chain. */
export interface SafeState {
  safe: Address;
  version: string;
  owners: Address[];
  threshold: number;
  nonce: bigint;
  /** The fallback handler answering ERC-1271 for the Safe, or null without one. */
  fallbackHandler: Address | null;
}

/**
 * Reads a Safe's version, owners, threshold, nonce and fallback handler. Refuses an address with
 * no code or that does not answer as a Safe, and Safes older than 1.3.0 (their EIP-712 domain has
 * no chain id, so the hashes here would not be theirs).
 */
export async function readSafeState(provider: Provider, safeAddress: string): Promise<SafeState> {
  const safe = getAddress(safeAddress) as Address;
  const code = await call(`reading Safe ${safe}`, () => provider.getCode(safe));
  if (code === "0x") {
    const { chainId } = await provider.getNetwork();
    throw new ChainError(`${safe} is not a Safe: it has no code on chain ${chainId}`);
  }
  const contract = new Contract(safe, SAFE_ABI, provider);
  let version: string;
  let owners: string[];
  let threshold: bigint;
  let nonce: bigint;
  try {
    [version, owners, threshold, nonce] = (await Promise.all([
      contract.getFunction("VERSION").staticCall(),
      contract.getFunction("getOwners").staticCall(),
      contract.getFunction("getThreshold").staticCall(),
      contract.getFunction("nonce").staticCall(),
    ])) as [string, string[], bigint, bigint];
  } catch (err) {
    throw new ChainError(`${safe} is not a Safe: it does not answer VERSION, getOwners and getThreshold`, {
      cause: err,
    });
  }
  if (!isSupportedVersion(version)) {
    throw new ChainError(`Safe ${safe} is version ${version}; por supports Safe 1.3.0 and later`);
  }
  const handlerWord = await call(`reading Safe ${safe}`, () =>
    provider.getStorage(safe, FALLBACK_HANDLER_STORAGE_SLOT),
  );
  const handler = getAddress(`0x${handlerWord.slice(-40)}`);
  return {
    safe,
    version,
    owners: owners.map((o) => getAddress(o) as Address),
    threshold: Number(threshold),
    nonce,
    fallbackHandler: handler === ZeroAddress ? null : (handler as Address),
  };
}

/** "1.3.0", "1.4.1", "1.5.0"…: at least 1.3.0. */
function isSupportedVersion(version: string): boolean {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 1 || (major === 1 && minor >= 3);
}
