import * as path from "node:path";
import type { Command } from "commander";
import { formatEther, ZeroAddress } from "ethers";
import type { LiabilityChallenges } from "../../typechain-types";
import { formatAmount } from "../../src/core/amounts";
import { answerFromPackage, answerFromTree } from "../../src/challenges/answer";
import type { AnswerTarget, ContractProofStep } from "../../src/challenges/answer";
import {
  challengesContract,
  listChallenges,
  openedChallengeId,
  parseChallengeWindow,
  parseNativeAmount,
  planAnswerChallenge,
  planOpenChallenge,
  planSetChallengeBond,
  planSetChallengeWindow,
  planSetStatementSigner,
  planSettleChallenge,
  planWithdrawBonds,
  readChallenge,
  readChallengeSettings,
} from "../../src/challenges/challenges";
import type { Challenge, ChallengeSettings } from "../../src/challenges/challenges";
import { explainError } from "../../src/core/error-sentences";
import { CancelledError, ChainError, InvalidArgumentError } from "../../src/core/errors";
import { parseAddress, ZERO_HASH } from "../../src/core/hex";
import type { Address, Hex32 } from "../../src/core/hex";
import type { KeyOptions } from "../../src/node/keys";
import { readProofPackage, TREE_FILE, TreeFile } from "../../src/liabilities";
import { call } from "../../src/chain/registry-client";
import { challengeWindowState, checkStatementOnChain } from "../../src/challenges/statement-check";
import { readStatementFile } from "../../src/challenges/statement-file";
import { formatSubjectId, parseSubjectId } from "../../src/core/subject-id";
import { formatDuration, formatTimestamp } from "../../src/core/time";
import { DEFAULT_SEND_SETTINGS, executeCall } from "../../src/chain/transactions";
import type { PlannedCall } from "../../src/chain/transactions";
import { action, optionsOf, output, parseBlockOption } from "../cli-kit";
import { confirm, requireConfirmationPossible } from "../confirm";
import { outcomeLines, sendingOptions, sendPlannedCall } from "../sending";
import type { SendOutcome, SendingOptions } from "../sending";
import { keyOptions, networkLabel, openRegistry, openRegistryToSend, registryOption } from "./common";
import type { RegistryContext, RegistryOptions, RequiredSender, SendingSigner } from "./common";

type SendOptions = RegistryOptions & KeyOptions & SendingOptions;

interface OpenOptions extends SendOptions {
  yes?: boolean;
}

interface AnswerOptions extends SendOptions {
  tree?: string;
  account?: string;
  proof?: string;
}

interface ListOptions extends RegistryOptions {
  subject?: string;
  open?: boolean;
  fromBlock?: string;
}

interface SettingsOptions extends SendOptions {
  subject: string;
  statementSigner?: string;
  window?: string;
}

interface BondOptions extends SendOptions {
  set?: string;
}

const SUBJECT_HELP = "subject id: text (e.g. USDX) or 0x-prefixed 32-byte hex";

export function registerChallenge(program: Command): void {
  const challenge = program
    .command("challenge")
    .description(
      "customer challenges: open one with a balance statement, answer it with a proof, settle it, withdraw bonds",
    )
    .addHelpText(
      "after",
      "\nA customer whose signed balance statement is missing or smaller in a round challenges it, paying the bond." +
        "\nAnyone (normally the subject) answers before the deadline with the inclusion proof; the bond then goes to" +
        "\nthe subject's owner. Unanswered, anyone settles it after the deadline: the round is disputed (never fresh)" +
        "\nand the bond goes back to the customer. Bonds are withdrawn with `por challenge withdraw`. docs/protocol.md.",
    );

  sendable(
    challenge
      .command("open")
      .description("as a customer, challenge the round of a balance statement, paying exactly the bond")
      .argument("<statement-file>", "balance statement made by `por statement sign`")
      .option("--yes", "open it without asking for confirmation"),
  )
    .addHelpText(
      "after",
      "\nChecks the statement against the chain first (its round, snapshot time and signer, the round's window)," +
        "\nshows what is paid and asks on the terminal (--yes: without asking; without a terminal --yes is required)." +
        "\nThe registry and network default to the statement's.",
    )
    .action(action((file: string, _opts: unknown, command: Command) => open(file, command)));

  sendable(
    challenge
      .command("answer")
      .description(
        "answer an open challenge with the inclusion proof of its account and balance in the round",
      )
      .argument("<challenge-id>", "the challenge's number (`por challenge list`)")
      .option("--tree <dir>", "the round's liabilities tree (the directory `liabilities build` wrote)")
      .option(
        "--account <id>",
        "with --tree: the challenged customer's account id (default: found by its leaf)",
      )
      .option("--proof <file>", "the customer's proof package (`liabilities prove`) instead of the tree"),
  )
    .addHelpText(
      "after",
      "\nThe proof is checked against the round's root and total before anything is sent. When the round omits or" +
        "\nshrinks the challenged balance there is no proof: the command says so and sends nothing.",
    )
    .action(action((id: string, _opts: unknown, command: Command) => answer(id, command)));

  sendable(
    challenge
      .command("settle")
      .description("settle an unanswered challenge after its deadline: its round becomes disputed")
      .argument("<challenge-id>", "the challenge's number (`por challenge list`)"),
  ).action(action((id: string, _opts: unknown, command: Command) => settle(id, command)));

  sendable(
    challenge
      .command("withdraw")
      .description(
        "withdraw the bonds owed to you: answered challenges' to the subject owner, settled ones' to customers",
      ),
    { safeBatch: true },
  ).action(action((_opts: unknown, command: Command) => withdraw(command)));

  registryOption(
    challenge
      .command("list")
      .description("list challenges from their events, with their status now")
      .option("--subject <id>", `only this subject's (${SUBJECT_HELP})`)
      .option("--open", "only challenges still open (answered or settled ones left out)")
      .option(
        "--from-block <n>",
        "read events from this block (default 0; on RPCs that limit log ranges, the registry's deployment block)",
      ),
  ).action(action((_opts: unknown, command: Command) => list(command)));

  sendable(
    challenge
      .command("settings")
      .description(
        "show a subject's statement signer, challenge window and bond; its owner changes the first two",
      )
      .requiredOption("--subject <id>", SUBJECT_HELP)
      .option(
        "--statement-signer <address>",
        "the key that signs customers' balance statements (`none`: no statements)",
      )
      .option(
        "--window <duration>",
        "how long after posting a round can be challenged: 7d, 36h, seconds, up to 30d; 0 or off: never",
      ),
    { safeBatch: true },
  )
    .addHelpText(
      "after",
      "\nWithout --statement-signer or --window it only shows. Changes apply to rounds posted from the next second" +
        "\non: a posted round keeps the window and signer it was posted under (the new signer's statements count too).",
    )
    .action(action((_opts: unknown, command: Command) => settings(command)));

  sendable(
    challenge
      .command("bond")
      .description("show the bond a challenge takes; the registry admin sets it with --set")
      .option("--set <amount>", "the new bond in the chain's native currency: 0.01 (ETH), 10gwei, 1000wei"),
    { safeBatch: true },
  ).action(action((_opts: unknown, command: Command) => bond(command)));
}

/** --registry, key options and the sending options, for the commands that may send. */
function sendable(command: Command, options: { safeBatch?: boolean } = {}): Command {
  return sendingOptions(keyOptions(registryOption(command), "send"), options);
}

function challengeIdArg(text: string): bigint {
  if (!/^[1-9]\d*$/.test(text.trim())) {
    throw new InvalidArgumentError(`challenge id must be a whole number from 1, got ${JSON.stringify(text)}`);
  }
  return BigInt(text.trim());
}

/** The registry opened to send `sender`'s call, and its challenge contract with the same signer. */
async function openToSend(
  options: SendOptions,
  sender: RequiredSender,
): Promise<{
  ctx: RegistryContext & { signer: SendingSigner };
  challenges: LiabilityChallenges;
  to: Address;
}> {
  const ctx = await openRegistryToSend(options, sender);
  const challenges = await challengesContract(ctx.registry, ctx.signer);
  return {
    ctx: ctx as RegistryContext & { signer: SendingSigner },
    challenges,
    to: parseAddress(await challenges.getAddress(), "challenges()"),
  };
}

/** A refusal found before sending, said as the contract would: "<what> refused: <sentence>". */
function refused(what: string, error: string, args: Record<string, unknown>): ChainError {
  return new ChainError(`${what} refused: ${explainError(error, args)}`);
}

const eth = (wei: bigint) => `${formatEther(wei)} ETH (${wei} wei)`;

// ------------------------------------------------------------------------------------- open

async function open(filePath: string, command: Command): Promise<void> {
  const options = optionsOf<OpenOptions>(command);
  const file = await readStatementFile(filePath);
  if (options.dryRun !== true) requireConfirmationPossible(options.yes, undefined, "pay the bond");
  const { ctx, challenges, to } = await openToSend(
    { ...options, registry: options.registry ?? file.registry },
    { kind: "anyone" },
  );
  const round = await checkStatementOnChain(ctx.registry, challenges, file, filePath);
  const planned = planOpenChallenge(to, file, round.bond);
  const what = "opening the challenge";
  const label = formatSubjectId(file.subjectId);
  const decimals = round.subject.decimals;
  const review = [
    `challenge of round ${file.roundId} of subject ${label} (${round.subject.name}), snapshot ${formatTimestamp(round.asOf)}`,
    `statement  balance ${formatAmount(file.balance, decimals, { grouping: true })} for account commitment ${file.accountCommitment}, signed by ${file.signer}`,
    `window     ${challengeWindowState(round).text}`,
    `bond       ${eth(round.bond)}: back to you if nobody proves the balance in the round by the deadline,`,
    `           paid to the subject's owner if someone does`,
    `from       ${ctx.signer.address}`,
  ];
  if (options.dryRun !== true && options.yes !== true) {
    // Refused before asking: no one is asked to pay for a challenge the contract would refuse.
    await executeCall(ctx.signer, planned, { ...DEFAULT_SEND_SETTINGS, dryRun: true }, what);
    process.stderr.write(`${review.join("\n")}\n`);
    if (!(await confirm(`open this challenge and pay ${formatEther(round.bond)} ETH?`, false))) {
      throw new CancelledError("not opened: the challenge was not confirmed");
    }
  }
  const outcome = await sendPlannedCall(ctx.signer, planned, options, what);
  const opened = outcome.sent ? await openedChallengeId(challenges, outcome.transactionHash) : null;
  output(
    options,
    {
      challengeId: opened?.challengeId ?? null,
      deadline: opened?.deadline ?? null,
      subjectId: file.subjectId,
      roundId: file.roundId,
      accountCommitment: file.accountCommitment,
      balance: file.balance,
      bond: round.bond,
      challenges: to,
      registry: ctx.address,
      transaction: outcome,
    },
    () =>
      [
        opened
          ? `opened challenge ${opened.challengeId} of round ${file.roundId} of subject ${label}: an answer is due by ${formatTimestamp(opened.deadline)}`
          : `challenge of round ${file.roundId} of subject ${label}: not opened yet`,
        ...(options.yes === true || options.dryRun === true ? review : []),
        ...(opened
          ? [
              `next: after the deadline, unanswered, \`por challenge settle ${opened.challengeId}\` disputes the round`,
            ]
          : []),
        ...outcomeLines(outcome),
      ].join("\n"),
  );
}

// ----------------------------------------------------------------------------------- answer

async function answer(idText: string, command: Command): Promise<void> {
  const options = optionsOf<AnswerOptions>(command);
  const challengeId = challengeIdArg(idText);
  if ((options.tree === undefined) === (options.proof === undefined)) {
    throw new InvalidArgumentError("pass --tree DIR (the round's tree) or --proof FILE (a proof package)");
  }
  if (options.account !== undefined && options.tree === undefined) {
    throw new InvalidArgumentError("--account needs --tree DIR");
  }
  const what = "the answer";
  const { ctx, challenges, to } = await openToSend(options, { kind: "anyone" });
  // The deadline is left to the simulation: it runs in the next block, whose time decides.
  const c = await readChallenge(challenges, challengeId);
  if (c.status !== "open") throw refused(what, "ChallengeNotOpen", { challengeId, status: statusCode(c) });
  const [att] = await call(`reading round ${c.roundId}`, () =>
    ctx.registry.getAttestation(c.subjectId, c.roundId),
  );
  const target: AnswerTarget = {
    challengeId,
    subjectId: c.subjectId,
    roundId: c.roundId,
    accountCommitment: c.accountCommitment,
    balance: c.balance,
    liabilitiesRoot: att.liabilitiesRoot.toLowerCase() as Hex32,
    liabilities: att.liabilities,
  };
  const steps = await answerProof(options, target);
  const outcome = await sendPlannedCall(
    ctx.signer,
    planAnswerChallenge(to, challengeId, steps),
    options,
    what,
  );
  const [, owner] = await call("reading the subject", () => ctx.registry.subject(c.subjectId));
  output(
    options,
    {
      challengeId,
      answered: outcome.sent,
      subjectId: c.subjectId,
      roundId: c.roundId,
      proofSteps: steps.length,
      bond: c.bond,
      bondTo: owner,
      challenges: to,
      transaction: outcome,
    },
    () =>
      [
        outcome.sent
          ? `answered challenge ${challengeId}: the balance is in round ${c.roundId} of subject ${formatSubjectId(c.subjectId)}`
          : `challenge ${challengeId}: not answered yet`,
        `proof      ${steps.length} steps, checked against the round's root and total`,
        `bond       ${eth(c.bond)} ${outcome.sent ? "now owed to" : "goes to"} the subject's owner ${owner} (\`por challenge withdraw\`)`,
        ...outcomeLines(outcome),
      ].join("\n"),
  );
}

async function answerProof(options: AnswerOptions, target: AnswerTarget): Promise<ContractProofStep[]> {
  if (options.proof !== undefined) {
    return answerFromPackage(await readProofPackage(options.proof), target, options.proof);
  }
  const tree = TreeFile.open(path.join(options.tree!, TREE_FILE));
  try {
    return answerFromTree(tree, target, options.account);
  } finally {
    tree.close();
  }
}

/** ILiabilityChallenges.ChallengeStatus's number, for the error sentence. */
function statusCode(c: Challenge): bigint {
  return BigInt(["open", "answered", "settled"].indexOf(c.status) + 1);
}

// ----------------------------------------------------------------------------------- settle

async function settle(idText: string, command: Command): Promise<void> {
  const options = optionsOf<SendOptions>(command);
  const challengeId = challengeIdArg(idText);
  const what = "settling";
  const { ctx, challenges, to } = await openToSend(options, { kind: "anyone" });
  const c = await readChallenge(challenges, challengeId);
  if (c.status !== "open") throw refused(what, "ChallengeNotOpen", { challengeId, status: statusCode(c) });
  const outcome = await sendPlannedCall(ctx.signer, planSettleChallenge(to, challengeId), options, what);
  const label = formatSubjectId(c.subjectId);
  output(
    options,
    {
      challengeId,
      settled: outcome.sent,
      subjectId: c.subjectId,
      roundId: c.roundId,
      disputed: outcome.sent,
      bond: c.bond,
      bondTo: c.challenger,
      challenges: to,
      transaction: outcome,
    },
    () =>
      [
        outcome.sent
          ? `settled challenge ${challengeId}: round ${c.roundId} of subject ${label} is disputed (nobody proved the balance by ${formatTimestamp(c.deadline)})`
          : `challenge ${challengeId}: not settled yet`,
        `bond       ${eth(c.bond)} ${outcome.sent ? "now owed to" : "goes back to"} the challenger ${c.challenger} (\`por challenge withdraw\`)`,
        ...outcomeLines(outcome),
      ].join("\n"),
  );
}

// --------------------------------------------------------------------------------- withdraw

async function withdraw(command: Command): Promise<void> {
  const options = optionsOf<SendOptions>(command);
  const { ctx, challenges, to } = await openToSend(options, { kind: "anyone" });
  const account = ctx.signer.address;
  const amount = await call("reading the bonds owed", () => challenges.withdrawable(account));
  if (amount === 0n) throw refused("withdrawing", "NothingToWithdraw", { account });
  const outcome = await sendPlannedCall(ctx.signer, planWithdrawBonds(to, amount), options, "withdrawing");
  output(options, { account, amount, withdrawn: outcome.sent, challenges: to, transaction: outcome }, () =>
    [
      outcome.sent
        ? `withdrew ${eth(amount)} of bonds to ${account}`
        : `${eth(amount)} of bonds owed to ${account}: not withdrawn yet`,
      ...outcomeLines(outcome),
    ].join("\n"),
  );
}

// ------------------------------------------------------------------------------------- list

async function list(command: Command): Promise<void> {
  const options = optionsOf<ListOptions>(command);
  const subjectId = options.subject === undefined ? undefined : parseSubjectId(options.subject);
  const fromBlock = options.fromBlock === undefined ? 0 : parseBlockOption(options.fromBlock, "--from-block");
  const ctx = await openRegistry(options);
  const challenges = await challengesContract(ctx.registry);
  const listed = await listChallenges(challenges, { subjectId, fromBlock });
  const block = await call("reading the block", () => ctx.hre.ethers.provider.getBlock(listed.blockNumber));
  const now = BigInt(block?.timestamp ?? 0);
  const shown = listed.challenges.filter((c) => options.open !== true || c.status === "open");
  const decimals = await subjectDecimals(ctx, [...new Set(shown.map((c) => c.subjectId))]);
  const address = await challenges.getAddress();
  output(
    options,
    {
      challenges: address,
      registry: ctx.address,
      blockNumber: listed.blockNumber,
      timestamp: now,
      list: shown.map((c) => ({
        ...c,
        label: formatSubjectId(c.subjectId),
        overdue: c.status === "open" && now > c.deadline,
      })),
    },
    () =>
      [
        `challenges in ${address} (registry ${ctx.address}) on ${networkLabel(ctx.hre, ctx.chainId)} at block ${listed.blockNumber}`,
        ...(shown.length === 0
          ? ["  none"]
          : shown.map(
              (c) =>
                `  #${c.challengeId}  ${formatSubjectId(c.subjectId)} round ${c.roundId}  ${statusText(c, now)}  balance ${formatAmount(c.balance, decimals.get(c.subjectId) ?? 0, { grouping: true })}  commitment ${c.accountCommitment}  by ${c.challenger}  bond ${formatEther(c.bond)} ETH`,
            )),
      ].join("\n"),
  );
}

function statusText(c: Challenge, now: bigint): string {
  if (c.status === "answered") return "answered";
  if (c.status === "settled") return "settled: round disputed";
  if (now > c.deadline) return `open, unanswered since ${formatTimestamp(c.deadline)}: anyone may settle`;
  return `open, answer due by ${formatTimestamp(c.deadline)} (${formatDuration(c.deadline - now)} left)`;
}

async function subjectDecimals(ctx: RegistryContext, subjectIds: Hex32[]): Promise<Map<Hex32, number>> {
  const entries = await Promise.all(
    subjectIds.map(async (id) => {
      const [config] = await call("reading the subject", () => ctx.registry.subject(id));
      return [id, Number(config.decimals)] as const;
    }),
  );
  return new Map(entries);
}

// ------------------------------------------------------------------------ settings and bond

async function settings(command: Command): Promise<void> {
  const options = optionsOf<SettingsOptions>(command);
  const subjectId = parseSubjectId(options.subject);
  const signer =
    options.statementSigner === undefined
      ? undefined
      : /^\s*none\s*$/i.test(options.statementSigner)
        ? (ZeroAddress as Address)
        : parseAddress(options.statementSigner, "--statement-signer");
  const windowSeconds = options.window === undefined ? undefined : parseChallengeWindow(options.window);
  if (signer === undefined && windowSeconds === undefined) {
    const ctx = await openRegistry(options);
    const current = await readChallengeSettings(await challengesContract(ctx.registry), subjectId);
    const [, owner] = await call("reading the subject", () => ctx.registry.subject(subjectId));
    output(options, { ...current, owner, registry: ctx.address }, () =>
      settingsLines(current, owner).join("\n"),
    );
    return;
  }
  const { ctx, challenges, to } = await openToSend(options, { kind: "subject-owner", subjectId });
  const before = await readChallengeSettings(challenges, subjectId);
  const calls: Array<{ planned: PlannedCall; what: string }> = [];
  if (signer !== undefined && signer !== (before.statementSigner ?? ZeroAddress)) {
    calls.push({
      planned: planSetStatementSigner(to, subjectId, signer),
      what: "setting the statement signer",
    });
  }
  if (windowSeconds !== undefined && windowSeconds !== before.windowSeconds) {
    calls.push({
      planned: planSetChallengeWindow(to, subjectId, windowSeconds),
      what: "setting the challenge window",
    });
  }
  const outcomes: SendOutcome[] = [];
  for (const [i, { planned, what }] of calls.entries()) {
    // A second call joins the Safe batch the first one wrote.
    outcomes.push(
      await sendPlannedCall(
        ctx.signer,
        planned,
        i === 0 ? options : { ...options, append: true, force: false },
        what,
      ),
    );
  }
  const after = outcomes.every((o) => o.sent) ? await readChallengeSettings(challenges, subjectId) : before;
  const [, owner] = await call("reading the subject", () => ctx.registry.subject(subjectId));
  output(
    options,
    { ...after, owner, registry: ctx.address, changed: calls.length > 0, transactions: outcomes },
    () =>
      [
        ...(calls.length === 0
          ? [`no change: subject ${formatSubjectId(subjectId)} already has these settings; nothing sent`]
          : []),
        ...(calls.length > 0 && !outcomes.every((o) => o.sent) ? ["not changed yet:"] : []),
        ...settingsLines(after, owner),
        ...outcomes.flatMap((o, i) => [
          ...(outcomes.length > 1 ? [`${calls[i]!.what}:`] : []),
          ...outcomeLines(o),
        ]),
      ].join("\n"),
  );
}

function settingsLines(s: ChallengeSettings, owner: string): string[] {
  return [
    `challenge settings of subject ${formatSubjectId(s.subjectId)} (owner ${owner}), for rounds posted from now on`,
    `  statement signer  ${s.statementSigner ?? "none (no statements can be used)"}`,
    `  window            ${s.windowSeconds === 0 ? "0 (rounds cannot be challenged)" : `${formatDuration(s.windowSeconds)} after posting`}`,
    `  bond              ${eth(s.bond)}`,
    `  contract          ${s.challenges}`,
  ];
}

async function bond(command: Command): Promise<void> {
  const options = optionsOf<BondOptions>(command);
  if (options.set === undefined) {
    const ctx = await openRegistry(options);
    const challenges = await challengesContract(ctx.registry);
    const current = await call("reading the bond", () => challenges.challengeBond(ZERO_HASH));
    output(
      options,
      { bond: current, challenges: await challenges.getAddress(), registry: ctx.address },
      () =>
        `challenge bond ${eth(current)} (registry ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)})`,
    );
    return;
  }
  const amount = parseNativeAmount(options.set, "--set");
  const { ctx, challenges, to } = await openToSend(options, { kind: "admin" });
  const outcome = await sendPlannedCall(
    ctx.signer,
    planSetChallengeBond(to, amount),
    options,
    "setting the bond",
  );
  const current = await call("reading the bond", () => challenges.challengeBond(ZERO_HASH));
  output(
    options,
    { bond: current, set: outcome.sent, challenges: to, registry: ctx.address, transaction: outcome },
    () =>
      [
        outcome.sent
          ? `challenge bond set to ${eth(amount)}`
          : `challenge bond ${eth(current)}: not changed yet to ${eth(amount)}`,
        `registry   ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
        ...outcomeLines(outcome),
      ].join("\n"),
  );
}
