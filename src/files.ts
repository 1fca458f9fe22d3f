import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, InvalidFileError } from "./errors";

/**
 * Writes `data` to `filePath` through a temporary file in the same directory and a rename, so a
 * reader (or a crash) never sees a half-written file.
 */
export async function writeFileAtomic(filePath: string, data: string | Uint8Array): Promise<void> {
  const tmp = path.join(
    path.dirname(filePath),
    `.${path.basename(filePath)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, filePath);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "EACCES" || code === "ENOTDIR") {
      throw new InvalidArgumentError(`cannot write ${filePath}`, { details: code, cause: err });
    }
    throw err;
  }
}

/** Reads and parses a JSON file, turning I/O and syntax failures into one InvalidFileError. */
export async function readJsonFile(filePath: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(filePath, "utf8");
  } catch (err) {
    throw new InvalidFileError(`cannot read ${filePath}`, {
      details: (err as NodeJS.ErrnoException).code,
      cause: err,
    });
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

/**
 * Checks the `format` tag of a parsed versioned file (`"por-attestation/1"`…) and returns the object.
 * Readers refuse unknown formats rather than guessing.
 */
export function expectFormat(value: unknown, format: string, source: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidFileError(`${source} is not a JSON object`);
  }
  const record = value as Record<string, unknown>;
  if (record.format !== format) {
    throw new InvalidFileError(`${source} has format ${JSON.stringify(record.format)}`, {
      details: `expected "${format}"`,
    });
  }
  return record;
}

/**
 * Creates directory `dir` all or nothing: `fill` writes into a hidden sibling staging directory,
 * which is renamed into place only once `fill` has succeeded, so a failure (or a crash) never
 * leaves a half-written `dir`. An existing `dir` is refused unless `replace` is set, in which case
 * it is swapped out only after the new one is complete. `hint` tells the user what to do instead.
 */
export async function writeDirectoryAtomic<T>(
  dir: string,
  fill: (staging: string) => Promise<T>,
  options: { replace?: boolean; hint: string },
): Promise<T> {
  const target = path.resolve(dir);
  const existed = await fs.access(target).then(
    () => true,
    () => false,
  );
  if (existed && !options.replace)
    throw new InvalidArgumentError(`${dir} already exists`, { details: options.hint });
  const staging = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    await fs.mkdir(staging);
  } catch (err) {
    throw new InvalidArgumentError(`cannot create ${dir}`, {
      details: (err as NodeJS.ErrnoException).code,
      cause: err,
    });
  }
  try {
    const result = await fill(staging);
    if (existed) {
      const old = `${staging}.old`;
      await fs.rename(target, old);
      await fs.rename(staging, target);
      await fs.rm(old, { recursive: true, force: true });
    } else {
      await fs.rename(staging, target);
    }
    return result;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}
