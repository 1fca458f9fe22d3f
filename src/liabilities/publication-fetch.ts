import { promises as fs } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, InvalidFileError } from "../errors";
import { fileSystemError } from "../files";
import { MANIFEST_FILE } from "./publication-format";
import type { PublicationSource } from "./publication";

/** How long one fetch may take before it is abandoned. */
const FETCH_TIMEOUT_MS = 60_000;

/**
 * The publication at `uri`, for the CLI: an http(s) URL (fetched), a file: URL or a plain path.
 * `uri` names either the publication's directory (its `manifest.json` is read) or the manifest
 * itself (a name ending in `.json`); shard paths are resolved against the manifest's directory.
 */
export async function publicationSource(uri: string): Promise<PublicationSource> {
  if (/^https?:\/\//i.test(uri)) return httpSource(manifestUrl(uri));
  if (/^file:/i.test(uri)) return fileSource(await manifestPath(filePath(uri)));
  if (/^[a-z][a-z0-9+.-]+:/i.test(uri) && !/^[a-z]:[\\/]/i.test(uri)) {
    throw new InvalidArgumentError(
      `cannot fetch ${uri}: only http(s) URLs, file: URLs and paths are supported`,
      {
        details: "for ipfs:// or ar:// pass the same publication through an http(s) gateway",
      },
    );
  }
  return fileSource(await manifestPath(uri));
}

function filePath(uri: string): string {
  try {
    return fileURLToPath(uri);
  } catch (err) {
    throw new InvalidArgumentError(`${uri} is not a valid file: URL`, {
      details: "use file:///absolute/path",
      cause: err,
    });
  }
}

function manifestUrl(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (err) {
    throw new InvalidArgumentError(`${uri} is not a valid URL`, { cause: err });
  }
  if (url.pathname.endsWith(".json")) return url;
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return new URL(MANIFEST_FILE, url);
}

async function manifestPath(given: string): Promise<string> {
  const stat = await fs.stat(given).catch((err: unknown) => {
    throw fileSystemError("read", given, err);
  });
  return stat.isDirectory() ? path.join(given, MANIFEST_FILE) : given;
}

function httpSource(manifest: URL): PublicationSource {
  const at = (file?: string) => (file === undefined ? manifest : new URL(file, manifest));
  return {
    manifest: (maxBytes) => fetchBytes(manifest, maxBytes),
    file: (file, maxBytes) => fetchBytes(at(file), maxBytes),
    describe: (file) => at(file).href,
  };
}

function fileSource(manifest: string): PublicationSource {
  const at = (file?: string) => (file === undefined ? manifest : path.join(path.dirname(manifest), file));
  return {
    manifest: (maxBytes) => readBytes(manifest, maxBytes),
    file: (file, maxBytes) => readBytes(at(file), maxBytes),
    describe: (file) => at(file),
  };
}

async function readBytes(file: string, maxBytes: number): Promise<Uint8Array> {
  try {
    const stat = await fs.stat(file);
    if (stat.size > maxBytes) throw tooLarge(file, maxBytes);
    return new Uint8Array(await fs.readFile(file));
  } catch (err) {
    throw fileSystemError("read", file, err);
  }
}

/** GETs `url`, refusing a non-2xx answer and a body above `maxBytes` (read no further than that). */
async function fetchBytes(url: URL, maxBytes: number): Promise<Uint8Array> {
  const where = url.href;
  let response: Response;
  try {
    response = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new InvalidFileError(`cannot fetch ${where}`, {
      details: cause?.code ?? cause?.message ?? (err as Error).message,
      cause: err,
    });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new InvalidFileError(`cannot fetch ${where}`, {
      details: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`,
    });
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(where, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      if (length > maxBytes) {
        await reader.cancel();
        throw tooLarge(where, maxBytes);
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

function tooLarge(where: string, maxBytes: number): InvalidFileError {
  return new InvalidFileError(`${where} is larger than the ${maxBytes} bytes expected`);
}
