import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import * as path from "node:path";
import { HDNodeWallet, type Provider, Wallet } from "ethers";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** A `hardhat node` child process on a loopback port, for tests that need a real RPC endpoint. */
export interface HardhatNode {
  url: string;
  chainId: number;
  /** Stops the node and waits for it to exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Kills the node at once, for process-exit handlers that cannot wait. */
  kill(): void;
}

/** A free TCP port on 127.0.0.1, picked by the OS. */
export function freePort(): Promise<number> {
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

/**
 * Starts `hardhat node` on 127.0.0.1 with `chainId`, resolving once it answers eth_chainId.
 * The caller must call stop() (in an after hook) so the process never outlives the tests.
 */
export async function startHardhatNode(chainId = 31337, timeoutMs = 60_000): Promise<HardhatNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      require.resolve("hardhat/internal/cli/cli.js"),
      "node",
      "--hostname",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, POR_HARDHAT_CHAIN_ID: String(chainId) },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited early: ${stderr}`);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      const { result } = (await response.json()) as { result: string };
      if (Number(result) === chainId) return { url, chainId, stop, kill: () => void child.kill("SIGKILL") };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`hardhat node did not start within ${timeoutMs} ms: ${stderr}`);
}

/** Hardhat's public development mnemonic: every `hardhat node` funds its first 20 accounts. */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Development account `index` of a hardhat node (a well-known public test key, never a secret). */
export function devWallet(index: number, provider?: Provider): Wallet {
  const node = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
  return new Wallet(node.privateKey, provider);
}
