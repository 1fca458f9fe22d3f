import { nativeKernel, type NativeKernel } from "./native";
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
  io.fill(0, 32, 128); // the unused high bytes of both sum words stay zero
  // Everything is 4-byte aligned (hashes 32 bytes, sums a multiple of 4): copy 32-bit words, which
  // keeps the big-endian byte order and allocates nothing per node.
  const words = (a: Uint8Array) => new Uint32Array(a.buffer, a.byteOffset, a.byteLength >>> 2);
  const ioW = words(io);
  const srcH = words(source.hashes);
  const srcS = words(source.sums);
  const outH = words(out.hashes);
  const outS = words(out.sums);
  const hashes = source.hashes;
  const order = source.order;
  const sumWords = W / 4;
  const strideWords = source.sumStride / 4;
  const skipWords = strideWords - sumWords;
  const padWords = 8 - sumWords;
  const n = source.count;
  for (let i = from; i < to; i++) {
    const left = 2 * i;
    const a = order ? (order[left] as number) : left;
    const aSum = a * strideWords + skipWords;
    const oSum = i * sumWords;
    if (left + 1 >= n) {
      for (let w = 0; w < 8; w++) outH[i * 8 + w] = srcH[a * 8 + w] as number;
      for (let w = 0; w < sumWords; w++) outS[oSum + w] = srcS[aSum + w] as number;
      continue;
    }
    const b = order ? (order[left + 1] as number) : left + 1;
    const bSum = b * strideWords + skipWords;
    // Sum, 32 bits at a time from the least significant (last, big-endian) word.
    let carry = 0;
    for (let w = sumWords - 1; w >= 0; w--) {
      const s = bswap(srcS[aSum + w] as number) + bswap(srcS[bSum + w] as number) + carry;
      outS[oSum + w] = bswap(s >>> 0);
      carry = s > 0xffffffff ? 1 : 0;
    }
    if (carry !== 0) throw new Error("BUG: node sum exceeds the width chosen from the checked total");
    // Order the children by hash (bytes, i.e. uint256 big-endian).
    let aFirst = true;
    const aHash = a * 32;
    const bHash = b * 32;
    for (let k = 0; k < 32; k++) {
      const d = (hashes[aHash + k] as number) - (hashes[bHash + k] as number);
      if (d !== 0) {
        aFirst = d < 0;
        break;
      }
    }
    const lo = aFirst ? a : b;
    const hi = aFirst ? b : a;
    const loSum = aFirst ? aSum : bSum;
    const hiSum = aFirst ? bSum : aSum;
    for (let w = 0; w < 8; w++) {
      ioW[w] = srcH[lo * 8 + w] as number;
      ioW[16 + w] = srcH[hi * 8 + w] as number;
    }
    for (let w = 0; w < sumWords; w++) {
      ioW[8 + padWords + w] = srcS[loSum + w] as number;
      ioW[24 + padWords + w] = srcS[hiSum + w] as number;
    }
    kernel.hash(128);
    for (let w = 0; w < 8; w++) outH[i * 8 + w] = ioW[w] as number;
  }
}

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error("the liabilities tree builder needs a little-endian host");
}

/** Reverses the bytes of a 32-bit word: stored big-endian words read on a little-endian host. */
function bswap(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** Allocates an output level for `count` nodes. */
export function newLevel(count: number, sumBytes: number, shared = false): Level {
  const make = (bytes: number) =>
    shared ? new Uint8Array(new SharedArrayBuffer(Math.max(bytes, 1))) : new Uint8Array(Math.max(bytes, 1));
  return { count, hashes: make(count * 32), sums: make(count * sumBytes), sumBytes };
}

/** hashLevelRange on the native kernel when there is one (same bytes, about 3x faster). */
export function hashLevel(
  kernel: KeccakKernel,
  source: LevelSource,
  out: Level,
  from: number,
  to: number,
  native: NativeKernel | null = nativeKernel() ?? null,
): void {
  if (!native) {
    hashLevelRange(kernel, source, out, from, to);
    return;
  }
  const { hashes, sums, sumStride, order, count } = source;
  native.level({
    hashes,
    sums,
    sumStride,
    order: order ?? null,
    count,
    outHashes: out.hashes,
    outSums: out.sums,
    sumBytes: out.sumBytes,
    from,
    to,
  });
}
