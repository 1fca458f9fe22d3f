import type { Command } from "commander";
import { formatAmount } from "../../src/core/amounts";
import {
  readWalletConsentFile,
  signWalletConsent,
  walletConsentDigest,
  walletConsentToJson,
  writeWalletConsentFile,
} from "../../src/backing/consent-file";
import { CancelledError, InvalidArgumentError } from "../../src/core/errors";
import {
  checkSafeOwner,
  combineSafeWalletConsent,
  readSafePartFile,
  readSafeState,
  safePartToJson,
  signSafePart,
  writeSafePartFile,
} from "../../src/safe";
import type { SafeState } from "../../src/safe";
import { parseAddress } from "../../src/core/hex";
import type { Address } from "../../src/core/hex";
import { requireWallet } from "../../src/node/keys";
import type { KeyOptions } from "../../src/node/keys";
import { checkOutputPath } from "../../src/node/files";
import {
  checkReserveWalletAddition,
  checkReserveWalletRemoval,
  consentTarget,
  listReserveWallets,
  readConsentSubject,
  planAddReserveWallet,
  planRemoveReserveWallet,
} from "../../src/backing/wallets";
import type { ReserveWalletListing, ReserveWalletSubject } from "../../src/backing/wallets";
import type { TokenMetadata } from "../../src/backing/assets";
import { formatSubjectId, parseSubjectId } from "../../src/core/subject-id";
import { action, forceOption, optionsOf, output } from "../cli-kit";
import type { GlobalOptions } from "../cli-kit";
import { connect } from "../network";
import { confirm, requireConfirmationPossible } from "../confirm";
import { outcomeLines, sendingOptions, sendPlannedCall } from "../sending";
import type { SendingOptions } from "../sending";
import { keyOptions, networkLabel, openRegistry, openRegistryToSend, registryOption } from "./common";
import type { RegistryOptions } from "./common";

interface SubjectOption extends RegistryOptions {
  subject: string;
}

interface ConsentOptions extends SubjectOption, KeyOptions {
  out: string;
  yes?: boolean;
  force?: boolean;
  safe?: string;
}

interface CombineOptions extends GlobalOptions {
  out: string;
  force?: boolean;
}

const SUBJECT_HELP = "subject id: text (e.g. USDX) or 0x-prefixed 32-byte hex";

/** Once live, always live: what removing a wallet does not undo. */
const STAYS_LIVE =
  "the subject's reserves stay live: they are the remaining wallets' balances (0 with none), never attested figures again";

export function registerWallet(program: Command): void {
  const wallet = program
    .command("wallet")
    .description(
      "reserve wallets: consent as a wallet's holder, add, remove and list them as the subject owner",
    )
    .addHelpText(
      "after",
      "\nA reserve wallet's balance of the subject's reserve asset counts live as the subject's reserves." +
        "\nThe wallet's holder signs a consent file (`wallet consent`), the subject owner adds it (`wallet add`).",
    );

  keyOptions(
    registryOption(
      forceOption(
        wallet
          .command("consent")
          .description(
            "as a wallet's holder, sign a consent file letting the subject's owner count this wallet as its reserves",
          )
          .requiredOption("--subject <id>", SUBJECT_HELP)
          .requiredOption("--out <file>", "consent file to write (with --safe: the owner's part file)")
          .option("--yes", "sign without asking for confirmation (the review is not shown)")
          .option(
            "--safe <address>",
            "the wallet is this Safe: sign as one of its owners and write the owner's part for `por wallet combine`",
          ),
        "the --out file",
      ),
    ),
    "sign",
  )
    .addHelpText(
      "after",
      "\nThe key is the wallet's own. The subject must already be registered (a consent for an unregistered" +
        "\nid can be taken by whoever registers it first). Shows what is signed and asks before signing;" +
        "\nwithout a terminal, pass --yes. The file is for the subject owner's `por wallet add`." +
        "\nWith --safe SAFE (the wallet is a Safe multisig), the key is one owner's, checked against the Safe's" +
        "\nowners on the chain; --out gets that owner's part, and `por wallet combine` assembles the Safe's" +
        "\nconsent file from enough owners' parts (docs/safe.md).",
    )
    .action(
      action(async (_opts: unknown, command: Command) => {
        const options = optionsOf<ConsentOptions>(command);
        const subjectId = parseSubjectId(options.subject);
        requireConfirmationPossible(options.yes, undefined, "sign");
        await checkOutputPath(options.out, { replace: options.force });
        const key = await requireWallet(options);
        const ctx = await openRegistry(options);
        const subject = await readConsentSubject(ctx.registry, subjectId);
        if (options.safe !== undefined) {
          const safe = parseAddress(options.safe, "--safe");
          const state = await readSafeState(ctx.hre.ethers.provider, safe);
          checkSafeOwner(state, key.address);
          if (!options.yes) {
            process.stderr.write(
              `${describeConsent(subject, safe, ctx.hre.network.name, { owner: key.address, state })}\n`,
            );
            if (!(await confirm("Sign this consent as an owner of the Safe?", options.yes))) {
              throw new CancelledError("not signed: the consent was not confirmed");
            }
          }
          const part = await signSafePart(key, { kind: "wallet-consent", ...consentTarget(subject), safe });
          await writeSafePartFile(options.out, part, { replace: options.force });
          output(options, { file: options.out, ...safePartToJson(part) }, () =>
            [
              `wrote ${options.out} (part of Safe ${safe}, signed by owner ${part.owner})`,
              `safe          ${safe}: ${state.owners.length} owners, threshold ${state.threshold}`,
              `subject       ${formatSubjectId(subjectId)} (${subject.name}), owner ${subject.owner}`,
              `reserve asset ${subject.reserveAsset} (${describeToken(subject.asset)})`,
              `next: once ${state.threshold} owners have signed, \`por wallet combine PART-FILES… --out CONSENT.json\``,
            ].join("\n"),
          );
          return;
        }
        if (!options.yes) {
          process.stderr.write(`${describeConsent(subject, key.address, ctx.hre.network.name)}\n`);
          if (!(await confirm("Sign this consent?", options.yes))) {
            throw new CancelledError("not signed: the consent was not confirmed");
          }
        }
        const consent = await signWalletConsent(key, consentTarget(subject));
        await writeWalletConsentFile(options.out, consent, { force: options.force });
        output(
          options,
          { file: options.out, ...walletConsentToJson(consent), digest: walletConsentDigest(consent) },
          () =>
            [
              `wrote ${options.out}`,
              `wallet        ${consent.wallet}`,
              `subject       ${formatSubjectId(subjectId)} (${subject.name}), owner ${subject.owner}`,
              `reserve asset ${subject.reserveAsset} (${describeToken(subject.asset)})`,
              `registry      ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
              `next: the subject owner runs \`por wallet add --subject ${options.subject} ${options.out}\``,
            ].join("\n"),
        );
      }),
    );

  forceOption(
    wallet
      .command("combine")
      .description(
        "as a Safe's owners, assemble the Safe's consent file from their parts, once its threshold is met",
      )
      .argument("<part-files...>", "owners' part files made by `por wallet consent --safe`, in any order")
      .requiredOption("--out <file>", "consent file to write; its wallet is the Safe"),
    "the --out file",
  )
    .addHelpText(
      "after",
      "\nReads the Safe's owners and threshold from the chain (--network: the parts' chain), refuses a part" +
        "\nfrom an account that is not an owner and fewer parts than the threshold, and checks the result" +
        "\nwith the Safe itself (ERC-1271 isValidSignature) before writing it. The file is for the subject" +
        "\nowner's `por wallet add`, as an EOA's consent is. See docs/safe.md.",
    )
    .action(
      action(async (partPaths: string[], _opts: unknown, command: Command) => {
        const options = optionsOf<CombineOptions>(command);
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
        const { consent, combined } = await combineSafeWalletConsent(hre.ethers.provider, parts);
        await writeWalletConsentFile(options.out, consent, { force: options.force });
        const signedBy = parts.map((p) => p.file.owner);
        output(
          options,
          {
            file: options.out,
            ...walletConsentToJson(consent),
            digest: walletConsentDigest(consent),
            safe: { owners: combined.state.owners, threshold: combined.state.threshold, signedBy },
          },
          () =>
            [
              `wrote ${options.out} (consent of Safe ${consent.wallet})`,
              `owners        ${signedBy.join(", ")} (${signedBy.length} of ${combined.state.owners.length}, threshold ${combined.state.threshold})`,
              `subject       ${formatSubjectId(consent.subjectId)}, reserve asset ${consent.reserveAsset}`,
              `next: the subject owner runs \`por wallet add --subject ${formatSubjectId(consent.subjectId)} ${options.out}\``,
            ].join("\n"),
        );
      }),
    );

  sendingOptions(
    keyOptions(
      registryOption(
        wallet
          .command("add")
          .description("as the subject owner, add a reserve wallet from the consent file its holder signed")
          .requiredOption("--subject <id>", SUBJECT_HELP)
          .argument("<consent-file>", "consent file made by `por wallet consent`"),
      ),
      "send",
    ),
    { safeBatch: true },
  )
    .addHelpText(
      "after",
      "\nThe registry defaults to the consent file's; --registry and --network must match it. Checked before" +
        "\nsending: the file's chain, registry, subject and reserve asset are the live ones, the signature is the" +
        "\nwallet's (contract wallets: checked by the registry, ERC-1271), you own the subject, the asset is" +
        "\napproved, and the wallet is not already added, nor backing another subject with the same asset.",
    )
    .action(
      action(async (consentPath: string, _opts: unknown, command: Command) => {
        const options = optionsOf<SubjectOption & KeyOptions & SendingOptions>(command);
        const subjectId = parseSubjectId(options.subject);
        const consent = await readWalletConsentFile(consentPath);
        const ctx = await openRegistryToSend(
          { ...options, registry: options.registry ?? consent.registry },
          { kind: "subject-owner", subjectId },
        );
        const subject = await checkReserveWalletAddition(ctx.registry, ctx.signer.address, consent, {
          subjectId,
          source: consentPath,
        });
        const outcome = await sendPlannedCall(
          ctx.signer,
          planAddReserveWallet(ctx.address as Address, consent),
          options,
          "adding the wallet",
        );
        output(
          options,
          {
            subjectId,
            label: formatSubjectId(subjectId),
            wallet: consent.wallet,
            reserveAsset: subject.reserveAsset,
            registry: ctx.address,
            added: outcome.sent,
            transactionHash: outcome.sent ? outcome.transactionHash : null,
            transaction: outcome,
          },
          () =>
            [
              outcome.sent
                ? `added wallet  ${consent.wallet} to subject ${formatSubjectId(subjectId)} (${subject.name})`
                : `wallet        ${consent.wallet}, subject ${formatSubjectId(subjectId)} (${subject.name}): not added yet`,
              `reserve asset ${subject.reserveAsset} (${describeToken(subject.asset)})`,
              `registry      ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
              ...outcomeLines(outcome),
              `note: ${STAYS_LIVE}`,
            ].join("\n"),
        );
      }),
    );

  sendingOptions(
    keyOptions(
      registryOption(
        wallet
          .command("remove")
          .description("as the subject owner, stop counting a wallet as the subject's reserves")
          .requiredOption("--subject <id>", SUBJECT_HELP)
          .argument("<wallet>", "wallet address"),
      ),
      "send",
    ),
    { safeBatch: true },
  )
    .addHelpText(
      "after",
      "\nA wallet whose balance backs what the subject owes (its token's supply, else its latest round's attested" +
        "\nliabilities) cannot be removed: the registry refuses a removal that would leave the reserves below it" +
        "\n(ReserveWalletBacksLiabilities), and this command explains why before sending. An empty or surplus" +
        "\nwallet goes; to rotate, add the new wallet, have the custodian move the funds, then remove the old one." +
        "\nThe subject's reserves stay live after a removal, even of its last wallet (then they read 0):" +
        "\na subject never goes back to attested reserves.",
    )
    .action(
      action(async (walletArg: string, _opts: unknown, command: Command) => {
        const options = optionsOf<SubjectOption & KeyOptions & SendingOptions>(command);
        const subjectId = parseSubjectId(options.subject);
        const address = parseAddress(walletArg, "wallet");
        const ctx = await openRegistryToSend(options, { kind: "subject-owner", subjectId });
        const subject = await checkReserveWalletRemoval(ctx.registry, ctx.signer.address, subjectId, address);
        const outcome = await sendPlannedCall(
          ctx.signer,
          planRemoveReserveWallet(ctx.address as Address, subjectId, address),
          options,
          "removing the wallet",
        );
        const after = await listReserveWallets(ctx.registry, subjectId);
        output(
          options,
          {
            subjectId,
            label: formatSubjectId(subjectId),
            wallet: address,
            registry: ctx.address,
            removed: outcome.sent,
            transactionHash: outcome.sent ? outcome.transactionHash : null,
            transaction: outcome,
            remainingWallets: after.wallets.length,
            liveReserves: after.liveReserves,
            liveReservesFormatted:
              after.liveReserves === null ? null : formatAmount(after.liveReserves, after.decimals),
            warning: STAYS_LIVE,
          },
          () =>
            [
              outcome.sent
                ? `removed wallet ${address} from subject ${formatSubjectId(subjectId)} (${subject.name})`
                : `wallet         ${address}, subject ${formatSubjectId(subjectId)} (${subject.name}): not removed yet`,
              `live reserves  ${formatOptional(after.liveReserves, after.decimals)} from ${after.wallets.length} wallet(s)`,
              `registry       ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
              ...outcomeLines(outcome),
              `warning: ${STAYS_LIVE}`,
            ].join("\n"),
        );
      }),
    );

  registryOption(
    wallet
      .command("list")
      .description("list a subject's reserve wallets with their live balances and the total")
      .requiredOption("--subject <id>", SUBJECT_HELP),
  ).action(
    action(async (_opts: unknown, command: Command) => {
      const options = optionsOf<SubjectOption>(command);
      const subjectId = parseSubjectId(options.subject);
      const ctx = await openRegistry(options);
      const listing = await listReserveWallets(ctx.registry, subjectId);
      output(options, listingJson(listing, ctx.address), () =>
        describeListing(listing, `${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`),
      );
    }),
  );
}

/** The review screen of `wallet consent`: every signed field, and what signing allows. */
function describeConsent(
  subject: ReserveWalletSubject,
  wallet: string,
  networkName: string,
  safe?: { owner: string; state: SafeState },
): string {
  const asset = `${subject.reserveAsset} (${describeToken(subject.asset)})`;
  const walletLine =
    safe === undefined
      ? `${wallet} (this key)`
      : `${wallet} (a Safe: ${safe.state.threshold} of its ${safe.state.owners.length} owners sign; this key is owner ${safe.owner})`;
  return [
    "You are about to sign this reserve wallet consent (EIP-712 ReserveAddress):",
    `  subject       ${formatSubjectId(subject.subjectId)}  "${subject.name}"`,
    `  subject id    ${subject.subjectId}`,
    `  subject owner ${subject.owner}`,
    ...(subject.pendingOwner === null
      ? []
      : [`  pending owner ${subject.pendingOwner} (ownership offered, not yet accepted)`]),
    `  wallet        ${walletLine}`,
    `  reserve asset ${asset}${subject.approved ? "" : "  NOT APPROVED by the registry admin yet"}`,
    `  chain id      ${subject.chainId} (${networkName})`,
    `  registry      ${subject.registry}`,
    `Whoever owns this subject can then count this wallet's ${subject.asset.symbol ?? "asset"} balance as its reserves,`,
    "until they remove it. The consent does not expire: the owner may add the wallet again after removing it.",
  ].join("\n");
}

function listingJson(listing: ReserveWalletListing, registry: string): Record<string, unknown> {
  const assetDecimals = listing.asset?.decimals ?? null;
  return {
    registry,
    subjectId: listing.subjectId,
    label: formatSubjectId(listing.subjectId),
    name: listing.name,
    owner: listing.owner,
    block: listing.block,
    decimals: listing.decimals,
    reserveAsset: listing.reserveAsset,
    symbol: listing.asset?.symbol ?? null,
    assetDecimals,
    approved: listing.approved,
    wallets: listing.wallets.map(({ wallet, balance }) => ({
      wallet,
      balance,
      balanceFormatted: assetDecimals === null ? null : formatAmount(balance, assetDecimals),
    })),
    liveReserves: listing.liveReserves,
    liveReservesFormatted:
      listing.liveReserves === null ? null : formatAmount(listing.liveReserves, listing.decimals),
  };
}

function describeListing(listing: ReserveWalletListing, where: string): string {
  const title = `reserve wallets of subject ${formatSubjectId(listing.subjectId)} (${listing.name}) in ${where}, block ${listing.block}`;
  if (listing.reserveAsset === null || listing.asset === null) {
    return `${title}\n  no on-chain reserve asset: the subject's reserves are attested only`;
  }
  const symbol = listing.asset.symbol ?? "?";
  const assetDecimals = listing.asset.decimals;
  const lines = [
    title,
    `reserve asset  ${listing.reserveAsset} (${describeToken(listing.asset)}), ${
      listing.approved ? "approved" : "REVOKED: its balances count for nothing"
    }`,
  ];
  if (listing.wallets.length === 0) lines.push("  no wallets");
  for (const { wallet, balance } of listing.wallets) {
    const amount =
      assetDecimals === null
        ? `${balance} base units`
        : formatAmount(balance, assetDecimals, { grouping: true });
    lines.push(`  ${wallet}  ${amount} ${symbol}`);
  }
  lines.push(
    `live reserves  ${formatOptional(listing.liveReserves, listing.decimals)} (subject's ${listing.decimals} decimals)`,
  );
  return lines.join("\n");
}

function formatOptional(value: bigint | null, decimals: number): string | null {
  return value === null ? null : formatAmount(value, decimals, { grouping: true });
}

/** "USDO, 8 decimals", with "?" for what the token does not answer. */
function describeToken(metadata: TokenMetadata): string {
  return `${metadata.symbol ?? "?"}, ${metadata.decimals ?? "?"} decimals`;
}
