import type { KeccakKernel } from "./wasm-hash";

/**
 * One level of nodes in memory: hashes (32 bytes each) and sums (`sumBytes` big-endian bytes each,
 * sumBytes a multiple of 4). Sums are fixed-width because every node's sum is at most the tree's
 * total, which was checked against 2^256 - 1 while reading the balances: the width is chosen from
 * that total, so additions here cannot overflow and need no bigint.
 */
export interface Level {
  count: number;
  hashes: Uint8Array;
  sums: Uint8Array;
  sumBytes: number;
}

/**
 * Source of a level's nodes. For the leaf level, `order` maps sorted position -> storage index and
 * sums are read from 32-byte balance words (`sumStride` 32, the low `sumBytes` bytes used).
 */
export interface LevelSource {
  count: number;
  hashes: Uint8Array;
  sums: Uint8Array;
  sumStride: number;
  order?: Uint32Array;
}

/** Level count of a tree over `leafCount` leaves (leaves and root included). */
export function levelSizes(leafCount: number): number[] {
  const sizes = [leafCount];
  let n = leafCount;
  while (n > 1) {
    n = Math.ceil(n / 2);
    sizes.push(n);
  }
  return sizes;
}

/**
 * Computes parents [from, to) of `source` into `out`: node i is the parent of children 2i and
 * 2i + 1 ordered by hash (keccak256(abi.encode(h1, s1, h2, s2)), s1 + s2), or child 2i unchanged if
 * it is the lone last node. The kernel's I/O buffer is used as the 128-byte encoding in place.
 */
export function hashLevelRange(
  kernel: KeccakKernel,
  source: LevelSource,
  out: Level,
  from: number,
  to: number,
): void {
  const io = kernel.io;
  const W = out.sumBytes;
  const pad = 32 - W;
  io.fill(0, 32, 128); // the unused high bytes of both sum words stay zero
  const srcSums = source.sums;
  const srcView = new DataView(srcSums.buffer, srcSums.byteOffset, srcSums.byteLength);
  const outView = new DataView(out.sums.buffer, out.sums.byteOffset, out.sums.byteLength);
  const hashes = source.hashes;
  const order = source.order;
  const stride = source.sumStride;
  const skip = stride - W;
  const n = source.count;
  for (let i = from; i < to; i++) {
    const left = 2 * i;
    const a = order ? (order[left] as number) : left;
    const aHash = a * 32;
    const aSum = a * stride + skip;
    const oSum = i * W;
    if (left + 1 >= n) {
      out.hashes.set(hashes.subarray(aHash, aHash + 32), i * 32);
      out.sums.set(srcSums.subarray(aSum, aSum + W), oSum);
      continue;
    }
    const b = order ? (order[left + 1] as number) : left + 1;
    const bHash = b * 32;
    const bSum = b * stride + skip;
    // Sum, 32 bits at a time from the least significant word.
    let carry = 0;
    for (let k = W - 4; k >= 0; k -= 4) {
      const s = srcView.getUint32(aSum + k) + srcView.getUint32(bSum + k) + carry;
      outView.setUint32(oSum + k, s >>> 0);
      carry = s > 0xffffffff ? 1 : 0;
    }
    if (carry !== 0) throw new Error("BUG: node sum exceeds the width chosen from the checked total");
    // Order the children by hash.
    let aFirst = true;
    for (let k = 0; k < 32; k++) {
      const d = (hashes[aHash + k] as number) - (hashes[bHash + k] as number);
      if (d !== 0) {
        aFirst = d < 0;
        break;
      }
    }
    const lo = aFirst ? aHash : bHash;
    const hi = aFirst ? bHash : aHash;
    const loSum = aFirst ? aSum : bSum;
    const hiSum = aFirst ? bSum : aSum;
    io.set(hashes.subarray(lo, lo + 32), 0);
    io.set(srcSums.subarray(loSum, loSum + W), 32 + pad);
    io.set(hashes.subarray(hi, hi + 32), 64);
    io.set(srcSums.subarray(hiSum, hiSum + W), 96 + pad);
    kernel.hash(128);
    out.hashes.set(io.subarray(0, 32), i * 32);
  }
}

/** Allocates an output level for `count` nodes. */
export function newLevel(count: number, sumBytes: number, shared = false): Level {
  const make = (bytes: number) =>
    shared ? new Uint8Array(new SharedArrayBuffer(Math.max(bytes, 1))) : new Uint8Array(Math.max(bytes, 1));
  return { count, hashes: make(count * 32), sums: make(count * sumBytes), sumBytes };
}
