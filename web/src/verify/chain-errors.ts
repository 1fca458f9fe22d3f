import type { Interface } from "ethers";
import { hasRevertData, registryErrorSentence } from "../common/chain-errors";
import { shortError } from "../common/connection";

/**
 * One sentence for a failed read of the registry: its custom error in the visitor's terms
 * (UnknownSubject, RoundNotFound…), a contract that is not a registry, or the RPC failing.
 */
export function chainErrorSentence(error: unknown, registry: Interface, address: string): string {
  const known = registryErrorSentence(error, registry);
  if (known !== undefined) return known;
  if (hasRevertData(error))
    return `the contract at ${address} refused the call with an error a registry does not have, so it is not a ReserveRegistry`;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "CALL_EXCEPTION" || code === "BAD_DATA")
    return `the contract at ${address} does not answer like a ReserveRegistry`;
  return `the chain could not be read: ${shortError(error)}`;
}
