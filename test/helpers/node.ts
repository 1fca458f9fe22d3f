/**
 * One `hardhat node` for the whole test run, on a free 127.0.0.1 port, started on first use and
 * always stopped by the root after() hook below (also on process exit), even when tests fail.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import * as path from "node:path";
import { HDNodeWallet, JsonRpcProvider, Network, Wallet } from "ethers";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const START_TIMEOUT_MS = 60_000;

export interface RunningNode {
  url: string;
  provider: JsonRpcProvider;
}

let child: ChildProcess | undefined;
let running: Promise<RunningNode> | undefined;
const providers: JsonRpcProvider[] = [];

/**
 * A new provider for the shared node. ethers caches identical reads (such as the pending nonce)
 * briefly per provider, so helpers that send right after a CLI process did use a fresh one.
 */
export async function freshProvider(): Promise<JsonRpcProvider> {
  const { url } = await hardhatNode();
  const provider = new JsonRpcProvider(url, Network.from(31337), {
    staticNetwork: true,
    pollingInterval: 50,
  });
  providers.push(provider);
  return provider;
}

/** The shared node, started on the first call. */
export function hardhatNode(): Promise<RunningNode> {
  running ??= start();
  return running;
}

/** Hardhat dev account `index` as a Wallet (private key known to tests only). */
export function devWallet(index: number, provider?: JsonRpcProvider): Wallet {
  const hd = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
  return new Wallet(hd.privateKey, provider);
}

// Root hook: registered once when this module loads, runs after every test file.
after(async () => {
  for (const provider of providers.splice(0)) provider.destroy();
  if (running) {
    const node = await running.catch(() => undefined);
    node?.provider.destroy();
  }
  stop();
});
process.on("exit", stop);

function stop(): void {
  if (child && child.exitCode === null && child.pid !== undefined) child.kill("SIGTERM");
  child = undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function start(): Promise<RunningNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cli = require.resolve("hardhat/internal/cli/cli", { paths: [REPO_ROOT] });
  const proc = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: REPO_ROOT,
    env: { ...process.env, HARDHAT_NETWORK: undefined },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = proc;
  let log = "";
  proc.stdout?.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  proc.stderr?.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));

  const provider = new JsonRpcProvider(url, Network.from(31337), {
    staticNetwork: true,
    pollingInterval: 50,
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`hardhat node exited (${proc.exitCode}):\n${log}`);
    if (log.includes("Started HTTP")) {
      try {
        await provider.send("eth_chainId", []);
        return { url, provider };
      } catch {
        // not ready yet
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new Error(`hardhat node did not start within ${START_TIMEOUT_MS} ms:\n${log}`);
}
