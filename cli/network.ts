import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Wallet } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ChainError, InvalidArgumentError, KeyError } from "../src/core/errors";
import { PRIVATE_KEY_ENV } from "../src/node/keys";
import { checkChainId, findEnvNetwork, resolveNetworkName } from "../src/chain/networks";
import type { EnvNetwork } from "../src/chain/networks";
import type { GlobalOptions } from "./cli-kit";

/** Ignition module id and future id under which `por deploy` records the registry. */
export const REGISTRY_FUTURE_ID = "ReserveRegistryModule#ReserveRegistry";

/** The in-process network every one-shot command gets by default. */
export const IN_PROCESS_NETWORK = "hardhat";

/** Balance given to a configured key on the in-process network (10,000 ETH). */
const IN_PROCESS_BALANCE = (10n ** 22n).toString();

/**
 * Loads Hardhat on the network picked with --network (default: the in-process `hardhat` network):
 * hardhat, localhost, or one the environment defines (POR_RPC_URL_<NAME>, src/chain/networks.ts), whose
 * node must answer the chain id POR_CHAIN_ID_<NAME> gives, if set.
 * Hardhat is loaded lazily so commands that need no chain (liabilities build…) start fast.
 *
 * `wallet`, when given, becomes the network's only account before the provider is created, so
 * ethers signers and Ignition both send from it (on the in-process network it is funded).
 * $POR_IGNITION_DIR, when set, replaces paths.ignition (where deployments are recorded).
 */
export async function connect(
  options: GlobalOptions,
  wallet?: Wallet | null,
): Promise<HardhatRuntimeEnvironment> {
  // hardhat, localhost, or a network of the environment (POR_RPC_URL_<NAME>), in any case.
  const networkName = resolveNetworkName(options.network ?? IN_PROCESS_NETWORK);
  const fromEnv = findEnvNetwork(networkName);
  process.env.HARDHAT_NETWORK = networkName;
  // Found from this file, not the working directory, so `por` works from anywhere.
  process.env.HARDHAT_CONFIG ??= path.join(__dirname, "hardhat.config.ts");
  let hre: HardhatRuntimeEnvironment;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    hre = require("hardhat") as HardhatRuntimeEnvironment;
  } catch (err) {
    if (err instanceof Error && err.name === "HardhatError" && /network/i.test(err.message)) {
      throw new InvalidArgumentError(`unknown network ${networkName}`, { cause: err });
    }
    throw err;
  }
  if (process.env.POR_IGNITION_DIR) hre.config.paths.ignition = path.resolve(process.env.POR_IGNITION_DIR);
  const netConfig = hre.network.config as { accounts: unknown; url?: string };
  if (wallet) {
    netConfig.accounts =
      networkName === IN_PROCESS_NETWORK
        ? [{ privateKey: wallet.privateKey, balance: IN_PROCESS_BALANCE }]
        : [wallet.privateKey];
  }
  if (networkName !== IN_PROCESS_NETWORK) {
    let answered: unknown;
    try {
      answered = await hre.network.provider.request({ method: "eth_chainId" });
    } catch (err) {
      // Hardhat checks the config's chainId (from POR_CHAIN_ID_<NAME>) on the first request.
      const other = wrongChainIdOf(err);
      if (fromEnv && other !== undefined) checkChainId(fromEnv, other);
      throw new ChainError(
        `cannot reach network ${networkName}${netConfig.url ? ` at ${shownUrl(netConfig.url, fromEnv)}` : ""}`,
        {
          details:
            networkName === "localhost" ? "is a node running? start one with `npx hardhat node`" : undefined,
          cause: err,
        },
      );
    }
    // Before anything is sent: a URL pointing at another chain than POR_CHAIN_ID_<NAME> says.
    if (fromEnv) checkChainId(fromEnv, BigInt(answered as string));
  }
  return hre;
}

/** The chain id a node answered, from Hardhat's HH101 error (the config's chainId differs), if it is one. */
function wrongChainIdOf(err: unknown): bigint | undefined {
  const e = err as { name?: unknown; number?: unknown; messageArguments?: { connectionChainId?: unknown } };
  const id = e?.messageArguments?.connectionChainId;
  return e?.name === "HardhatError" && e.number === 101 && typeof id === "number" ? BigInt(id) : undefined;
}

/**
 * An RPC URL for an error line: in full for localhost, else only its origin and the variable that
 * holds it, since providers' URLs often carry an API key in their path or query.
 */
function shownUrl(url: string, fromEnv: EnvNetwork | undefined): string {
  if (fromEnv === undefined) return url;
  let origin = "the URL";
  try {
    origin = new URL(url).origin;
  } catch {
    // not a URL: the variable's name says where to look
  }
  return `${origin} (${fromEnv.urlVariable})`;
}

/**
 * The account that sends transactions: the configured key (pass the same wallet to connect()),
 * else, on the in-process network only, the first Hardhat account as a convenience.
 */
export async function sender(
  hre: HardhatRuntimeEnvironment,
  wallet: Wallet | null,
): Promise<HardhatEthersSigner> {
  if (wallet) return hre.ethers.getSigner(wallet.address);
  if (hre.network.name !== IN_PROCESS_NETWORK) {
    throw new KeyError(`no key to send transactions on ${hre.network.name}`, {
      details: `set ${PRIVATE_KEY_ENV} or pass --keystore FILE`,
    });
  }
  const [first] = await hre.ethers.getSigners();
  if (!first) throw new KeyError("the in-process network has no accounts");
  return first;
}

/** Where `por deploy` records deployments for `chainId` (Ignition's deployment directory). */
export function deploymentDir(hre: HardhatRuntimeEnvironment, chainId: bigint): string {
  return path.join(hre.config.paths.ignition, "deployments", `chain-${chainId}`);
}

/**
 * The registry address to use: --registry, else $POR_REGISTRY, else the address `por deploy`
 * recorded for this chain in deploy/deployments/chain-<id>/deployed_addresses.json (the path
 * Hardhat Ignition writes with paths.ignition = "deploy"). The in-process network starts empty
 * for every command, so it never uses a record. Checks that a contract is deployed there.
 */
export async function resolveRegistryAddress(
  hre: HardhatRuntimeEnvironment,
  explicit: string | undefined,
): Promise<string> {
  const candidate = explicit ?? process.env.POR_REGISTRY;
  // Where the address came from, so an error about it says so (a stale $POR_REGISTRY is easy to forget).
  const source = explicit !== undefined ? "--registry" : "$POR_REGISTRY";
  let address: string;
  let stale = "";
  if (candidate !== undefined) {
    if (!hre.ethers.isAddress(candidate))
      throw new InvalidArgumentError(`${source} is not an address: ${candidate}`);
    address = hre.ethers.getAddress(candidate);
    if (explicit === undefined) stale = " (taken from $POR_REGISTRY; pass --registry or unset it)";
  } else {
    if (hre.network.name === IN_PROCESS_NETWORK) {
      throw new InvalidArgumentError("no registry on the in-process network", {
        details: "it starts empty for every command; run `por deploy --network localhost` against a node",
      });
    }
    const { chainId } = await hre.ethers.provider.getNetwork();
    const file = path.join(deploymentDir(hre, chainId), "deployed_addresses.json");
    let recorded: Record<string, string>;
    try {
      recorded = JSON.parse(await fs.readFile(file, "utf8")) as Record<string, string>;
    } catch {
      throw new InvalidArgumentError(`no registry deployed on chain ${chainId}`, {
        details: "pass --registry ADDRESS, set POR_REGISTRY, or run `por deploy` first",
      });
    }
    const found = recorded[REGISTRY_FUTURE_ID];
    if (found === undefined) throw new InvalidArgumentError(`${file} records no ${REGISTRY_FUTURE_ID}`);
    address = found;
    stale = ` (recorded in ${file}; if the node was restarted, run \`por deploy --reset\`)`;
  }
  if ((await hre.ethers.provider.getCode(address)) === "0x") {
    throw new ChainError(`no contract at ${address} on ${hre.network.name}${stale}`);
  }
  return address;
}
