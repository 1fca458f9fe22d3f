import { VerificationError } from "../core/errors";
import type { Hex32 } from "../core/hex";
import { formatSubjectId } from "../core/subject-id";
import { bytes32FromHex, compareHashes, leafHash, toHex, type SumNode } from "../liabilities/hash";
import {
  processProof,
  proofStepsForContract,
  verifyProofPackage,
  type LiabilityProofPackage,
} from "../liabilities/proof";
import type { TreeFile } from "../liabilities/treefile";

/**
 * The proof that answers a challenge (ILiabilityChallenges.answerChallenge): the inclusion of the
 * challenged commitment with exactly the challenged balance in the round's liabilities root and
 * total, taken from the round's tree file or from a customer's proof package, and checked here
 * against the round before anything is sent. When the round omits or shrinks the balance there is
 * no such proof, and the error says so: the challenge is right.
 */

/** What an answer must prove: the challenge's commitment and balance, the round's root and total. */
export interface AnswerTarget {
  challengeId: bigint;
  subjectId: Hex32;
  roundId: bigint;
  accountCommitment: Hex32;
  balance: bigint;
  liabilitiesRoot: Hex32;
  liabilities: bigint;
}

/** A proof step as answerChallenge takes it. */
export interface ContractProofStep {
  hash: Hex32;
  sum: bigint;
}

/**
 * The answer from the round's tree file. With `accountId`, that account's proof (refused when its
 * commitment or balance is not the challenged one); without, the leaf of the challenged commitment
 * and balance, found by binary search over the leaves (sorted by hash), so the subject needs no
 * account id.
 */
export function answerFromTree(
  tree: TreeFile,
  target: AnswerTarget,
  accountId?: string,
): ContractProofStep[] {
  const source = tree.path;
  if (tree.root !== target.liabilitiesRoot || tree.header.total !== target.liabilities) {
    throw new VerificationError(
      `${source} is not the tree of ${roundName(target)}: it has root ${tree.root} with total ${tree.header.total}, the round attests root ${target.liabilitiesRoot} with total ${target.liabilities}`,
    );
  }
  if (accountId !== undefined) return answerFromPackage(tree.prove(accountId), target, source);
  const leaf = leafHash(bytes32FromHex(target.accountCommitment, "accountCommitment"), target.balance);
  const position = findLeaf(tree, leaf);
  if (position === undefined) throw unanswerable(target, source);
  const steps = tree.proofAtLeaf(position).steps;
  return checked(leaf, steps, target, source);
}

/** The answer from a proof package (`por-liability-proof/1`) of the challenged account. */
export function answerFromPackage(
  pkg: LiabilityProofPackage,
  target: AnswerTarget,
  source: string,
): ContractProofStep[] {
  const result = verifyProofPackage(pkg);
  const who = `account ${JSON.stringify(pkg.accountId)}`;
  if (!result.ok)
    throw new VerificationError(`${source}: the proof of ${who} does not verify: ${result.reason}`);
  if (result.commitment !== target.accountCommitment) {
    throw new VerificationError(
      `${source} proves ${who}, whose commitment ${result.commitment} is not the challenged ${target.accountCommitment}`,
      { details: "another account, or the same id with another salt" },
    );
  }
  if (BigInt(pkg.balance) !== target.balance) {
    throw new VerificationError(
      `${who} holds ${pkg.balance} in ${source}, but challenge ${target.challengeId} is for exactly ${target.balance} (base units)`,
      { details: "only a proof of exactly the stated balance answers it: the round shrank this balance" },
    );
  }
  if (pkg.root !== target.liabilitiesRoot || BigInt(pkg.total) !== target.liabilities) {
    throw new VerificationError(
      `${source} proves root ${pkg.root} with total ${pkg.total}, but ${roundName(target)} attests root ${target.liabilitiesRoot} with total ${target.liabilities}`,
    );
  }
  const steps = proofStepsForContract(pkg).map((s) => ({
    hash: bytes32FromHex(s.hash, "proof step"),
    sum: s.sum,
  }));
  return checked(result.leaf.hash, steps, target, source);
}

/** The position of `leaf` among the tree's leaves (sorted by hash ascending), or undefined. */
export function findLeaf(tree: TreeFile, leaf: Uint8Array): number | undefined {
  let lo = 0;
  let hi = tree.header.leafCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const order = compareHashes(tree.proofAtLeaf(mid).leaf.hash, 0, leaf, 0);
    if (order === 0) return mid;
    if (order < 0) lo = mid + 1;
    else hi = mid;
  }
  return undefined;
}

/** Folds the steps from the leaf and refuses a path that does not reach the round. */
function checked(
  leaf: Uint8Array,
  steps: SumNode[],
  target: AnswerTarget,
  source: string,
): ContractProofStep[] {
  const root = processProof(leaf, target.balance, steps);
  if (root === undefined || toHex(root.hash) !== target.liabilitiesRoot || root.sum !== target.liabilities) {
    throw new VerificationError(`${source}: the proof does not reach ${roundName(target)}'s root and total`);
  }
  return steps.map((s) => ({ hash: toHex(s.hash) as Hex32, sum: s.sum }));
}

function unanswerable(target: AnswerTarget, source: string): VerificationError {
  return new VerificationError(
    `${source} has no leaf of commitment ${target.accountCommitment} with balance ${target.balance}: ${roundName(target)} omits or shrinks it, so challenge ${target.challengeId} cannot be answered`,
  );
}

function roundName(target: AnswerTarget): string {
  return `round ${target.roundId} of subject ${formatSubjectId(target.subjectId)}`;
}
