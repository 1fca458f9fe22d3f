import type { Command } from "commander";
import { ZeroAddress } from "ethers";
import { CancelledError, InvalidArgumentError } from "../../src/core/errors";
import { parseAddress } from "../../src/core/hex";
import type { Address, Hex32 } from "../../src/core/hex";
import type { KeyOptions } from "../../src/node/keys";
import { call, readSubject } from "../../src/chain/registry-client";
import type { SubjectStatus } from "../../src/chain/registry-client";
import { describeSharedAuditorOwners, findSharedAuditorOwners } from "../../src/safe/auditor-owners";
import type { SharedAuditorOwners } from "../../src/safe/auditor-owners";
import {
  checkSubjectConfigOnChain,
  overrideConfigInput,
  parseSubjectConfig,
  readSubjectConfigFile,
} from "../../src/subjects/config";
import type { SubjectConfigInput } from "../../src/subjects/config";
import { formatSubjectId, parseSubjectId } from "../../src/core/subject-id";
import {
  checkOwnershipAcceptance,
  checkOwnershipOffer,
  readSubjectOwnership,
} from "../../src/subjects/ownership";
import {
  checkSubjectUpdate,
  diffSubjectConfig,
  hasConfigFields,
  mergeSubjectConfig,
  readSubjectUpdateFacts,
  subjectConfigOf,
} from "../../src/subjects/update";
import type { SubjectConfigChange } from "../../src/subjects/update";
import { listSubjects } from "../../src/subjects/list";
import type { SubjectSummary } from "../../src/subjects/list";
import { formatDuration } from "../../src/core/time";
import { action, optionsOf, output, parseBlockOption } from "../cli-kit";
import { confirm, requireConfirmationPossible } from "../confirm";
import { outcomeLines, sendingOptions, sendPlannedCall } from "../sending";
import type { SendingOptions } from "../sending";
import { keyOptions, networkLabel, openRegistry, openRegistryToSend, registryOption } from "./common";
import type { RegistryOptions } from "./common";
import {
  backingJson,
  describeBacking,
  describeRound,
  describeSubject,
  readBacking,
  readStatus,
  statusJson,
} from "./status";

interface RegisterOptions extends RegistryOptions, KeyOptions, SendingOptions {
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

interface UpdateOptions extends Omit<RegisterOptions, "id"> {
  yes?: boolean;
}

type OwnerOptions = RegistryOptions & KeyOptions & SendingOptions;

export function registerSubject(program: Command): void {
  const subject = program
    .command("subject")
    .description("register, update, transfer and inspect attested subjects");

  sendingOptions(
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
    ),
    { safeBatch: true },
  ).action(
    action(async (_opts: unknown, command: Command) => {
      const options = optionsOf<RegisterOptions>(command);
      const file: SubjectConfigInput & { id?: unknown } =
        options.config === undefined ? {} : await readSubjectConfigFile(options.config);
      const idInput = options.id ?? file.id;
      if (typeof idInput !== "string")
        throw new InvalidArgumentError("subject id is required (--id or config id)");
      const subjectId = parseSubjectId(idInput);
      const config = parseSubjectConfig(overrideConfigInput(file, options));
      const ctx = await openRegistryToSend(options, { kind: "anyone" });
      await checkSubjectConfigOnChain(ctx.registry, config);
      const outcome = await sendPlannedCall(
        ctx.signer,
        {
          description: `register subject ${formatSubjectId(subjectId)} (${JSON.stringify(config.name)}) owned by ${ctx.signer.address}`,
          to: ctx.address as Address,
          data: ctx.registry.interface.encodeFunctionData("registerSubject", [
            subjectId,
            { ...config, heartbeat: config.heartbeatSeconds },
          ]),
        },
        options,
        "registration",
      );
      output(
        options,
        {
          subjectId,
          label: formatSubjectId(subjectId),
          owner: ctx.signer.address,
          ...config,
          registered: outcome.sent,
          transactionHash: outcome.sent ? outcome.transactionHash : null,
          transaction: outcome,
        },
        () =>
          [
            outcome.sent
              ? `registered subject ${formatSubjectId(subjectId)} (${subjectId})`
              : `subject    ${formatSubjectId(subjectId)} (${subjectId}), not registered yet`,
            `name       ${config.name}`,
            `owner      ${ctx.signer.address}`,
            `quorum     ${config.quorum} of ${config.auditors.length}, heartbeat ${formatDuration(config.heartbeatSeconds)}`,
            `registry   ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
            ...outcomeLines(outcome),
          ].join("\n"),
      );
    }),
  );

  registryOption(
    subject
      .command("show")
      .description(
        "show a subject's config, owner, auditors (warning when one key signs for two) and latest round",
      )
      .argument("<subject>", "subject id: text (e.g. USDX) or 0x-prefixed 32-byte hex"),
  ).action(
    action(async (subjectArg: string, _opts: unknown, command: Command) => {
      const options = optionsOf<RegistryOptions>(command);
      const subjectId = parseSubjectId(subjectArg);
      const ctx = await openRegistry(options);
      const status = await readStatus(ctx, subjectId);
      const pendingOwner = await call("reading subject", () => ctx.registry.pendingSubjectOwner(subjectId));
      const backing = await readBacking(ctx, subjectId);
      const sharedAuditorOwners = await findSharedAuditorOwners(
        ctx.hre.ethers.provider,
        status.auditors.map((a) => a.address),
      );
      output(
        options,
        { ...statusJson(status), pendingOwner, backing: backingJson(backing), sharedAuditorOwners },
        () =>
          [
            describeSubject(status, ctx, pendingOwner),
            describeSharedKeys(status, sharedAuditorOwners),
            describeRound(status, false),
            describeBacking(backing),
          ]
            .filter((block) => block !== "")
            .join("\n"),
      );
    }),
  );

  registerUpdate(subject);
  registerOwnership(subject);
  registerList(program);
}

/**
 * One WARNING line per pair of listed auditors one key signs for: the registry counts them as two
 * signatures toward the quorum, but they may be one person.
 */
function describeSharedKeys(status: SubjectStatus, shared: SharedAuditorOwners[]): string {
  const names = new Map(status.auditors.map((a) => [a.address as string, a.name]));
  return shared.map((pair) => `  WARNING       ${describeSharedAuditorOwners(pair, names)}`).join("\n");
}

function registerUpdate(subject: Command): void {
  sendingOptions(
    keyOptions(
      registryOption(
        subject
          .command("update")
          .description(
            "change a subject's config (owner only): shows the diff and what the registry would refuse, then asks",
          )
          .argument("<subject>", "subject id: text (e.g. USDX) or 0x-prefixed 32-byte hex")
          .option(
            "--config <file>",
            'JSON config file (format "por-subject/1", as for register); flags override its fields',
          )
          .option("--name <name>", "new name")
          .option("--decimals <n>", "decimals (they never change: given only to be checked)")
          .option("--token <address>", "token whose supply is the liability; 0x0000…0000 for none")
          .option("--reserve-asset <address>", "ERC20 holding the reserves, approved; 0x0000…0000 for none")
          .option("--heartbeat <duration>", "max age of a fresh attestation: seconds, or 30m, 12h, 1d, 1w")
          .option("--quorum <n>", "how many listed auditors must sign each attestation")
          .option("--auditors <list>", "comma-separated addresses: the whole new list of auditors")
          .option("--yes", "send without asking for confirmation (needed when stdin is not a terminal)")
          .addHelpText(
            "after",
            "\nFields given neither in the file nor as flags keep their current value. The registry refuses, and" +
              "\nthis command refuses before sending: a sender that is not the owner; a change of decimals; a change" +
              "\nof token or reserve asset once a round was posted or a reserve wallet added; a new token with other" +
              "\ndecimals; a new reserve asset not approved; auditors not accredited (a revoked one must be removed);" +
              "\na quorum above the number of auditors; a heartbeat above the registry's maximum." +
              "\n\nExamples:\n  por subject update USDX --heartbeat 12h --dry-run" +
              "\n  por subject update USDX --config usdx.json --yes   # same file format as register",
          ),
      ),
      "send",
    ),
    { safeBatch: true },
  ).action(
    action(async (subjectArg: string, _opts: unknown, command: Command) => {
      const options = optionsOf<UpdateOptions>(command);
      const subjectId = parseSubjectId(subjectArg);
      const input = await updateInput(options, subjectId);
      const ctx = await openRegistryToSend(options, { kind: "subject-owner", subjectId });
      const info = await readSubject(ctx.registry, subjectId);
      const current = subjectConfigOf(info);
      const next = mergeSubjectConfig(current, input);
      const changes = diffSubjectConfig(current, next);
      const label = formatSubjectId(subjectId);
      const result = { subjectId, label, registry: ctx.address, changes, config: next };
      if (changes.length === 0) {
        output(
          options,
          { ...result, sent: false },
          () => `no change: subject ${label} already has this config; nothing sent`,
        );
        return;
      }
      const facts = await readSubjectUpdateFacts(ctx.registry, info, next);
      checkSubjectUpdate(facts, next, ctx.signer.address);
      const diff = [
        `update of subject ${label} (${subjectId}) in ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
        ...describeChanges(changes, facts.auditors),
      ].join("\n");
      const args = { ...next, heartbeat: next.heartbeatSeconds };
      const planned = {
        description: `update subject ${label}: ${changes.map((c) => c.field).join(", ")}`,
        to: ctx.address as Address,
        data: ctx.registry.interface.encodeFunctionData("updateSubject", [subjectId, args]),
      };
      // Asked only before sending: a dry run sends nothing, a Safe batch is reviewed by the Safe's owners.
      if (!options.yes && !options.dryRun && options.safeTx === undefined) {
        requireConfirmationPossible(false);
        process[options.json ? "stderr" : "stdout"].write(`${diff}\n`);
        if (!(await confirm("send this update?", false))) {
          throw new CancelledError("update not sent: not confirmed");
        }
      }
      const outcome = await sendPlannedCall(ctx.signer, planned, options, "update");
      if (!outcome.sent) {
        output(
          options,
          {
            ...result,
            sent: false,
            dryRun: options.dryRun === true,
            transactionHash: null,
            transaction: outcome,
          },
          () =>
            [
              diff,
              options.dryRun
                ? "dry run: the registry would accept this update; nothing sent"
                : "not sent: the registry would accept this update from the Safe once it executes the batch",
              ...outcomeLines(outcome),
            ].join("\n"),
        );
        return;
      }
      output(
        options,
        { ...result, sent: true, transactionHash: outcome.transactionHash, transaction: outcome },
        () =>
          [...(options.yes ? [diff] : []), `updated subject ${label}`, ...outcomeLines(outcome)].join("\n"),
      );
    }),
  );
}

/** The config fields of an update: the file's, overridden by flags; the file's id must be the subject's. */
async function updateInput(options: UpdateOptions, subjectId: Hex32): Promise<SubjectConfigInput> {
  const file: SubjectConfigInput & { id?: unknown } =
    options.config === undefined ? {} : await readSubjectConfigFile(options.config);
  if (file.id !== undefined) {
    const fileId = typeof file.id === "string" ? parseSubjectId(file.id) : undefined;
    if (fileId !== subjectId) {
      throw new InvalidArgumentError(
        `${options.config} is the config of subject ${JSON.stringify(file.id)}, not of ${formatSubjectId(subjectId)}`,
      );
    }
  }
  const input = overrideConfigInput(file, options);
  if (!hasConfigFields(input)) {
    throw new InvalidArgumentError(
      "nothing to update: pass --config FILE or a field (--name, --heartbeat, --quorum, --auditors, --token, --reserve-asset)",
    );
  }
  return input;
}

/** The diff for humans, one field a line: "heartbeat  1d → 12h", auditors as + and - lines. */
function describeChanges(
  changes: SubjectConfigChange[],
  auditors: ReadonlyMap<Address, { name: string }>,
): string[] {
  const row = (field: string, text: string) => `  ${field.padEnd(13)} ${text}`;
  const auditor = (sign: string, address: Address) =>
    `${sign} ${address}${auditors.get(address)?.name ? `  ${auditors.get(address)?.name}` : ""}`;
  return changes.flatMap((change) => {
    switch (change.field) {
      case "name":
        return [row("name", `${JSON.stringify(change.from)} → ${JSON.stringify(change.to)}`)];
      case "token":
      case "reserveAsset": {
        const shown = (a: Address) => (a === ZeroAddress ? "none" : a);
        return [
          row(
            change.field === "token" ? "token" : "reserve asset",
            `${shown(change.from)} → ${shown(change.to)}`,
          ),
        ];
      }
      case "heartbeatSeconds":
        return [
          row("heartbeat", `${formatDuration(change.from)} → ${formatDuration(change.to)} (${change.to}s)`),
        ];
      case "decimals":
      case "quorum":
        return [row(change.field, `${change.from} → ${change.to}`)];
      case "auditors": {
        const lines = [
          ...change.added.map((a) => auditor("+", a)),
          ...change.removed.map((a) => auditor("-", a)),
        ];
        if (lines.length === 0) lines.push("same auditors, new order");
        return lines.map((line, i) => row(i === 0 ? "auditors" : "", line));
      }
    }
  });
}

function registerOwnership(subject: Command): void {
  sendingOptions(
    keyOptions(
      registryOption(
        subject
          .command("transfer")
          .description("offer a subject to NEW_OWNER (owner only); it owns it once it accepts; 0x0…0 cancels")
          .argument("<subject>", "subject id: text (e.g. USDX) or 0x-prefixed 32-byte hex")
          .argument("<new-owner>", "address offered ownership; the zero address cancels a pending offer")
          .addHelpText(
            "after",
            "\nTwo steps: the owner offers, then NEW_OWNER runs `por subject accept SUBJECT` with its own key." +
              "\nUntil then the owner stays in charge and may cancel with the zero address.",
          ),
      ),
      "send",
    ),
    { safeBatch: true },
  ).action(
    action(async (subjectArg: string, newOwnerArg: string, _opts: unknown, command: Command) => {
      const options = optionsOf<OwnerOptions>(command);
      const subjectId = parseSubjectId(subjectArg);
      const newOwner = parseAddress(newOwnerArg, "new owner");
      const ctx = await openRegistryToSend(options, { kind: "subject-owner", subjectId });
      const ownership = await readSubjectOwnership(ctx.registry, subjectId);
      const what = checkOwnershipOffer(ownership, ctx.signer.address, newOwner);
      const label = formatSubjectId(subjectId);
      const base = { subjectId, label, registry: ctx.address, owner: ownership.owner };
      if (what === "nothing-to-cancel") {
        output(
          options,
          { ...base, pendingOwner: null, sent: false },
          () => `no ownership offer is pending for subject ${label}: nothing to cancel, nothing sent`,
        );
        return;
      }
      const outcome = await sendPlannedCall(
        ctx.signer,
        {
          description:
            what === "cancel"
              ? `cancel the offer of subject ${label} to ${ownership.pendingOwner}`
              : `offer subject ${label} to ${newOwner}`,
          to: ctx.address as Address,
          data: ctx.registry.interface.encodeFunctionData("transferSubjectOwnership", [subjectId, newOwner]),
        },
        options,
        "transfer",
      );
      output(
        options,
        {
          ...base,
          pendingOwner: outcome.sent ? (what === "cancel" ? null : newOwner) : ownership.pendingOwner,
          sent: outcome.sent,
          transactionHash: outcome.sent ? outcome.transactionHash : null,
          transaction: outcome,
        },
        () =>
          [
            ...(!outcome.sent
              ? []
              : what === "cancel"
                ? [
                    `cancelled the offer of subject ${label} to ${ownership.pendingOwner}; ${ownership.owner} stays its owner`,
                  ]
                : [
                    `offered subject ${label} to ${newOwner}: it becomes the owner once it runs \`por subject accept ${label}\``,
                  ]),
            ...outcomeLines(outcome),
          ].join("\n"),
      );
    }),
  );

  sendingOptions(
    keyOptions(
      registryOption(
        subject
          .command("accept")
          .description("accept ownership of a subject offered to the sender (`por subject transfer`)")
          .argument("<subject>", "subject id: text (e.g. USDX) or 0x-prefixed 32-byte hex"),
      ),
      "send",
    ),
    { safeBatch: true },
  ).action(
    action(async (subjectArg: string, _opts: unknown, command: Command) => {
      const options = optionsOf<OwnerOptions>(command);
      const subjectId = parseSubjectId(subjectArg);
      const ctx = await openRegistryToSend(options, { kind: "pending-owner", subjectId });
      const ownership = await readSubjectOwnership(ctx.registry, subjectId);
      checkOwnershipAcceptance(ownership, ctx.signer.address);
      const label = formatSubjectId(subjectId);
      const outcome = await sendPlannedCall(
        ctx.signer,
        {
          description: `accept ownership of subject ${label} as ${ctx.signer.address}`,
          to: ctx.address as Address,
          data: ctx.registry.interface.encodeFunctionData("acceptSubjectOwnership", [subjectId]),
        },
        options,
        "acceptance",
      );
      output(
        options,
        {
          subjectId,
          label,
          registry: ctx.address,
          owner: outcome.sent ? ctx.signer.address : ownership.owner,
          previousOwner: ownership.owner,
          transactionHash: outcome.sent ? outcome.transactionHash : null,
          transaction: outcome,
        },
        () =>
          [
            ...(outcome.sent
              ? [`${ctx.signer.address} now owns subject ${label} (previous owner ${ownership.owner})`]
              : []),
            ...outcomeLines(outcome),
          ].join("\n"),
      );
    }),
  );
}

function registerList(program: Command): void {
  registryOption(
    program
      .command("subjects")
      .description("list every subject of a registry: name, owner, latest round and freshness (or dispute)")
      .option(
        "--from-block <n>",
        "first block to read registration events from: 0 (default) or at most the registry's deployment block",
      ),
  ).action(
    action(async (_opts: unknown, command: Command) => {
      const options = optionsOf<RegistryOptions & { fromBlock?: string }>(command);
      const fromBlock =
        options.fromBlock === undefined ? undefined : parseBlockOption(options.fromBlock, "--from-block");
      const ctx = await openRegistry(options);
      const listing = await listSubjects(ctx.registry, { fromBlock });
      output(options, { registry: ctx.address, ...listing }, () => {
        const title = `subjects in ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)} at block ${listing.blockNumber}`;
        if (listing.subjects.length === 0) return `${title}\n  none`;
        const width = (f: (s: SubjectSummary) => string) =>
          Math.max(...listing.subjects.map((s) => f(s).length));
        const round = (s: SubjectSummary) =>
          s.latestRoundId === 0n ? "no round" : `round #${s.latestRoundId}`;
        const [labelWidth, nameWidth, roundWidth] = [
          width((s) => s.label),
          width((s) => shownName(s.name)),
          width(round),
        ];
        return [
          title,
          ...listing.subjects.map(
            (s) =>
              `  ${s.label.padEnd(labelWidth)}  ${shownName(s.name).padEnd(nameWidth)}  owner ${s.owner}  ${round(s).padEnd(roundWidth)}  ${describeFreshness(s)}`,
          ),
        ].join("\n");
      });
    }),
  );
}

/** A name as the owner chose it, quoted and escaped if it holds control characters (no terminal tricks). */
function shownName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f]/.test(name) ? JSON.stringify(name) : name;
}

/**
 * "fresh, age 2h 5m (heartbeat 1d)", "stale, age 3d (heartbeat 1d)", "never attested", or
 * "disputed: round 2 is disputed: challenge 1 of round 2 went unanswered (settled in block 120)".
 */
function describeFreshness(s: SubjectSummary): string {
  if (s.disputed) return `disputed: ${s.disputed.reason}`;
  if (s.freshness === "never-attested" || s.ageSeconds === null) return "never attested";
  return `${s.freshness}, age ${formatDuration(s.ageSeconds)} (heartbeat ${formatDuration(s.heartbeatSeconds)})`;
}
