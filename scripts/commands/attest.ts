import { promises as fs } from "node:fs";
import type { Command } from "commander";
import { getAddress, keccak256 } from "ethers";
import { formatAmount, parseAmount } from "../../src/amounts";
import { attestationDomain, signAttestation } from "../../src/attestation";
import {
  attestationFileDigest,
  readAttestationFile,
  readSignatureFile,
  writeAttestationFile,
  writeSignatureFile,
} from "../../src/attestation-file";
import type { AttestationFile } from "../../src/attestation-file";
import {
  CancelledError,
  ChainError,
  InvalidArgumentError,
  InvalidFileError,
  VerificationError,
} from "../../src/errors";
import { parseAddress, parseHex32, ZERO_HASH } from "../../src/hex";
import type { Address, Hex32 } from "../../src/hex";
import { checkOutputPath } from "../../src/files";
import { requireWallet } from "../../src/keys";
import { readLiabilitiesSummary } from "../../src/liabilities";
import type { KeyOptions } from "../../src/keys";
import { call, postSubmission } from "../../src/registry-client";
import { buildSubmission, checkSignatureFiles } from "../../src/submission";
import type { CollectedSignature } from "../../src/submission";
import { formatSubjectId, parseSubjectId } from "../../src/subject-id";
import { checkSnapshotTime, formatTimestamp, parseTimestamp, unixNow } from "../../src/time";
import { reviewAttestation, reviewLines, subjectFacts } from "../../src/attestation-review";
import { action, optionsOf, output } from "../cli-kit";
import { confirm, requireConfirmationPossible } from "../confirm";
import { networkLabel, openRegistry, openRegistryForSending, registryOption, keyOptions } from "./common";
import type { RegistryOptions } from "./common";

interface CreateOptions extends RegistryOptions {
  subject: string;
  asOf: string;
  reserves: string;
  liabilities?: string;
  liabilitiesRoot?: string;
  liabilitiesSummary?: string;
  report?: string;
  reportHash?: string;
  out: string;
  force?: boolean;
}

interface SignOptions extends RegistryOptions, KeyOptions {
  yes?: boolean;
  out: string;
  force?: boolean;
}

export function registerAttest(program: Command): void {
  const attest = program
    .command("attest")
    .description(
      "create attestation files, sign them as an auditor, and post them with a quorum of signatures",
    );

  registryOption(
    attest
      .command("create")
      .description(
        "write an attestation file for a subject, converting decimal amounts with its on-chain decimals",
      )
      .requiredOption("--subject <id>", "subject id: text (e.g. USDX) or 0x-prefixed 32-byte hex")
      .requiredOption("--as-of <time>", "snapshot time: unix seconds or ISO 8601 (2025-01-01T00:00:00Z)")
      .requiredOption(
        "--reserves <amount>",
        "reserves as a decimal number in the subject's units, e.g. 1050000.25",
      )
      .option("--liabilities <amount>", "liabilities as a decimal number in the subject's units")
      .option("--liabilities-root <hash>", "Merkle-sum root of customer balances (default: none)")
      .option(
        "--liabilities-summary <file>",
        "summary.json of `por liabilities build`: its root and total become liabilitiesRoot and liabilities",
      )
      .option("--report <file>", "the auditor's report document; reportHash = keccak256 of its bytes")
      .option("--report-hash <hash>", "reportHash given directly (default: none)")
      .requiredOption("--out <file>", "attestation file to write")
      .option("--force", "replace --out if it exists"),
  ).action(
    action(async (_opts: unknown, command: Command) => {
      const options = optionsOf<CreateOptions>(command);
      const subjectId = parseSubjectId(options.subject);
      const asOf = parseTimestamp(options.asOf, "--as-of");
      if (options.report !== undefined && options.reportHash !== undefined) {
        throw new InvalidArgumentError("pass either --report or --report-hash, not both");
      }
      const liabilitiesFromFlags = options.liabilities !== undefined || options.liabilitiesRoot !== undefined;
      if (liabilitiesFromFlags === (options.liabilitiesSummary !== undefined)) {
        throw new InvalidArgumentError(
          "pass either --liabilities [--liabilities-root] or --liabilities-summary",
        );
      }
      if (options.liabilitiesSummary === undefined && options.liabilities === undefined) {
        throw new InvalidArgumentError("--liabilities-root needs --liabilities (the root's total)");
      }
      const summary =
        options.liabilitiesSummary === undefined
          ? undefined
          : await readLiabilitiesSummary(options.liabilitiesSummary);
      const reportHash =
        options.report !== undefined
          ? await hashReport(options.report)
          : options.reportHash === undefined
            ? ZERO_HASH
            : parseHex32(options.reportHash, "--report-hash");
      const ctx = await openRegistry(options);
      const [config] = await call("reading subject", () => ctx.registry.subject(subjectId));
      const decimals = Number(config.decimals);
      const block = await ctx.hre.ethers.provider.getBlock("latest");
      const chainNow = BigInt(block?.timestamp ?? 0);
      checkSnapshotTime(asOf, "--as-of", chainNow > unixNow() ? chainNow : unixNow());
      if (summary !== undefined && summary.decimals !== decimals) {
        throw new InvalidArgumentError(
          `${options.liabilitiesSummary} was built with ${summary.decimals} decimals, the subject uses ${decimals}`,
        );
      }
      const file: AttestationFile = {
        chainId: ctx.chainId,
        registry: getAddress(ctx.address) as Address,
        attestation: {
          subjectId,
          asOf,
          reserves: parseAmount(options.reserves, decimals, "--reserves"),
          liabilities: summary?.total ?? parseAmount(options.liabilities ?? "", decimals, "--liabilities"),
          liabilitiesRoot:
            summary !== undefined
              ? parseHex32(summary.root, "summary root")
              : options.liabilitiesRoot === undefined
                ? ZERO_HASH
                : parseHex32(options.liabilitiesRoot, "--liabilities-root"),
          reportHash,
        },
        subject: { name: config.name, decimals },
      };
      await writeAttestationFile(options.out, file, { replace: options.force });
      const digest = attestationFileDigest(file);
      output(options, { file: options.out, digest, decimals, ...file }, () =>
        [
          `wrote ${options.out}`,
          `subject      ${formatSubjectId(subjectId)} (${config.name}, ${decimals} decimals)`,
          `as of        ${formatTimestamp(asOf)}`,
          `reserves     ${formatAmount(file.attestation.reserves, decimals, { grouping: true })}`,
          `liabilities  ${formatAmount(file.attestation.liabilities, decimals, { grouping: true })}`,
          `registry     ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
          `digest       ${digest}`,
        ].join("\n"),
      );
    }),
  );

  keyOptions(
    registryOption(
      attest
        .command("sign")
        .description(
          "sign an attestation file as an auditor (offline: no network needed) into a signature file",
        )
        .argument("<attestation-file>", "attestation file made by `por attest create`")
        .option("--yes", "sign without asking for confirmation (the review is still printed)")
        .requiredOption("--out <file>", "signature file to write")
        .option("--force", "replace --out if it exists"),
    ),
    "sign",
  )
    .addHelpText(
      "after",
      "Shows every signed field and the EIP-712 domain, then asks for confirmation on the terminal\n" +
        "(--yes: sign without asking; without a terminal, --yes is required). With --network, reads the\n" +
        "subject's name and decimals from the registry; offline, uses the ones `attest create` noted in\n" +
        "the file. With --registry, refuses a file made for another registry.",
    )
    .action(
      action(async (attestationPath: string, _opts: unknown, command: Command) => {
        const options = optionsOf<SignOptions>(command);
        const file = await readAttestationFile(attestationPath);
        if (
          options.registry !== undefined &&
          parseAddress(options.registry, "--registry") !== file.registry
        ) {
          throw new VerificationError(
            `${attestationPath} is for registry ${file.registry}, not ${options.registry}`,
          );
        }
        const review = reviewAttestation(
          file,
          subjectFacts(file, await readSubjectOnChain(options, file, attestationPath), attestationPath),
          unixNow(),
          attestationPath,
        );
        const ask = options.yes !== true;
        requireConfirmationPossible(options.yes, undefined, "sign");
        // Refused before the review is confirmed, not after: an auditor must not sign for nothing.
        await checkOutputPath(options.out, { replace: options.force });
        const wallet = await requireWallet(options);
        const lines = [...reviewLines(review), `signer              ${wallet.address}`];
        if (ask) {
          process.stderr.write(`${lines.join("\n")}\n`);
          if (!(await confirm(`sign as ${wallet.address}?`, false))) {
            throw new CancelledError("not signed: the review was not confirmed");
          }
        }
        const signed = await signAttestation(
          wallet,
          attestationDomain(file.chainId, file.registry),
          file.attestation,
        );
        await writeSignatureFile(
          options.out,
          { chainId: file.chainId, registry: file.registry, ...signed },
          { replace: options.force },
        );
        output(
          options,
          { file: options.out, chainId: file.chainId, registry: file.registry, ...signed, review },
          () => [...(ask ? [] : lines), `wrote ${options.out} (signed by ${signed.signer})`].join("\n"),
        );
      }),
    );

  keyOptions(
    registryOption(
      attest
        .command("post")
        .description("check signatures off-chain, sort signers, and post the attestation as the next round")
        .argument("<attestation-file>", "attestation file made by `por attest create`")
        .argument("<signature-files...>", "signature files made by `por attest sign`, in any order"),
    ),
    "send",
  )
    .addHelpText(
      "after",
      "The registry and chain come from the attestation file; --registry and --network must match them.\n" +
        "Anyone may post (the sender is only a relayer); the registry checks quorum and accreditation.",
    )
    .action(
      action(async (attestationPath: string, signaturePaths: string[], _opts: unknown, command: Command) => {
        const options = optionsOf<RegistryOptions & KeyOptions>(command);
        const file = await readAttestationFile(attestationPath);
        const signatures = await Promise.all(
          signaturePaths.map(async (source) => ({ source, file: await readSignatureFile(source) })),
        );
        if (
          options.registry !== undefined &&
          parseAddress(options.registry, "--registry") !== file.registry
        ) {
          throw new VerificationError(
            `${attestationPath} is for registry ${file.registry}, not ${options.registry}`,
          );
        }
        checkSignatureFiles(file, signatures);
        const ctx = await openRegistryForSending({ ...options, registry: file.registry });
        if (ctx.chainId !== file.chainId) {
          throw new ChainError(
            `${attestationPath} is for chain ${file.chainId}, but ${ctx.hre.network.name} is chain ${ctx.chainId}`,
          );
        }
        const collected: CollectedSignature[] = await Promise.all(
          signatures.map(async (s) => ({
            ...s,
            signerIsContract: (await ctx.hre.ethers.provider.getCode(s.file.signer)) !== "0x",
          })),
        );
        const submission = buildSubmission(file, collected);
        const posted = await postSubmission(ctx.registry, submission);
        output(options, { ...posted, subjectId: file.attestation.subjectId, registry: ctx.address }, () =>
          [
            `posted round #${posted.roundId} of subject ${formatSubjectId(file.attestation.subjectId)}`,
            `signers    ${posted.signers.join(", ")}`,
            `registry   ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
            `tx         ${posted.transactionHash}`,
          ].join("\n"),
        );
      }),
    );
}

/**
 * The subject's name and decimals from the registry when --network is given (checking that the
 * network is the file's chain), else null: signing stays offline by default.
 */
async function readSubjectOnChain(
  options: SignOptions,
  file: AttestationFile,
  source: string,
): Promise<{ name: string; decimals: number } | null> {
  if (options.network === undefined) return null;
  const ctx = await openRegistry({ ...options, registry: file.registry });
  if (ctx.chainId !== file.chainId) {
    throw new ChainError(
      `${source} is for chain ${file.chainId}, but ${ctx.hre.network.name} is chain ${ctx.chainId}`,
    );
  }
  const [config] = await call("reading subject", () => ctx.registry.subject(file.attestation.subjectId));
  return { name: config.name, decimals: Number(config.decimals) };
}

async function hashReport(filePath: string): Promise<Hex32> {
  try {
    return keccak256(await fs.readFile(filePath)) as Hex32;
  } catch (err) {
    throw new InvalidFileError(`cannot read report ${filePath}`, {
      details: (err as NodeJS.ErrnoException).code,
      cause: err,
    });
  }
}
