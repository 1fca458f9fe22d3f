/**
 * Liabilities side of Proof-of-Reserves: a Merkle-sum tree of customer balances
 * (docs/liabilities-tree.md), per-customer proof packages and their verification.
 */
export {
  MAX_UINT256,
  accountCommitment,
  accountIdHash,
  leafHash,
  parentNode,
  toHex,
  type Hex,
  type SumNode,
} from "./hash";
export { MAX_DECIMALS, parseDecimalAmount, parseDecimals } from "./decimal";
export { MAX_ACCOUNT_ID_BYTES, parseLiabilitiesCsv, type CsvRow } from "./csv";
export { accountIdProblem } from "./account-id";
export { SALT_SECRET_ENV, SaltDeriver, loadSaltSecret } from "./salt";
export {
  PROOF_FORMAT,
  attestedOnFromAttestation,
  parseProofPackage,
  processProof,
  proofStepsForContract,
  foldPath,
  verifyProofPackage,
  type AttestedOn,
  type LiabilityProofPackage,
  type PathLevel,
  type ProofStepJson,
  type ProofVerification,
} from "./proof";
export { readProofPackage } from "./proof-file";
export {
  SUMMARY_FORMAT,
  parseLiabilitiesSummary,
  readLiabilitiesSummary,
  summaryToJson,
  type LiabilitiesSummary,
  type LiabilitiesSummaryJson,
} from "./summary";
export { CHUNK_LEVELS, SUMMARY_FILE, TREE_FILE, buildTreeFile, type BuildOptions } from "./build";
export { buildLiabilitiesDirectory } from "./build-dir";
export { BUILD_PHASES, type BuildPhase, type PhaseTiming } from "./phases";
export { TreeFile, type StoredAccount } from "./treefile";
export {
  MANIFEST_FILE,
  MAX_SHARD_LEAVES,
  PUBLICATION_FORMAT,
  SHARD_HEADER_BYTES,
  decodeShard,
  manifestToJson,
  parseManifest,
  parseManifestBytes,
  shardIndexFor,
  type DecodedShard,
  type PublicationManifest,
  type ShardEntry,
} from "./publication-format";
export {
  PUBLICATION_FAILURES,
  checkShard,
  levelPath,
  manifestHash,
  publishedPath,
  sha256Hex,
  shardNodeFailure,
  topRootFailure,
  type PublicationFailed,
  type PublicationFailure,
} from "./publication-verify";
export {
  MAX_MANIFEST_BYTES,
  auditPublication,
  checkPublishedBalance,
  type CommittedRound,
  type CustomerClaim,
  type PublicationAudit,
  type PublicationCheck,
  type PublicationSource,
} from "./publication";
export { publicationSource } from "./publication-fetch";
export {
  MIN_DEFAULT_SHARD_LEAVES,
  defaultShardLeaves,
  writePublication,
  type PublicationSummary,
  type PublishOptions,
} from "./publication-writer";
