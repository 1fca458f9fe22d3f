/** The named phases of a liabilities build, in the order they run (docs/liabilities-tree.md §5). */
export const BUILD_PHASES = [
  "read and hash accounts",
  "pad",
  "sort ids and leaves",
  "check duplicates",
  "hash and write levels",
] as const;

export type BuildPhase = (typeof BUILD_PHASES)[number];

/** One finished phase: its wall time and what it did ("1000000 accounts, 34.0 MB"). */
export interface PhaseTiming {
  phase: BuildPhase;
  seconds: number;
  detail: string;
}

/** Who hears about phases: `onPhaseStart` as each begins, `onPhaseEnd` with its timing. */
export interface PhaseListener {
  onPhaseStart?: (phase: BuildPhase) => void;
  onPhaseEnd?: (timing: PhaseTiming) => void;
}

/** Times a build's phases one after the other and tells `listener`; costs a clock read per phase. */
export class PhaseClock {
  private current: BuildPhase | undefined;
  private startedAt = 0;

  constructor(private readonly listener: PhaseListener) {}

  start(phase: BuildPhase): void {
    this.current = phase;
    this.startedAt = performance.now();
    this.listener.onPhaseStart?.(phase);
  }

  /** Ends the current phase, `detail` saying what it did. */
  end(detail: string): void {
    const phase = this.current;
    if (phase === undefined) throw new Error("BUG: PhaseClock.end without start");
    this.current = undefined;
    this.listener.onPhaseEnd?.({ phase, seconds: (performance.now() - this.startedAt) / 1000, detail });
  }
}
