import { nativeKernel, type NativeKernel } from "./native";

/**
 * Sorts fixed-width big-endian keys (hashes): `perm` becomes the permutation with
 * keys[perm[i]] ascending (equal keys by index) and `top[i]` the first 32 bits of the i-th sorted
 * key, both given arrays of at least `count` entries (shared ones when a worker sorts). By radix:
 * two 16-bit LSD passes over the first four bytes, carrying (key, index) pairs so every pass reads
 * sequentially, then runs that tie on those 32 bits are ordered by the whole key. Hashes are
 * uniform, so ties are rare and the sort is linear. The two passes swap buffers twice, so the
 * result ends up in `perm` and `top` themselves. The native kernel gives the same result in four
 * 8-bit passes, several times faster at 10^8 keys (a 16-bit pass scatters over 65536 places).
 */
export function sortKeysInto(
  keys: Uint8Array,
  stride: number,
  keyBytes: number,
  count: number,
  sortedPerm: Uint32Array,
  sortedTop: Uint32Array,
  native: NativeKernel | null = nativeKernel() ?? null,
): void {
  if (native) {
    native.sort({ keys, stride, keyBytes, count, perm: sortedPerm, top: sortedTop });
    return;
  }
  let top: Uint32Array = sortedTop;
  let perm: Uint32Array = sortedPerm;
  for (let i = 0, o = 0; i < count; i++, o += stride) {
    top[i] =
      (((keys[o] as number) << 24) |
        ((keys[o + 1] as number) << 16) |
        ((keys[o + 2] as number) << 8) |
        (keys[o + 3] as number)) >>>
      0;
    perm[i] = i;
  }
  let topTmp: Uint32Array = new Uint32Array(count);
  let permTmp: Uint32Array = new Uint32Array(count);
  const counts = new Uint32Array(65536);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < count; i++) {
      const b = ((top[i] as number) >>> shift) & 0xffff;
      counts[b] = (counts[b] as number) + 1;
    }
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = counts[b] as number;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < count; i++) {
      const t = top[i] as number;
      const b = (t >>> shift) & 0xffff;
      const at = counts[b] as number;
      topTmp[at] = t;
      permTmp[at] = perm[i] as number;
      counts[b] = at + 1;
    }
    [top, topTmp] = [topTmp, top];
    [perm, permTmp] = [permTmp, perm];
  }
  // Order runs that tie on the first 32 bits by the whole key.
  let i = 0;
  while (i < count) {
    let j = i + 1;
    while (j < count && top[j] === top[i]) j++;
    if (j - i > 1) {
      const run = Array.from(perm.subarray(i, j)).sort(
        (a, b) => compareKeys(keys, a * stride, b * stride, keyBytes) || a - b,
      );
      perm.set(run, i);
    }
    i = j;
  }
  if (perm !== sortedPerm || top !== sortedTop) throw new Error("BUG: radix passes must be even");
}

export function compareKeys(keys: Uint8Array, a: number, b: number, keyBytes: number): number {
  for (let k = 0; k < keyBytes; k++) {
    const d = (keys[a + k] as number) - (keys[b + k] as number);
    if (d !== 0) return d;
  }
  return 0;
}
