import type { Command } from "commander";
import { InvalidArgumentError } from "../../src/errors";
import { parseAddress } from "../../src/hex";
import type { KeyOptions } from "../../src/keys";
import { call } from "../../src/registry-client";
import { listReserveAssets, readTokenMetadata } from "../../src/reserve-assets";
import type { TokenMetadata } from "../../src/reserve-assets";
import { action, optionsOf, output } from "../cli-kit";
import { keyOptions, networkLabel, openRegistry, openRegistryForSending, registryOption } from "./common";
import type { RegistryOptions } from "./common";

type AssetOptions = RegistryOptions & KeyOptions;

export function registerAsset(program: Command): void {
  const asset = program
    .command("asset")
    .description("approve and revoke reserve assets (registry admin only), list the approved ones")
    .addHelpText(
      "after",
      "\nSubjects may only name an approved reserve asset, and reserve wallet balances of a revoked one\n" +
        "stop counting at once (their live reserves read 0 and collateralization is not fresh).",
    );

  keyOptions(
    registryOption(
      asset
        .command("approve")
        .description("approve ASSET (an ERC20 on this chain) as a reserve asset subjects may name")
        .argument("<asset>", "reserve asset (ERC20) address"),
    ),
    "send",
  ).action(
    action(async (assetArg: string, _opts: unknown, command: Command) => {
      const options = optionsOf<AssetOptions>(command);
      const address = parseAddress(assetArg, "asset");
      const ctx = await openRegistryForSending(options);
      const tx = await call("approval refused", () => ctx.registry.approveReserveAsset(address));
      await call("approval failed", () => tx.wait());
      const metadata = await readTokenMetadata(ctx.signer, address);
      output(
        options,
        { asset: address, ...metadata, approved: true, registry: ctx.address, transactionHash: tx.hash },
        () =>
          [
            `approved   ${address} (${describeToken(metadata)})`,
            `registry   ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
            `tx         ${tx.hash}`,
          ].join("\n"),
      );
    }),
  );

  keyOptions(
    registryOption(
      asset
        .command("revoke")
        .description(
          "revoke ASSET; wallet balances of it stop counting as reserves for every subject at once",
        )
        .argument("<asset>", "reserve asset (ERC20) address"),
    ),
    "send",
  ).action(
    action(async (assetArg: string, _opts: unknown, command: Command) => {
      const options = optionsOf<AssetOptions>(command);
      const address = parseAddress(assetArg, "asset");
      const ctx = await openRegistryForSending(options);
      const tx = await call("revocation refused", () => ctx.registry.revokeReserveAsset(address));
      await call("revocation failed", () => tx.wait());
      output(
        options,
        { asset: address, approved: false, registry: ctx.address, transactionHash: tx.hash },
        () =>
          [
            `revoked    ${address}`,
            `registry   ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
            `tx         ${tx.hash}`,
          ].join("\n"),
      );
    }),
  );

  registryOption(
    asset
      .command("list")
      .description("list the approved reserve assets with their symbol and decimals")
      .option(
        "--from-block <n>",
        "first block to read approval events from: 0 (default) or at most the registry's deployment block",
      ),
  ).action(
    action(async (_opts: unknown, command: Command) => {
      const options = optionsOf<RegistryOptions & { fromBlock?: string }>(command);
      const fromBlock = parseBlock(options.fromBlock);
      const ctx = await openRegistry(options);
      const assets = await listReserveAssets(ctx.registry, { fromBlock });
      output(
        options,
        {
          registry: ctx.address,
          assets: assets.map(({ address, symbol, decimals, approvedAtBlock, approvedInTx }) => ({
            asset: address,
            symbol,
            decimals,
            approvedAtBlock,
            approvedInTx,
          })),
        },
        () => {
          const title = `approved reserve assets in ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`;
          if (assets.length === 0) return `${title}\n  none`;
          const width = Math.max(...assets.map((a) => (a.symbol ?? "?").length));
          return [
            title,
            ...assets.map(
              (a) =>
                `  ${a.address}  ${(a.symbol ?? "?").padEnd(width)}  ${a.decimals ?? "?"} decimals  approved in block ${a.approvedAtBlock}`,
            ),
          ].join("\n");
        },
      );
    }),
  );
}

/** "USDO, 8 decimals", with "?" for what the token does not answer. */
function describeToken(metadata: TokenMetadata): string {
  return `${metadata.symbol ?? "?"}, ${metadata.decimals ?? "?"} decimals`;
}

function parseBlock(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError(`--from-block must be a block number, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}
