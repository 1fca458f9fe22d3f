import "./locale-guard"; // before uPlot: see there
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { el } from "./dom";
import { amount, chartNumber, utc } from "./format";

/** One point of a subject's chart: a round (or the live reading) and its two figures. */
export interface ChartPoint {
  /** Unix seconds: the round's asOf, or the block time of a live reading. */
  time: bigint;
  /** "Round 3" or "Live (block 120)". */
  label: string;
  reserves: bigint;
  /** Liabilities of an attested round, or the token's supply of a live reading. */
  other: bigint;
}

/** What the chart draws and how its figures are named. */
export interface ChartData {
  points: ChartPoint[];
  decimals: number;
  /** Name of the second line: "Liabilities", "Liabilities / token supply". */
  otherLabel: string;
  /** Accessible summary, also shown as the figure's caption. */
  caption: string;
}

/** A chart on the page: its element, and a way to stop following its container's width. */
export interface MountedChart {
  element: HTMLElement;
  destroy(): void;
}

const HEIGHT = 220;
const COMPACT = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 3 });

/**
 * Reserves against liabilities/supply over time, drawn by uPlot on a canvas (hidden from screen
 * readers), with the caption and a data table as the accessible version. Lines differ by dash and
 * legend label as well as colour. Figures become doubles for the canvas only (see chartNumber).
 */
export function mountChart(data: ChartData): MountedChart {
  if (data.points.length === 0) {
    const empty = el("figure", { class: "chart" }, el("figcaption", {}, "No rounds to chart yet."));
    return { element: empty, destroy: () => undefined };
  }
  const figure = el("figure", { class: "chart" }, el("figcaption", {}, data.caption));
  const canvas = el("div", { class: "chart-canvas", "aria-hidden": "true" });
  figure.append(canvas, dataTable(data));
  const plot = new uPlot(options(data), plotData(data), canvas);
  // Follow the container's width: cards reflow from one column on phones to wider screens.
  // Resize on the next frame, not inside the observer: resizing there re-triggers it in the same frame.
  let frame = 0;
  const observer = new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      const width = Math.floor(canvas.clientWidth);
      if (width > 0 && width !== plot.width) plot.setSize({ width, height: HEIGHT });
    });
  });
  observer.observe(canvas);
  return {
    element: figure,
    destroy: () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
      plot.destroy();
    },
  };
}

function plotData(data: ChartData): uPlot.AlignedData {
  return [
    data.points.map((point) => Number(point.time)),
    data.points.map((point) => chartNumber(point.reserves, data.decimals)),
    data.points.map((point) => chartNumber(point.other, data.decimals)),
  ];
}

function options(data: ChartData): uPlot.Options {
  return {
    width: 320,
    height: HEIGHT,
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
    scales: {
      // Pad the time axis so the first and last points are not cut in half (one point: a day around it).
      x: { time: true, range: () => timeRange(data.points) },
      // Start at 0: the gap between the lines reads as the share of liabilities covered.
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      { stroke: "#57606a", grid: { stroke: "#eaeef2" } },
      {
        stroke: "#57606a",
        grid: { stroke: "#eaeef2" },
        size: 60,
        values: (_u, splits) => splits.map((value) => COMPACT.format(value)),
      },
    ],
    series: [
      { label: "As of (UTC)", value: (_u, seconds) => (seconds == null ? "—" : utc(BigInt(seconds))) },
      {
        label: "Reserves",
        stroke: "#0969da",
        width: 2,
        fill: "rgba(9, 105, 218, 0.08)",
        points: { show: true, size: 7 },
        value: (_u, value) => (value == null ? "—" : COMPACT.format(value)),
      },
      {
        label: data.otherLabel,
        stroke: "#bc4c00",
        width: 2,
        dash: [6, 4],
        points: { show: true, size: 7 },
        value: (_u, value) => (value == null ? "—" : COMPACT.format(value)),
      },
    ],
    // Labels only: hover values would hide from keyboard users what the data table shows to all.
    legend: { live: false, markers: { dash: (u, i) => (u.series[i]?.dash ? "dashed" : "solid") } },
    cursor: { drag: { x: false, y: false } },
  };
}

/** The points' time span, padded (uPlot's own guess for a single point spans years). */
function timeRange(points: readonly ChartPoint[]): [number, number] {
  const min = Number(points[0]?.time ?? 0n);
  const max = Number(points.at(-1)?.time ?? 0n);
  const pad = max > min ? (max - min) * 0.04 : 86_400;
  return [min - pad, max + pad];
}

/** The chart's figures, exact, for screen readers and anyone who wants the numbers. */
function dataTable(data: ChartData): HTMLElement {
  const rows = [...data.points]
    .reverse()
    .map((point) =>
      el(
        "tr",
        {},
        el("th", { scope: "row" }, point.label),
        el("td", {}, utc(point.time)),
        el("td", { class: "num" }, amount(point.reserves, data.decimals)),
        el("td", { class: "num" }, amount(point.other, data.decimals)),
      ),
    );
  return el(
    "details",
    { class: "chart-data" },
    el("summary", {}, "Chart data as a table"),
    el(
      "div",
      { class: "table-scroll" },
      el(
        "table",
        {},
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", { scope: "col" }, "Point"),
            el("th", { scope: "col" }, "As of"),
            el("th", { scope: "col" }, "Reserves"),
            el("th", { scope: "col" }, data.otherLabel),
          ),
        ),
        el("tbody", {}, ...rows),
      ),
    ),
  );
}
