import { randomBytes } from "node:crypto";
import { linkSync, lstatSync, promises as fs, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, InvalidFileError, PorError } from "../core/errors";

/** What the writers below do about an existing target and where their notes go. */
export interface WriteOptions {
  /** Replace an existing target (the CLI's --force). Default: refuse it. */
  replace?: boolean;
  /** What the user can do instead of overwriting, added to the refusal. */
  hint?: string;
  /**
   * Permission bits of the file, e.g. 0o600 for a secret: exactly these whatever the umask (and a
   * file replaced keeps none of its old bits). Default 0o666 minus the umask.
   */
  mode?: number;
  /** Receives one-line notes, such as a stale temporary removed. Default: a line on stderr. */
  onNotice?: (message: string) => void;
}

const DEFAULT_HINT = "pass --force to replace it";

/**
 * Mode of the files docs call confidential (owner read and write only): keystores, the liabilities
 * tree file (every account id and salt), and proof packages (a customer's account id and salt).
 */
export const CONFIDENTIAL_FILE_MODE = 0o600;

// ---------------------------------------------------------------- file-system errors

const FS_ERROR_TEXT: Record<string, string> = {
  ENOENT: "no such file or directory",
  EISDIR: "is a directory, not a file",
  ENOTDIR: "not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EEXIST: "already exists",
  ENOSPC: "no space left on device",
  EROFS: "read-only file system",
  ENAMETOOLONG: "name too long",
  ELOOP: "too many symbolic links",
  EBUSY: "busy",
  EMFILE: "too many open files",
  EXDEV: "on another file system",
};

/** A Node.js file-system failure (ENOENT, EISDIR…), as thrown by `node:fs`. */
export function isFileSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return err instanceof Error && typeof code === "string" && /^E[A-Z0-9]+$/.test(code);
}

/**
 * The error to throw for a failure on a path the user gave: a file-system failure becomes one line,
 * `cannot read PATH: EISDIR (is a directory, not a file)`, an InvalidFileError unless the caller
 * names another class; anything else (a PorError, a bug) is returned unchanged.
 */
export function fileSystemError(
  action: string,
  filePath: string,
  err: unknown,
  ErrorClass: new (
    message: string,
    options: { details?: string; cause?: unknown },
  ) => PorError = InvalidFileError,
): unknown {
  if (!isFileSystemError(err)) return err;
  const text = FS_ERROR_TEXT[err.code];
  return new ErrorClass(`cannot ${action} ${filePath}`, {
    details: text ? `${err.code} (${text})` : err.code,
    cause: err,
  });
}

// ---------------------------------------------------------------- readers

/** Reads and parses a JSON file, turning I/O and syntax failures into one InvalidFileError. */
export async function readJsonFile(filePath: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(filePath, "utf8");
  } catch (err) {
    throw fileSystemError("read", filePath, err);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InvalidFileError(`${filePath} is not valid JSON`, {
      details: (err as Error).message,
      cause: err,
    });
  }
}

/** Checks that `filePath` names an existing file, not a directory, before a command reads it. */
export async function expectReadableFile(filePath: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await fs.stat(filePath)).isDirectory();
  } catch (err) {
    throw fileSystemError("read", filePath, err);
  }
  if (isDirectory) throw fileSystemError("read", filePath, isADirectory());
}

function isADirectory(): NodeJS.ErrnoException {
  return Object.assign(new Error("is a directory"), { code: "EISDIR", syscall: "open" });
}

// ---------------------------------------------------------------- temporaries

/**
 * Temporaries are named `.NAME.por-PID-HEX.tmp` next to their target (`.NAME.por-PID-HEX.old` for
 * a directory being replaced), so the next writer can tell whether the process that made one is
 * still alive. Those of this process are removed on SIGINT, SIGTERM and SIGHUP (then the process
 * exits with 128 + the signal number: 130, 143, 129) and at exit.
 */
const TEMP_NAME = /^\..+\.por-(\d+)-[0-9a-f]{12}\.(tmp|old)$/;

function tempPath(target: string, kind: "tmp" | "old", id = randomBytes(6).toString("hex")): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.por-${process.pid}-${id}.${kind}`);
}

const liveTemps = new Set<string>();
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

function removeLiveTemps(): void {
  for (const temp of liveTemps) {
    try {
      rmSync(temp, { recursive: true, force: true });
    } catch {
      // Exiting anyway; the next writer in this directory removes it once this process is gone.
    }
  }
  liveTemps.clear();
}

function onSignal(signal: keyof typeof SIGNAL_EXIT_CODES): void {
  removeLiveTemps();
  process.exit(SIGNAL_EXIT_CODES[signal]);
}

const SIGNALS = Object.keys(SIGNAL_EXIT_CODES) as Array<keyof typeof SIGNAL_EXIT_CODES>;

function trackTemp(temp: string): void {
  if (liveTemps.size === 0) {
    for (const signal of SIGNALS) process.on(signal, onSignal);
    process.on("exit", removeLiveTemps);
  }
  liveTemps.add(temp);
}

function untrackTemp(temp: string): void {
  if (!liveTemps.delete(temp) || liveTemps.size > 0) return;
  for (const signal of SIGNALS) process.off(signal, onSignal);
  process.off("exit", removeLiveTemps);
}

/**
 * Whether process `pid` runs (EPERM: it does, under another user). For this process's own pid the
 * caller checks its tracked temporaries: an untracked one is from an earlier process (pid reuse).
 */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temporaries in `dir` left by writers that died (killed, crashed, power cut), with a
 * note each: they may hold confidential data (a liabilities staging directory holds account ids
 * and salts). A directory set aside for replacement whose target is missing (the writer died
 * between its two renames) is put back instead. Never touches the temporaries of a live process.
 */
export function removeStaleTemps(dir: string, onNotice: (message: string) => void = noticeOnStderr): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // the write itself reports a missing or unreadable directory
  }
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const temp = path.join(dir, name);
    const pid = Number(match[1]);
    if (!Number.isSafeInteger(pid) || pid < 1 || liveTemps.has(path.resolve(temp)) || processAlive(pid))
      continue;
    if (!exists(temp)) continue; // its writer removed it as it exited
    const target = path.join(dir, name.slice(1, name.lastIndexOf(".por-")));
    try {
      if (match[2] === "old" && !exists(target)) {
        renameSync(temp, target);
        onNotice(`note: restored ${target} from ${temp}, left by interrupted process ${pid}`);
      } else {
        rmSync(temp, { recursive: true, force: true });
        onNotice(`note: removed ${temp}, left by interrupted process ${pid}`);
      }
    } catch {
      // Not ours to fix (permissions…): a later run tries again.
    }
  }
}

function noticeOnStderr(message: string): void {
  process.stderr.write(`${message}\n`);
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- writers

/**
 * Writes `data` to `filePath` through a temporary file in the same directory, so a reader (or a
 * crash) never sees a half-written file. An existing `filePath` is refused unless
 * `options.replace`; the check and the write are one step (a hard link that fails if the target
 * exists), so two writers never both succeed. File-system failures are one line naming the path.
 */
export async function writeFileAtomic(
  filePath: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  removeStaleTemps(path.dirname(filePath), options.onNotice);
  const tmp = tempPath(path.resolve(filePath), "tmp");
  trackTemp(tmp);
  try {
    // Created with the mode, so a secret is never readable by others, even for an instant; then set
    // exactly (the umask may have taken bits away). Renamed, the target is this new file, mode and all.
    await fs.writeFile(tmp, data, { flag: "wx", mode: options.mode ?? 0o666 });
    if (options.mode !== undefined) await fs.chmod(tmp, options.mode);
    if (options.replace) await fs.rename(tmp, filePath);
    else placeWithoutReplacing(tmp, filePath, options.hint);
  } catch (err) {
    throw fileSystemError("write", filePath, err);
  } finally {
    rmSync(tmp, { force: true });
    untrackTemp(tmp);
  }
}

/** Moves file `tmp` to `target`, refusing an existing target. */
function placeWithoutReplacing(tmp: string, target: string, hint = DEFAULT_HINT): void {
  try {
    linkSync(tmp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
        throw isADirectory();
      }
      throw new InvalidArgumentError(`${target} already exists`, { details: hint });
    }
    // File systems without hard links: check, then rename (not atomic against another writer).
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw err;
    if (exists(target)) throw new InvalidArgumentError(`${target} already exists`, { details: hint });
    renameSync(tmp, target);
  }
}

/**
 * Creates directory `dir` all or nothing: `fill` writes into a hidden sibling staging directory,
 * which is renamed into place only once `fill` has succeeded, so a failure (or a crash) never
 * leaves a half-written `dir`. An existing `dir` is refused unless `options.replace`, in which case
 * it is swapped out only after the new one is complete.
 */
export async function writeDirectoryAtomic<T>(
  dir: string,
  fill: (staging: string) => Promise<T>,
  options: WriteOptions = {},
): Promise<T> {
  const target = path.resolve(dir);
  removeStaleTemps(path.dirname(dir), options.onNotice);
  const existed = exists(target);
  if (existed && !options.replace)
    throw new InvalidArgumentError(`${dir} already exists`, { details: options.hint ?? DEFAULT_HINT });
  const id = randomBytes(6).toString("hex");
  const staging = tempPath(target, "tmp", id);
  trackTemp(staging);
  try {
    try {
      await fs.mkdir(staging);
    } catch (err) {
      throw fileSystemError("create", dir, err);
    }
    const result = await fill(staging);
    try {
      // Synchronous, so no signal handler runs between the two renames.
      if (existed) {
        const old = tempPath(target, "old", id);
        renameSync(target, old);
        renameSync(staging, target);
        rmSync(old, { recursive: true, force: true });
      } else {
        renameSync(staging, target);
      }
    } catch (err) {
      throw fileSystemError("write", dir, err);
    }
    return result;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    untrackTemp(staging);
  }
}

/**
 * Refuses early, before any slow or interactive work (a prompt, a signature, a transaction), what
 * writeFileAtomic would refuse at the end: an existing `filePath` unless `replace`, a directory,
 * or a directory to write in that does not exist. writeFileAtomic still checks atomically.
 */
export async function checkOutputPath(
  filePath: string,
  options: { replace?: boolean; hint?: string } = {},
): Promise<void> {
  const existing = await fs.stat(filePath).catch(() => null);
  if (existing?.isDirectory()) {
    throw new InvalidArgumentError(`cannot write ${filePath}`, {
      details: "EISDIR (is a directory, not a file)",
    });
  }
  if (existing && !options.replace) {
    throw new InvalidArgumentError(`${filePath} already exists`, {
      details: options.hint ?? "pass --force to replace it",
    });
  }
  const dir = await fs.stat(path.dirname(path.resolve(filePath))).catch(() => null);
  if (!dir?.isDirectory()) {
    throw new InvalidArgumentError(`cannot write ${filePath}`, { details: "its directory does not exist" });
  }
}

/**
 * Runs `parse` over a file's fields, prefixing any field error with the file it came from
 * ("att.json: reserves must be…"), so every versioned file names its source the same way.
 */
export function fieldErrors<T>(source: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof PorError) {
      throw new InvalidFileError(`${source}: ${err.shortMessage}`, { details: err.details, cause: err });
    }
    throw err;
  }
}

/** A chain id field: a positive integer (JSON number or decimal string) that fits a uint64. */
export function chainIdField(value: unknown): bigint {
  let parsed: bigint | undefined;
  if (typeof value === "string" && /^[1-9]\d*$/.test(value)) parsed = BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) parsed = BigInt(value);
  if (parsed === undefined || parsed > 2n ** 64n - 1n) {
    throw new InvalidFileError("chainId must be a positive integer", {
      details: `got ${JSON.stringify(value) ?? "nothing"}`,
    });
  }
  return parsed;
}
