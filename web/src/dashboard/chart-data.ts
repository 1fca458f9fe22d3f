import type { ChartData, ChartPoint } from "./chart";
import type { PostedRound, RegistryView, SubjectSnapshot } from "./registry-reads";

/** The name of the chart's second line, and of the figure a card compares reserves with. */
export function otherLabel(snapshot: SubjectSnapshot): string {
  return snapshot.token === null ? "Liabilities" : "Liabilities / supply";
}

/**
 * A subject's chart: one point per attested round read (oldest first), plus the live reading of the
 * pinned block when a side is read live, since that is what its ratio is computed from now. `note`
 * ends the caption (why earlier rounds are missing).
 */
export function chartData(
  view: RegistryView,
  snapshot: SubjectSnapshot,
  rounds: readonly PostedRound[],
  note = "",
): ChartData {
  const points: ChartPoint[] = rounds.map((round) => ({
    time: round.asOf,
    label: `Round ${round.roundId}`,
    reserves: round.reserves,
    other: round.liabilities,
  }));
  const live = snapshot.hasData && (snapshot.reservesLive || snapshot.supply !== null);
  if (live) {
    const last = points.at(-1)?.time ?? 0n;
    points.push({
      // Strictly after the last round so the time axis stays ordered.
      time: view.blockTime > last ? view.blockTime : last + 1n,
      label: `Live (block ${view.blockNumber})`,
      reserves: snapshot.reserves,
      other: snapshot.supply ?? snapshot.latest?.liabilities ?? 0n,
    });
  }
  return {
    points,
    decimals: snapshot.decimals,
    otherLabel: otherLabel(snapshot),
    caption: caption(view, snapshot, rounds, live, note),
  };
}

function caption(
  view: RegistryView,
  snapshot: SubjectSnapshot,
  rounds: readonly PostedRound[],
  live: boolean,
  note: string,
): string {
  const first = rounds[0];
  const last = rounds.at(-1);
  let text = `Reserves against ${otherLabel(snapshot).toLowerCase()}`;
  if (first && last)
    text +=
      rounds.length === 1 ? ` in round ${first.roundId}` : ` over rounds ${first.roundId} to ${last.roundId}`;
  if (live) text += `${first ? ", then" : ""} as read live at block ${view.blockNumber}`;
  return `${text}.${note === "" ? "" : ` ${note}`}`;
}
