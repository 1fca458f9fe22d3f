import type { Interface } from "ethers";
import { explainError, type RevertArgs } from "@por/sdk/core/error-sentences";
import { findRevertData } from "@por/sdk/core/revert";

/**
 * The registry's custom error inside a failed call, as the CLI's sentence for it ("subject NOPE is
 * not registered in this registry"). Undefined when the call failed otherwise: no revert data (the
 * RPC failed), or data that is not one of the registry's errors (then it is not a registry).
 */
export function registryErrorSentence(error: unknown, registry: Interface): string | undefined {
  const data = findRevertData(error);
  if (data === undefined || data === "0x") return undefined;
  try {
    const parsed = registry.parseError(data);
    if (parsed === null) return undefined;
    const args: RevertArgs = Object.fromEntries(
      parsed.fragment.inputs.map((input, i) => [input.name || `arg${i}`, parsed.args[i] as unknown]),
    );
    return explainError(parsed.name, args);
  } catch {
    return undefined;
  }
}

/** Whether the failed call reverted with data at all (a contract answered, just not as asked). */
export function hasRevertData(error: unknown): boolean {
  const data = findRevertData(error);
  return data !== undefined && data !== "0x";
}
