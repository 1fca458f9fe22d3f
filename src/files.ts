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
 * Writes `files` (name → content) as a new directory `dir`, all or nothing: they are written into
 * a hidden sibling directory that is renamed into place last. Refuses an existing `dir`.
 */
export async function writeDirectoryAtomic(dir: string, files: Record<string, string>): Promise<void> {
  const target = path.resolve(dir);
  try {
    await fs.access(target);
    throw new InvalidArgumentError(`${dir} already exists`, { details: "choose a new --out-dir" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const staging = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  await fs.mkdir(staging, { recursive: true });
  try {
    for (const [name, content] of Object.entries(files))
      await fs.writeFile(path.join(staging, name), content);
    await fs.rename(staging, target);
  } catch (err) {
    await fs.rm(staging, { recursive: true, force: true });
    throw err;
  }
}
