import { readFileSync, readdirSync } from "node:fs";
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
    const sources = file.endsWith(".ts") ? transpiledSources() : undefined;
    for (let i = 0; i < threads; i++) {
      // Compiled code runs directly. Under ts-node (CLI, tests) the worker gets this directory's
      // modules already transpiled by the main thread: loading TypeScript in each worker would cost
      // seconds of CPU, more than hashing 100k accounts.
      const worker = sources
        ? new Worker(WORKER_BOOT, { eval: true, workerData: { saltSecret, sources, file } })
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

/** Runs `file` with `.ts` modules taken from the transpiled `sources` passed in workerData. */
const WORKER_BOOT = `
const Module = require("node:module");
const { workerData } = require("node:worker_threads");
Module._extensions[".ts"] = (module, filename) => {
  const code = workerData.sources[filename];
  if (code === undefined) throw new Error("hash worker: no transpiled source for " + filename);
  module._compile(code, filename);
};
require(workerData.file);
`;

/** CommonJS transpilations of src/liabilities/*.ts and src/errors.ts, by absolute file name. */
function transpiledSources(): Record<string, string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof import("typescript");
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(__dirname, f));
  files.push(path.join(__dirname, "..", "errors.ts"));
  const sources: Record<string, string> = {};
  for (const file of files) {
    sources[file] = ts.transpileModule(readFileSync(file, "utf8"), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    }).outputText;
  }
  return sources;
}
