import type { Interface } from "ethers";
import { registryErrorSentence } from "../common/chain-errors";
import { shortError } from "../common/connection";

/**
 * A failure the visitor can act on, already phrased as one sentence for the status line. Anything
 * else thrown while loading is a bug or a transport failure and is phrased by `sentenceFor`.
 */
export class DashboardError extends Error {
  override readonly name = "DashboardError";
}

/**
 * One sentence for a failed read: the registry's custom error in words when the chain reverted with
 * one ("subject NOPE is not registered in this registry"), else the provider's short message.
 */
export function reasonFor(error: unknown, iface: Interface): string {
  return registryErrorSentence(error, iface) ?? shortError(error);
}

/** `reason` as a sentence: capitalised, ending with a full stop. */
export function sentence(reason: string): string {
  const text = reason.trim();
  const capitalised = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** The status-line sentence for anything thrown while loading (reads throw DashboardError). */
export function sentenceFor(error: unknown): string {
  if (error instanceof DashboardError) return error.message;
  return sentence(`Loading failed: ${shortError(error)}`);
}
