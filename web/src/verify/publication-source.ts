import { InvalidArgumentError } from "@por/sdk/core/errors";
import type { PublicationSource } from "@por/sdk/liabilities/publication";
import { httpPublicationSource, manifestUrlOf } from "@por/sdk/liabilities/publication-http";

/**
 * The browser's PublicationSource for `por liabilities check`'s rules (src/liabilities/publication.ts),
 * downloading as the CLI does (publication-http.ts). A relative `uri` resolves against the page.
 * Only http(s): a browser cannot read ipfs:// or file: from a web page.
 */
export function browserPublicationSource(
  uri: string,
  page: string = window.location.href,
): PublicationSource {
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
  return httpPublicationSource(manifestUrlOf(url));
}
