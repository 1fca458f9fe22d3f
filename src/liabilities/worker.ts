import { parentPort, workerData } from "node:worker_threads";
import { keccakKernel } from "./keccak";
import { hashLeafRange } from "./leaves";
import { hashLevelRange } from "./levels";
import type { HashJob } from "./pool";
import { SaltDeriver } from "./salt-deriver";

// Entry point of a HashPool worker: runs hashing jobs over shared memory until terminated.
const secret = (workerData as { saltSecret: Uint8Array }).saltSecret;
const deriver = secret.length > 0 ? new SaltDeriver(secret) : undefined;
const kernel = keccakKernel();

parentPort?.postMessage({ ready: true });
parentPort?.on("message", ({ job }: { job: HashJob }) => {
  try {
    if (job.kind === "leaves") hashLeafRange(kernel, deriver, job.batch, job.from, job.to);
    else hashLevelRange(kernel, job.source, job.out, job.from, job.to);
    parentPort?.postMessage({});
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
