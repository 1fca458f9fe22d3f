import * as path from "node:path";
import type { Command } from "commander";
import { ChainError, InvalidArgumentError, PorError } from "../src/core/errors";
import { fileSystemError, isFileSystemError } from "../src/node/files";

/** Options every command inherits from the root program. */
export interface GlobalOptions {
  network?: string;
  json?: boolean;
}

/** Exit code for failures that are bugs rather than bad input (EX_SOFTWARE). */
export const EXIT_BUG = 70;

/**
 * Exit code for usage errors: a missing or unknown option, command or argument (EX_USAGE). Not 2:
 * `monitor --once` and `collateral` report stale or missing data with 2, and a cron job must not
 * read a mistyped option as a stale feed.
 */
export const EXIT_USAGE = 64;

/**
 * The directory the user ran `por` in, from which relative paths are resolved: `npm run por`
 * starts the CLI in the package root with the user's directory in $INIT_CWD, so there it is
 * $INIT_CWD; otherwise (`npx por`, a linked `por`, `node bin/por.js`) the working directory.
 * $INIT_CWD alone is not enough: npm passes it on to every process a script starts, such as a
 * test run spawning `por` in a directory of its own.
 */
export function userDirectory(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const underNpmRun =
    env.npm_lifecycle_event === "por" &&
    env.npm_package_json !== undefined &&
    path.dirname(env.npm_package_json) === cwd;
  return underNpmRun && env.INIT_CWD ? env.INIT_CWD : cwd;
}

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
      // Commander passes the command last; its --json decides whether stdout gets the error too.
      const command = args.at(-1) as Partial<Command> | undefined;
      const json = typeof command?.optsWithGlobals === "function" && command.optsWithGlobals().json === true;
      reportFailure(err, { json });
    }
  };
}

/**
 * Reports a failure: a PorError as one `error: …` line on stderr (and, with --json, as
 * `{"error":{"message", …}}` on stdout, with a decoded revert's `name`, `signature` and `args`);
 * anything else as a bug with its stack.
 */
export function reportFailure(failure: unknown, options: { json?: boolean } = {}): void {
  const err = asUserError(failure);
  if (err instanceof PorError) {
    process.stderr.write(`error: ${err.message}\n`);
    if (options.json) {
      const revert = err instanceof ChainError ? err.revert : undefined;
      process.stdout.write(`${JSON.stringify({ error: { message: err.message, ...revert } }, null, 2)}\n`);
    }
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(
      `internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = EXIT_BUG;
  }
}

/**
 * A file-system failure on a path (a folder given for a file, a missing or unreadable file) that
 * no reader turned into a PorError yet: the user's input, not a bug, so one line naming the path.
 */
function asUserError(err: unknown): unknown {
  if (!isFileSystemError(err) || typeof err.path !== "string") return err;
  return fileSystemError(err.syscall ?? "access", err.path, err);
}

/** Adds --force: commands that write files refuse to replace an existing one without it. */
export function forceOption(command: Command, what = "the output"): Command {
  return command.option("--force", `replace ${what} if it exists`);
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

/** A block-number option (`--block`, `--from-block`): a whole number, or one clear error line. */
export function parseBlockOption(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError(`${flag} must be a block number, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}
