/**
 * Runs the real CLI with input: piped on stdin, or typed at a pseudo-terminal (util-linux
 * `script`), for the commands that prompt (passwords without echo, confirmations).
 */
import { execFileSync, spawn } from "node:child_process";
import * as path from "node:path";
import type { CliResult } from "./cli";
import { REPO_ROOT } from "./hardhat-node";
import { hardhatNode } from "./node";

const BIN = path.join(REPO_ROOT, "bin", "por.js");

/** The environment `por` gets in tests: no POR_* from the caller, the shared node as localhost, plus `env`. */
async function cliEnv(
  env: Record<string, string | undefined>,
  ignitionDir: string,
): Promise<NodeJS.ProcessEnv> {
  const node = await hardhatNode();
  const result: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("POR_") && key !== "HARDHAT_NETWORK") result[key] = value;
  }
  result.POR_LOCALHOST_RPC = node.url;
  result.POR_IGNITION_DIR = ignitionDir;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete result[key];
    else result[key] = value;
  }
  return result;
}

/** Runs `por args…` with `stdin` piped in (so stdin is not a terminal). */
export async function porWithStdin(
  args: string[],
  stdin: string,
  options: { env?: Record<string, string | undefined>; ignitionDir: string },
): Promise<CliResult> {
  const env = await cliEnv(options.env ?? {}, options.ignitionDir);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Whether pseudo-terminal tests can run here (Linux with util-linux `script`). */
export function terminalAvailable(): boolean {
  if (process.platform !== "linux") return false;
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** What to type once the terminal shows `when`; each answer is typed once, in order. */
export interface TypedAnswer {
  when: RegExp;
  type: string;
}

/** A run at a terminal: exit code and everything the terminal showed (stdout and stderr together). */
export interface TerminalResult {
  code: number;
  screen: string;
}

/**
 * Runs `por args…` at a pseudo-terminal and types each answer (with Enter) once the screen shows
 * its prompt. Whatever the terminal echoes appears on the screen, so a secret typed with echo off
 * must not.
 */
export async function porInTerminal(
  args: string[],
  answers: TypedAnswer[],
  options: { env?: Record<string, string | undefined>; ignitionDir: string },
): Promise<TerminalResult> {
  const env = await cliEnv(options.env ?? {}, options.ignitionDir);
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["--quiet", "--return", "--command", command, "/dev/null"], {
      cwd: REPO_ROOT,
      env,
    });
    let screen = "";
    let next = 0;
    let shownUpTo = 0;
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const onOutput = (chunk: Buffer) => {
      screen += chunk.toString();
      const answer = answers[next];
      if (answer && answer.when.test(screen.slice(shownUpTo))) {
        shownUpTo = screen.length;
        next += 1;
        child.stdin.write(`${answer.type}\r`);
      }
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onOutput);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code: code ?? 1, screen: screen.replace(/\r\n/g, "\n") });
    });
  });
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
