import { disputeCauseText } from "@por/sdk/challenges/disputes";
import { describeSharedAuditorOwners } from "@por/sdk/safe/auditor-owners";
import { el, row, type Child } from "./dom";
import { ago } from "../common/time-text";
import { amount, duration, percent, utc } from "./format";
import type { Auditor, RegistryView, SubjectSnapshot } from "./registry-reads";

/** What the card adds below its figures: the chart (overview) and the link to the subject page. */
export interface CardExtras {
  chart?: HTMLElement;
  historyHref?: string;
}

/**
 * One subject as an `<article data-subject="<id>">`: name and id, the ratio and freshness badge up
 * front (or "Disputed" and the challenge that caused it, for a disputed subject), a warning when listed
 * auditors share owners, then the latest round, both sides of the ratio (labelled live or attested), the auditors of
 * the latest round and the reserve wallets with their balances.
 */
export function subjectCard(
  view: RegistryView,
  snapshot: SubjectSnapshot,
  extras: CardExtras = {},
): HTMLElement {
  const { latest } = snapshot;
  const details = el(
    "dl",
    { class: "facts" },
    ...row("Subject id", el("span", { class: "mono" }, snapshot.label)),
    ...row(
      "Latest round",
      ...(latest === null
        ? ["None yet"]
        : [
            `Round ${latest.roundId}`,
            el("br"),
            `as of ${utc(latest.asOf)} (${ago(latest.asOf, view.blockTime)})`,
            el("br"),
            `posted ${utc(latest.postedAt)}`,
          ]),
    ),
    ...row(
      "Reserves",
      snapshot.hasData || snapshot.reservesLive ? amount(snapshot.reserves, snapshot.decimals) : "—",
      el("span", { class: "hint" }, ` ${reservesSource(snapshot)}`),
    ),
    ...supplyRow(snapshot),
    ...row(
      snapshot.latest ? `Auditors of round ${snapshot.latest.roundId}` : "Auditors",
      auditorsOf(snapshot),
    ),
    ...walletRows(snapshot),
  );
  return el(
    "article",
    { class: "subject", "data-subject": snapshot.label, "aria-labelledby": headingId(snapshot) },
    el("h2", { id: headingId(snapshot) }, snapshot.name),
    headline(snapshot),
    sharedOwnersWarning(snapshot),
    details,
    extras.chart,
    extras.historyHref &&
      el("p", { class: "history-link" }, el("a", { href: extras.historyHref }, "History")),
  );
}

/** A card for a subject that could not be read: its id and the one-sentence reason. */
export function subjectErrorCard(label: string, error: string): HTMLElement {
  return el(
    "article",
    { class: "subject", "data-subject": label },
    el("h2", {}, el("span", { class: "mono" }, label)),
    el("p", { class: "error" }, error),
  );
}

function headingId(snapshot: SubjectSnapshot): string {
  return `subject-${snapshot.subjectId.slice(2, 18)}`;
}

/**
 * The card's headline: the ratio with its freshness badge, or, for a subject whose latest round
 * counts as disputed, "Disputed" in its place with the challenge that caused it (the ratio, which
 * does not count, moves into the sentence).
 */
function headline(snapshot: SubjectSnapshot): HTMLElement {
  const ratio = percent(snapshot.ratioWad, snapshot.hasData);
  const { latest } = snapshot;
  if (latest?.disputed) {
    const cause = latest.disputedBy
      ? disputeCauseText(latest.disputedBy)
      : `${disputeCauseText(null)} (its ChallengeSettled event is not in the blocks read: lower the From block to name it)`;
    return el(
      "p",
      { class: "headline disputed", "data-testid": "headline" },
      el("span", { class: "ratio", "data-testid": "ratio" }, "Disputed"),
      el(
        "span",
        { class: "dispute-note" },
        `${cause.charAt(0).toUpperCase()}${cause.slice(1)}. The figures below (ratio ${ratio}) do not count` +
          ` until a round with a snapshot after that is posted.`,
      ),
    );
  }
  return el(
    "p",
    { class: "headline", "data-testid": "headline" },
    el("span", { class: "ratio-label" }, "Ratio "),
    el("span", { class: "ratio", "data-testid": "ratio" }, ratio),
    " ",
    freshnessBadge(snapshot),
    el("span", { class: "hint" }, ` ${freshnessNote(snapshot)}`),
  );
}

/**
 * Listed auditors one key signs for (Safes sharing an owner): the registry counts them as two
 * signatures, so one person can meet a quorum of 2. Each pair named with its shared owners.
 */
function sharedOwnersWarning(snapshot: SubjectSnapshot): HTMLElement | null {
  const shared = snapshot.sharedOwners;
  if ("error" in shared)
    return el(
      "p",
      { class: "hint" },
      `Whether listed auditors share owners could not be read: ${shared.error}.`,
    );
  if (shared.pairs.length === 0) return null;
  return el(
    "div",
    { class: "warning", role: "note", "aria-label": "Auditors sharing owners" },
    el("strong", {}, "Auditors share a key. "),
    el(
      "ul",
      { class: "plain" },
      ...shared.pairs.map((pair) => {
        const text = describeSharedAuditorOwners(pair, shared.names);
        return el("li", {}, `${text.charAt(0).toUpperCase()}${text.slice(1)}.`);
      }),
    ),
  );
}

/** "Fresh", "Stale" or "Never attested": text first, colour second. */
function freshnessBadge(snapshot: SubjectSnapshot): HTMLElement {
  const [text, tone] = !snapshot.hasData
    ? ["Never attested", "neutral"]
    : snapshot.backingFresh
      ? ["Fresh", "ok"]
      : ["Stale", "bad"];
  return el("span", { class: `badge ${tone}`, "data-testid": "freshness" }, text);
}

/** Why the badge says what it says, in the subject's own terms (heartbeat, live sides). */
function freshnessNote(snapshot: SubjectSnapshot): string {
  const heartbeat = duration(snapshot.heartbeatSeconds);
  if (!snapshot.hasData) return "no round posted yet";
  if (snapshot.asset && snapshot.reservesLive && !snapshot.asset.approved)
    return "the reserve asset was revoked by the registry admin, so its balances count as 0";
  if (snapshot.reservesLive && snapshot.supply !== null) return "reserves and supply are read live";
  if (snapshot.latest === null) return "";
  return snapshot.latest.fresh
    ? `latest round within its ${heartbeat} heartbeat`
    : `latest round older than its ${heartbeat} heartbeat`;
}

function reservesSource(snapshot: SubjectSnapshot): string {
  if (snapshot.reservesLive) {
    const count = snapshot.wallets.length;
    return `(live: ${count} reserve wallet${count === 1 ? "" : "s"})`;
  }
  return snapshot.latest ? `(attested in round ${snapshot.latest.roundId})` : "(none attested yet)";
}

/** Liabilities of the latest round, or the token's live supply when the subject names a token. */
function supplyRow(snapshot: SubjectSnapshot): Node[] {
  if (snapshot.supply !== null)
    return row(
      "Token supply",
      amount(snapshot.supply, snapshot.decimals),
      el("span", { class: "hint" }, " (live: the token's total supply)"),
      el("br"),
      el("span", { class: "mono small" }, snapshot.token ?? ""),
    );
  const { latest } = snapshot;
  return row(
    "Liabilities",
    latest ? amount(latest.liabilities, snapshot.decimals) : "—",
    el("span", { class: "hint" }, latest ? ` (attested in round ${latest.roundId})` : " (none attested yet)"),
  );
}

function auditorsOf(snapshot: SubjectSnapshot): Child {
  const { latest } = snapshot;
  if (latest === null) return "None yet";
  if (latest.auditors === null)
    return el("span", { class: "hint" }, `Round ${latest.roundId} was posted before the From block.`);
  return el(
    "ul",
    { class: "plain", "aria-label": `Auditors who signed round ${latest.roundId}` },
    ...latest.auditors.map((auditor) => el("li", {}, auditorLine(auditor))),
  );
}

/** "Name 0xAbc…" with the full address in the text (wrapped, never cut) so it can be checked. */
export function auditorLine(auditor: Auditor): Node {
  return el(
    "span",
    { class: "auditor" },
    auditor.name === "" ? "" : `${auditor.name} `,
    el("span", { class: "mono small" }, auditor.address),
  );
}

function walletRows(snapshot: SubjectSnapshot): Node[] {
  const { asset } = snapshot;
  if (asset === null || snapshot.wallets.length === 0) return [];
  const unit = asset.symbol ?? "units";
  return row(
    `Reserve wallets (${snapshot.wallets.length})`,
    el(
      "ul",
      { class: "plain" },
      ...snapshot.wallets.map((wallet) =>
        el(
          "li",
          {},
          el("span", { class: "mono small" }, wallet.address),
          el("br"),
          `${amount(wallet.balance, asset.decimals)} ${unit}`,
        ),
      ),
    ),
    el(
      "span",
      { class: "hint" },
      `Reserve asset ${unit}${asset.approved ? "" : " (revoked: its balances count as 0)"}: `,
      el("span", { class: "mono small" }, asset.address),
    ),
  );
}
