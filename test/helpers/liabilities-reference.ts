import { AbiCoder, computeHmac, concat, keccak256, toUtf8Bytes } from "ethers";

/**
 * Naive reference implementation of the liabilities tree, written straight from the spec
 * (docs/liabilities-tree.md) with ethers' keccak256 and AbiCoder: slow, obviously correct, and
 * independent of the SDK's fast builder, which the tests compare against it.
 */
const abi = AbiCoder.defaultAbiCoder();
const MAX_UINT256 = (1n << 256n) - 1n;

export interface RefAccount {
  accountId: string;
  salt: string; // 0x bytes32
  balance: bigint;
}

export interface RefNode {
  hash: string;
  sum: bigint;
}

export function refSalt(secret: Uint8Array, accountId: string): string {
  return computeHmac("sha256", secret, toUtf8Bytes(accountId));
}

export function refCommitment(salt: string, accountId: string): string {
  return keccak256(abi.encode(["bytes32", "bytes32"], [salt, keccak256(toUtf8Bytes(accountId))]));
}

export function refLeaf(commitment: string, balance: bigint): RefNode {
  return {
    hash: keccak256(concat([keccak256(abi.encode(["bytes32", "uint256"], [commitment, balance]))])),
    sum: balance,
  };
}

export function refParent(a: RefNode, b: RefNode): RefNode {
  const sum = a.sum + b.sum;
  if (sum > MAX_UINT256) throw new Error("sum overflow");
  const [lo, hi] = BigInt(a.hash) <= BigInt(b.hash) ? [a, b] : [b, a];
  return {
    hash: keccak256(
      abi.encode(["bytes32", "uint256", "bytes32", "uint256"], [lo.hash, lo.sum, hi.hash, hi.sum]),
    ),
    sum,
  };
}

export interface RefTree {
  /** levels[0] are the leaves sorted by hash; the last level is [root]. */
  levels: RefNode[][];
  root: RefNode;
  /** Leaf position of each account, by account id. */
  positions: Map<string, number>;
}

export function refBuild(accounts: RefAccount[]): RefTree {
  if (accounts.length === 0) throw new Error("empty tree");
  const leaves = accounts.map((a) => ({
    id: a.accountId,
    node: refLeaf(refCommitment(a.salt, a.accountId), a.balance),
  }));
  leaves.sort((x, y) =>
    BigInt(x.node.hash) < BigInt(y.node.hash) ? -1 : BigInt(x.node.hash) > BigInt(y.node.hash) ? 1 : 0,
  );
  const positions = new Map(leaves.map((l, i) => [l.id, i]));
  const levels: RefNode[][] = [leaves.map((l) => l.node)];
  for (;;) {
    const level = levels[levels.length - 1] as RefNode[];
    if (level.length === 1) break;
    const next: RefNode[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const a = level[i] as RefNode;
      const b = level[i + 1];
      next.push(b === undefined ? a : refParent(a, b));
    }
    levels.push(next);
  }
  return { levels, root: (levels[levels.length - 1] as RefNode[])[0] as RefNode, positions };
}

export function refProof(tree: RefTree, position: number): RefNode[] {
  const steps: RefNode[] = [];
  let index = position;
  for (let l = 0; l < tree.levels.length - 1; l++) {
    const sibling = (tree.levels[l] as RefNode[])[index ^ 1];
    if (sibling !== undefined) steps.push(sibling);
    index >>= 1;
  }
  return steps;
}

export function refVerify(root: RefNode, commitment: string, balance: bigint, steps: RefNode[]): boolean {
  let node = refLeaf(commitment, balance);
  for (const step of steps) {
    try {
      node = refParent(node, step);
    } catch {
      return false;
    }
  }
  return node.hash === root.hash && node.sum === root.sum;
}
