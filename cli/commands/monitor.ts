import type { Command } from "commander";
import {
  alertJson,
  alertText,
  healthyText,
  loadMonitorConfig,
  warningJson,
  warningText,
  watch,
} from "../../src/monitor";
import { action, optionsOf } from "../cli-kit";

export function registerMonitor(program: Command): void {
  program
    .command("monitor")
    .description(
      "watch registry subjects and bridge pairs, printing one line per alert (JSON lines with --json)",
    )
    .requiredOption("--config <file>", "monitor.json (format por-monitor/1, see docs/monitor.md)")
    .option(
      "--once",
      "run every check once and exit: 0 healthy, 1 under-collateralized or disputed, 2 challenged, stale, missing or unreachable",
    )
    .addHelpText(
      "after",
      "\nExit codes with --once: 0 all healthy (one OK line); 1 some check is under-collateralized or its\n" +
        "latest round is disputed (a customer's challenge went unanswered); 2 otherwise some check is\n" +
        "challenged (open challenges), stale, missing or unreachable. Missing data is never reported healthy.\n" +
        "A WARNING line names a subject's auditors that one key signs for (Safes sharing an owner); it\n" +
        "leaves the exit code alone.\n" +
        "Watching (without --once) stops on Ctrl-C with exit code 0.",
    )
    .action(
      action(async (_opts: unknown, command: Command) => {
        const options = optionsOf<{ config: string; once?: boolean }>(command);
        const config = await loadMonitorConfig(options.config);
        // Watching ends on Ctrl-C or SIGTERM with exit 0; --once keeps the default (killed, 130/143).
        const once = options.once === true;
        const abort = new AbortController();
        const onSignal = () => abort.abort();
        if (!once) process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
        try {
          process.exitCode = await watch(config, {
            once,
            signal: abort.signal,
            report: (results) => {
              const now = new Date();
              for (const r of results)
                process.stdout.write(`${options.json ? alertJson(r, now) : alertText(r, now)}\n`);
            },
            warn: (results) => {
              const now = new Date();
              for (const r of results)
                for (const line of options.json ? warningJson(r, now) : warningText(r, now))
                  process.stdout.write(`${line}\n`);
            },
            // JSON lines are alerts and warnings only; a human running --once sees that all is well.
            healthy: options.json
              ? undefined
              : (results) => process.stdout.write(`${healthyText(results, new Date())}\n`),
          });
        } finally {
          process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
        }
      }),
    );
}
