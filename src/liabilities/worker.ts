import { parentPort, workerData } from "node:worker_threads";
import { runJob, type HashJob } from "./jobs";
import { keccakKernel } from "./keccak";
import { SaltDeriver } from "./salt-deriver";

// Entry point of a HashPool worker: runs the build's jobs over shared memory until terminated.
const secret = (workerData as { saltSecret: Uint8Array }).saltSecret;
const deriver = secret.length > 0 ? new SaltDeriver(secret) : undefined;
const kernel = keccakKernel();

parentPort?.postMessage({ ready: true });
parentPort?.on("message", ({ job }: { job: HashJob }) => {
  try {
    runJob(job, kernel, deriver);
    parentPort?.postMessage({});
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
