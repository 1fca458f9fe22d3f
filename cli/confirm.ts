import { createInterface } from "node:readline/promises";
import { InvalidArgumentError } from "../src/core/errors";

/** Where a confirmation is asked: the question on `output` (stderr, so stdout stays clean), the answer from `input`. */
export interface PromptStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

const TERMINAL: PromptStreams = { input: process.stdin, output: process.stderr };

/**
 * Refuses, before anything is read or sent, a command that would have to ask for confirmation
 * with no terminal to ask on (stdin piped or closed) and no `--yes`: waiting would hang and
 * guessing would send. Call it early; `confirm` then asks.
 */
export function requireConfirmationPossible(
  yes: boolean | undefined,
  streams = TERMINAL,
  verb = "send",
): void {
  if (yes || streams.input.isTTY) return;
  throw new InvalidArgumentError(
    `confirmation needed but stdin is not a terminal: pass --yes to ${verb} without asking`,
  );
}

/**
 * Whether the user confirms `question` ("y" or "yes", any case); anything else, or the end of
 * input, is no. `yes` (from --yes) answers for the user without asking.
 */
export async function confirm(
  question: string,
  yes: boolean | undefined,
  streams = TERMINAL,
): Promise<boolean> {
  if (yes) return true;
  requireConfirmationPossible(yes, streams);
  const rl = createInterface({ input: streams.input, output: streams.output, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once("close", () => resolve(""));
      rl.question(`${question} [y/N] `).then(resolve, () => resolve(""));
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
