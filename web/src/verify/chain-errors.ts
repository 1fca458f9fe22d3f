import type { Interface } from "ethers";
import { hasRevertData, registryErrorSentence } from "../common/chain-errors";
import { shortError } from "../common/connection";

/** Why a read of the registry failed, and whether the chain answered at all. */
export interface ChainFailure {
  reason: string;
  /** The RPC did not answer (or answered with a transport error): nothing was learnt on-chain. */
  unreachable: boolean;
}

/**
 * One sentence for a failed read of the registry: its custom error in the visitor's terms
 * (UnknownSubject, RoundNotFound…), a contract that is not a registry, or the RPC failing to answer.
 */
export function chainFailure(error: unknown, registry: Interface, address: string): ChainFailure {
  const known = registryErrorSentence(error, registry);
  if (known !== undefined) return { reason: known, unreachable: false };
  if (hasRevertData(error))
    return {
      reason: `the contract at ${address} refused the call with an error a registry does not have, so it is not a ReserveRegistry`,
      unreachable: false,
    };
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "CALL_EXCEPTION" || code === "BAD_DATA")
    return {
      reason: `the contract at ${address} does not answer like a ReserveRegistry`,
      unreachable: false,
    };
  return { reason: `the chain could not be read: ${shortError(error)}`, unreachable: true };
}
