import { setTimeout as sleep } from "node:timers/promises";
import type { Provider } from "ethers";
import type { CheckResult, CheckState } from "./checks";
import { Connections, EXIT_HEALTHY, exitCodeFor, runChecks } from "./checks";
import { formatRatio } from "../core/ratio";
import { describeSharedAuditorOwners } from "../safe/auditor-owners";
import type { MonitorConfig } from "./config";

export * from "./checks";
export * from "./config";

/** One alert as a JSON line (amounts are 18-decimal integers as strings). */
export function alertJson(result: CheckResult, time: Date): string {
  return JSON.stringify({
    time: time.toISOString(),
    check: result.check.name,
    type: result.check.type,
    state: result.state,
    ratioWad: result.ratioWad?.toString(),
    reservesWad: result.reservesWad?.toString(),
    supplyWad: result.supplyWad?.toString(),
    blocks: result.blocks,
    disputed: result.disputed === undefined ? undefined : bigintsAsStrings(result.disputed),
    detail: result.detail,
  });
}

/** `value` with its bigints as decimal strings, for JSON. */
function bigintsAsStrings(value: object): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}

/** One alert as a human line: `ALERT <state> <type> "<name>": <detail>`. */
export function alertText(result: CheckResult, time: Date): string {
  const tag = result.state === "healthy" ? "RECOVERED" : `ALERT ${result.state}`;
  return `${time.toISOString()} ${tag} ${result.check.type} "${result.check.name}": ${result.detail}`;
}

/**
 * A check's warnings as JSON lines, one per pair of auditors sharing a key: `warning` instead of
 * `state` marks them (they never change the exit code).
 */
export function warningJson(result: CheckResult, time: Date): string[] {
  return (result.sharedAuditorOwners ?? []).map((shared) =>
    JSON.stringify({
      time: time.toISOString(),
      check: result.check.name,
      type: result.check.type,
      warning: "auditors-share-owners",
      auditors: shared.auditors,
      sharedOwners: shared.sharedOwners,
      detail: describeSharedAuditorOwners(shared),
    }),
  );
}

/** A check's warnings as human lines: `<time> WARNING subject "<name>": auditors 0x… and 0x… share owner 0x…: …`. */
export function warningText(result: CheckResult, time: Date): string[] {
  return (result.sharedAuditorOwners ?? []).map(
    (shared) =>
      `${time.toISOString()} WARNING ${result.check.type} "${result.check.name}": ${describeSharedAuditorOwners(shared)}`,
  );
}

/**
 * The one line `--once` prints when every check is healthy:
 * `<time> OK all 2 checks healthy, lowest ratio 1.0000 (bridge "USDO home->remote")`.
 */
export function healthyText(results: CheckResult[], time: Date): string {
  const count = `${results.length} check${results.length === 1 ? "" : "s"}`;
  const lowest = results
    .filter((r) => r.ratioWad !== undefined)
    .reduce<CheckResult | undefined>(
      (low, r) => (low === undefined || r.ratioWad! < low.ratioWad! ? r : low),
      undefined,
    );
  const ratio =
    lowest === undefined
      ? ""
      : `, lowest ratio ${formatRatio(lowest.ratioWad!)} (${lowest.check.type} "${lowest.check.name}")`;
  return `${time.toISOString()} OK all ${count} healthy${ratio}`;
}

export interface WatchOptions {
  /** Run the checks once and return the exit code instead of looping. */
  once: boolean;
  /** Receives the results worth printing: every non-healthy check in --once mode; state changes when watching. */
  report(results: CheckResult[]): void;
  /**
   * Receives the results with warnings (auditors sharing a key), after `report`: with --once every
   * one; when watching, a check whose warnings changed since they were last passed here.
   */
  warn?(results: CheckResult[]): void;
  /** With --once, receives every result when all are healthy (for a summary line). */
  healthy?(results: CheckResult[]): void;
  /** Aborted when watching should stop (e.g. on SIGINT); watching then returns 0. */
  signal?: AbortSignal;
  /** Ready-made providers by network name, used instead of opening the config's rpcUrl. */
  providers?: Record<string, Provider>;
}

/**
 * Runs the checks once (returning the --once exit code) or every intervalSeconds until `signal`
 * aborts (returning 0: stopping on request is a success), reporting a check when its state
 * changes, including back to healthy.
 */
export async function watch(config: MonitorConfig, options: WatchOptions): Promise<number> {
  const connections = new Connections(config, options.providers);
  const previous = new Map<string, CheckState>();
  const previousWarnings = new Map<string, string>();
  try {
    for (;;) {
      // --once is never cut short: an answer it did not finish must not read as healthy.
      const results = await untilAborted(
        runChecks(config, connections),
        options.once ? undefined : options.signal,
      );
      if (results === null) return EXIT_HEALTHY; // aborted mid-round: a slow RPC must not hold up Ctrl-C
      const warned = results.filter((r) => (r.sharedAuditorOwners ?? []).length > 0);
      if (options.once) {
        options.report(results.filter((r) => r.state !== "healthy"));
        if (warned.length > 0) options.warn?.(warned);
        const code = exitCodeFor(results);
        if (code === EXIT_HEALTHY) options.healthy?.(results);
        return code;
      }
      const changed = results.filter(
        (r) =>
          previous.get(r.check.name) !== r.state && (previous.has(r.check.name) || r.state !== "healthy"),
      );
      for (const r of results) previous.set(r.check.name, r.state);
      options.report(changed);
      // A warning is repeated only when it changes; an unreachable round (no reading) keeps the last one.
      const newWarnings = warned.filter((r) => previousWarnings.get(r.check.name) !== warningKey(r));
      for (const r of results)
        if (r.sharedAuditorOwners !== undefined) previousWarnings.set(r.check.name, warningKey(r));
      if (newWarnings.length > 0) options.warn?.(newWarnings);
      try {
        await sleep(config.intervalSeconds * 1000, undefined, { signal: options.signal });
      } catch {
        return EXIT_HEALTHY; // aborted (Ctrl-C): stop watching
      }
    }
  } finally {
    connections.destroy();
  }
}

function warningKey(result: CheckResult): string {
  return JSON.stringify(result.sharedAuditorOwners ?? []);
}

/** `work`'s result, or null as soon as `signal` aborts (the work itself is left to finish or fail). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | null> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolve, reject) => {
    const onAbort = () => resolve(null);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
