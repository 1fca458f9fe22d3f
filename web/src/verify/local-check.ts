import {
  parseProofPackage,
  verifyProofPackage,
  type LiabilityProofPackage,
  type ProofVerification,
} from "@por/sdk/liabilities/proof";

/** What the proof alone says, before any chain is asked. */
export type LocalCheck =
  | { kind: "empty" }
  | { kind: "malformed"; reason: string }
  | { kind: "checked"; pkg: LiabilityProofPackage; result: ProofVerification };

/** Proof packages are a few kilobytes; pasted text far larger is not one. */
const MAX_PROOF_CHARS = 1_000_000;

/**
 * Parses and folds a proof package from its JSON text. `source` names it in messages ("alice.json",
 * "the pasted proof"). Timed as the "por-verify" performance measure (the figure the README quotes).
 */
export function checkLocally(text: string, source: string): LocalCheck {
  if (text.trim() === "") return { kind: "empty" };
  if (text.length > MAX_PROOF_CHARS)
    return { kind: "malformed", reason: `${source} is too large to be a proof package` };
  performance.mark("por-verify-start");
  try {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return { kind: "malformed", reason: `${source} is not valid JSON (${jsonErrorText(error)})` };
    }
    let pkg: LiabilityProofPackage;
    try {
      pkg = parseProofPackage(json, source);
    } catch (error) {
      return { kind: "malformed", reason: fieldError(error, source) };
    }
    return { kind: "checked", pkg, result: verifyProofPackage(pkg) };
  } finally {
    performance.clearMeasures("por-verify"); // one entry: the latest check
    performance.measure("por-verify", "por-verify-start");
  }
}

/** "balance must be … (in alice.json)" from the SDK's "alice.json: balance must be …". */
function fieldError(error: unknown, source: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const prefix = `${source}: `;
  return message.startsWith(prefix) ? `${message.slice(prefix.length)} (in ${source})` : message;
}

/** The engine's JSON.parse message, cut short: some quote the input, which may be long. */
function jsonErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 120 ? `${message.slice(0, 117)}…` : message;
}
