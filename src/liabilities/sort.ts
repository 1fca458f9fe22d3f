/**
 * Sorting of fixed-width big-endian keys (hashes) by radix: two 16-bit LSD passes over the first
 * four bytes, then ties on those 32 bits are ordered by the full key. Hashes are uniform, so ties
 * are rare and the sort is linear in practice. Returns the permutation: sorted[i] = keys[perm[i]].
 */
export function sortKeys(keys: Uint8Array, stride: number, keyBytes: number, count: number): Uint32Array {
  const top = new Uint32Array(count);
  for (let i = 0, o = 0; i < count; i++, o += stride) {
    top[i] =
      (((keys[o] as number) << 24) |
        ((keys[o + 1] as number) << 16) |
        ((keys[o + 2] as number) << 8) |
        (keys[o + 3] as number)) >>>
      0;
  }
  let perm = new Uint32Array(count);
  let tmp = new Uint32Array(count);
  for (let i = 0; i < count; i++) perm[i] = i;
  const counts = new Uint32Array(65536);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < count; i++) {
      const b = ((top[perm[i] as number] as number) >>> shift) & 0xffff;
      counts[b] = (counts[b] as number) + 1;
    }
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = counts[b] as number;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < count; i++) {
      const p = perm[i] as number;
      const b = ((top[p] as number) >>> shift) & 0xffff;
      tmp[counts[b] as number] = p;
      counts[b] = (counts[b] as number) + 1;
    }
    [perm, tmp] = [tmp, perm];
  }
  // Order runs that tie on the first 32 bits by the whole key.
  let i = 0;
  while (i < count) {
    let j = i + 1;
    const t = top[perm[i] as number];
    while (j < count && top[perm[j] as number] === t) j++;
    if (j - i > 1) {
      const run = Array.from(perm.subarray(i, j)).sort(
        (a, b) => compareKeys(keys, a * stride, b * stride, keyBytes) || a - b,
      );
      perm.set(run, i);
    }
    i = j;
  }
  return perm;
}

export function compareKeys(keys: Uint8Array, a: number, b: number, keyBytes: number): number {
  for (let k = 0; k < keyBytes; k++) {
    const d = (keys[a + k] as number) - (keys[b + k] as number);
    if (d !== 0) return d;
  }
  return 0;
}
