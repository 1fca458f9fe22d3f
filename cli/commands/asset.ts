import type { Command } from "commander";
import { parseAddress } from "../../src/core/hex";
import type { Address } from "../../src/core/hex";
import type { KeyOptions } from "../../src/node/keys";
import { listReserveAssets, readTokenMetadata } from "../../src/backing/assets";
import type { TokenMetadata } from "../../src/backing/assets";
import { action, optionsOf, output, parseBlockOption } from "../cli-kit";
import { outcomeLines, sendingOptions, sendPlannedCall } from "../sending";
import type { SendingOptions } from "../sending";
import { keyOptions, networkLabel, openRegistry, openRegistryToSend, registryOption } from "./common";
import type { RegistryOptions } from "./common";

type AssetOptions = RegistryOptions & KeyOptions & SendingOptions;

export function registerAsset(program: Command): void {
  const asset = program
    .command("asset")
    .description("approve and revoke reserve assets (registry admin only), list the approved ones")
    .addHelpText(
      "after",
      "\nSubjects may only name an approved reserve asset, and reserve wallet balances of a revoked one\n" +
        "stop counting at once (their live reserves read 0 and collateralization is not fresh).",
    );

  sendingOptions(
    keyOptions(
      registryOption(
        asset
          .command("approve")
          .description("approve ASSET (an ERC20 on this chain) as a reserve asset subjects may name")
          .argument("<asset>", "reserve asset (ERC20) address"),
      ),
      "send",
    ),
    { safeBatch: true },
  ).action(
    action(async (assetArg: string, _opts: unknown, command: Command) => {
      const options = optionsOf<AssetOptions>(command);
      const address = parseAddress(assetArg, "asset");
      const ctx = await openRegistryToSend(options, { kind: "admin" });
      const metadata = await readTokenMetadata(ctx.hre.ethers.provider, address);
      const outcome = await sendPlannedCall(
        ctx.signer,
        {
          description: `approve reserve asset ${address} (${describeToken(metadata)})`,
          to: ctx.address as Address,
          data: ctx.registry.interface.encodeFunctionData("approveReserveAsset", [address]),
        },
        options,
        "approval",
      );
      output(
        options,
        {
          asset: address,
          ...metadata,
          approved: outcome.sent,
          registry: ctx.address,
          transactionHash: outcome.sent ? outcome.transactionHash : null,
          transaction: outcome,
        },
        () =>
          [
            ...(outcome.sent ? [`approved   ${address} (${describeToken(metadata)})`] : []),
            `registry   ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
            ...outcomeLines(outcome),
          ].join("\n"),
      );
    }),
  );

  sendingOptions(
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
    ),
    { safeBatch: true },
  ).action(
    action(async (assetArg: string, _opts: unknown, command: Command) => {
      const options = optionsOf<AssetOptions>(command);
      const address = parseAddress(assetArg, "asset");
      const ctx = await openRegistryToSend(options, { kind: "admin" });
      const outcome = await sendPlannedCall(
        ctx.signer,
        {
          description: `revoke reserve asset ${address}`,
          to: ctx.address as Address,
          data: ctx.registry.interface.encodeFunctionData("revokeReserveAsset", [address]),
        },
        options,
        "revocation",
      );
      output(
        options,
        {
          asset: address,
          approved: !outcome.sent,
          registry: ctx.address,
          transactionHash: outcome.sent ? outcome.transactionHash : null,
          transaction: outcome,
        },
        () =>
          [
            ...(outcome.sent ? [`revoked    ${address}`] : []),
            `registry   ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
            ...outcomeLines(outcome),
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
      const fromBlock =
        options.fromBlock === undefined ? undefined : parseBlockOption(options.fromBlock, "--from-block");
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
