import { nativeKernel, type GatherArgs, type NativeKernel } from "./native";

/**
 * For i in [from, to), copies `width` bytes at src[perm[i] * srcStride + srcOffset] to
 * dst[(i - from) * dstStride + dstOffset]: with the native kernel where it is built (random reads
 * over large arrays, whose cache misses a C loop overlaps), else with this loop, its reference.
 */
export function gatherRange(args: GatherArgs, native: NativeKernel | null = nativeKernel() ?? null): void {
  if (native) {
    native.gather(args);
    return;
  }
  const { src, srcStride, srcOffset, width, perm, from, to, dst, dstStride, dstOffset } = args;
  for (let i = from; i < to; i++) {
    const at = (perm[i] as number) * srcStride + srcOffset;
    dst.set(src.subarray(at, at + width), (i - from) * dstStride + dstOffset);
  }
}
