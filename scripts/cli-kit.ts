import type { Command } from "commander";
import { PorError } from "../src/errors";

/** Options every command inherits from the root program. */
export interface GlobalOptions {
  network?: string;
  json?: boolean;
}

/** Exit code for failures that are bugs rather than bad input (EX_SOFTWARE). */
export const EXIT_BUG = 70;

/**
 * Wraps a command action: a PorError becomes one `error: …` line on stderr and its exit code;
 * anything else is a bug and keeps its stack.
 */
export function action<Args extends unknown[]>(
  handler: (...args: Args) => Promise<void> | void,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      await handler(...args);
    } catch (err) {
      reportFailure(err);
    }
  };
}

export function reportFailure(err: unknown): void {
  if (err instanceof PorError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(
      `internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = EXIT_BUG;
  }
}

/** The global options merged with the command's own. */
export function optionsOf<T>(command: Command): T & GlobalOptions {
  return command.optsWithGlobals<T & GlobalOptions>();
}

/** Prints `value` as JSON (bigints as decimal strings) or `human` text, depending on --json. */
export function output(options: GlobalOptions, value: unknown, human: () => string): void {
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
    );
  } else {
    process.stdout.write(`${human()}\n`);
  }
}
