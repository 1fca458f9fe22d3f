import type { Command } from "commander";
import { DEFAULT_SALT_LABEL, saltOfLabel } from "../../src/chain/create2";
import { FEED_KINDS, parseFeedKind, SUBJECT_CONTRACTS, subjectModuleId } from "../../src/chain/deployments";
import type { FeedKind } from "../../src/chain/deployments";
import type { KeyOptions } from "../../src/node/keys";
import { call } from "../../src/chain/registry-client";
import { formatSubjectId, parseSubjectId } from "../../src/core/subject-id";
import { action, optionsOf, output } from "../cli-kit";
import { deployThroughCreate2 } from "../ignition";
import type { Create2Options } from "../ignition";
import { keyOptions, openRegistryForSending, registryOption } from "./common";
import type { RegistryOptions } from "./common";
import { create2Json, create2Lines, create2Options, headline } from "./deploy";

interface FeedDeployOptions extends RegistryOptions, KeyOptions, Create2Options {
  subject: string;
  kind: string;
}

/** What each feed kind is, for --help and output. */
const KIND_DESCRIPTIONS: Record<FeedKind, string> = {
  reserves: "ReserveFeed: the subject's reserves (Chainlink AggregatorV3, the subject's decimals)",
  ratio: "ReserveRatioFeed: reserves / supply (Chainlink AggregatorV3, 18 decimals)",
  "address-list": "PoRAddressList: the subject's reserve wallets (Chainlink IPoRAddressList)",
};

export function registerFeed(program: Command): void {
  const feed = program.command("feed").description("a subject's Chainlink-compatible feeds");

  create2Options(
    keyOptions(
      registryOption(
        feed
          .command("deploy")
          .description("deploy one of a subject's feeds through CREATE2 and record its address")
          .requiredOption("--subject <id>", "registered subject id (text such as USDX, or 32-byte hex)")
          .requiredOption("--kind <kind>", `${FEED_KINDS.join(" | ")}`)
          .addHelpText(
            "after",
            `\nKinds:\n${FEED_KINDS.map((k) => `  ${k.padEnd(13)} ${KIND_DESCRIPTIONS[k]}`).join("\n")}` +
              "\n\nThe address depends only on the registry and the subject: the same on every chain where the" +
              "\nregistry has the same address, whoever deploys (anyone may: a feed only reads the registry)." +
              "\nRecorded as module <Contract>_<subject> in the chain's Ignition deployment (see `por deployments`).",
          ),
      ),
      "send",
    ),
  ).action(
    action(async (_opts: FeedDeployOptions, command: Command) => {
      const options = optionsOf<FeedDeployOptions>(command);
      const kind = parseFeedKind(options.kind);
      const subjectId = parseSubjectId(options.subject);
      const ctx = await openRegistryForSending(options);
      // A feed's constructor reads the subject: refused here in words rather than by the factory.
      await call("feed deploy refused", () => ctx.registry.subject(subjectId));
      const contractName = SUBJECT_CONTRACTS[kind];
      const moduleId = subjectModuleId(contractName, subjectId);
      const modules = {
        reserves: async () => (await import("../../deploy/ReserveFeed")).reserveFeedModule(moduleId),
        ratio: async () => (await import("../../deploy/ReserveRatioFeed")).reserveRatioFeedModule(moduleId),
        "address-list": async () =>
          (await import("../../deploy/PoRAddressList")).porAddressListModule(moduleId),
      };
      const subject = formatSubjectId(subjectId);
      const result = await deployThroughCreate2(
        ctx.hre,
        ctx.signer,
        {
          contractName,
          moduleId,
          module: await modules[kind](),
          parameters: { registry: ctx.address, subjectId },
          constructorArgs: [ctx.address, subjectId],
          salt: saltOfLabel(DEFAULT_SALT_LABEL),
          description: `deploy ${contractName} for subject ${subject}`,
        },
        options,
      );
      output(
        options,
        {
          feed: result.address,
          kind,
          subject,
          subjectId,
          registry: ctx.address,
          ...create2Json(ctx.hre, ctx.chainId, result),
        },
        () =>
          [
            headline(ctx.hre, ctx.chainId, result),
            `subject    ${subject}`,
            `registry   ${ctx.address}`,
            ...create2Lines(ctx.hre, result),
          ].join("\n"),
      );
    }),
  );
}
