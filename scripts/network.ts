import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Wallet } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ChainError, InvalidArgumentError, KeyError } from "../src/errors";
import { PRIVATE_KEY_ENV } from "../src/keys";
import type { GlobalOptions } from "./cli-kit";

/** Ignition module id and future id under which `por deploy` records the registry. */
export const REGISTRY_FUTURE_ID = "ReserveRegistryModule#ReserveRegistry";

/** The in-process network every one-shot command gets by default. */
export const IN_PROCESS_NETWORK = "hardhat";

/** Balance given to a configured key on the in-process network (10,000 ETH). */
const IN_PROCESS_BALANCE = (10n ** 22n).toString();

/**
 * Loads Hardhat on the network picked with --network (default: the in-process `hardhat` network).
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
  const networkName = options.network ?? IN_PROCESS_NETWORK;
  process.env.HARDHAT_NETWORK = networkName;
  // Found from this file, not the working directory, so `por` works from anywhere.
  process.env.HARDHAT_CONFIG ??= path.join(__dirname, "..", "hardhat.config.ts");
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
    try {
      await hre.network.provider.request({ method: "eth_chainId" });
    } catch (err) {
      throw new ChainError(
        `cannot reach network ${networkName}${netConfig.url ? ` at ${netConfig.url}` : ""}`,
        {
          details:
            networkName === "localhost" ? "is a node running? start one with `npx hardhat node`" : undefined,
          cause: err,
        },
      );
    }
  }
  return hre;
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
  let address: string;
  let stale = "";
  if (candidate !== undefined) {
    if (!hre.ethers.isAddress(candidate)) throw new InvalidArgumentError(`not an address: ${candidate}`);
    address = hre.ethers.getAddress(candidate);
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
