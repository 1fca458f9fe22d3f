import { InvalidArgumentError, InvalidFileError } from "../../../src/errors";
import type { PublicationSource } from "../../../src/liabilities/publication";
import { MANIFEST_FILE } from "../../../src/liabilities/publication-format";

/** How long one download may take before it is abandoned (as the CLI's). */
const FETCH_TIMEOUT_MS = 60_000;

/**
 * The browser's PublicationSource for `por liabilities check`'s rules (src/liabilities/publication.ts):
 * `uri` names the publication's directory (its manifest.json is read) or the manifest itself (a name
 * ending in `.json`), and shard paths resolve against the manifest's directory. A relative `uri`
 * resolves against the page. Only http(s): a browser cannot read ipfs:// or file: from a web page.
 */
export function browserPublicationSource(
  uri: string,
  page: string = window.location.href,
): PublicationSource {
  const manifest = manifestUrl(uri, page);
  const at = (file?: string) => (file === undefined ? manifest : new URL(file, manifest));
  return {
    manifest: (maxBytes) => fetchBytes(manifest, maxBytes),
    file: (file, maxBytes) => fetchBytes(at(file), maxBytes),
    describe: (file) => at(file).href,
  };
}

function manifestUrl(uri: string, page: string): URL {
  let url: URL;
  try {
    url = new URL(uri, page);
  } catch {
    throw new InvalidArgumentError(`the publication URI ${JSON.stringify(uri)} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidArgumentError(
      `a browser cannot download ${url.href}, only http(s) addresses: enter the same files' address on an http(s) gateway as the Publication URI`,
    );
  }
  if (url.pathname.endsWith(".json")) return url;
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return new URL(MANIFEST_FILE, url);
}

/**
 * GETs `url` without cookies or referrer (the host learns which file, never who asks), refusing a
 * non-2xx answer and a body above `maxBytes` (reading no further than that).
 */
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
    // Browsers give one opaque TypeError for an unreachable host and a refused cross-origin read.
    const timedOut = (error as { name?: string }).name === "TimeoutError";
    throw new InvalidFileError(`cannot fetch ${where}`, {
      details: timedOut
        ? `no answer within ${FETCH_TIMEOUT_MS / 1000} s`
        : "no answer, or its host does not let web pages read it (CORS)",
      cause: error,
    });
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

function tooLarge(where: string, maxBytes: number): InvalidFileError {
  return new InvalidFileError(`${where} is larger than the ${maxBytes} bytes expected`);
}
