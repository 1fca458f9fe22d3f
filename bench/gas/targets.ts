/**
 * The gas targets of issue 13, before and after: each bench section reports the figure it measured
 * (`reportTarget`), and `targetsSection` renders them next to the figure measured the same way on the
 * code before that work (commit e46391b, docs/gas.md of that commit) and the target.
 */

type TargetKey = "postLaterQuorum2" | "extraSigner" | "feedAttested" | "feedLive1" | "verify20";

interface Target {
  what: string;
  /** How the figure is taken from a receipt or an estimate. */
  measuredBy: string;
  /** At commit e46391b, measured the same way. */
  before: number;
  /** As filed in the issue (an older commit, measured from outside). */
  filed: number;
  target: number;
}

const TARGETS: Record<TargetKey, Target> = {
  postLaterQuorum2: {
    what: "`postAttestation`, later round, quorum 2 (EOAs)",
    measuredBy: "receipt `gasUsed` (21,000 base and calldata included)",
    before: 158_818,
    filed: 183_572,
    target: 150_000,
  },
  extraSigner: {
    what: "each extra EOA signer (quorum 1 → 2 → 3, later round, mean)",
    measuredBy: "difference of receipts",
    before: 13_869,
    filed: 13_737,
    target: 8_000,
  },
  feedAttested: {
    what: "`ReserveFeed.latestRoundData`, attested subject",
    measuredBy: "execution: `eth_estimateGas` − 21,000 − calldata",
    before: 9_170,
    filed: 21_567,
    target: 12_000,
  },
  feedLive1: {
    what: "`ReserveFeed.latestRoundData`, live subject with 1 wallet",
    measuredBy: "execution, as above",
    before: 24_010,
    filed: 0,
    target: 20_000,
  },
  verify20: {
    what: "`verifyLiability`, 20 steps, calldata included",
    measuredBy:
      "calldata (4/16 gas per byte) + execution from a contract (GasMeter); before: `eth_estimateGas` − 21,000, the same sum then",
    before: 41_577,
    filed: 48_881,
    target: 40_000,
  },
};

const measured = new Map<TargetKey, number>();

/** Records this run's figure for `key` (each section calls it once per target it measures). */
export function reportTarget(key: TargetKey, value: bigint | number): void {
  measured.set(key, Number(value));
}

/** Calldata gas of `data` at 4 gas per zero byte and 16 per other byte (EIP-2028). */
export function calldataGas(data: string): number {
  const bytes = Buffer.from(data.replace(/^0x/, ""), "hex");
  let gas = 0;
  for (const b of bytes) gas += b === 0 ? 4 : 16;
  return gas;
}

/** EIP-7623 calldata floor of `data`, without the 21,000 base: 10 gas per token, a zero byte one token, any other four. */
export function calldataFloorGas(data: string): number {
  return (calldataGas(data) / 4) * 10;
}

/** The markdown table of every target: filed, before, after, target, met. */
export function targetsSection(): string {
  const fmt = (n: number) => n.toLocaleString("en-US");
  const rows = (Object.keys(TARGETS) as TargetKey[]).map((key) => {
    const t = TARGETS[key];
    const after = measured.get(key);
    if (after === undefined) throw new Error(`BUG: no figure reported for target ${key}`);
    const ratio = `${((after / t.before) * 100).toFixed(0)}%`;
    return `| ${t.what} | ${t.measuredBy} | ${t.filed ? fmt(t.filed) : "—"} | ${fmt(t.before)} | **${fmt(after)}** (${ratio} of before) | ≤ ${fmt(t.target)} | ${after <= t.target ? "yes" : "**no**"} |`;
  });
  return [
    "## Targets (issue 13)",
    "",
    "Every figure in the **after** column is measured by this run; **before** is the same measurement on",
    "commit e46391b (the code before the work), **filed** the figure in the issue (an older commit,",
    "measured from outside, so not always the same method).",
    "",
    "| what | measured by | filed | before | after | target | met |",
    "|---|---|---:|---:|---:|---:|---|",
    ...rows,
    "",
    "",
  ].join("\n");
}
