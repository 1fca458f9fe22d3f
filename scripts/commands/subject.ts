import type { Command } from "commander";
import { InvalidArgumentError } from "../../src/errors";
import type { KeyOptions } from "../../src/keys";
import { call } from "../../src/registry-client";
import {
  checkSubjectConfigOnChain,
  parseSubjectConfig,
  readSubjectConfigFile,
} from "../../src/subject-config";
import type { SubjectConfigInput } from "../../src/subject-config";
import { formatSubjectId, parseSubjectId } from "../../src/subject-id";
import { formatDuration } from "../../src/time";
import { action, optionsOf, output } from "../cli-kit";
import { keyOptions, networkLabel, openRegistry, openRegistryForSending, registryOption } from "./common";
import type { RegistryOptions } from "./common";
import { describeRound, describeSubject, readStatus, statusJson } from "./status";

interface RegisterOptions extends RegistryOptions, KeyOptions {
  config?: string;
  id?: string;
  name?: string;
  decimals?: string;
  token?: string;
  reserveAsset?: string;
  heartbeat?: string;
  quorum?: string;
  auditors?: string;
}

export function registerSubject(program: Command): void {
  const subject = program.command("subject").description("register and inspect attested subjects");

  keyOptions(
    registryOption(
      subject
        .command("register")
        .description("register a subject; the sender becomes its owner")
        .option("--config <file>", 'JSON config file (format "por-subject/1"); flags override its fields')
        .option("--id <id>", "subject id: text of 1-31 bytes (e.g. USDX) or 0x-prefixed 32-byte hex")
        .option("--name <name>", 'human-readable name, e.g. "USDX / USD" (feeds append " reserves")')
        .option(
          "--decimals <n>",
          "decimals of reserves and liabilities in attestations (the token's, if any)",
        )
        .option("--token <address>", "token whose supply is the liability (default: none on this chain)")
        .option(
          "--reserve-asset <address>",
          "ERC20 holding the reserves on this chain, approved by the registry admin (default: none)",
        )
        .option("--heartbeat <duration>", "max age of a fresh attestation: seconds, or 30m, 12h, 1d, 1w")
        .option("--quorum <n>", "how many listed auditors must sign each attestation")
        .option("--auditors <list>", "comma-separated addresses of accredited auditors")
        .addHelpText(
          "after",
          '\nConfig file example:\n  {"format":"por-subject/1","id":"USDX","name":"USDX / USD","decimals":6,' +
            '\n   "heartbeat":"1d","quorum":2,"auditors":["0x…","0x…","0x…"]}' +
            "\n\nChecked before sending: a subject naming a token uses the token's decimals, and a reserve" +
            "\nasset is one the registry admin approved (`por asset list`, `por asset approve`).",
        ),
    ),
    "send",
  ).action(
    action(async (_opts: unknown, command: Command) => {
      const options = optionsOf<RegisterOptions>(command);
      const file: SubjectConfigInput & { id?: unknown } =
        options.config === undefined ? {} : await readSubjectConfigFile(options.config);
      const idInput = options.id ?? file.id;
      if (typeof idInput !== "string")
        throw new InvalidArgumentError("subject id is required (--id or config id)");
      const subjectId = parseSubjectId(idInput);
      const config = parseSubjectConfig({
        name: options.name ?? file.name,
        decimals: options.decimals ?? file.decimals,
        token: options.token ?? file.token,
        reserveAsset: options.reserveAsset ?? file.reserveAsset,
        heartbeat: options.heartbeat ?? file.heartbeat,
        quorum: options.quorum ?? file.quorum,
        auditors: options.auditors ?? file.auditors,
      });
      const ctx = await openRegistryForSending(options);
      await checkSubjectConfigOnChain(ctx.registry, config);
      const tx = await call("registration refused", () =>
        ctx.registry.registerSubject(subjectId, { ...config, heartbeat: config.heartbeatSeconds }),
      );
      await call("registration failed", () => tx.wait());
      output(
        options,
        {
          subjectId,
          label: formatSubjectId(subjectId),
          owner: ctx.signer.address,
          ...config,
          transactionHash: tx.hash,
        },
        () =>
          [
            `registered subject ${formatSubjectId(subjectId)} (${subjectId})`,
            `name       ${config.name}`,
            `owner      ${ctx.signer.address}`,
            `quorum     ${config.quorum} of ${config.auditors.length}, heartbeat ${formatDuration(config.heartbeatSeconds)}`,
            `registry   ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
            `tx         ${tx.hash}`,
          ].join("\n"),
      );
    }),
  );

  registryOption(
    subject
      .command("show")
      .description("show a subject's config, owner, auditors and latest round")
      .argument("<subject>", "subject id: text (e.g. USDX) or 0x-prefixed 32-byte hex"),
  ).action(
    action(async (subjectArg: string, _opts: unknown, command: Command) => {
      const options = optionsOf<RegistryOptions>(command);
      const subjectId = parseSubjectId(subjectArg);
      const ctx = await openRegistry(options);
      const status = await readStatus(ctx, subjectId);
      const pendingOwner = await call("reading subject", () => ctx.registry.pendingSubjectOwner(subjectId));
      output(options, { ...statusJson(status), pendingOwner }, () =>
        [describeSubject(status, ctx, pendingOwner), describeRound(status, false)].join("\n"),
      );
    }),
  );
}
