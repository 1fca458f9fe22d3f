import type { Command } from "commander";
import { ZeroAddress } from "ethers";
import { DEFAULT_SALT_LABEL, saltOfLabel } from "../../src/chain/create2";
import {
  checkTokenForSubject,
  readSubjectTokenState,
  SUBJECT_CONTRACTS,
  subjectModuleId,
} from "../../src/chain/deployments";
import { ChainError, InvalidArgumentError, validateArgument } from "../../src/core/errors";
import { parseAddress } from "../../src/core/hex";
import type { KeyOptions } from "../../src/node/keys";
import { parseDecimals } from "../../src/liabilities";
import { formatSubjectId, parseSubjectId } from "../../src/core/subject-id";
import { parseDuration } from "../../src/core/time";
import { action, optionsOf, output } from "../cli-kit";
import { create2AddressOf, deployThroughCreate2 } from "../ignition";
import type { Create2Options, Create2Spec } from "../ignition";
import { keyOptions, openRegistryForSending, registryOption } from "./common";
import type { RegistryOptions } from "./common";
import { create2Json, create2Lines, create2Options, headline } from "./deploy";

interface TokenDeployOptions extends RegistryOptions, KeyOptions, Create2Options {
  subject: string;
  name: string;
  symbol: string;
  decimals?: string;
  admin?: string;
  sequencerFeed?: string;
  gracePeriod?: string;
}

export function registerToken(program: Command): void {
  const token = program.command("token").description("a subject's secure-mint token (ReserveBackedToken)");

  create2Options(
    keyOptions(
      registryOption(
        token
          .command("deploy")
          .description(
            "deploy a secure-mint token for a subject (mints only while fresh reserves cover the supply) and record its address",
          )
          .requiredOption("--subject <id>", "registered subject id (text such as USDX, or 32-byte hex)")
          .requiredOption("--name <name>", "ERC20 name, e.g. 'USDX Stablecoin'")
          .requiredOption("--symbol <symbol>", "ERC20 symbol, e.g. USDX")
          .option("--decimals <n>", "ERC20 decimals: must be the subject's (default: the subject's)")
          .option(
            "--admin <address>",
            "account given the admin role, which grants MINTER_ROLE (default: the deployer)",
          )
          .option(
            "--sequencer-feed <address>",
            "on a rollup: Chainlink's L2 sequencer uptime feed; minting waits while the sequencer is down",
          )
          .option(
            "--grace-period <seconds>",
            "with --sequencer-feed: how long the sequencer must be back up before minting resumes (3600, 1h…)",
          )
          .addHelpText(
            "after",
            "\nThe subject must then name the token (`por subject update ID --token ADDRESS`, by its owner)" +
              "\nbefore its first round or reserve wallet: the registry freezes the token after that. The address" +
              "\n(--dry-run prints it) depends on every constructor argument, not on the deployer: a sequencer" +
              "\nfeed, different on each rollup, makes it chain-specific.",
          ),
      ),
      "send",
    ),
  ).action(
    action(async (_opts: TokenDeployOptions, command: Command) => {
      const options = optionsOf<TokenDeployOptions>(command);
      const subjectId = parseSubjectId(options.subject);
      validateArgument(options.name.trim().length > 0, "--name must not be empty");
      validateArgument(options.symbol.trim().length > 0, "--symbol must not be empty");
      const decimals = options.decimals === undefined ? undefined : parseDecimals(options.decimals);
      const admin = options.admin === undefined ? undefined : parseAddress(options.admin, "--admin");
      const sequencer = parseSequencer(options);
      const ctx = await openRegistryForSending(options);
      const what = "token deploy refused";
      if (
        sequencer.feed !== ZeroAddress &&
        (await ctx.hre.ethers.provider.getCode(sequencer.feed)) === "0x"
      ) {
        throw new ChainError(`${what}: --sequencer-feed ${sequencer.feed} has no code on this chain`);
      }
      const subject = await readSubjectTokenState(ctx.registry, subjectId, what);
      const tokenDecimals = decimals ?? subject.decimals;
      const adminAddress = admin ?? ctx.signer.address;
      const contractName = SUBJECT_CONTRACTS.token;
      const moduleId = subjectModuleId(contractName, subjectId);
      const { reserveBackedTokenModule } = await import("../../deploy/ReserveBackedToken");
      const args = [
        options.name,
        options.symbol,
        tokenDecimals,
        ctx.address,
        subjectId,
        adminAddress,
        sequencer.feed,
        sequencer.graceSeconds,
      ] as const;
      const id = formatSubjectId(subjectId);
      const spec: Create2Spec = {
        contractName,
        moduleId,
        module: reserveBackedTokenModule(moduleId),
        parameters: {
          name: options.name,
          symbol: options.symbol,
          decimals: tokenDecimals,
          registry: ctx.address,
          subjectId,
          admin: adminAddress,
          sequencerUptimeFeed: sequencer.feed,
          sequencerGracePeriodSeconds: sequencer.graceSeconds,
        },
        constructorArgs: args,
        salt: saltOfLabel(DEFAULT_SALT_LABEL),
        description: `deploy ReserveBackedToken ${options.symbol} for subject ${id}`,
      };
      const naming = checkTokenForSubject(
        subject,
        tokenDecimals,
        await create2AddressOf(ctx.hre, ctx.signer, spec),
        what,
      );
      const result = await deployThroughCreate2(ctx.hre, ctx.signer, spec, options);
      const next =
        naming === "named"
          ? `subject ${id} already names this token`
          : `next: the owner of ${id} names it with \`por subject update ${id} --token ${result.address}\`` +
            " before its first round or reserve wallet (the registry then freezes the token)";
      output(
        options,
        {
          token: result.address,
          subject: id,
          subjectId,
          registry: ctx.address,
          name: options.name,
          symbol: options.symbol,
          decimals: tokenDecimals,
          admin: adminAddress,
          sequencerUptimeFeed: sequencer.feed === ZeroAddress ? null : sequencer.feed,
          sequencerGracePeriodSeconds: sequencer.graceSeconds,
          subjectNamesToken: naming === "named",
          ...create2Json(ctx.hre, ctx.chainId, result),
        },
        () =>
          [
            headline(ctx.hre, ctx.chainId, result),
            `token      ${options.name} (${options.symbol}), ${tokenDecimals} decimals, admin ${adminAddress}`,
            `subject    ${id}`,
            `registry   ${ctx.address}`,
            ...(sequencer.feed === ZeroAddress
              ? []
              : [`sequencer  ${sequencer.feed}, grace period ${sequencer.graceSeconds} s`]),
            ...create2Lines(ctx.hre, result),
            next,
          ].join("\n"),
      );
    }),
  );
}

/** --sequencer-feed and --grace-period go together; without them, no feed and no grace period. */
function parseSequencer(options: TokenDeployOptions): { feed: string; graceSeconds: number } {
  if (options.sequencerFeed === undefined) {
    if (options.gracePeriod !== undefined) {
      throw new InvalidArgumentError("--grace-period needs --sequencer-feed");
    }
    return { feed: ZeroAddress, graceSeconds: 0 };
  }
  if (options.gracePeriod === undefined) {
    throw new InvalidArgumentError("--sequencer-feed needs --grace-period SECONDS", {
      details: "how long the sequencer must be back up before minting resumes; Chainlink's examples use 3600",
    });
  }
  return {
    feed: parseAddress(options.sequencerFeed, "--sequencer-feed"),
    graceSeconds: parseDuration(options.gracePeriod, "--grace-period"),
  };
}
