import type { Command } from "commander";
import { validateArgument } from "../../src/core/errors";
import { parseAddress } from "../../src/core/hex";
import type { Address } from "../../src/core/hex";
import type { KeyOptions } from "../../src/node/keys";
import { action, optionsOf, output } from "../cli-kit";
import { outcomeLines, sendingOptions, sendPlannedCall } from "../sending";
import type { SendingOptions } from "../sending";
import { keyOptions, networkLabel, openRegistryToSend, registryOption } from "./common";
import type { RegistryOptions } from "./common";

type AuditorOptions = RegistryOptions & KeyOptions & SendingOptions;

export function registerAuditor(program: Command): void {
  const auditor = program
    .command("auditor")
    .description("accredit and revoke auditors (registry admin only)");

  sendingOptions(
    keyOptions(
      registryOption(
        auditor
          .command("accredit")
          .description("accredit AUDITOR under NAME; its signatures then count for subjects that list it")
          .argument("<auditor>", "auditor address")
          .argument("<name>", "auditor name, e.g. 'Alpha Audit LLP'"),
      ),
      "send",
    ),
    { safeBatch: true },
  ).action(
    action(async (auditorArg: string, name: string, _opts: unknown, command: Command) => {
      const options = optionsOf<AuditorOptions>(command);
      const address = parseAddress(auditorArg, "auditor");
      validateArgument(name.trim().length > 0, "auditor name must not be empty");
      const ctx = await openRegistryToSend(options, { kind: "admin" });
      const outcome = await sendPlannedCall(
        ctx.signer,
        {
          description: `accredit auditor ${address} as ${JSON.stringify(name)}`,
          to: ctx.address as Address,
          data: ctx.registry.interface.encodeFunctionData("accreditAuditor", [address, name]),
        },
        options,
        "accreditation",
      );
      output(
        options,
        {
          auditor: address,
          name,
          accredited: outcome.sent,
          registry: ctx.address,
          transactionHash: outcome.sent ? outcome.transactionHash : null,
          transaction: outcome,
        },
        () =>
          [
            ...(outcome.sent ? [`accredited ${address} as ${JSON.stringify(name)}`] : []),
            `registry   ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
            ...outcomeLines(outcome),
          ].join("\n"),
      );
    }),
  );

  sendingOptions(
    keyOptions(
      registryOption(
        auditor
          .command("revoke")
          .description("revoke AUDITOR; its signatures stop counting for every subject at once")
          .argument("<auditor>", "auditor address"),
      ),
      "send",
    ),
    { safeBatch: true },
  ).action(
    action(async (auditorArg: string, _opts: unknown, command: Command) => {
      const options = optionsOf<AuditorOptions>(command);
      const address = parseAddress(auditorArg, "auditor");
      const ctx = await openRegistryToSend(options, { kind: "admin" });
      const outcome = await sendPlannedCall(
        ctx.signer,
        {
          description: `revoke auditor ${address}`,
          to: ctx.address as Address,
          data: ctx.registry.interface.encodeFunctionData("revokeAuditor", [address]),
        },
        options,
        "revocation",
      );
      output(
        options,
        {
          auditor: address,
          accredited: !outcome.sent,
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
}
