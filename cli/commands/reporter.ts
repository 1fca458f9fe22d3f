import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { formatAmount, parseAmount } from "../../src/core/amounts";
import { attestationDomain, signAttestation } from "../../src/attestations/attestation";
import { attestationFileToJson, signatureFileToJson } from "../../src/attestations/file";
import { InvalidArgumentError, VerificationError } from "../../src/core/errors";
import { writeDirectoryAtomic } from "../../src/node/files";
import { parseHex32 } from "../../src/core/hex";
import type { Address } from "../../src/core/hex";
import { requireWallet, type KeyOptions } from "../../src/node/keys";
import { planPostAttestation, postedRound } from "../../src/attestations/posting";
import { call } from "../../src/chain/registry-client";
import { readLiabilitiesSummary } from "../../src/liabilities";
import { type LiabilitiesInput, takeReserveSnapshot } from "../../src/backing/reporter";
import { buildSubmission } from "../../src/attestations/submission";
import { formatSubjectId, parseSubjectId } from "../../src/core/subject-id";
import { formatTimestamp } from "../../src/core/time";
import { action, optionsOf, output, parseBlockOption } from "../cli-kit";
import { outcomeLines, sendingOptions, sendPlannedCall } from "../sending";
import type { SendingOptions } from "../sending";
import { keyOptions, networkLabel, openRegistryToSend, registryOption, type RegistryOptions } from "./common";

interface SnapshotOptions extends RegistryOptions, KeyOptions, SendingOptions {
  subject: string;
  block?: string;
  liabilities?: string;
  liabilitiesRoot?: string;
  liabilitiesSummary?: string;
  outDir?: string;
  force?: boolean;
  post: boolean;
}

export function registerReporter(program: Command): void {
  const reporter = program
    .command("reporter")
    .description("automated auditor: snapshot on-chain reserve wallets and attest them");

  sendingOptions(
    keyOptions(
      registryOption(
        reporter
          .command("snapshot")
          .description(
            "read the subject's reserve wallets at one block, sign the attestation, and post it (quorum 1) or write it for co-signers",
          )
          .requiredOption("--subject <id>", "subject id: text (e.g. USDX) or 0x-prefixed 32-byte hex")
          .option("--block <number>", "block to read (default: the latest)")
          .option(
            "--liabilities <amount>",
            "liabilities in the subject's units (default: the token supply at the block)",
          )
          .option("--liabilities-root <hash>", "Merkle-sum root of customer balances, with --liabilities")
          .option(
            "--liabilities-summary <file>",
            "summary.json of `por liabilities build`: its root and total become liabilitiesRoot and liabilities",
          )
          .option(
            "--out-dir <dir>",
            "new directory for report.json, attestation.json and the signature (default: snapshot-<subject>-<block>)",
          )
          .option("--force", "replace --out-dir (and the --safe-tx file) if it exists")
          .option(
            "--no-post",
            "only write the files, even when the reporter's signature alone meets the quorum",
          ),
      ),
      "sign",
    ),
    { safeBatch: true },
  )
    .addHelpText(
      "after",
      "\nThe key is the reporter's own, an accredited auditor listed for the subject; it also pays for posting.\n" +
        "reportHash is keccak256 of report.json, which lists every wallet's balance and the block: publish it.\n" +
        "With quorum above 1, other auditors check report.json against the chain, then run `por attest sign`\n" +
        "on attestation.json, and anyone posts with `por attest post attestation.json <signature files>`.",
    )
    .action(
      action(async (_opts: unknown, command: Command) => {
        const options = optionsOf<SnapshotOptions>(command);
        const subjectId = parseSubjectId(options.subject);
        const block = options.block === undefined ? "latest" : parseBlockOption(options.block, "--block");
        if (options.liabilitiesRoot !== undefined && options.liabilities === undefined) {
          throw new InvalidArgumentError("--liabilities-root needs --liabilities (the root's total)");
        }
        if (options.liabilitiesSummary !== undefined && options.liabilities !== undefined) {
          throw new InvalidArgumentError(
            "pass either --liabilities [--liabilities-root] or --liabilities-summary",
          );
        }
        const summary =
          options.liabilitiesSummary === undefined
            ? undefined
            : await readLiabilitiesSummary(options.liabilitiesSummary);
        const wallet = await requireWallet(options);
        const ctx = await openRegistryToSend(options, { kind: "anyone" }, wallet);
        const [config] = await call("reading subject", () => ctx.registry.subject(subjectId));
        const decimals = Number(config.decimals);
        const listed = config.auditors.some((a) => a.toLowerCase() === wallet.address.toLowerCase());
        if (!listed || !(await ctx.registry.isAccredited(wallet.address))) {
          throw new VerificationError(
            `${wallet.address} is not an accredited auditor of subject ${formatSubjectId(subjectId)}`,
          );
        }
        if (summary !== undefined && summary.decimals !== decimals) {
          throw new InvalidArgumentError(
            `${options.liabilitiesSummary} was built with ${summary.decimals} decimals, the subject uses ${decimals}`,
          );
        }
        const liabilities: LiabilitiesInput =
          summary !== undefined
            ? { source: "given", amount: summary.total, root: parseHex32(summary.root, "summary root") }
            : options.liabilities === undefined
              ? { source: "token-supply" }
              : {
                  source: "given",
                  amount: parseAmount(options.liabilities, decimals, "--liabilities"),
                  root:
                    options.liabilitiesRoot === undefined
                      ? undefined
                      : parseHex32(options.liabilitiesRoot, "--liabilities-root"),
                };
        const snapshot = await call("snapshot failed", () =>
          takeReserveSnapshot(ctx.hre.ethers.provider, ctx.address, subjectId, liabilities, block),
        );
        const signed = await signAttestation(
          wallet,
          attestationDomain(ctx.chainId, ctx.address),
          snapshot.attestation.attestation,
        );
        const signatureFile = { chainId: ctx.chainId, registry: snapshot.attestation.registry, ...signed };

        const outDir =
          options.outDir ?? `snapshot-${formatSubjectId(subjectId)}-${snapshot.report.block.number}`;
        const files = {
          "report.json": snapshot.reportJson,
          "attestation.json": `${JSON.stringify(attestationFileToJson(snapshot.attestation), null, 2)}\n`,
          [`signature-${signed.signer}.json`]: `${JSON.stringify(signatureFileToJson(signatureFile), null, 2)}\n`,
        };
        await writeDirectoryAtomic(
          outDir,
          async (staging) => {
            for (const [name, content] of Object.entries(files))
              await fs.writeFile(path.join(staging, name), content);
          },
          { replace: options.force, hint: "choose a new --out-dir or pass --force to replace it" },
        );

        const quorum = Number(config.quorum);
        const submission = buildSubmission(snapshot.attestation, [
          { file: signatureFile, source: "reporter signature", signerIsContract: false },
        ]);
        const outcome =
          options.post && quorum === 1
            ? await sendPlannedCall(
                ctx.signer,
                planPostAttestation(ctx.address as Address, submission),
                options,
                "posting",
              )
            : null;
        const posted = outcome?.sent
          ? await postedRound(ctx.hre.ethers.provider, outcome, submission)
          : undefined;
        const { report } = snapshot;
        output(
          options,
          {
            outDir,
            report: JSON.parse(snapshot.reportJson) as unknown,
            attestation: snapshot.attestation,
            signer: signed.signer,
            posted,
            transaction: outcome,
          },
          () =>
            [
              `snapshot of ${formatSubjectId(subjectId)} at block ${report.block.number} (${formatTimestamp(BigInt(report.block.timestamp))})`,
              `wallets      ${report.wallets.length}`,
              `reserves     ${formatAmount(report.reserves, decimals, { grouping: true })}`,
              `liabilities  ${formatAmount(report.liabilities, decimals, { grouping: true })} (${report.liabilitiesSource})`,
              `wrote        ${outDir}/ (report.json, attestation.json, signature-${signed.signer}.json)`,
              posted
                ? `posted       round #${posted.roundId} on ${networkLabel(ctx.hre, ctx.chainId)} (tx ${posted.transactionHash})`
                : quorum > 1
                  ? `not posted   quorum is ${quorum}: co-signers run \`por attest sign ${outDir}/attestation.json\``
                  : outcome === null
                    ? "not posted   (--no-post)"
                    : `not posted   ${options.dryRun ? "(--dry-run)" : "(--safe-tx)"}`,
              ...(outcome === null ? [] : outcomeLines(outcome)),
            ].join("\n"),
        );
      }),
    );
}
