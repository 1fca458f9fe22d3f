// Browser-safe (the web verify page downloads publications with it): no Node built-ins.
import { InvalidFileError } from "../core/errors";
import { MANIFEST_FILE } from "./publication-format";
import type { PublicationSource } from "./publication";

/** How long one download may take before it is abandoned. */
export const FETCH_TIMEOUT_MS = 60_000;

/**
 * The manifest's URL for `url`, which names either the publication's directory (its
 * `manifest.json`) or the manifest itself (a name ending in `.json`).
 */
export function manifestUrlOf(url: URL): URL {
  if (url.pathname.endsWith(".json")) return url;
  const directory = new URL(url);
  if (!directory.pathname.endsWith("/")) directory.pathname += "/";
  return new URL(MANIFEST_FILE, directory);
}

/**
 * The publication whose manifest is at `manifest` (http or https), read by the CLI and the web page
 * alike: shard paths resolve against the manifest's directory; downloads carry no cookies or
 * referrer (the host learns which file, never who asks) and stop at the size the caller allows.
 */
export function httpPublicationSource(manifest: URL): PublicationSource {
  const at = (file?: string) => (file === undefined ? manifest : new URL(file, manifest));
  return {
    manifest: (maxBytes) => fetchBytes(manifest, maxBytes),
    file: (file, maxBytes) => fetchBytes(at(file), maxBytes),
    describe: (file) => at(file).href,
  };
}

/** A file or download larger than a reader allows. */
export function tooLarge(where: string, maxBytes: number): InvalidFileError {
  return new InvalidFileError(`${where} is larger than the ${maxBytes} bytes expected`);
}

/** GETs `url`, refusing a non-2xx answer and a body above `maxBytes` (read no further than that). */
async function fetchBytes(url: URL, maxBytes: number): Promise<Uint8Array> {
  const where = url.href;
  let response: Response;
  try {
    response = await fetch(url, {
      credentials: "omit",
      referrerPolicy: "no-referrer",
      redirect: "follow",
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new InvalidFileError(`cannot fetch ${where}`, { details: unreachable(error), cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new InvalidFileError(`cannot fetch ${where}`, {
      details: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`,
    });
  }
  if (Number(response.headers.get("content-length") ?? "0") > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(where, maxBytes);
  }
  let chunks: Uint8Array[];
  try {
    chunks = await readBody(response, where, maxBytes);
  } catch (error) {
    if (error instanceof InvalidFileError) throw error;
    throw new InvalidFileError(`cannot fetch ${where}`, { details: "the download broke off", cause: error });
  }
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * Why a fetch got no answer: Node names the network error in `cause`; browsers give one opaque
 * TypeError for an unreachable host and a refused cross-origin read alike.
 */
function unreachable(error: unknown): string {
  if ((error as { name?: string }).name === "TimeoutError")
    return `no answer within ${FETCH_TIMEOUT_MS / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? "no answer, or its host does not let web pages read it (CORS)";
}

/** The body's chunks, refusing more than `maxBytes` as soon as they arrive. */
async function readBody(response: Response, where: string, maxBytes: number): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  if (!response.body) return chunks;
  const reader = response.body.getReader();
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    length += value.length;
    if (length > maxBytes) {
      await reader.cancel();
      throw tooLarge(where, maxBytes);
    }
    chunks.push(value);
  }
}
