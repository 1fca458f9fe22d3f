import {
  BrowserProvider,
  Contract,
  JsonRpcProvider,
  Network,
  type Eip1193Provider,
  type Provider,
} from "ethers";
import { abi as challengesAbi } from "../../../artifacts/contracts/LiabilityChallenges.sol/LiabilityChallenges.json";
import { abi as registryAbi } from "../../../artifacts/contracts/ReserveRegistry.sol/ReserveRegistry.json";
import type { LiabilityChallenges, ReserveRegistry } from "../../../typechain-types";

/**
 * How both pages reach a chain: an RPC URL the visitor types (remembered in this browser only) or
 * the browser's wallet (EIP-1193). Only read calls are made; nothing is signed or sent.
 */

const RPC_URL_KEY = "por.rpcUrl";

/** The RPC URL this browser remembered, or "". */
export function rememberedRpcUrl(): string {
  try {
    return localStorage.getItem(RPC_URL_KEY) ?? "";
  } catch {
    return ""; // storage disabled (private mode, file://): the visitor types it again
  }
}

export function rememberRpcUrl(url: string): void {
  try {
    if (url === "") localStorage.removeItem(RPC_URL_KEY);
    else localStorage.setItem(RPC_URL_KEY, url);
  } catch {
    // storage disabled: nothing to remember
  }
}

/** The page's query parameters (`?registry=…&subject=…&round=…&rpc=…`), "" when absent. */
export function queryParam(name: string): string {
  return new URLSearchParams(window.location.search).get(name)?.trim() ?? "";
}

/** The browser's wallet, when one is installed. */
export function injectedWallet(): Eip1193Provider | undefined {
  return (window as unknown as { ethereum?: Eip1193Provider }).ethereum;
}

/** A read-only provider for `rpcUrl` (http(s) only), refusing anything else with a clear message. */
export async function rpcProvider(rpcUrl: string): Promise<Provider> {
  let url: URL;
  try {
    url = new URL(rpcUrl);
  } catch {
    throw new Error(`RPC URL ${JSON.stringify(rpcUrl)} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`RPC URL must start with http:// or https://, got ${url.protocol}`);
  // Ask the chain id once and pin it: ethers would otherwise retry (and log) forever against a dead URL.
  let chainId: bigint;
  try {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    const body = (await response.json()) as { result?: unknown };
    if (typeof body.result !== "string") throw new Error("the answer to eth_chainId has no result");
    chainId = BigInt(body.result);
  } catch (error) {
    throw new Error(`no answer from ${rpcUrl}: ${shortError(error)}`);
  }
  return new JsonRpcProvider(rpcUrl, Network.from(chainId), { staticNetwork: true });
}

/** A provider over the browser's wallet (asks the wallet for nothing but reads). */
export function walletProvider(wallet: Eip1193Provider): Provider {
  return new BrowserProvider(wallet);
}

/** The registry at `address`, typed from the compiled ABI (no bytecode shipped). */
export function registryAt(address: string, provider: Provider): ReserveRegistry {
  return new Contract(address, registryAbi, provider) as unknown as ReserveRegistry;
}

/**
 * The registry's LiabilityChallenges (published proofs, challenges, solvency), read at `blockTag`;
 * null for a registry deployed before challenges existed (it has no `challenges()`: the call fails
 * without data). Typed from the compiled ABI, like the registry.
 */
export async function challengesOf(
  registry: ReserveRegistry,
  provider: Provider,
  blockTag?: number,
): Promise<LiabilityChallenges | null> {
  let address: string;
  try {
    address = await registry.challenges(blockTag === undefined ? {} : { blockTag });
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "CALL_EXCEPTION" || code === "BAD_DATA") return null;
    throw error;
  }
  return new Contract(address, challengesAbi, provider) as unknown as LiabilityChallenges;
}

/** Whether `address` has code on the provider's chain (a registry must). */
export async function hasCode(provider: Provider, address: string): Promise<boolean> {
  return (await provider.getCode(address)) !== "0x";
}

/** A one-line message for an error thrown by ethers or the SDK. */
export function shortError(error: unknown): string {
  if (error instanceof Error) {
    const short = (error as { shortMessage?: string }).shortMessage;
    return short ?? error.message.split("\n")[0] ?? String(error);
  }
  return String(error);
}
