import { CancelledError, KeyError } from "../src/core/errors";

/**
 * Secrets (passwords, private keys) from the person at the terminal, typed without echo, or from
 * a non-interactive stdin. Prompts go to stderr, so stdout stays clean for --json and pipes.
 * (Yes/no confirmations: cli/confirm.ts.)
 */
export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  output: NodeJS.WritableStream;
}

/** The process's terminal: stdin for answers, stderr for questions. */
export function processTerminal(): Terminal {
  return { input: process.stdin, output: process.stderr };
}

/** Whether someone can be asked: stdin is a terminal that can stop echoing. */
export function isInteractive(terminal: Terminal): boolean {
  return terminal.input.isTTY === true && typeof terminal.input.setRawMode === "function";
}

/**
 * Asks for a secret with `label` and reads it with echo off (raw mode), up to Enter. Backspace
 * and Ctrl-U edit it; Ctrl-C, and Ctrl-D on an empty line, reject with CancelledError; escape
 * sequences (arrow keys…) are ignored. Input typed ahead past Enter is kept for the next prompt.
 */
export function readSecret(label: string, terminal: Terminal): Promise<string> {
  const { input, output } = terminal;
  if (!isInteractive(terminal)) {
    return Promise.reject(new KeyError("cannot ask for a secret: stdin is not a terminal"));
  }
  return new Promise((resolve, reject) => {
    let value = "";
    // Echo off before the prompt shows: a key typed as soon as it appears is never echoed.
    input.setRawMode!(true);
    output.write(label);
    const finish = (error: Error | null, rest: string) => {
      input.removeListener("data", onData);
      input.setRawMode!(false);
      input.pause();
      output.write("\n");
      // A newline right after the Enter of a pasted "\r\n" belongs to this line.
      const kept = rest.startsWith("\n") ? rest.slice(1) : rest;
      if (kept !== "") input.unshift(Buffer.from(kept, "utf8"));
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      const text = chunk.toString();
      if (text.startsWith("\u001b")) return; // an escape sequence, not part of a secret
      const chars = [...text];
      for (const [i, ch] of chars.entries()) {
        const rest = () => chars.slice(i + 1).join("");
        if (ch === "\r" || ch === "\n") return finish(null, rest());
        if (ch === "\u0003") return finish(new CancelledError("cancelled"), "");
        if (ch === "\u0004") {
          if (value === "") return finish(new CancelledError("cancelled"), "");
          continue;
        }
        if (ch === "\u007f" || ch === "\b") value = [...value].slice(0, -1).join("");
        else if (ch === "\u0015") value = "";
        else if (ch >= " ") value += ch;
      }
    };
    input.on("data", onData);
    input.resume();
  });
}

/** All of a non-interactive stdin (a pipe or a file), as text. */
export async function readAllInput(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
