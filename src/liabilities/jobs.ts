import { hashLeafRange, type LeafBatch } from "./leaves";
import type { SaltDeriver } from "./salt-deriver";
import { sortKeysInto } from "./sort";
import { buildGroup, type GroupJob } from "./subtree";
import type { KeccakKernel } from "./wasm-hash";

/**
 * A job of the build that a worker thread can run (HashPool) or, without workers, the calling
 * thread (runJob). A worker's typed arrays must be backed by SharedArrayBuffers: any other would
 * be copied into the message, and the worker's results lost.
 */
export type HashJob = LeavesJob | SortJob | GroupJob;

/** hashLeafRange (leaves.ts) of accounts [from, to) of a batch. */
export interface LeavesJob {
  kind: "leaves";
  batch: LeafBatch;
  from: number;
  to: number;
}

/** sortKeysInto (sort.ts) of `count` keys into `perm` and `top`. */
export interface SortJob {
  kind: "sort";
  keys: Uint8Array;
  stride: number;
  keyBytes: number;
  count: number;
  perm: Uint32Array;
  top: Uint32Array;
}

export function runJob(job: HashJob, kernel: KeccakKernel, deriver: SaltDeriver | undefined): void {
  if (job.kind === "leaves") hashLeafRange(kernel, deriver, job.batch, job.from, job.to);
  else if (job.kind === "sort")
    sortKeysInto(job.keys, job.stride, job.keyBytes, job.count, job.perm, job.top);
  else buildGroup(job, kernel);
}
