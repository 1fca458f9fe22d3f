import { disputeCauseText, type RoundDispute } from "@por/sdk/challenges/disputes";
import type { LiabilityProofPackage } from "@por/sdk/liabilities/proof";
import { formatSubjectId } from "@por/sdk/core/subject-id";
import type { RoundReport } from "./chain-check";
import { amountText } from "./format";

/** How the verdict looks; its words alone carry the meaning (colour is a second signal only). */
export type Tone = "neutral" | "pending" | "ok" | "bad";

export const INITIAL_VERDICT = "Load your proof file to check it.";
export const ACCOUNT_INITIAL_VERDICT =
  "Enter your account id, salt and balance to find them in the round's published proofs.";

/**
 * The page's single role="status" element: one sentence, starting "Verified", "Disputed" or "Not
 * verified" once decided, or "Could not check on-chain" when the chain did not answer.
 */
export function showVerdict(status: HTMLElement, tone: Tone, text: string): void {
  status.textContent = text;
  status.className = `status ${tone}`;
  status.setAttribute("aria-busy", String(tone === "pending"));
}

export function notVerified(reason: string): string {
  return `Not verified: ${reason}`;
}

export function verified(pkg: LiabilityProofPackage, report: RoundReport): string {
  return `Verified: ${included(pkg, report)}, as the registry confirms on chain ${report.chainId}.`;
}

/** The proof holds, but its round reads as disputed: its figures do not count. */
export function disputed(pkg: LiabilityProofPackage, report: RoundReport, dispute: RoundDispute): string {
  return `Disputed: ${included(pkg, report)}, but ${disputeClause(report, dispute)}.`;
}

/** The RPC (or wallet) did not answer: nothing is known on-chain, so the verdict is neither way. */
export function couldNotCheck(reason: string, foldedLocally: boolean): string {
  const local = foldedLocally ? " Your proof checks out locally." : "";
  return `Could not check on-chain: ${reason}.${local} Try again, or another RPC URL.`;
}

/**
 * Why the round reads as disputed, naming the challenge: "round 2 is disputed: challenge 1 of round 2
 * went unanswered (settled in block 40), so …", or superseded by a disputed latest round.
 */
export function disputeClause(report: RoundReport, dispute: RoundDispute): string {
  const cause = causeText(dispute);
  if (dispute.roundDisputed)
    return `round ${report.round} is disputed: ${cause}, so the registry does not count its figures`;
  if (report.round < dispute.latestRoundId)
    return `round ${report.round} is superseded by round ${dispute.latestRoundId}, which is disputed: ${cause}, so the subject's current figures do not count`;
  return `round ${report.round}, the latest, counts as disputed: ${cause}, and its snapshot is not after that, so the registry does not count its figures`;
}

/** The settled challenge behind a dispute, or why it cannot be named here. */
export function causeText(dispute: RoundDispute): string {
  const text = disputeCauseText(dispute.cause);
  return dispute.cause === null
    ? `${text} (the RPC did not return the ChallengeSettled events that name it)`
    : text;
}

/** "your balance of 1,250.5 is included in round 1's liabilities of 4,000 for USDX" */
function included(pkg: LiabilityProofPackage, report: RoundReport): string {
  const balance = amountText(BigInt(pkg.balance), report.decimals);
  const total = amountText(report.liabilities, report.decimals);
  return `your balance of ${balance} is included in round ${report.round}'s liabilities of ${total} for ${formatSubjectId(report.subjectId)}`;
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
