import { setTimeout as sleep } from "node:timers/promises";
import type { Provider } from "ethers";
import type { CheckResult, CheckState } from "./checks";
import { Connections, exitCodeFor, runChecks } from "./checks";
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
    detail: result.detail,
  });
}

/** One alert as a human line: `ALERT <state> <type> "<name>": <detail>`. */
export function alertText(result: CheckResult, time: Date): string {
  const tag = result.state === "healthy" ? "RECOVERED" : `ALERT ${result.state}`;
  return `${time.toISOString()} ${tag} ${result.check.type} "${result.check.name}": ${result.detail}`;
}

export interface WatchOptions {
  /** Run the checks once and return the exit code instead of looping. */
  once: boolean;
  /** Receives the results worth printing: every non-healthy check in --once mode; state changes when watching. */
  report(results: CheckResult[]): void;
  /** Aborted when watching should stop (e.g. on SIGINT). */
  signal?: AbortSignal;
  /** Ready-made providers by network name, used instead of opening the config's rpcUrl. */
  providers?: Record<string, Provider>;
}

/**
 * Runs the checks once (returning the --once exit code) or every intervalSeconds until `stopped`,
 * reporting a check when its state changes, including back to healthy.
 */
export async function watch(config: MonitorConfig, options: WatchOptions): Promise<number> {
  const connections = new Connections(config, options.providers);
  const previous = new Map<string, CheckState>();
  try {
    for (;;) {
      const results = await runChecks(config, connections);
      if (options.once) {
        options.report(results.filter((r) => r.state !== "healthy"));
        return exitCodeFor(results);
      }
      const changed = results.filter(
        (r) =>
          previous.get(r.check.name) !== r.state && (previous.has(r.check.name) || r.state !== "healthy"),
      );
      for (const r of results) previous.set(r.check.name, r.state);
      options.report(changed);
      try {
        await sleep(config.intervalSeconds * 1000, undefined, { signal: options.signal });
      } catch {
        return exitCodeFor(results); // aborted: stop watching
      }
    }
  } finally {
    connections.destroy();
  }
}
