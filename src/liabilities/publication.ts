// Browser-safe (the web verify page can run the same check): no Node built-ins. Where the files
// come from is the caller's PublicationSource (publication-fetch.ts for the CLI: http(s), file).
import { formatAmount } from "../core/amounts";
import { PorError } from "../core/errors";
import { parseDecimalAmount } from "./decimal";
import { accountCommitment, bytes32FromHex, leafHash, toHex, type Hex } from "./hash";
import { PROOF_FORMAT, verifyProofPackage, type LiabilityProofPackage } from "./proof";
import {
  parseManifestBytes,
  shardIndexFor,
  type PublicationManifest,
  type ShardEntry,
} from "./publication-format";
import {
  checkShard,
  levelPath,
  manifestHash,
  publishedPath,
  shardNodeFailure,
  topRootFailure,
  type PublicationFailed,
  type PublicationFailure,
} from "./publication-verify";

/** Largest manifest a reader fetches: 64 MiB, far above any default publication (docs/liabilities-tree.md). */
export const MAX_MANIFEST_BYTES = 64 * 2 ** 20;

/** Where a publication's files come from. Both reads refuse more than `maxBytes`. */
export interface PublicationSource {
  /** The manifest's exact bytes. */
  manifest(maxBytes: number): Promise<Uint8Array>;
  /** A file named by the manifest, relative to the manifest's directory. */
  file(relativePath: string, maxBytes: number): Promise<Uint8Array>;
  /** Where a file is, for messages: its URL or path (the manifest's without an argument). */
  describe(relativePath?: string): string;
}

/** What the chain says about the round: its committed manifest hash and its attested liabilities. */
export interface CommittedRound {
  /** `publication(subjectId, roundId).manifestHash`; all zeros when nothing is committed. */
  manifestHash: Hex;
  /** The attestation's `liabilitiesRoot` and `liabilities`, and the subject's decimals. */
  root: Hex;
  total: bigint;
  decimals: number;
}

/** What the customer knows: their account id, salt and balance (in the subject's decimals). */
export interface CustomerClaim {
  accountId: string;
  salt: string;
  balance: string;
}

/** The verdict of checking a customer's balance in a published round. */
export interface PublicationCheck {
  ok: boolean;
  /** The first check that failed, and why, when one did. */
  failure?: PublicationFailure;
  reason?: string;
  /** The checks that held, in order, one line each. */
  passed: string[];
  commitment: Hex;
  leaf: Hex;
  balance: bigint;
  manifestHash?: Hex;
  shard?: { index: number; file: string; bytes: number };
  /** Bytes downloaded: the manifest and one shard. */
  downloadedBytes: number;
  /** On success: the customer's proof package, rebuilt from the publication and verified. */
  proof?: LiabilityProofPackage;
}

const ZERO_HASH = `0x${"0".repeat(64)}`;

/** What every reader of a publication records: the checks that held and the bytes fetched. */
interface Progress {
  passed: string[];
  downloadedBytes: number;
  manifestHash?: Hex;
}

type Failed = PublicationFailed;

/**
 * Steps 1-4 of every check (docs/liabilities-tree.md, "Checking a balance"): a publication is
 * committed for the round, the manifest's keccak256 is the committed one, it parses, and it
 * publishes the round's attested root, total and decimals. Returns the manifest or the failure.
 */
async function committedManifest(
  source: PublicationSource,
  round: CommittedRound,
  progress: Progress,
): Promise<PublicationManifest | Failed> {
  if (round.manifestHash.toLowerCase() === ZERO_HASH)
    return {
      failure: "manifest-not-committed",
      reason: "no publication is committed on-chain for this round",
    };
  const bytes = await source.manifest(MAX_MANIFEST_BYTES);
  progress.downloadedBytes += bytes.length;
  progress.manifestHash = await manifestHash(bytes);
  if (progress.manifestHash !== round.manifestHash.toLowerCase()) {
    return {
      failure: "manifest-hash-differs",
      reason: `${source.describe()} has keccak256 ${progress.manifestHash}, the round commits ${round.manifestHash.toLowerCase()}`,
    };
  }
  progress.passed.push(
    `manifest ${source.describe()} is the one committed on-chain (keccak256 ${progress.manifestHash})`,
  );
  let manifest: PublicationManifest;
  try {
    manifest = parseManifestBytes(bytes, source.describe());
  } catch (err) {
    if (!(err instanceof PorError)) throw err;
    return { failure: "manifest-invalid", reason: err.message };
  }
  if (manifest.root !== round.root.toLowerCase() || manifest.total !== round.total) {
    return {
      failure: "round-differs",
      reason: `the manifest publishes root ${manifest.root} with total ${manifest.total}, the round attests root ${round.root.toLowerCase()} with total ${round.total}`,
    };
  }
  if (manifest.decimals !== round.decimals) {
    return {
      failure: "round-differs",
      reason: `the manifest states ${manifest.decimals} decimals, the subject has ${round.decimals}`,
    };
  }
  progress.passed.push(
    `the manifest publishes the attested root and total (${formatAmount(round.total, round.decimals)})`,
  );
  return manifest;
}

function failed(value: PublicationManifest | Failed): value is Failed {
  return "failure" in value;
}

/**
 * Checks that the customer's balance is in a published round, in order: the manifest's keccak256 is
 * the one committed on-chain; its root, total and decimals are the attested round's; the one shard
 * the customer's leaf hash falls in has the SHA-256 and size the manifest states; the shard holds
 * the leaf recomputed from account id, salt and balance; and the path rebuilt from the shard and
 * `top` reaches the attested root and total. Stops at the first failure and names it. Refuses a
 * malformed claim (salt, balance) before fetching anything; a file that cannot be fetched throws.
 */
export async function checkPublishedBalance(
  source: PublicationSource,
  round: CommittedRound,
  claim: CustomerClaim,
): Promise<PublicationCheck> {
  const balance = parseDecimalAmount(claim.balance, round.decimals);
  const commitment = accountCommitment(bytes32FromHex(claim.salt, "salt"), claim.accountId);
  const leaf = leafHash(commitment, balance);
  const result: PublicationCheck = {
    ok: false,
    passed: [],
    commitment: toHex(commitment),
    leaf: toHex(leaf),
    balance,
    downloadedBytes: 0,
  };
  const fail = ({ failure, reason }: Failed) => ({ ...result, failure, reason });

  const manifest = await committedManifest(source, round, result);
  if (failed(manifest)) return fail(manifest);

  const index = shardIndexFor(manifest, result.leaf);
  const entry = manifest.shards[index] as ShardEntry;
  const shardBytes = await source.file(entry.file, entry.bytes);
  result.downloadedBytes += shardBytes.length;
  result.shard = { index, file: entry.file, bytes: shardBytes.length };
  const shard = await checkShard(manifest, index, shardBytes, source.describe(entry.file));
  if (!shard.ok) return fail(shard);
  result.passed.push(
    `shard ${index} of ${manifest.shards.length} (${source.describe(entry.file)}) is the one the manifest names`,
  );

  const path = publishedPath(manifest, shard.shard, leaf);
  if (!path.ok) return fail(path);
  // The same package `liabilities prove` writes, verified the same way: one rule for every proof.
  const proof: LiabilityProofPackage = {
    format: PROOF_FORMAT,
    accountId: claim.accountId,
    salt: claim.salt.toLowerCase() as Hex,
    balance: balance.toString(),
    decimals: round.decimals,
    proof: path.steps.map((s) => ({ hash: toHex(s.hash), sum: s.sum.toString() })),
    root: round.root.toLowerCase() as Hex,
    total: round.total.toString(),
  };
  const verified = verifyProofPackage(proof);
  if (!verified.ok)
    return fail({
      failure: "path-not-to-root",
      reason: verified.reason ?? "the path does not reach the root",
    });
  result.passed.push(
    `leaf ${path.position} with balance ${formatAmount(balance, round.decimals)} reaches the attested root in ${path.steps.length} steps`,
  );
  return { ...result, ok: true, proof };
}

/** The verdict of checking a whole publication (every shard). */
export interface PublicationAudit {
  ok: boolean;
  failure?: PublicationFailure;
  reason?: string;
  passed: string[];
  manifestHash?: Hex;
  shardCount?: number;
  leafCount?: number;
  downloadedBytes: number;
}

/**
 * Checks a whole publication, for an auditor, or a customer about to challenge a round they were not
 * found in: steps 1-4 as for one balance, then every shard (SHA-256 and size, header, leaves in
 * strictly ascending order, first and last as the manifest says, folding to its `top` node), and
 * `top` to the root and total. With the manifest's ranges in ascending order (parseManifest), this
 * shows the whole level 0 is in ascending hash order: a leaf not in the shard its hash points to is
 * in no shard at all. Fetches one shard at a time.
 */
export async function auditPublication(
  source: PublicationSource,
  round: CommittedRound,
): Promise<PublicationAudit> {
  const result: PublicationAudit = { ok: false, passed: [], downloadedBytes: 0 };
  const fail = ({ failure, reason }: Failed) => ({ ...result, failure, reason });
  const manifest = await committedManifest(source, round, result);
  if (failed(manifest)) return fail(manifest);
  result.shardCount = manifest.shards.length;
  result.leafCount = manifest.leafCount;
  for (const [index, entry] of manifest.shards.entries()) {
    const bytes = await source.file(entry.file, entry.bytes);
    result.downloadedBytes += bytes.length;
    const shard = await checkShard(manifest, index, bytes, source.describe(entry.file));
    if (!shard.ok) return fail(shard);
    const notNode = shardNodeFailure(manifest, index, levelPath(shard.shard.leaves, 0)?.root);
    if (notNode) return fail(notNode);
  }
  const notRoot = topRootFailure(manifest, levelPath(manifest.top, 0)?.root);
  if (notRoot) return fail(notRoot);
  result.passed.push(
    `all ${manifest.shards.length} shards are the ones the manifest names, their ${manifest.leafCount} leaves in ascending hash order`,
  );
  result.passed.push("every shard hashes to its node in the manifest's top, and top to the attested root");
  return { ...result, ok: true };
}
