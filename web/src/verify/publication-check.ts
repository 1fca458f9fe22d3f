import { ZeroHash } from "ethers";
import { PorError } from "@por/sdk/core/errors";
import type { Hex } from "@por/sdk/liabilities/hash";
import {
  verifyProofPackage,
  type LiabilityProofPackage,
  type ProofVerification,
} from "@por/sdk/liabilities/proof";
import {
  checkPublishedBalance,
  type CustomerClaim,
  type PublicationCheck,
  type PublicationSource,
} from "@por/sdk/liabilities/publication";
import { PUBLICATION_FAILURES } from "@por/sdk/liabilities/publication-verify";
import { formatSubjectId } from "@por/sdk/core/subject-id";
import { challengesOf } from "../common/connection";
import {
  confirmOnChain,
  readRound,
  withRegistry,
  type ChainOutcome,
  type RegistryConnection,
  type RoundReport,
} from "./chain-check";
import type { ChainSettings } from "./chain-settings";
import { browserPublicationSource } from "./publication-source";

/** What checking by account details found, beyond the verdict and the round. */
export type AccountOutcome = ChainOutcome & {
  /** The URI the round commits on-chain ("" when none), once read. */
  committedUri?: string;
  /** The customer's proof, rebuilt from the publication, when the publication check held. */
  proof?: { pkg: LiabilityProofPackage; result: ProofVerification };
  /** Bytes downloaded (the manifest and at most one shard) and the shard's index, once fetched. */
  download?: { bytes: number; shard?: number };
};

/** Nothing committed and no URI given: the SDK's check fails as "not committed" before any fetch. */
const NO_PUBLICATION: PublicationSource = {
  manifest: () => Promise.reject(new PorError("no publication to fetch")),
  file: () => Promise.reject(new PorError("no publication to fetch")),
  describe: () => "(none committed)",
};

/**
 * `por liabilities check` in the browser, in its order and with its failure names: the round
 * (`settings.round`, else the latest) must attest a liabilities root; its publication is read from
 * the registry's `challenges()` contract; the manifest (from `uriOverride`, a mirror, else the
 * committed URI) must hash to the committed keccak256 and publish the round; the one shard the
 * customer's leaf falls in must be the manifest's and hold the leaf; the rebuilt path must reach the
 * root. Then, as for a proof file, `verifyLiability` on chain confirms the rebuilt proof.
 */
export async function checkByAccount(
  settings: ChainSettings,
  claim: CustomerClaim,
  uriOverride: string | undefined,
): Promise<AccountOutcome> {
  // A mirror's URI is refused before connecting, as the CLI refuses a bad --uri.
  let mirror: PublicationSource | undefined;
  try {
    mirror = uriOverride === undefined ? undefined : browserPublicationSource(uriOverride);
  } catch (error) {
    return { verified: false, reason: errorText(error), warnings: [] };
  }
  return withRegistry<AccountOutcome>(settings, async (chain, warnings) => {
    const report = await readRound(chain.provider, chain.registry, settings, chain.chainId);
    if (typeof report === "string") return { verified: false, reason: report, warnings };
    const where = `round ${report.round} of ${formatSubjectId(report.subjectId)}`;
    const refuse = (reason: string, more: Partial<AccountOutcome> = {}): AccountOutcome => ({
      verified: false,
      reason,
      report,
      warnings,
      ...more,
    });
    if (report.liabilitiesRoot === ZeroHash)
      return refuse(`${where} attests no liabilities root, so it has no published proofs`);
    const committed = await readPublication(chain, report);
    if (typeof committed === "string") return refuse(committed);
    const committedUri = committed.uri;

    let check: PublicationCheck;
    try {
      const source =
        mirror ?? (committedUri === "" ? NO_PUBLICATION : browserPublicationSource(committedUri));
      check = await checkPublishedBalance(
        source,
        {
          manifestHash: committed.manifestHash,
          root: report.liabilitiesRoot as Hex,
          total: report.liabilities,
          decimals: report.decimals,
        },
        claim,
      );
    } catch (error) {
      // Unreachable files and refused input (balance with too many decimals) are the visitor's to fix.
      if (error instanceof PorError) return refuse(errorText(error), { committedUri });
      throw error;
    }
    const download =
      check.downloadedBytes > 0 ? { bytes: check.downloadedBytes, shard: check.shard?.index } : undefined;
    if (!check.ok || check.proof === undefined) {
      const named = PUBLICATION_FAILURES[check.failure ?? "path-not-to-root"];
      return refuse(`${named}: ${check.reason ?? "does not verify"} (${where})`, { committedUri, download });
    }
    const pkg = check.proof;
    const outcome = await confirmOnChain(chain.registry, report, settings, pkg, check.commitment, warnings);
    return { ...outcome, committedUri, download, proof: { pkg, result: verifyProofPackage(pkg) } };
  });
}

/** The round's committed publication, or why the registry has none to give. */
async function readPublication(
  { registry, provider }: RegistryConnection,
  report: RoundReport,
): Promise<{ manifestHash: Hex; uri: string } | string> {
  const challenges = await challengesOf(registry, provider);
  if (challenges === null)
    return `the registry at ${report.registry} predates published proofs (it has no challenges() contract)`;
  const [manifestHash, uri] = await challenges.publication(report.subjectId, report.round);
  return { manifestHash: manifestHash.toLowerCase() as Hex, uri };
}

/** A PorError's message with its details ("cannot fetch …: HTTP 404"), else the error's first line. */
function errorText(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] ?? String(error);
  return String(error);
}
