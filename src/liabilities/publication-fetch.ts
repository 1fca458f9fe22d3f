import { promises as fs } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError } from "../core/errors";
import { fileSystemError } from "../node/files";
import { MANIFEST_FILE } from "./publication-format";
import { httpPublicationSource, manifestUrlOf, tooLarge } from "./publication-http";
import type { PublicationSource } from "./publication";

/**
 * The publication at `uri`, for the CLI: an http(s) URL (fetched), a file: URL or a plain path.
 * `uri` names either the publication's directory (its `manifest.json` is read) or the manifest
 * itself (a name ending in `.json`); shard paths are resolved against the manifest's directory.
 */
export async function publicationSource(uri: string): Promise<PublicationSource> {
  if (/^https?:\/\//i.test(uri)) return httpPublicationSource(manifestUrlOf(parseUrl(uri)));
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

function parseUrl(uri: string): URL {
  try {
    return new URL(uri);
  } catch (err) {
    throw new InvalidArgumentError(`${uri} is not a valid URL`, { cause: err });
  }
}

async function manifestPath(given: string): Promise<string> {
  const stat = await fs.stat(given).catch((err: unknown) => {
    throw fileSystemError("read", given, err);
  });
  return stat.isDirectory() ? path.join(given, MANIFEST_FILE) : given;
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
