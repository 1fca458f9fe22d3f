import { formatSubjectId } from "../../../src/subject-id";
import { formatTimestamp, unixNow } from "../../../src/time";
import { ago } from "../common/time-text";
import type { RoundReport } from "./chain-check";
import { amountText, el, hashElement } from "./format";

/**
 * Fills the `<dl data-testid="round-details">` with the round the proof was checked against: its
 * number and freshness, asOf and posting time (UTC), the auditors who signed it, and its figures.
 */
export function renderRound(list: HTMLElement, report: RoundReport): void {
  const amount = (value: bigint) => amountText(value, report.decimals);
  const subject = formatSubjectId(report.subjectId);
  list.replaceChildren(
    ...entry("Subject", `${report.subjectName} (${subject})`),
    ...entry("Round", `${report.round}`, " ", freshnessBadge(report)),
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

/** "Fresh" / "Stale" for the latest round (the registry's isFresh); "Superseded by round M" otherwise. */
function freshnessBadge(report: RoundReport): HTMLElement {
  if (report.fresh === undefined)
    return el("span", "badge warn", `Superseded by round ${report.latestRound}`);
  return report.fresh ? el("span", "badge ok", "Fresh") : el("span", "badge bad", "Stale");
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
