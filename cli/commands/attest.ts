import { promises as fs } from "node:fs";
import type { Command } from "commander";
import { getAddress, keccak256 } from "ethers";
import { formatAmount, parseAmount } from "../../src/core/amounts";
import { attestationDomain, signAttestation } from "../../src/attestations/attestation";
import {
  attestationFileDigest,
  readAttestationFile,
  readSignatureFile,
  signatureFileToJson,
  writeAttestationFile,
  writeSignatureFile,
} from "../../src/attestations/file";
import type { AttestationFile } from "../../src/attestations/file";
import {
  CancelledError,
  ChainError,
  InvalidArgumentError,
  InvalidFileError,
  VerificationError,
} from "../../src/core/errors";
import { parseAddress, parseHex32, ZERO_HASH } from "../../src/core/hex";
import type { Address, Hex32 } from "../../src/core/hex";
import { checkOutputPath } from "../../src/node/files";
import { requireWallet } from "../../src/node/keys";
import { readLiabilitiesSummary } from "../../src/liabilities";
import type { KeyOptions } from "../../src/node/keys";
import { planPostAttestation, postedRound } from "../../src/attestations/posting";
import { call } from "../../src/chain/registry-client";
import { buildSubmission, checkSignatureFiles } from "../../src/attestations/submission";
import type { CollectedSignature } from "../../src/attestations/submission";
import { formatSubjectId, parseSubjectId } from "../../src/core/subject-id";
import { checkSnapshotTime, formatTimestamp, laterNow, parseTimestamp } from "../../src/core/time";
import { reviewAttestation, reviewLines, subjectFacts } from "../../src/attestations/review";
import {
  checkSafeOwner,
  combineSafeAttestationSignature,
  readSafePartFile,
  readSafeState,
  safeMessageHash,
  safePartToJson,
  signSafePart,
  writeSafePartFile,
} from "../../src/safe";
import type { SafeState } from "../../src/safe";
import { action, optionsOf, output } from "../cli-kit";
import type { GlobalOptions } from "../cli-kit";
import { connect } from "../network";
import { confirm, requireConfirmationPossible } from "../confirm";
import { outcomeLines, sendingOptions, sendPlannedCall } from "../sending";
import type { SendingOptions } from "../sending";
import { networkLabel, openRegistry, openRegistryToSend, registryOption, keyOptions } from "./common";
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
  safe?: string;
}

interface CombineOptions extends GlobalOptions {
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
      checkSnapshotTime(asOf, "--as-of", laterNow(chainNow));
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
        .option(
          "--safe <address>",
          "the auditor is this Safe: sign as one of its owners and write the owner's part for `por attest combine`",
        )
        .requiredOption("--out <file>", "signature file to write (with --safe: the owner's part file)")
        .option("--force", "replace --out if it exists"),
    ),
    "sign",
  )
    .addHelpText(
      "after",
      "Shows every signed field and the EIP-712 domain, then asks for confirmation on the terminal\n" +
        "(--yes: sign without asking; without a terminal, --yes is required). With --network, reads the\n" +
        "subject's name and decimals from the registry; offline, uses the ones `attest create` noted in\n" +
        "the file. With --registry, refuses a file made for another registry.\n" +
        "With --safe SAFE (an auditor that is a Safe multisig), the key is one owner's: the part written to\n" +
        "--out is that owner's signature of the Safe message hash of the attestation digest (docs/safe.md);\n" +
        "with --network, the key is checked to be an owner of the Safe. Once enough owners have signed,\n" +
        "`por attest combine` assembles the Safe's signature file.",
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
        const onChain = await readSubjectOnChain(options, file, attestationPath);
        // The chain's clock decides what is in the future (a node may run ahead of this machine's).
        const now = laterNow(onChain?.chainTime);
        const review = reviewAttestation(
          file,
          subjectFacts(file, onChain, attestationPath),
          now,
          attestationPath,
        );
        const ask = options.yes !== true;
        requireConfirmationPossible(options.yes, undefined, "sign");
        // Refused before the review is confirmed, not after: an auditor must not sign for nothing.
        await checkOutputPath(options.out, { replace: options.force });
        const wallet = await requireWallet(options);
        const safe =
          options.safe === undefined ? undefined : await safeToSignFor(options, options.safe, wallet.address);
        const lines = [
          ...reviewLines(review),
          ...(safe === undefined ? [] : safeReviewLines(safe, file)),
          `signer              ${wallet.address}${safe === undefined ? "" : ` (an owner of Safe ${safe.address})`}`,
        ];
        if (ask) {
          process.stderr.write(`${lines.join("\n")}\n`);
          const as = safe === undefined ? wallet.address : `${wallet.address}, owner of Safe ${safe.address}`;
          if (!(await confirm(`sign as ${as}?`, false))) {
            throw new CancelledError("not signed: the review was not confirmed");
          }
        }
        if (safe !== undefined) {
          const part = await signSafePart(wallet, {
            kind: "attestation",
            chainId: file.chainId,
            registry: file.registry,
            safe: safe.address,
            digest: attestationFileDigest(file),
          });
          await writeSafePartFile(options.out, part, { replace: options.force });
          output(options, { file: options.out, ...safePartToJson(part), review }, () =>
            [
              ...(ask ? [] : lines),
              `wrote ${options.out} (part of Safe ${part.safe}, signed by owner ${part.owner})`,
              `next: once enough owners have signed, \`por attest combine ${attestationPath} PART-FILES… --out SIG.json\``,
            ].join("\n"),
          );
          return;
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

  sendingOptions(
    keyOptions(
      registryOption(
        attest
          .command("post")
          .description("check signatures off-chain, sort signers, and post the attestation as the next round")
          .argument("<attestation-file>", "attestation file made by `por attest create`")
          .argument("<signature-files...>", "signature files made by `por attest sign`, in any order"),
      ),
      "send",
    ),
    { safeBatch: true },
  )
    .addHelpText(
      "after",
      "The registry and chain come from the attestation file; --registry and --network must match them.\n" +
        "Anyone may post (the sender is only a relayer); the registry checks quorum and accreditation.",
    )
    .action(
      action(async (attestationPath: string, signaturePaths: string[], _opts: unknown, command: Command) => {
        const options = optionsOf<RegistryOptions & KeyOptions & SendingOptions>(command);
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
        const ctx = await openRegistryToSend({ ...options, registry: file.registry }, { kind: "anyone" });
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
        const outcome = await sendPlannedCall(
          ctx.signer,
          planPostAttestation(ctx.address as Address, submission),
          options,
          "posting",
        );
        const posted = outcome.sent ? await postedRound(ctx.hre.ethers.provider, outcome, submission) : null;
        const label = formatSubjectId(file.attestation.subjectId);
        output(
          options,
          {
            roundId: posted?.roundId ?? null,
            transactionHash: posted?.transactionHash ?? null,
            signers: submission.signers,
            subjectId: file.attestation.subjectId,
            registry: ctx.address,
            transaction: outcome,
          },
          () =>
            [
              posted
                ? `posted round #${posted.roundId} of subject ${label}`
                : `attestation of subject ${label}: not posted yet`,
              `signers    ${submission.signers.join(", ")}`,
              `registry   ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
              ...outcomeLines(outcome),
            ].join("\n"),
        );
      }),
    );

  attest
    .command("combine")
    .description(
      "assemble a Safe auditor's signature file from its owners' parts, once the Safe's threshold is met",
    )
    .argument("<attestation-file>", "attestation file made by `por attest create`")
    .argument("<part-files...>", "owners' part files made by `por attest sign --safe`, in any order")
    .requiredOption("--out <file>", "signature file to write; its signer is the Safe")
    .option("--force", "replace --out if it exists")
    .addHelpText(
      "after",
      "\nReads the Safe's owners and threshold from the chain (--network: the attestation's chain), refuses\n" +
        "a part from an account that is not an owner and fewer parts than the threshold, and checks the\n" +
        "result with the Safe itself (ERC-1271 isValidSignature) before writing it. `por attest post` takes\n" +
        "the file beside EOA signature files; the registry checks it through the Safe. See docs/safe.md.",
    )
    .action(
      action(async (attestationPath: string, partPaths: string[], _opts: unknown, command: Command) => {
        const options = optionsOf<CombineOptions>(command);
        const file = await readAttestationFile(attestationPath);
        const parts = await Promise.all(
          partPaths.map(async (source) => ({ source, file: await readSafePartFile(source) })),
        );
        if (options.network === undefined) {
          throw new InvalidArgumentError(
            "combining reads the Safe's owners and threshold from its chain: pass --network NAME",
          );
        }
        await checkOutputPath(options.out, { replace: options.force });
        const hre = await connect(options);
        const { chainId } = await hre.ethers.provider.getNetwork();
        if (chainId !== file.chainId) {
          throw new ChainError(
            `${attestationPath} is for chain ${file.chainId}, but ${hre.network.name} is chain ${chainId}`,
          );
        }
        const { file: signature, combined } = await combineSafeAttestationSignature(
          hre.ethers.provider,
          file,
          parts,
        );
        await writeSignatureFile(options.out, signature, { replace: options.force });
        const signedBy = parts.map((p) => p.file.owner);
        output(
          options,
          {
            file: options.out,
            ...signatureFileToJson(signature),
            safe: { owners: combined.state.owners, threshold: combined.state.threshold, signedBy },
          },
          () =>
            [
              `wrote ${options.out} (signed by Safe ${signature.signer})`,
              `owners     ${signedBy.join(", ")} (${signedBy.length} of ${combined.state.owners.length}, threshold ${combined.state.threshold})`,
              `digest     ${signature.digest}`,
              `next: \`por attest post ${attestationPath} ${options.out} OTHER-SIGNATURES…\``,
            ].join("\n"),
        );
      }),
    );
}

/** The Safe an owner signs for with `attest sign --safe`: its address and, with --network, its state. */
async function safeToSignFor(
  options: SignOptions,
  safeArg: string,
  owner: string,
): Promise<{ address: Address; state: SafeState | null }> {
  const address = parseAddress(safeArg, "--safe");
  if (options.network === undefined) return { address, state: null };
  const hre = await connect(options);
  const state = await readSafeState(hre.ethers.provider, address);
  checkSafeOwner(state, owner);
  return { address, state };
}

/** What an owner signing for a Safe also reviews: the Safe, and the hash the owner signs. */
function safeReviewLines(
  safe: { address: Address; state: SafeState | null },
  file: AttestationFile,
): string[] {
  const owners =
    safe.state === null
      ? "(owners not checked: pass --network to check this key owns the Safe)"
      : `(${safe.state.owners.length} owners, threshold ${safe.state.threshold}, read from the chain)`;
  return [
    "Safe (the auditor; signs through ERC-1271):",
    `  safe              ${safe.address} ${owners}`,
    `  safe message hash ${safeMessageHash(file.chainId, safe.address, attestationFileDigest(file))}`,
  ];
}

/**
 * The subject's name and decimals from the registry when --network is given (checking that the
 * network is the file's chain), else null: signing stays offline by default.
 */
async function readSubjectOnChain(
  options: SignOptions,
  file: AttestationFile,
  source: string,
): Promise<{ name: string; decimals: number; chainTime: bigint } | null> {
  if (options.network === undefined) return null;
  const ctx = await openRegistry({ ...options, registry: file.registry });
  if (ctx.chainId !== file.chainId) {
    throw new ChainError(
      `${source} is for chain ${file.chainId}, but ${ctx.hre.network.name} is chain ${ctx.chainId}`,
    );
  }
  const [config] = await call("reading subject", () => ctx.registry.subject(file.attestation.subjectId));
  const latest = await call("reading the latest block", () => ctx.hre.ethers.provider.getBlock("latest"));
  return { name: config.name, decimals: Number(config.decimals), chainTime: BigInt(latest?.timestamp ?? 0) };
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
