/**
 * One `hardhat node` for the whole test run, on a free 127.0.0.1 port, started on first use and
 * always stopped by the root after() hook below (also on process exit), even when tests fail.
 */
import { JsonRpcProvider, Network } from "ethers";
import { type HardhatNode, startHardhatNode } from "./hardhat-node";

export { devWallet, REPO_ROOT } from "./hardhat-node";

export interface RunningNode {
  url: string;
  provider: JsonRpcProvider;
}

let node: HardhatNode | undefined;
let running: Promise<RunningNode> | undefined;
const providers: JsonRpcProvider[] = [];

/**
 * A new provider for the shared node. ethers caches identical reads (such as the pending nonce)
 * briefly per provider, so helpers that send right after a CLI process did use a fresh one.
 */
export async function freshProvider(): Promise<JsonRpcProvider> {
  const { url } = await hardhatNode();
  const provider = connectTo(url);
  providers.push(provider);
  return provider;
}

/** The shared node, started on the first call. */
export function hardhatNode(): Promise<RunningNode> {
  running ??= startHardhatNode(31337).then((started) => {
    node = started;
    return { url: started.url, provider: connectTo(started.url) };
  });
  return running;
}

function connectTo(url: string): JsonRpcProvider {
  return new JsonRpcProvider(url, Network.from(31337), { staticNetwork: true, pollingInterval: 50 });
}

// Root hook: registered once when this module loads, runs after every test file.
after(async () => {
  for (const provider of providers.splice(0)) provider.destroy();
  if (running) {
    const shared = await running.catch(() => undefined);
    shared?.provider.destroy();
  }
  await node?.stop();
});
process.on("exit", () => node?.kill());
