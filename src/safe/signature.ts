import { Contract, getAddress } from "ethers";
import type { Provider } from "ethers";
import { ChainError, VerificationError } from "../core/errors";
import type { Address, Hex32 } from "../core/hex";
import { compareAddresses } from "../attestations/submission";
import { findRevertData } from "../core/revert";
import { ERC1271_MAGIC_VALUE, readSafeState, SAFE_FALLBACK_HANDLER_ABI } from "./contracts";
import type { SafeState } from "./contracts";
import { safeMessageHash } from "./message";
import { recoverSafePartSigner } from "./parts";
import type { SafeSignaturePart } from "./parts";

/** Refuses `account` unless it is one of the Safe's owners. */
export function checkSafeOwner(
  state: Pick<SafeState, "safe" | "owners" | "threshold">,
  account: string,
): void {
  const address = getAddress(account);
  if (!state.owners.includes(address as Address)) {
    throw new VerificationError(`${address} is not an owner of Safe ${state.safe}`, {
      details: `its owners are ${state.owners.join(", ")} (threshold ${state.threshold})`,
    });
  }
}

/**
 * The Safe's signature of `hash` from its owners' parts: each part must recover to its owner over
 * `hash`, every owner must be one of the Safe's (`state`, read from the chain), none may sign
 * twice, and there must be at least `threshold` of them. The parts are concatenated in ascending
 * order of owner address, as the Safe's checkSignatures requires; all of them are kept, so the
 * signature survives a later rise of the threshold up to their number.
 */
export function assembleSafeSignature(
  hash: string,
  parts: readonly SafeSignaturePart[],
  state: Pick<SafeState, "safe" | "owners" | "threshold">,
): string {
  const seen = new Map<Address, string>();
  for (const [i, part] of parts.entries()) {
    const source = part.source ?? `part ${i + 1}`;
    let recovered: Address;
    try {
      recovered = recoverSafePartSigner(hash, part.signature);
    } catch (err) {
      if (err instanceof VerificationError) throw new VerificationError(`${source}: ${err.shortMessage}`);
      throw err;
    }
    if (recovered !== part.owner) {
      throw new VerificationError(
        `${source}: signature recovers to ${recovered}, not its owner ${part.owner}`,
        {
          details: "it signs another hash, or the file was altered",
        },
      );
    }
    try {
      checkSafeOwner(state, part.owner);
    } catch (err) {
      if (err instanceof VerificationError) {
        throw new VerificationError(`${source}: ${err.shortMessage}`, { details: err.details });
      }
      throw err;
    }
    const previous = seen.get(part.owner);
    if (previous !== undefined) {
      throw new VerificationError(`owner ${part.owner} signed twice (${previous} and ${source})`);
    }
    seen.set(part.owner, source);
  }
  if (parts.length < state.threshold) {
    throw new VerificationError(
      `${parts.length} owner signature${parts.length === 1 ? "" : "s"} of Safe ${state.safe}, below its threshold of ${state.threshold}`,
      {
        details: `collect ${state.threshold - parts.length} more from its owners (${state.owners.length} owners)`,
      },
    );
  }
  const sorted = [...parts].sort((a, b) => compareAddresses(a.owner, b.owner));
  return `0x${sorted.map((p) => p.signature.slice(2)).join("")}`.toLowerCase();
}

/** A Safe's assembled ERC-1271 signature of a digest, with what it was checked against. */
export interface CombinedSafeSignature {
  signature: string;
  messageHash: Hex32;
  state: SafeState;
}

/**
 * The Safe's ERC-1271 signature of `digest` from its owners' parts: reads the Safe's owners,
 * threshold and fallback handler from the chain, assembles the parts (assembleSafeSignature), then
 * asks the Safe itself, `isValidSignature(digest, signature)`, and refuses unless it answers the
 * ERC-1271 magic value, as the registry will.
 */
export async function combineSafeSignature(
  provider: Provider,
  target: { chainId: bigint; safe: string; digest: string },
  parts: readonly SafeSignaturePart[],
): Promise<CombinedSafeSignature> {
  const { chainId } = await provider.getNetwork();
  if (chainId !== target.chainId) {
    throw new ChainError(`the parts are for chain ${target.chainId}, but the network is chain ${chainId}`);
  }
  const state = await readSafeState(provider, target.safe);
  if (state.fallbackHandler === null) {
    throw new ChainError(`Safe ${state.safe} has no fallback handler, so it cannot answer ERC-1271`, {
      details: "set its fallback handler to CompatibilityFallbackHandler first",
    });
  }
  const messageHash = safeMessageHash(target.chainId, state.safe, target.digest);
  const signature = assembleSafeSignature(messageHash, parts, state);
  await checkSafeAccepts(provider, state.safe, target.digest, signature);
  return { signature, messageHash, state };
}

/**
 * Asks the Safe `isValidSignature(digest, signature)` (ERC-1271, answered by its fallback handler)
 * and refuses unless it returns the magic value.
 */
export async function checkSafeAccepts(
  provider: Provider,
  safe: string,
  digest: string,
  signature: string,
): Promise<void> {
  const handler = new Contract(safe, SAFE_FALLBACK_HANDLER_ABI, provider);
  let answer: string;
  try {
    answer = (await handler
      .getFunction("isValidSignature(bytes32,bytes)")
      .staticCall(digest, signature)) as string;
  } catch (err) {
    const data = findRevertData(err);
    throw new VerificationError(
      `Safe ${getAddress(safe)} refuses the signature (isValidSignature reverted)`,
      {
        details: data === undefined || data === "0x" ? undefined : safeRevertReason(data),
        cause: err,
      },
    );
  }
  if (answer !== ERC1271_MAGIC_VALUE) {
    throw new VerificationError(
      `Safe ${getAddress(safe)} refuses the signature (isValidSignature answered ${answer})`,
    );
  }
}

/** Safe's GSxxx codes (Error(string)) that a signature check can hit, explained. */
const SAFE_ERROR_CODES: Record<string, string> = {
  GS020: "GS020: signatures data too short for the threshold",
  GS021: "GS021: invalid contract signature location",
  GS024: "GS024: invalid contract signature",
  GS025: "GS025: hash not approved",
  GS026: "GS026: a signature is not by an owner, or the owners are not in ascending order",
};

function safeRevertReason(data: string): string {
  // Error(string): 0x08c379a0 + abi-encoded string; the Safe's reasons are 5-character codes.
  const match = /^0x08c379a0[0-9a-f]{128}([0-9a-f]{10})/i.exec(data);
  if (match) {
    const code = Buffer.from(match[1]!, "hex").toString("ascii");
    return SAFE_ERROR_CODES[code] ?? code;
  }
  return `revert data ${data.slice(0, 74)}`;
}
