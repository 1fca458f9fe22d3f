import type { Command } from "commander";
import type { Wallet } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ReserveRegistry } from "../../typechain-types";
import { ReserveRegistry__factory } from "../../typechain-types/factories/contracts/ReserveRegistry__factory";
import { loadWallet } from "../../src/keys";
import type { KeyOptions } from "../../src/keys";
import { connect, resolveRegistryAddress, sender } from "../network";
import type { GlobalOptions } from "../cli-kit";

/** Options of commands that talk to a registry. */
export interface RegistryOptions extends GlobalOptions {
  registry?: string;
}

/** Adds --registry. */
export function registryOption(command: Command): Command {
  return command.option(
    "--registry <address>",
    "registry address (default: $POR_REGISTRY, else the one `por deploy` recorded for this chain)",
  );
}

/** Adds --keystore and --password-file, and says where keys come from. */
export function keyOptions(command: Command, purpose: "send" | "sign"): Command {
  const fallback =
    purpose === "send"
      ? " On the in-process network with no key configured, the first Hardhat dev account sends."
      : " Signing always needs an explicit key.";
  return command
    .option("--keystore <file>", "encrypted JSON keystore holding the key (password: $POR_KEYSTORE_PASSWORD)")
    .option("--password-file <file>", "file holding the keystore password")
    .addHelpText(
      "after",
      `\nKey: $POR_PRIVATE_KEY, or --keystore FILE with $POR_KEYSTORE_PASSWORD or --password-file FILE.${fallback}`,
    );
}

/** What a command needs to read or write the registry. */
export interface RegistryContext {
  hre: HardhatRuntimeEnvironment;
  registry: ReserveRegistry;
  address: string;
  chainId: bigint;
  signer?: HardhatEthersSigner;
}

/** Connects to the network and the registry, read-only. */
export async function openRegistry(options: RegistryOptions): Promise<RegistryContext> {
  const hre = await connect(options);
  const address = await resolveRegistryAddress(hre, options.registry);
  const { chainId } = await hre.ethers.provider.getNetwork();
  return { hre, address, chainId, registry: ReserveRegistry__factory.connect(address, hre.ethers.provider) };
}

/** Connects with the configured key (or the in-process fallback) and the registry, to send. */
export async function openRegistryForSending(
  options: RegistryOptions & KeyOptions,
  loaded?: Wallet,
): Promise<RegistryContext & { signer: HardhatEthersSigner }> {
  // A key the command already loaded is reused: decrypting a keystore again costs a second of scrypt.
  const { hre, wallet } = loaded
    ? { hre: await connect(options, loaded), wallet: loaded }
    : await connectWithKey(options);
  const signer = await sender(hre, wallet);
  const address = await resolveRegistryAddress(hre, options.registry);
  const { chainId } = await hre.ethers.provider.getNetwork();
  return { hre, address, chainId, signer, registry: ReserveRegistry__factory.connect(address, signer) };
}

/** Loads the configured key (if any) and connects with it as the network's account. */
export async function connectWithKey(
  options: GlobalOptions & KeyOptions,
): Promise<{ hre: HardhatRuntimeEnvironment; wallet: Wallet | null }> {
  const wallet = await loadWallet(options);
  return { hre: await connect(options, wallet), wallet };
}

/** "localhost (chain 31337)". */
export function networkLabel(hre: HardhatRuntimeEnvironment, chainId: bigint): string {
  return `${hre.network.name} (chain ${chainId})`;
}
