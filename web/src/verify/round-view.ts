import { formatSubjectId } from "@por/sdk/core/subject-id";
import { formatTimestamp, unixNow } from "@por/sdk/core/time";
import { ago } from "../common/time-text";
import type { RoundReport } from "./chain-check";
import { amountText, el, hashElement } from "./format";
import { causeText } from "./verdict";

/**
 * Fills the `<dl data-testid="round-details">` with the round the proof was checked against: its
 * number and freshness (or dispute, naming the challenge), asOf and posting time (UTC), the auditors
 * who signed it, and its figures.
 */
export function renderRound(list: HTMLElement, report: RoundReport): void {
  const amount = (value: bigint) => amountText(value, report.decimals);
  const subject = formatSubjectId(report.subjectId);
  list.replaceChildren(
    ...entry("Subject", `${report.subjectName} (${subject})`),
    ...entry("Round", `${report.round}`, " ", freshnessBadge(report)),
    ...(report.dispute ? entry("Dispute", capitalised(causeText(report.dispute))) : []),
    ...entry("As of", `${formatTimestamp(report.asOf)} (${ago(report.asOf, unixNow())})`),
    ...entry("Posted", `${formatTimestamp(report.postedAt)} (${ago(report.postedAt, unixNow())})`),
    ...entry("Signed by", signersList(report)),
    ...entry("Reserves", amount(report.reserves)),
    ...entry(
      "Liabilities",
      amount(report.liabilities),
      " ",
      el("span", "hint", "root "),
      hashElement(report.liabilitiesRoot),
    ),
    ...entry("Registry", el("span", "mono", report.registry), ` on chain ${report.chainId}`),
  );
}

/**
 * "Disputed" for a round whose own challenge went unanswered or a latest round counting as disputed;
 * "Superseded by round M" (", which is disputed" when it is) for an older one; else "Fresh" / "Stale"
 * (the registry's isFresh).
 */
function freshnessBadge(report: RoundReport): HTMLElement {
  const { dispute } = report;
  const superseded = report.fresh === undefined;
  if (dispute?.roundDisputed)
    return el(
      "span",
      "badge bad",
      superseded ? `Disputed; superseded by round ${report.latestRound}` : "Disputed",
    );
  if (dispute && !superseded) return el("span", "badge bad", "Disputed");
  if (superseded)
    return dispute
      ? el("span", "badge bad", `Superseded by round ${report.latestRound}, which is disputed`)
      : el("span", "badge warn", `Superseded by round ${report.latestRound}`);
  return report.fresh ? el("span", "badge ok", "Fresh") : el("span", "badge bad", "Stale");
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function signersList(report: RoundReport): HTMLElement {
  if (report.signers === undefined)
    return el("span", "hint", "unknown: the RPC did not return the round's AttestationPosted event");
  if (report.signers.length === 0) return el("span", "hint", "no signers recorded");
  return el(
    "ul",
    "signers",
    ...report.signers.map((signer) =>
      el("li", "", ...(signer.name ? [`${signer.name} `] : []), el("span", "mono", signer.address)),
    ),
  );
}

function entry(term: string, ...details: Array<Node | string>): HTMLElement[] {
  return [el("dt", "", term), el("dd", "", ...details)];
}
