import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { LeafBatch } from "./leaves";
import type { Level, LevelSource } from "./levels";

/** A job for a hashing worker. Typed arrays must be backed by SharedArrayBuffers. */
export type HashJob =
  | { kind: "leaves"; batch: LeafBatch; from: number; to: number }
  | { kind: "level"; source: LevelSource; out: Level; from: number; to: number };

/**
 * Worker threads that run the hashing kernels (leaves.ts, levels.ts) over shared memory. Each
 * worker owns its own keccak kernel and salt deriver; results are written in place, so messages
 * carry only ranges.
 */
export class HashPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: Array<(w: Worker) => void> = [];
  private nextId = 0;
  private readonly readyWorkers: Array<Promise<void>> = [];

  constructor(threads: number, saltSecret: Uint8Array) {
    const file = path.join(__dirname, `worker${path.extname(__filename)}`);
    for (let i = 0; i < threads; i++) {
      // Under ts-node (tests, CLI) the worker registers ts-node itself; compiled code runs directly.
      const worker = file.endsWith(".ts")
        ? new Worker(
            `require("ts-node").register({ transpileOnly: true }); require(${JSON.stringify(file)});`,
            { eval: true, workerData: { saltSecret } },
          )
        : new Worker(file, { workerData: { saltSecret } });
      worker.unref();
      this.workers.push(worker);
      // A worker takes jobs once it has loaded (ts-node startup can take seconds).
      this.readyWorkers.push(
        new Promise<void>((resolve) =>
          worker.once("message", () => {
            this.release(worker);
            resolve();
          }),
        ),
      );
    }
  }

  /** Resolves once every worker has started. */
  async ready(): Promise<void> {
    await Promise.all(this.readyWorkers);
  }

  /** Runs `job` on an idle worker, or returns undefined if none is ready (the caller runs it). */
  tryRun(job: HashJob): Promise<void> | undefined {
    return this.idle.length > 0 ? this.run(job) : undefined;
  }

  get size(): number {
    return this.workers.length;
  }

  private acquire(): Promise<Worker> {
    const worker = this.idle.pop();
    if (worker) return Promise.resolve(worker);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }

  /** Runs `job` on the next free worker. */
  async run(job: HashJob): Promise<void> {
    const worker = await this.acquire();
    const id = this.nextId++;
    try {
      await new Promise<void>((resolve, reject) => {
        const onMessage = (msg: { id: number; error?: string }) => {
          if (msg.id !== id) return;
          cleanup();
          if (msg.error !== undefined) reject(new Error(`hash worker: ${msg.error}`));
          else resolve();
        };
        const onError = (err: Error) => {
          cleanup();
          reject(err);
        };
        const cleanup = () => {
          worker.off("message", onMessage);
          worker.off("error", onError);
        };
        worker.on("message", onMessage);
        worker.on("error", onError);
        worker.postMessage({ id, job });
      });
    } finally {
      this.release(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
