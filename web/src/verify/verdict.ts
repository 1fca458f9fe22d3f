import type { LiabilityProofPackage } from "../../../src/liabilities/proof";
import { formatSubjectId } from "../../../src/subject-id";
import type { RoundReport } from "./chain-check";
import { amountText } from "./format";

/** How the verdict looks; its words alone carry the meaning (colour is a second signal only). */
export type Tone = "neutral" | "pending" | "ok" | "bad";

export const INITIAL_VERDICT = "Load your proof file to check it.";
export const ACCOUNT_INITIAL_VERDICT =
  "Enter your account id, salt and balance to find them in the round's published proofs.";

/** The page's single role="status" element: one sentence, starting "Verified" or "Not verified" once decided. */
export function showVerdict(status: HTMLElement, tone: Tone, text: string): void {
  status.textContent = text;
  status.className = `status ${tone}`;
  status.setAttribute("aria-busy", String(tone === "pending"));
}

export function notVerified(reason: string): string {
  return `Not verified: ${reason}`;
}

export function verified(pkg: LiabilityProofPackage, report: RoundReport): string {
  const balance = amountText(BigInt(pkg.balance), report.decimals);
  const total = amountText(report.liabilities, report.decimals);
  return (
    `Verified: your balance of ${balance} is included in round ${report.round}'s liabilities of ${total}` +
    ` for ${formatSubjectId(report.subjectId)}, as the registry confirms on chain ${report.chainId}.`
  );
}

export function locallyOnly(missing: readonly string[]): string {
  return `Proof checks out locally; enter ${listOf(missing)} to confirm it on-chain.`;
}

export function checking(round: bigint | undefined): string {
  const which = round === undefined ? "the latest round" : `round ${round}`;
  return `Proof checks out locally; checking ${which} on-chain…`;
}

/** Account details still missing (a proof is looked for only once all three are given). */
export function enterAccount(missing: readonly string[]): string {
  return `Enter ${listOf(missing)} to find your balance in the round's published proofs.`;
}

/** Account details given, chain settings missing: the publication is found through the chain. */
export function enterChainForPublication(missing: readonly string[]): string {
  return `Enter ${listOf(missing)} to find the round's published proofs.`;
}

export function fetchingPublication(round: bigint | undefined): string {
  const which = round === undefined ? "the latest round" : `round ${round}`;
  return `Looking for your balance in ${which}'s published proofs…`;
}

/** "a", "a and b", "a, b and c". */
function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
