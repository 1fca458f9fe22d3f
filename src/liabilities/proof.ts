// Browser-safe (the web verify page imports it): no Node built-ins.
import type { AttestationFile } from "../attestations/file";

import { formatAmount } from "../core/amounts";
import { InvalidArgumentError, InvalidFileError } from "../core/errors";
import { expectFormat } from "../core/formats";
import { MAX_DECIMALS } from "./decimal";
import {
  MAX_UINT256,
  accountCommitment,
  bytes32FromHex,
  leafHash,
  parentNode,
  toHex,
  type Hex,
  type SumNode,
} from "./hash";

export const PROOF_FORMAT = "por-liability-proof/1";

/** One sibling on the path from a leaf to the root. Amounts are base units as decimal strings. */
export interface ProofStepJson {
  hash: Hex;
  sum: string;
}

/**
 * Where a package's root and total are attested: the registry (on chain `chainId`) and subject of
 * the attestation file given to `prove`/`export --attestation`. Not covered by the proof: it tells
 * the customer where to look, and `verify` refuses to check the package against another chain.
 */
export interface AttestedOn {
  chainId: number;
  /** 0x-prefixed 20-byte address. */
  registry: string;
  subjectId: Hex;
}

/**
 * A customer's proof package (`por-liability-proof/1`), as written to JSON. `decimals` and
 * `attestedOn` were added later and are optional: packages without them still load.
 */
export interface LiabilityProofPackage {
  format: typeof PROOF_FORMAT;
  accountId: string;
  salt: Hex;
  balance: string;
  /** Decimals of `balance`, `total` and the step sums (the tree's), for display. */
  decimals?: number;
  proof: ProofStepJson[];
  root: Hex;
  total: string;
  attestedOn?: AttestedOn;
}

/** One level of a verified path: the sibling the package gives and the parent it folds to. */
export interface PathLevel {
  sibling: SumNode;
  /** Undefined from the step whose sum overflows uint256 on. */
  parent: SumNode | undefined;
}

/** Outcome of verifying a proof package against the root and total it names. */
export interface ProofVerification {
  ok: boolean;
  /** Why it failed, when it failed: the first check that failed, in the order of `verifyProofPackage`. */
  reason?: string;
  /** The commitment recomputed from accountId and salt (what verifyLiability takes). */
  commitment: Hex;
  /** The leaf recomputed from the commitment and the balance. */
  leaf: SumNode;
  /** Each step with the node it folds to, leaf to root: what a customer is shown. */
  path: PathLevel[];
  /** The root and total the proof folds to (undefined if a sum overflowed). */
  computedRoot?: Hex;
  computedTotal?: bigint;
}

/** Folds `steps` from `leaf` upward, keeping every parent (undefined from an overflowing sum on). */
export function foldPath(leaf: SumNode, steps: readonly SumNode[]): PathLevel[] {
  let node: SumNode | undefined = leaf;
  return steps.map((sibling) => {
    node = node === undefined ? undefined : parentNode(node, sibling);
    return { sibling, parent: node };
  });
}

/**
 * Folds `steps` from (`leaf`, `balance`) to the root they imply. Undefined if a sum overflows uint256,
 * which no valid tree contains.
 */
export function processProof(
  leaf: Uint8Array,
  balance: bigint,
  steps: readonly SumNode[],
): SumNode | undefined {
  let node: SumNode | undefined = { hash: leaf, sum: balance };
  for (const step of steps) {
    node = parentNode(node, step);
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * Verifies a package from scratch: the commitment is recomputed from accountId and salt (a given
 * leaf hash is never trusted), the leaf from commitment and balance, and the path must reach exactly
 * the package's total (checked first: a wrong balance or step sum is then named as such) and root.
 */
export function verifyProofPackage(pkg: LiabilityProofPackage): ProofVerification {
  const commitment = accountCommitment(bytes32FromHex(pkg.salt, "salt"), pkg.accountId);
  const balance = BigInt(pkg.balance);
  const leaf = { hash: leafHash(commitment, balance), sum: balance };
  const steps = pkg.proof.map((s) => ({
    hash: bytes32FromHex(s.hash, "proof step hash"),
    sum: BigInt(s.sum),
  }));
  const path = foldPath(leaf, steps);
  const result: ProofVerification = { ok: false, commitment: toHex(commitment), leaf, path };
  const overflow = path.findIndex((level) => level.parent === undefined);
  if (overflow >= 0)
    return { ...result, reason: `the sum at step ${overflow + 1} of ${path.length} overflows uint256` };
  const root = path.length === 0 ? leaf : (path[path.length - 1]?.parent as SumNode);
  result.computedRoot = toHex(root.hash);
  result.computedTotal = root.sum;
  if (root.sum !== BigInt(pkg.total)) {
    // In the tree's decimals when the package states them, as the customer reads their balance.
    const shown = (v: bigint) => (pkg.decimals === undefined ? v.toString() : formatAmount(v, pkg.decimals));
    return {
      ...result,
      reason: `the balance and the step sums add up to ${shown(root.sum)}, not the stated total ${shown(BigInt(pkg.total))}`,
    };
  }
  if (result.computedRoot !== pkg.root.toLowerCase()) {
    return {
      ...result,
      reason:
        "the proof does not lead to the root: the account id, salt, balance or a step is not what the tree committed to",
    };
  }
  return { ...result, ok: true };
}

const AMOUNT = /^(0|[1-9][0-9]*)$/;
const HASH = /^0x[0-9a-f]{64}$/;

function amount(value: unknown, what: string, source: string): string {
  if (typeof value !== "string" || !AMOUNT.test(value) || BigInt(value) > MAX_UINT256) {
    throw new InvalidFileError(`${source}: ${what} must be a uint256 as a decimal string`);
  }
  return value;
}

function hash(value: unknown, what: string, source: string): Hex {
  if (typeof value !== "string" || !HASH.test(value)) {
    throw new InvalidFileError(`${source}: ${what} must be 0x-prefixed lowercase 32-byte hex`);
  }
  return value as Hex;
}

/** Validates a parsed proof package; refuses an unknown `format` or any malformed field. */
export function parseProofPackage(value: unknown, source: string): LiabilityProofPackage {
  const record = expectFormat(value, PROOF_FORMAT, source);
  if (typeof record.accountId !== "string" || record.accountId === "") {
    throw new InvalidFileError(`${source}: accountId must be a non-empty string`);
  }
  if (!Array.isArray(record.proof)) throw new InvalidFileError(`${source}: proof must be an array`);
  const proof = record.proof.map((step: unknown, i) => {
    if (typeof step !== "object" || step === null)
      throw new InvalidFileError(`${source}: proof[${i}] is not an object`);
    const s = step as Record<string, unknown>;
    return { hash: hash(s.hash, `proof[${i}].hash`, source), sum: amount(s.sum, `proof[${i}].sum`, source) };
  });
  const pkg: LiabilityProofPackage = {
    format: PROOF_FORMAT,
    accountId: record.accountId,
    salt: hash(record.salt, "salt", source),
    balance: amount(record.balance, "balance", source),
    proof,
    root: hash(record.root, "root", source),
    total: amount(record.total, "total", source),
  };
  if (record.decimals !== undefined) {
    const d = record.decimals;
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0 || d > MAX_DECIMALS) {
      throw new InvalidFileError(`${source}: decimals must be an integer from 0 to ${MAX_DECIMALS}`);
    }
    pkg.decimals = d;
  }
  if (record.attestedOn !== undefined) pkg.attestedOn = parseAttestedOn(record.attestedOn, source);
  return pkg;
}

function parseAttestedOn(value: unknown, source: string): AttestedOn {
  const bad = (what: string) => new InvalidFileError(`${source}: attestedOn.${what}`);
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidFileError(`${source}: attestedOn must be an object`);
  const { chainId, registry, subjectId } = value as Record<string, unknown>;
  if (typeof chainId !== "number" || !Number.isSafeInteger(chainId) || chainId < 1)
    throw bad("chainId must be a positive integer");
  if (typeof registry !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(registry))
    throw bad("registry must be a 0x-prefixed 20-byte address");
  if (typeof subjectId !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(subjectId))
    throw bad("subjectId must be a 0x-prefixed 32-byte hex string");
  return { chainId, registry, subjectId: subjectId.toLowerCase() as Hex };
}

/**
 * Where a tree is attested, from the attestation file (`por-attestation/1`) that signs it: refuses
 * an attestation of another root or total, since its chain and registry would mislead customers.
 */
export function attestedOnFromAttestation(
  file: Pick<AttestationFile, "chainId" | "registry" | "attestation">,
  tree: { root: Hex; total: bigint },
  source: string,
): AttestedOn {
  const { liabilitiesRoot, liabilities, subjectId } = file.attestation;
  if (liabilitiesRoot.toLowerCase() !== tree.root.toLowerCase() || liabilities !== tree.total) {
    throw new InvalidArgumentError(
      `${source} attests liabilities root ${liabilitiesRoot} with total ${liabilities}, not this tree (root ${tree.root}, total ${tree.total})`,
    );
  }
  if (file.chainId > BigInt(Number.MAX_SAFE_INTEGER))
    throw new InvalidArgumentError(`${source}: chain id ${file.chainId} is too large`);
  return { chainId: Number(file.chainId), registry: file.registry, subjectId: subjectId as Hex };
}

/** The proof's steps as the on-chain `ProofStep[]` tuple shape. */
export function proofStepsForContract(pkg: LiabilityProofPackage): Array<{ hash: Hex; sum: bigint }> {
  return pkg.proof.map((s) => ({ hash: s.hash, sum: BigInt(s.sum) }));
}
