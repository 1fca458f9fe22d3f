import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { HashJob } from "./jobs";

/**
 * Worker threads that run the build's jobs (jobs.ts: leaf hashing, sorts, groups of levels) over
 * shared memory. Each worker owns its own keccak kernel and salt deriver; results are written in
 * place (or to the tree file, positionally), so messages carry only ranges.
 */
export class HashPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ job: HashJob; resolve: () => void; reject: (err: Error) => void }> = [];
  private readonly pending = new Map<Worker, { resolve: () => void; reject: (err: Error) => void }>();
  private started = 0;
  private readonly readyWorkers: Array<Promise<void>> = [];

  constructor(threads: number, saltSecret: Uint8Array) {
    const file = path.join(__dirname, `worker${path.extname(__filename)}`);
    const sources = file.endsWith(".ts") ? transpiledSources() : undefined;
    for (let i = 0; i < threads; i++) {
      // Compiled code runs directly. Under ts-node (CLI, tests) the worker gets this directory's
      // modules already transpiled by the main thread: loading TypeScript in each worker would cost
      // seconds of CPU, more than hashing 100k accounts. Hence no inherited `-r ts-node/register`
      // either (execArgv), which would load it all the same.
      const worker = sources
        ? new Worker(WORKER_BOOT, { eval: true, workerData: { saltSecret, sources, file }, execArgv: [] })
        : new Worker(file, { workerData: { saltSecret } });
      worker.unref();
      this.workers.push(worker);
      // A worker takes jobs once it has loaded (ts-node startup can take seconds).
      const ready = new Promise<void>((resolve, reject) => {
        worker.once("message", () => {
          this.started++;
          worker.on("message", (msg: { error?: string }) => this.finished(worker, msg.error));
          this.release(worker);
          resolve();
        });
        // A worker that dies while loading must fail the build, not leave it waiting forever.
        worker.once("error", reject);
      });
      ready.catch(() => undefined); // observed through ready() or died(); never unhandled
      this.readyWorkers.push(ready);
      worker.on("error", (err: Error) => this.died(worker, err));
    }
  }

  /** Resolves once every worker has started. */
  async ready(): Promise<void> {
    await Promise.all(this.readyWorkers);
  }

  /** Whether at least one worker has started (until then, the caller may do the work itself). */
  get anyStarted(): boolean {
    return this.started > 0;
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Runs `job` on the next free worker. Posted synchronously when a worker is idle, else queued:
   * a caller dispatching many jobs from one synchronous loop keeps every worker busy (an
   * `await` before posting would hold every job back until the loop yields).
   */
  run(job: HashJob): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const worker = this.idle.pop();
      if (worker) this.post(worker, { job, resolve, reject });
      else this.queue.push({ job, resolve, reject });
    });
  }

  private post(
    worker: Worker,
    task: { job: HashJob; resolve: () => void; reject: (err: Error) => void },
  ): void {
    this.pending.set(worker, task);
    worker.postMessage({ job: task.job });
  }

  private finished(worker: Worker, error: string | undefined): void {
    const task = this.pending.get(worker);
    this.pending.delete(worker);
    this.release(worker);
    if (error !== undefined) task?.reject(new Error(`hash worker: ${error}`));
    else task?.resolve();
  }

  /** Fails the dead worker's job and, once no worker is left, every queued one. */
  private died(worker: Worker, err: Error): void {
    const task = this.pending.get(worker);
    this.pending.delete(worker);
    task?.reject(err);
    this.workers.splice(this.workers.indexOf(worker), 1);
    const idleAt = this.idle.indexOf(worker);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    if (this.workers.length === 0) for (const queued of this.queue.splice(0)) queued.reject(err);
  }

  private release(worker: Worker): void {
    const next = this.queue.shift();
    if (next) this.post(worker, next);
    else this.idle.push(worker);
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

/** The part of @swc/core used here (an optional dependency of ts-node's SWC mode). */
interface SwcCore {
  transformSync(code: string, options: object): { code: string };
}

/** CommonJS transpilations of src/liabilities/*.ts and src/core/errors.ts, by absolute file name. */
function transpiledSources(): Record<string, string> {
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(__dirname, f));
  files.push(path.join(__dirname, "..", "core", "errors.ts"));
  const sources: Record<string, string> = {};
  // @swc/core (what the CLI's ts-node uses) transpiles these files in ~20 ms; typescript's
  // transpileModule took ~1.6 s of the main thread at every build, before any worker could start.
  let swc: SwcCore | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    swc = require("@swc/core") as SwcCore;
  } catch {
    swc = undefined;
  }
  if (swc) {
    for (const file of files) {
      sources[file] = swc.transformSync(readFileSync(file, "utf8"), {
        filename: file,
        jsc: { target: "es2022", parser: { syntax: "typescript" } },
        module: { type: "commonjs" },
      }).code;
    }
    return sources;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof import("typescript");
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
