import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { InvalidArgumentError } from "../src/errors";
import type { GlobalOptions } from "./cli-kit";

/** Ignition module id and future id under which `por deploy` records the registry. */
export const REGISTRY_FUTURE_ID = "ReserveRegistryModule#ReserveRegistry";

/**
 * Loads Hardhat on the network picked with --network (default: the in-process `hardhat` network).
 * Hardhat is loaded lazily so commands that need no chain (liabilities build…) start fast.
 */
export async function connect(options: GlobalOptions): Promise<HardhatRuntimeEnvironment> {
  process.env.HARDHAT_NETWORK = options.network ?? "hardhat";
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hre = require("hardhat") as HardhatRuntimeEnvironment;
  return hre;
}

/**
 * The registry address to use: --registry, else $POR_REGISTRY, else the address `por deploy`
 * recorded for this chain in deploy/deployments/chain-<id>/deployed_addresses.json.
 */
export async function resolveRegistryAddress(
  hre: HardhatRuntimeEnvironment,
  explicit: string | undefined,
): Promise<string> {
  const candidate = explicit ?? process.env.POR_REGISTRY;
  if (candidate !== undefined) {
    if (!hre.ethers.isAddress(candidate)) throw new InvalidArgumentError(`not an address: ${candidate}`);
    return hre.ethers.getAddress(candidate);
  }
  const { chainId } = await hre.ethers.provider.getNetwork();
  const file = path.join(
    hre.config.paths.ignition,
    "deployments",
    `chain-${chainId}`,
    "deployed_addresses.json",
  );
  let recorded: Record<string, string>;
  try {
    recorded = JSON.parse(await fs.readFile(file, "utf8")) as Record<string, string>;
  } catch {
    throw new InvalidArgumentError(`no registry deployed on chain ${chainId}`, {
      details: "pass --registry ADDRESS, set POR_REGISTRY, or run `por deploy` first",
    });
  }
  const address = recorded[REGISTRY_FUTURE_ID];
  if (address === undefined) throw new InvalidArgumentError(`${file} records no ${REGISTRY_FUTURE_ID}`);
  return address;
}
