import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { InvalidArgumentError, InvalidFileError } from "../core/errors";
import { fileSystemError } from "../node/files";
import { accountCommitment, accountIdHash, leafHash, readUint, toHex, type Hex, type SumNode } from "./hash";
import { accountIdProblem } from "./account-id";
import { keccakKernel } from "./keccak";
import { levelSizes, hashLevelRange, newLevel } from "./levels";
import { PROOF_FORMAT, processProof, type LiabilityProofPackage } from "./proof";

/**
 * The binary tree file (`tree.bin`) written by `por liabilities build`. Layout (docs/liabilities-tree.md):
 *
 *   header        256 bytes, little-endian integers (see HeaderField offsets below)
 *   records       per account in input order: u32 idLength, bytes32 salt, id bytes (UTF-8)
 *   rowOffsets    u64 per account + 1: where each record starts (relative to `records`)
 *   leafToRow     u32 per leaf: the account at each leaf position, 0xffffffff for padding
 *   rowToLeaf     u32 per account: its leaf position
 *   index         per account sorted by keccak256(accountId): 8-byte key prefix, u32 account
 *   levelTable    per level: u64 node count, u64 file offset (0 when the level is not stored)
 *   levels        node records: bytes32 hash, sum as `sumBytes` big-endian bytes
 *
 * Levels 1 .. chunkLevels-1 are not stored: a proof recomputes them from the 2^chunkLevels leaves
 * around the account (16 by default), which is cheaper than reading them and keeps the file to
 * about 1.1x the leaf level. Everything a proof needs is read with a few positional reads, no scan.
 */
export const TREE_MAGIC = "PORLTREE";
export const TREE_VERSION = 1;
export const HEADER_BYTES = 256;
export const INDEX_ENTRY_BYTES = 12;
export const NO_ROW = 0xffffffff;

export const HeaderField = {
  magic: 0,
  version: 8,
  sumBytes: 12,
  leafCount: 16,
  accountCount: 24,
  decimals: 32,
  levelCount: 36,
  chunkLevels: 40,
  recordsOffset: 48,
  rowOffsetsOffset: 56,
  leafToRowOffset: 64,
  rowToLeafOffset: 72,
  indexOffset: 80,
  levelTableOffset: 88,
  root: 96,
  total: 128,
  inputSha256: 160,
  fileBytes: 192,
} as const;

export interface TreeHeader {
  sumBytes: number;
  leafCount: number;
  accountCount: number;
  decimals: number;
  levelCount: number;
  chunkLevels: number;
  recordsOffset: number;
  rowOffsetsOffset: number;
  leafToRowOffset: number;
  rowToLeafOffset: number;
  indexOffset: number;
  levelTableOffset: number;
  root: Uint8Array;
  total: bigint;
  inputSha256: Uint8Array;
  fileBytes: number;
}

export function encodeHeader(h: TreeHeader): Buffer {
  const buf = Buffer.alloc(HEADER_BYTES);
  buf.write(TREE_MAGIC, HeaderField.magic, "latin1");
  buf.writeUInt32LE(TREE_VERSION, HeaderField.version);
  buf.writeUInt32LE(h.sumBytes, HeaderField.sumBytes);
  buf.writeUInt32LE(h.decimals, HeaderField.decimals);
  buf.writeUInt32LE(h.levelCount, HeaderField.levelCount);
  buf.writeUInt32LE(h.chunkLevels, HeaderField.chunkLevels);
  for (const key of [
    "leafCount",
    "accountCount",
    "recordsOffset",
    "rowOffsetsOffset",
    "leafToRowOffset",
    "rowToLeafOffset",
    "indexOffset",
    "levelTableOffset",
    "fileBytes",
  ] as const) {
    buf.writeBigUInt64LE(BigInt(h[key]), HeaderField[key]);
  }
  buf.set(h.root, HeaderField.root);
  buf.write(h.total.toString(16).padStart(64, "0"), HeaderField.total, "hex");
  buf.set(h.inputSha256, HeaderField.inputSha256);
  return buf;
}

function decodeHeader(buf: Buffer, file: string): TreeHeader {
  if (buf.toString("latin1", 0, 8) !== TREE_MAGIC)
    throw new InvalidFileError(`${file} is not a liabilities tree file`);
  const version = buf.readUInt32LE(HeaderField.version);
  if (version !== TREE_VERSION) {
    throw new InvalidFileError(`${file} has tree format version ${version}`, {
      details: `expected ${TREE_VERSION}`,
    });
  }
  const u64 = (offset: number) => Number(buf.readBigUInt64LE(offset));
  return {
    sumBytes: buf.readUInt32LE(HeaderField.sumBytes),
    leafCount: u64(HeaderField.leafCount),
    accountCount: u64(HeaderField.accountCount),
    decimals: buf.readUInt32LE(HeaderField.decimals),
    levelCount: buf.readUInt32LE(HeaderField.levelCount),
    chunkLevels: buf.readUInt32LE(HeaderField.chunkLevels),
    recordsOffset: u64(HeaderField.recordsOffset),
    rowOffsetsOffset: u64(HeaderField.rowOffsetsOffset),
    leafToRowOffset: u64(HeaderField.leafToRowOffset),
    rowToLeafOffset: u64(HeaderField.rowToLeafOffset),
    indexOffset: u64(HeaderField.indexOffset),
    levelTableOffset: u64(HeaderField.levelTableOffset),
    root: Uint8Array.from(buf.subarray(HeaderField.root, HeaderField.root + 32)),
    total: readUint(buf, HeaderField.total, 32),
    inputSha256: Uint8Array.from(buf.subarray(HeaderField.inputSha256, HeaderField.inputSha256 + 32)),
    fileBytes: u64(HeaderField.fileBytes),
  };
}

/** An account as stored: id, salt and leaf position. */
export interface StoredAccount {
  row: number;
  accountId: string;
  salt: Uint8Array;
  leaf: number;
}

/** Read access to a tree file: proofs by account id or leaf position, without rebuilding. */
export class TreeFile {
  readonly header: TreeHeader;
  private readonly levels: Array<{ count: number; offset: number }>;
  private readonly nodeBytes: number;
  private readonly cache = new Map<string, SumNode>();

  private constructor(
    private readonly fd: number,
    readonly path: string,
  ) {
    const size = fstatSync(fd).size;
    if (size < HEADER_BYTES) throw new InvalidFileError(`${path} is not a liabilities tree file`);
    this.header = decodeHeader(this.read(0, HEADER_BYTES), path);
    if (this.header.fileBytes !== size) {
      throw new InvalidFileError(`${path} is truncated or corrupt`, {
        details: `${size} bytes, header says ${this.header.fileBytes}`,
      });
    }
    const table = this.read(this.header.levelTableOffset, this.header.levelCount * 16);
    this.levels = [];
    for (let l = 0; l < this.header.levelCount; l++) {
      this.levels.push({
        count: Number(table.readBigUInt64LE(l * 16)),
        offset: Number(table.readBigUInt64LE(l * 16 + 8)),
      });
    }
    const expected = levelSizes(this.header.leafCount);
    if (expected.length !== this.levels.length || expected.some((n, l) => this.levels[l]?.count !== n)) {
      throw new InvalidFileError(`${path} has an inconsistent level table`);
    }
    this.nodeBytes = 32 + this.header.sumBytes;
  }

  static open(path: string): TreeFile {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (err) {
      throw fileSystemError("read", path, err);
    }
    try {
      return new TreeFile(fd, path);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  get root(): Hex {
    return toHex(this.header.root);
  }

  private read(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, position + done);
      if (n === 0) throw new InvalidFileError(`${this.path} is truncated`);
      done += n;
    }
    return buf;
  }

  private node(level: number, index: number): SumNode {
    const key = `${level}:${index}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const info = this.levels[level];
    if (info === undefined || info.offset === 0) throw new Error(`BUG: level ${level} is not stored`);
    const buf = this.read(info.offset + index * this.nodeBytes, this.nodeBytes);
    const node = { hash: Uint8Array.from(buf.subarray(0, 32)), sum: readUint(buf, 32, this.header.sumBytes) };
    if (this.cache.size > 4096) this.cache.clear();
    // Upper levels are shared by many proofs (export); cache them.
    if (level >= this.header.chunkLevels) this.cache.set(key, node);
    return node;
  }

  /** The account stored at input row `row`. */
  account(row: number): StoredAccount {
    const offsets = this.read(this.header.rowOffsetsOffset + row * 8, 16);
    const start = Number(offsets.readBigUInt64LE(0));
    const end = Number(offsets.readBigUInt64LE(8));
    const record = this.read(this.header.recordsOffset + start, end - start);
    const idLength = record.readUInt32LE(0);
    return {
      row,
      salt: Uint8Array.from(record.subarray(4, 36)),
      accountId: record.toString("utf8", 36, 36 + idLength),
      leaf: this.read(this.header.rowToLeafOffset + row * 4, 4).readUInt32LE(0),
    };
  }

  /** The account at leaf position `leaf`, or undefined for a padding leaf. */
  accountAtLeaf(leaf: number): StoredAccount | undefined {
    const row = this.read(this.header.leafToRowOffset + leaf * 4, 4).readUInt32LE(0);
    return row === NO_ROW ? undefined : this.account(row);
  }

  /** Finds an account by id with a binary search of the index (about log2(n) small reads). */
  findAccount(accountId: string): StoredAccount | undefined {
    const key = Buffer.from(accountIdHash(accountId).subarray(0, 8));
    let lo = 0;
    let hi = this.header.accountCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(this.read(this.header.indexOffset + mid * INDEX_ENTRY_BYTES, 8), key) < 0)
        lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.header.accountCount; i++) {
      const entry = this.read(this.header.indexOffset + i * INDEX_ENTRY_BYTES, INDEX_ENTRY_BYTES);
      if (Buffer.compare(entry.subarray(0, 8), key) !== 0) break;
      const account = this.account(entry.readUInt32LE(8));
      if (account.accountId === accountId) return account;
    }
    return undefined;
  }

  /** The leaf (hash and balance) and its proof steps, bottom-up. */
  proofAtLeaf(leaf: number): { leaf: SumNode; steps: SumNode[] } {
    const { leafCount, chunkLevels, sumBytes } = this.header;
    if (!Number.isInteger(leaf) || leaf < 0 || leaf >= leafCount)
      throw new InvalidArgumentError(`no leaf ${leaf}`);
    // The 2^chunkLevels leaves around `leaf`, and the levels above them up to chunkLevels.
    const chunkStart = leaf - (leaf % 2 ** chunkLevels);
    const chunkCount = Math.min(2 ** chunkLevels, leafCount - chunkStart);
    const level0 = this.levels[0] as { offset: number };
    const raw = this.read(level0.offset + chunkStart * this.nodeBytes, chunkCount * this.nodeBytes);
    let hashes: Uint8Array = new Uint8Array(chunkCount * 32);
    let sums: Uint8Array = new Uint8Array(chunkCount * sumBytes);
    for (let i = 0; i < chunkCount; i++) {
      hashes.set(raw.subarray(i * this.nodeBytes, i * this.nodeBytes + 32), i * 32);
      sums.set(raw.subarray(i * this.nodeBytes + 32, (i + 1) * this.nodeBytes), i * sumBytes);
    }
    const nodeAt = (h: Uint8Array, s: Uint8Array, i: number): SumNode => ({
      hash: h.slice(i * 32, i * 32 + 32),
      sum: readUint(s, i * sumBytes, sumBytes),
    });
    const leafNode = nodeAt(hashes, sums, leaf - chunkStart);
    const steps: SumNode[] = [];
    let count = chunkCount;
    let index = leaf - chunkStart;
    const kernel = keccakKernel();
    for (let l = 0; l < Math.min(chunkLevels, this.levels.length - 1); l++) {
      if ((index ^ 1) < count) steps.push(nodeAt(hashes, sums, index ^ 1));
      const next = newLevel(Math.ceil(count / 2), sumBytes);
      hashLevelRange(kernel, { count, hashes, sums, sumStride: sumBytes }, next, 0, next.count);
      ({ hashes, sums, count } = next);
      index >>= 1;
    }
    for (let l = chunkLevels; l < this.levels.length - 1; l++) {
      const sibling = Math.floor(leaf / 2 ** l) ^ 1;
      if (sibling < (this.levels[l] as { count: number }).count) steps.push(this.node(l, sibling));
    }
    return { leaf: leafNode, steps };
  }

  /** The proof package of `account`, checked against the root before it is returned. */
  proofPackage(account: StoredAccount): LiabilityProofPackage {
    const { leaf, steps } = this.proofAtLeaf(account.leaf);
    const recomputed = leafHash(accountCommitment(account.salt, account.accountId), leaf.sum);
    if (toHex(recomputed) !== toHex(leaf.hash)) {
      throw new InvalidFileError(
        `${this.path} is corrupt: account ${JSON.stringify(account.accountId)} does not match its leaf`,
      );
    }
    const folded = processProof(leaf.hash, leaf.sum, steps);
    if (folded === undefined || toHex(folded.hash) !== this.root || folded.sum !== this.header.total) {
      throw new InvalidFileError(
        `${this.path} is corrupt: the proof of leaf ${account.leaf} does not reach the root`,
      );
    }
    return {
      format: PROOF_FORMAT,
      accountId: account.accountId,
      salt: toHex(account.salt),
      balance: leaf.sum.toString(),
      decimals: this.header.decimals,
      proof: steps.map((s) => ({ hash: toHex(s.hash), sum: s.sum.toString() })),
      root: this.root,
      total: this.header.total.toString(),
    };
  }

  /** The proof package of `accountId`; throws InvalidArgumentError if the tree has no such account. */
  prove(accountId: string): LiabilityProofPackage {
    const account = this.findAccount(accountId);
    if (account === undefined) {
      // Ids in a tree are NFC without whitespace at the ends: say so if this one is not.
      const problem = accountIdProblem(accountId);
      throw new InvalidArgumentError(`no account ${JSON.stringify(accountId)} in ${this.path}`, {
        details: problem && `the id ${problem}, and the CSV refuses such ids`,
      });
    }
    return this.proofPackage(account);
  }

  /** Every account's proof package, in leaf order (padding leaves skipped). */
  *proofs(): Generator<LiabilityProofPackage> {
    for (let leaf = 0; leaf < this.header.leafCount; leaf++) {
      const account = this.accountAtLeaf(leaf);
      if (account !== undefined) yield this.proofPackage(account);
    }
  }
}
