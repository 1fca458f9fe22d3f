/** Runs the real CLI (`node bin/por.js …`) as a child process and checks refusals. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { REPO_ROOT } from "./hardhat-node";
import { hardhatNode } from "./node";

const BIN = path.join(REPO_ROOT, "bin", "por.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const tempDirs = new Set<string>();

/**
 * A fresh temporary directory for a test file's outputs and deployment records (keystores,
 * passwords…): removed with everything in it by the root after() hook below, or at exit if the run
 * is cut short; removeTempDir() removes one sooner.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `por-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

/** Removes a directory made by tempDir(), and everything in it. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

function removeTempDirs(): void {
  for (const dir of tempDirs) removeTempDir(dir);
}

// Root hook: registered once when this module loads, runs after the last test file.
after(removeTempDirs);
process.on("exit", removeTempDirs);

/**
 * Runs `por args…` with a clean POR_* environment plus `env`. Commands reach the shared node with
 * `--network localhost` (POR_LOCALHOST_RPC points there); deployments are recorded under
 * `ignitionDir` (POR_IGNITION_DIR) so tests never touch deploy/deployments.
 */
export async function por(
  args: string[],
  options: { env?: Record<string, string | undefined>; ignitionDir?: string } = {},
): Promise<CliResult> {
  const node = await hardhatNode();
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("POR_") && key !== "HARDHAT_NETWORK") env[key] = value;
  }
  env.POR_LOCALHOST_RPC = node.url;
  // Without a directory of the caller's, deployments go to one of this command's own.
  const ignitionDir = options.ignitionDir ?? tempDir("ignition");
  env.POR_IGNITION_DIR = ignitionDir;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  try {
    return await runPor(args, env);
  } finally {
    if (options.ignitionDir === undefined) removeTempDir(ignitionDir);
  }
}

/** Runs `por args…` with exactly `env` in `cwd`, reaching whatever node the caller points it at. */
export function runPor(args: string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like runPor, with the test process's environment plus `env`. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runPor(args, { ...process.env, ...env });
}

/** Asserts success and returns stdout. */
export function expectSuccess(result: CliResult): string {
  expect(result.stderr, `stderr of a successful command`).to.equal("");
  expect(result.code, result.stderr).to.equal(0);
  return result.stdout;
}

/** Asserts success and parses stdout as JSON. */
export function expectJson<T = Record<string, unknown>>(result: CliResult): T {
  return JSON.parse(expectSuccess(result)) as T;
}

/**
 * Asserts a clean refusal: non-zero exit, exactly one stderr line and it starts with "error: ",
 * no stack trace, nothing on stdout (with --json, only the same error as JSON). Returns the
 * message after "error: ".
 */
export function expectRefusal(result: CliResult, pattern?: RegExp): string {
  expect(result.code, `exit code; stdout: ${result.stdout}`).to.not.equal(0);
  const lines = result.stderr.split("\n").filter((l) => l !== "");
  expect(lines, `stderr: ${result.stderr}`).to.have.lengthOf(1);
  const line = lines[0] ?? "";
  expect(line).to.match(/^error: /);
  expect(result.stderr).to.not.match(/\n\s+at |internal error/);
  const message = line.slice("error: ".length);
  // Nothing on stdout, except with --json the same error as {"error": {"message", …}}.
  if (result.stdout !== "") {
    const json = JSON.parse(result.stdout) as { error?: { message?: unknown } };
    expect(Object.keys(json), `stdout: ${result.stdout}`).to.deep.equal(["error"]);
    expect(json.error?.message, "the --json error's message").to.equal(message);
  }
  if (pattern) expect(message).to.match(pattern);
  return message;
}

/** Asserts that `file` does not exist and that `dir` holds no temporary leftovers of it. */
export async function expectNoFile(file: string): Promise<void> {
  const exists = await fs.access(file).then(
    () => true,
    () => false,
  );
  expect(exists, `${file} exists`).to.equal(false);
  const leftovers = (await fs.readdir(path.dirname(file))).filter((f) =>
    f.startsWith(`.${path.basename(file)}.`),
  );
  expect(leftovers).to.deep.equal([]);
}
