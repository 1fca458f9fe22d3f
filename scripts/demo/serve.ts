/**
 * `npm run demo:serve`: after the demo, keep its chain and the web pages up so a person can click
 * through them. The in-process Hardhat network is served over JSON-RPC on loopback (the same server
 * `hardhat node` uses) and `npm run web` (Vite) serves the site; Ctrl-C stops both.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdtemp, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { HardhatRuntimeEnvironment, JsonRpcServer } from "hardhat/types";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import type { LiabilityProofPackage } from "../../src/liabilities";
import { formatSubjectId, PorError } from "../../src";
import { line } from "./output";

/** What the pages need from the demo: where its data is and one customer's proof. */
export interface DemoWebData {
  registry: string;
  subjectId: string;
  round: bigint;
  proof: LiabilityProofPackage;
}

/** `$name` as a TCP port, or `fallback` when unset; anything else is refused with one line. */
function portFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65_535) {
    throw new PorError(`$${name} must be a TCP port (1 to 65535), got ${JSON.stringify(text)}`);
  }
  return port;
}

/** Where demo:serve serves the chain and the pages: $POR_DEMO_RPC_PORT (8545), $POR_DEMO_WEB_PORT (5173). */
const rpcPort = () => portFromEnv("POR_DEMO_RPC_PORT", 8545);
const webPort = () => portFromEnv("POR_DEMO_WEB_PORT", 5173);

/** Whether the demo was started as `npm run demo:serve`. */
export function serveRequested(): boolean {
  return process.env.POR_DEMO_SERVE === "1";
}

/** The URLs of both pages against the demo's data (query filled in). */
export function pageUrls(
  data: DemoWebData,
  rpcUrl: string,
  webUrl: string,
): { verify: string; dashboard: string } {
  const chain = new URLSearchParams({ rpc: rpcUrl, registry: data.registry });
  const verify = new URLSearchParams(chain);
  verify.set("subject", formatSubjectId(data.subjectId));
  verify.set("round", data.round.toString());
  return { verify: `${webUrl}/?${verify}`, dashboard: `${webUrl}/dashboard.html?${chain}` };
}

/** After a plain `npm run demo`: how to see the same data in the browser. */
export function printWebHint(): void {
  process.stdout.write(
    "\nSee it in a browser: `npm run demo:serve` runs this demo, then keeps its chain on\n" +
      `http://127.0.0.1:${rpcPort()} and the web pages on http://127.0.0.1:${webPort()} (verify page and dashboard,\n` +
      "links printed with the registry, subject and round filled in). Hosting the site: docs/web.md.\n",
  );
}

/**
 * Refuses, before the demo runs, when a port it will serve on is taken: Hardhat's JSON-RPC server
 * reports that only as an unhandled error event, after every scene has run.
 */
export async function requireServePortsFree(): Promise<void> {
  for (const [port, what] of [
    [rpcPort(), "the demo chain"],
    [webPort(), "the web pages"],
  ] as const) {
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          new PorError(`cannot serve ${what} on 127.0.0.1:${port}`, {
            details: `${error.code ?? error.message}: is a node or a dev server already running there?`,
          }),
        ),
      );
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
    });
  }
}

/** Serves the demo's chain and the site until Ctrl-C. */
export async function serveDemo(hre: HardhatRuntimeEnvironment, data: DemoWebData): Promise<void> {
  const server: JsonRpcServer = await hre.run(TASK_NODE_CREATE_SERVER, {
    hostname: "127.0.0.1",
    port: rpcPort(),
    provider: hre.network.provider,
  });
  const { port } = await server.listen();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const proofDir = await mkdtemp(path.join(os.tmpdir(), "por-demo-proof-"));
  const proofFile = path.join(proofDir, `${data.proof.accountId}.proof.json`);
  await writeFile(proofFile, `${JSON.stringify(data.proof, null, 2)}\n`);

  const vite = spawn(
    process.execPath,
    [
      path.join(hre.config.paths.root, "node_modules", "vite", "bin", "vite.js"),
      "--config",
      path.join(hre.config.paths.root, "web", "vite.config.mts"),
      "--port",
      String(webPort()),
      "--strictPort",
      "--clearScreen",
      "false",
      "--logLevel",
      "warn",
    ],
    { stdio: "inherit" },
  );
  const urls = pageUrls(data, rpcUrl, `http://127.0.0.1:${webPort()}`);
  process.stdout.write("\n== Web pages against this demo's data (Ctrl-C stops) ==========================\n");
  line("chain (RPC)", rpcUrl);
  line("verify page", urls.verify);
  line("proof file", `${proofFile} (drop it on the verify page)`);
  line("dashboard", urls.dashboard);

  const stop = new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
    vite.once("exit", (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`the web server stopped (exit ${code})\n`);
      resolve();
    });
  });
  await stop;
  vite.kill("SIGTERM");
  await server.close();
}
