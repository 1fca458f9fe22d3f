import { ratioWad } from "@por/sdk/core/ratio";
import { el } from "./dom";
import { amount, percent, utc } from "./format";
import type { HistoryRound } from "./registry-reads";
import { auditorLine } from "./subject-card";

const COLUMNS = [
  { name: "Round", numeric: false },
  { name: "As of (UTC)", numeric: false },
  { name: "Posted (UTC)", numeric: false },
  { name: "Reserves", numeric: true },
  { name: "Liabilities", numeric: true },
  { name: "Ratio", numeric: true },
  { name: "Auditors", numeric: false },
] as const;

/**
 * The subject page's table: one row per round, newest first, figures in the subject's decimals and
 * the ratio computed exactly as collateralization() does for an attested round; a round whose
 * challenge went unanswered is marked "Disputed". Each cell carries
 * its column name (data-label) so phones can show rows as stacked cards (dashboard.css).
 */
export function historyTable(rounds: readonly HistoryRound[], decimals: number): HTMLElement {
  const head = el(
    "tr",
    {},
    ...COLUMNS.map(({ name, numeric }) =>
      el("th", { scope: "col", class: numeric ? "num" : undefined }, name),
    ),
  );
  const body = rounds.map((round) => {
    const cells = [
      round.disputed
        ? el("span", {}, `${round.roundId} `, el("span", { class: "badge bad" }, "Disputed"))
        : String(round.roundId),
      utc(round.asOf),
      utc(round.postedAt),
      amount(round.reserves, decimals),
      amount(round.liabilities, decimals),
      percent(ratioWad(round.reserves, round.liabilities)),
      round.auditors === null
        ? el("span", { class: "hint" }, "Posted before the From block")
        : el(
            "ul",
            { class: "plain" },
            ...round.auditors.map((auditor) => el("li", {}, auditorLine(auditor))),
          ),
    ];
    return el(
      "tr",
      {},
      ...cells.map((cell, i) => {
        const { name, numeric } = COLUMNS[i]!;
        const attributes = {
          "data-label": name,
          class: numeric ? "num" : i === 1 || i === 2 ? "nowrap" : undefined,
        };
        return i === 0 ? el("th", { ...attributes, scope: "row" }, cell) : el("td", attributes, cell);
      }),
    );
  });
  return el(
    "div",
    { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Rounds, newest first" },
    el(
      "table",
      { "data-testid": "history", class: "history" },
      el("caption", { class: "visually-hidden" }, "Rounds, newest first"),
      el("thead", {}, head),
      el("tbody", {}, ...body),
    ),
  );
}
