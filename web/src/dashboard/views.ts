import type { Hex32 } from "@por/sdk/core/hex";
import { formatSubjectId } from "@por/sdk/core/subject-id";
import { mountChart, type MountedChart } from "./chart";
import { chartData } from "./chart-data";
import { el } from "./dom";
import { utc } from "./format";
import { historyTable } from "./history";
import {
  AuditorNames,
  MAX_HISTORY_ROUNDS,
  readHistory,
  readPostedRounds,
  readSettlements,
  readSnapshots,
  readSubjectIds,
  readSubjectSnapshot,
  type RegistryView,
} from "./registry-reads";
import { dashboardLink, type Settings } from "./settings";
import { subjectCard, subjectErrorCard } from "./subject-card";

/** A view ready to show: its content, its status sentence, page title, and charts to destroy later. */
export interface Rendered {
  title: string;
  status: string;
  content: Node[];
  charts: MountedChart[];
}

/** Where the figures come from, for the status line. */
function readAt(view: RegistryView, settings: Settings): string {
  return `registry ${settings.registry} on chain ${view.chainId}, read at block ${view.blockNumber} (${utc(view.blockTime)})`;
}

/** The overview: one card per registered subject, each with its chart and a History link. */
export async function overview(view: RegistryView, settings: Settings): Promise<Rendered> {
  const [ids, rounds, settled] = await Promise.all([
    readSubjectIds(view),
    readPostedRounds(view),
    readSettlements(view),
  ]);
  const names = new AuditorNames(view);
  const snapshots = await readSnapshots(view, ids, rounds, settled, names);
  const charts: MountedChart[] = [];
  const cards = snapshots.map((snapshot) => {
    if ("error" in snapshot) return subjectErrorCard(formatSubjectId(snapshot.subjectId), snapshot.error);
    const subjectRounds = rounds.get(snapshot.subjectId) ?? [];
    const first = subjectRounds[0];
    const note =
      first && first.roundId > 1n
        ? `Rounds posted before block ${view.fromBlock} (the From block) are not shown.`
        : "";
    const chart = mountChart(chartData(view, snapshot, subjectRounds, note));
    charts.push(chart);
    return subjectCard(view, snapshot, {
      chart: chart.element,
      historyHref: dashboardLink(settings, snapshot.subjectId),
    });
  });
  const status =
    ids.length === 0
      ? `No subject was registered in ${readAt(view, settings)}, from block ${view.fromBlock} on` +
        (view.fromBlock > 0 ? "; a lower From block finds subjects registered earlier." : ".")
      : `${ids.length} subject${ids.length === 1 ? "" : "s"} of ${readAt(view, settings)}.`;
  return {
    title: "Reserves dashboard",
    status,
    content: ids.length === 0 ? [] : [el("div", { class: "cards" }, ...cards)],
    charts,
  };
}

/** The subject page: its card, its chart over every round shown, and the history table. */
export async function subjectPage(
  view: RegistryView,
  settings: Settings,
  subjectId: Hex32,
): Promise<Rendered> {
  const names = new AuditorNames(view);
  const [posted, settled] = await Promise.all([
    readPostedRounds(view, subjectId),
    readSettlements(view, subjectId),
  ]);
  const rounds = posted.get(subjectId) ?? [];
  const snapshot = await readSubjectSnapshot(view, subjectId, rounds, settled, names);
  const history = await readHistory(view, snapshot, rounds, names);
  const total = snapshot.latest?.roundId ?? 0n;
  const capped = total > BigInt(history.length);
  const note = capped ? `Only the latest ${MAX_HISTORY_ROUNDS} of ${total} rounds are shown.` : "";
  const chart = mountChart(chartData(view, snapshot, [...history].reverse(), note));
  const back = el("a", { href: dashboardLink(settings) }, "All subjects of this registry");
  return {
    title: `${snapshot.name} (${snapshot.label})`,
    status: `Subject ${snapshot.label} of ${readAt(view, settings)}.`,
    content: [
      el("p", { class: "back" }, back),
      subjectCard(view, snapshot),
      el("h2", {}, "Reserves over time"),
      chart.element,
      el("h2", {}, "History"),
      historyTable(history, snapshot.decimals),
      history.length === 0 ? el("p", { class: "hint" }, "No round posted yet.") : null,
      capped ? el("p", { class: "hint" }, note) : null,
    ].filter((node): node is HTMLElement => node !== null),
    charts: [chart],
  };
}
