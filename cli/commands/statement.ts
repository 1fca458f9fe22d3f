import type { Command } from "commander";
import { formatEther, getAddress } from "ethers";
import { formatAmount, parseAmount } from "../../src/core/amounts";
import { attestationDomain } from "../../src/attestations/attestation";
import { challengesContract } from "../../src/challenges/challenges";
import { CancelledError, InvalidArgumentError, VerificationError } from "../../src/core/errors";
import { checkOutputPath } from "../../src/node/files";
import type { Address, Hex32 } from "../../src/core/hex";
import { requireWallet } from "../../src/node/keys";
import type { KeyOptions } from "../../src/node/keys";
import { accountCommitment, accountIdProblem, toHex } from "../../src/liabilities";
import { bytes32FromHex } from "../../src/liabilities/hash";
import { call } from "../../src/chain/registry-client";
import { signBalanceStatement } from "../../src/challenges/statement";
import {
  challengeWindowState,
  checkStatementOnChain,
  requireLiabilitiesTree,
} from "../../src/challenges/statement-check";
import {
  readStatementFile,
  statementFileDigest,
  statementFileToJson,
  writeStatementFile,
} from "../../src/challenges/statement-file";
import type { BalanceStatementFile } from "../../src/challenges/statement-file";
import { formatSubjectId, parseSubjectId } from "../../src/core/subject-id";
import { formatTimestamp } from "../../src/core/time";
import { action, forceOption, optionsOf, output } from "../cli-kit";
import { confirm, requireConfirmationPossible } from "../confirm";
import { keyOptions, networkLabel, openRegistry, registryOption } from "./common";
import type { RegistryOptions } from "./common";

interface SignOptions extends RegistryOptions, KeyOptions {
  subject: string;
  round: string;
  account: string;
  salt: string;
  balance: string;
  out?: string;
  force?: boolean;
  yes?: boolean;
}

interface VerifyOptions extends RegistryOptions {
  account?: string;
  salt?: string;
}

export function registerStatement(program: Command): void {
  const statement = program
    .command("statement")
    .description(
      "balance statements: the custodian signs a customer's balance at a round's snapshot; customers verify them",
    )
    .addHelpText(
      "after",
      "\nA statement (EIP-712 BalanceStatement in the registry's domain) is what a customer keeps to challenge a" +
        "\nround that omits or shrinks their balance: `por challenge open STATEMENT`. docs/protocol.md.",
    );

  keyOptions(
    registryOption(
      forceOption(
        statement
          .command("sign")
          .description("as the subject's statement signer, sign a customer's balance at a round's snapshot")
          .requiredOption("--subject <id>", "subject id: text (e.g. USDX) or 0x-prefixed 32-byte hex")
          .requiredOption("--round <n>", "the round whose snapshot the balance is at (its asOf is signed)")
          .requiredOption("--account <id>", "the customer's account id, exactly as in the liabilities CSV")
          .requiredOption("--salt <hex>", "the customer's salt (0x + 64 hex digits), as in the tree")
          .requiredOption(
            "--balance <amount>",
            "the balance at the snapshot, in the subject's units (980000.5)",
          )
          .option("--out <file>", "statement file to write (default: print it on stdout)")
          .option(
            "--yes",
            "sign without asking for confirmation (with --out, the review is printed with the result)",
          ),
        "--out",
      ),
    ),
    "sign",
  )
    .addHelpText(
      "after",
      "\nReads the round's snapshot time and the subject's decimals from the registry (--network), and refuses a\n" +
        "key that is not the subject's statement signer (`por challenge settings`): the chain would refuse its\n" +
        "statements. Shows what is signed and asks on the terminal (--yes: sign without asking; without a\n" +
        "terminal, --yes is required). The commitment is keccak256(salt, keccak256(account id)), the tree's.",
    )
    .action(action((_opts: unknown, command: Command) => sign(command)));

  registryOption(
    statement
      .command("verify")
      .description(
        "check a statement file against the chain: its round, its signer, and whether it can still be used",
      )
      .argument("<statement-file>", "statement file made by `por statement sign`")
      .option(
        "--account <id>",
        "your account id: also check the statement is about your account (with --salt)",
      )
      .option("--salt <hex>", "your salt (0x + 64 hex digits), with --account"),
  )
    .addHelpText(
      "after",
      "\nExit 0 when the statement names a round of the registry with that round's snapshot time and is signed by a\n" +
        "key the challenge contract accepts for it (the subject's statement signer when the round was posted, or\n" +
        "now). Also says until when the round can be challenged with it, and the bond.",
    )
    .action(action((file: string, _opts: unknown, command: Command) => verify(file, command)));
}

/** The commitment of `accountId` with `saltText`, refusing ids the liabilities CSV refuses. */
function commitmentOf(accountId: string, saltText: string): Hex32 {
  const problem = accountIdProblem(accountId);
  if (problem !== undefined) {
    throw new InvalidArgumentError(`--account ${problem}`, {
      details: "the liabilities CSV refuses such ids",
    });
  }
  const salt = bytes32FromHex(saltText, "--salt");
  return toHex(accountCommitment(salt, accountId)) as Hex32;
}

function roundArg(text: string): bigint {
  if (!/^[1-9]\d*$/.test(text.trim()) || BigInt(text.trim()) >= 1n << 80n) {
    throw new InvalidArgumentError(`--round must be a round number (1 or more), got ${JSON.stringify(text)}`);
  }
  return BigInt(text.trim());
}

async function sign(command: Command): Promise<void> {
  const options = optionsOf<SignOptions>(command);
  const subjectId = parseSubjectId(options.subject);
  const roundId = roundArg(options.round);
  const commitment = commitmentOf(options.account, options.salt);
  requireConfirmationPossible(options.yes, undefined, "sign");
  if (options.out !== undefined) await checkOutputPath(options.out, { replace: options.force });
  const wallet = await requireWallet(options);
  const ctx = await openRegistry(options);
  const challenges = await challengesContract(ctx.registry);
  const [[config], [att], current] = await Promise.all([
    call("reading the subject", () => ctx.registry.subject(subjectId)),
    call(`reading round ${roundId}`, () => ctx.registry.getAttestation(subjectId, roundId)),
    call("reading the statement signer", () => challenges.statementSigner(subjectId)),
  ]);
  const label = formatSubjectId(subjectId);
  requireLiabilitiesTree(subjectId, roundId, att.liabilitiesRoot);
  if (getAddress(current) !== wallet.address) {
    throw new VerificationError(
      current === "0x0000000000000000000000000000000000000000"
        ? `subject ${label} names no statement signer: its owner sets one with \`por challenge settings --subject ${label} --statement-signer ${wallet.address}\``
        : `this key (${wallet.address}) is not the statement signer of subject ${label} (${getAddress(current)} is): the chain would refuse its statements`,
    );
  }
  const decimals = Number(config.decimals);
  const file: BalanceStatementFile = {
    chainId: ctx.chainId,
    registry: getAddress(ctx.address) as Address,
    subjectId,
    roundId,
    asOf: att.asOf,
    accountCommitment: commitment,
    balance: parseAmount(options.balance, decimals, "--balance"),
    signer: wallet.address as Address,
    signature: "",
  };
  const review = [
    "balance statement (EIP-712 BalanceStatement; subject, commitment, balance and as-of are signed):",
    `  subject             ${label}, ${JSON.stringify(config.name)}, ${decimals} decimals (read from the registry)`,
    `  subjectId           ${subjectId}`,
    `  round               ${roundId} (not signed: named by its snapshot time)`,
    `  as of               ${formatTimestamp(att.asOf)} (unix ${att.asOf})`,
    `  account             ${JSON.stringify(options.account)} (not signed: its commitment is)`,
    `  account commitment  ${commitment}`,
    `  balance             ${formatAmount(file.balance, decimals, { grouping: true })} (${file.balance} base units)`,
    "EIP-712 domain:",
    `  name ReserveRegistry, version 1, chain id ${ctx.chainId}, registry ${file.registry}`,
    `digest                ${statementFileDigest(file)}`,
    `signer                ${wallet.address} (the subject's statement signer)`,
  ];
  const ask = options.yes !== true;
  if (ask) {
    process.stderr.write(`${review.join("\n")}\n`);
    if (!(await confirm(`sign as ${wallet.address}?`, false))) {
      throw new CancelledError("not signed: the statement was not confirmed");
    }
  }
  const signed = await signBalanceStatement(wallet, attestationDomain(file.chainId, file.registry), file);
  const result: BalanceStatementFile = { ...file, signature: signed.signature };
  if (options.out === undefined) {
    process.stdout.write(`${JSON.stringify(statementFileToJson(result), null, 2)}\n`);
    return;
  }
  await writeStatementFile(options.out, result, { replace: options.force });
  output(options, { file: options.out, ...statementFileToJson(result), digest: signed.digest }, () =>
    [
      ...(ask ? [] : review),
      `wrote ${options.out} (signed by ${signed.signer})`,
      `registry   ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
      `next: the customer checks it with \`por statement verify ${options.out}\``,
    ].join("\n"),
  );
}

async function verify(filePath: string, command: Command): Promise<void> {
  const options = optionsOf<VerifyOptions>(command);
  const file = await readStatementFile(filePath);
  if ((options.account === undefined) !== (options.salt === undefined)) {
    throw new InvalidArgumentError("pass --account and --salt together: they make the account's commitment");
  }
  if (
    options.account !== undefined &&
    commitmentOf(options.account, options.salt!) !== file.accountCommitment
  ) {
    throw new VerificationError(
      `${filePath} is not about account ${JSON.stringify(options.account)} with this salt: its commitment is ${file.accountCommitment}`,
    );
  }
  const ctx = await openRegistry({ ...options, registry: options.registry ?? file.registry });
  const challenges = await challengesContract(ctx.registry);
  const round = await checkStatementOnChain(ctx.registry, challenges, file, filePath);
  const decimals = round.subject.decimals;
  const label = formatSubjectId(file.subjectId);
  const which =
    file.signer === round.signers.atPosting && file.signer === round.signers.current
      ? "the subject's statement signer"
      : file.signer === round.signers.atPosting
        ? "the subject's statement signer when the round was posted"
        : "the subject's current statement signer";
  const window = challengeWindowState(round);
  output(
    options,
    {
      valid: true,
      ...statementFileToJson(file),
      digest: statementFileDigest(file),
      decimals,
      challengeWindow: {
        seconds: round.windowSeconds,
        closesAt: round.closesAt,
        open: window.open,
      },
      bond: round.bond,
    },
    () =>
      [
        `VALID: ${filePath} states balance ${formatAmount(file.balance, decimals, { grouping: true })} for account commitment ${file.accountCommitment}`,
        `  round     ${file.roundId} of subject ${label} (${round.subject.name}), snapshot ${formatTimestamp(round.asOf)}`,
        `  signer    ${file.signer}, ${which}`,
        `  window    ${window.text}${window.open ? ": `por challenge open` takes this file" : ""}`,
        `  bond      ${formatEther(round.bond)} ETH (${round.bond} wei)`,
        `  registry  ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
      ].join("\n"),
  );
}
