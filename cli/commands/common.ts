import type { Command } from "commander";
import { getAddress, VoidSigner, ZeroAddress } from "ethers";
import type { Signer, Wallet } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ReserveRegistry } from "../../typechain-types";
import { ReserveRegistry__factory } from "../../typechain-types/factories/contracts/ReserveRegistry__factory";
import { InvalidArgumentError } from "../../src/core/errors";
import { parseAddress } from "../../src/core/hex";
import type { Address, Hex32 } from "../../src/core/hex";
import { loadWallet } from "../../src/node/keys";
import type { KeyOptions } from "../../src/node/keys";
import { call } from "../../src/chain/registry-client";
import { formatSubjectId } from "../../src/core/subject-id";
import { connect, resolveRegistryAddress, sender } from "../network";
import type { GlobalOptions } from "../cli-kit";
import { checkSendingOptions } from "../sending";
import type { SendingOptions } from "../sending";

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

/**
 * The account the registry requires for a command's call: what --safe-tx simulates from when
 * --safe is not given (the registry admin, a subject's owner, the account a subject was offered
 * to), or "anyone" when any account may make it (then --safe is required with --safe-tx).
 */
export type RequiredSender =
  | { kind: "admin" }
  | { kind: "subject-owner"; subjectId: Hex32 }
  | { kind: "pending-owner"; subjectId: Hex32 }
  | { kind: "anyone" };

/** A signer that knows its address: a key's, or the Safe's (a VoidSigner) with --safe-tx. */
export type SendingSigner = Signer & { readonly address: string };

/**
 * Opens the registry for a command that sends one call through the send pipeline. Normally as
 * openRegistryForSending (the configured key). With --safe-tx nothing is sent and no key is
 * needed: the registry is opened read-only and the "signer" is the Safe, --safe or else the account
 * `sender` says the registry requires, which must be a contract; sendPlannedCall then simulates
 * from it and writes the batch. Sending options are checked first, before connecting.
 */
export async function openRegistryToSend(
  options: RegistryOptions & KeyOptions & SendingOptions,
  sender: RequiredSender,
  loaded?: Wallet,
): Promise<Omit<RegistryContext, "signer"> & { signer: SendingSigner }> {
  await checkSendingOptions(options);
  if (options.safeTx === undefined) return openRegistryForSending(options, loaded);
  const ctx = await openRegistry(options);
  const safe =
    options.safe !== undefined
      ? parseAddress(options.safe, "--safe")
      : await requiredSenderAddress(ctx.registry, sender);
  if ((await call("reading the Safe", () => ctx.hre.ethers.provider.getCode(safe))) === "0x") {
    throw new InvalidArgumentError(
      `${safe} is not a contract on ${ctx.hre.network.name}: --safe-tx writes a batch for a Safe to execute`,
      {
        details: options.safe === undefined ? "pass --safe SAFE, or send with the account's key" : undefined,
      },
    );
  }
  const signer = new VoidSigner(safe, ctx.hre.ethers.provider);
  return { ...ctx, signer, registry: ReserveRegistry__factory.connect(ctx.address, signer) };
}

async function requiredSenderAddress(registry: ReserveRegistry, sender: RequiredSender): Promise<Address> {
  switch (sender.kind) {
    case "admin":
      return getAddress(await call("reading the registry admin", () => registry.defaultAdmin())) as Address;
    case "subject-owner": {
      const [, owner] = await call("reading subject", () => registry.subject(sender.subjectId));
      return getAddress(owner) as Address;
    }
    case "pending-owner": {
      const pending = await call("reading subject", () => registry.pendingSubjectOwner(sender.subjectId));
      if (pending === ZeroAddress) {
        throw new InvalidArgumentError(
          `subject ${formatSubjectId(sender.subjectId)} is offered to no one: nothing to accept`,
        );
      }
      return getAddress(pending) as Address;
    }
    case "anyone":
      throw new InvalidArgumentError(
        "--safe-tx needs --safe SAFE here: any account may make this call, so name the Safe that will",
      );
  }
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
