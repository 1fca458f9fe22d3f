import type { Command } from "commander";
import { ZeroAddress } from "ethers";
import { formatAmount } from "../../src/core/amounts";
import { readDispute, summarizeDispute } from "../../src/challenges/challenges";
import type { DisputeSummary } from "../../src/challenges/challenges";
import { readSubjectCollateral } from "../../src/backing/collateral";
import type { SubjectCollateral } from "../../src/backing/collateral";
import { formatRatio } from "../../src/core/ratio";
import type { Hex32 } from "../../src/core/hex";
import { ZERO_HASH } from "../../src/core/hex";
import { readSubjectStatus } from "../../src/chain/registry-client";
import type { SubjectStatus } from "../../src/chain/registry-client";
import { formatSubjectId, parseSubjectId } from "../../src/core/subject-id";
import { formatDuration, formatTimestamp } from "../../src/core/time";
import { action, optionsOf, output } from "../cli-kit";
import { networkLabel, openRegistry, registryOption } from "./common";
import type { RegistryContext, RegistryOptions } from "./common";

export function registerStatus(program: Command): void {
  registryOption(
    program
      .command("status")
      .description("latest round, reserves, liabilities, ratio, freshness and auditors of a subject")
      .argument("<subject>", "subject id: text (e.g. USDX) or 0x-prefixed 32-byte hex"),
  ).action(
    action(async (subjectArg: string, _opts: unknown, command: Command) => {
      const options = optionsOf<RegistryOptions>(command);
      const subjectId = parseSubjectId(subjectArg);
      const ctx = await openRegistry(options);
      const status = await readStatus(ctx, subjectId);
      const backing = await readBacking(ctx, subjectId);
      output(options, { ...statusJson(status), backing: backingJson(backing) }, () =>
        [describeRound(status), describeBacking(backing), describeAuditors(status)]
          .filter((block) => block !== "")
          .join("\n"),
      );
    }),
  );
}

/** A subject's status with the dispute of its latest round, null when it does not count as disputed. */
export interface ShownStatus extends SubjectStatus {
  disputed: DisputeSummary | null;
}

/**
 * The subject's status at the latest block. A latest round that counts as disputed is not fresh,
 * whatever its age (as the registry's isFresh).
 */
export async function readStatus(ctx: RegistryContext, subjectId: Hex32): Promise<ShownStatus> {
  const status = await readSubjectStatus(ctx.registry, subjectId);
  const round = status.latestRound;
  const dispute = round === null ? undefined : await readDispute(ctx.registry, subjectId, round.roundId);
  if (round === null || !dispute?.latestDisputed) return { ...status, disputed: null };
  return { ...status, latestRound: { ...round, fresh: false }, disputed: summarizeDispute(dispute) };
}

/** What collateralization() reports now: it differs from the latest round once a side is read live. */
export async function readBacking(ctx: RegistryContext, subjectId: Hex32): Promise<SubjectCollateral | null> {
  return readSubjectCollateral(ctx.hre.ethers.provider, ctx.address, subjectId);
}

export function backingJson(backing: SubjectCollateral | null): Record<string, unknown> | null {
  return backing === null ? null : { ...backing, ratio: formatRatio(backing.ratioWad, 6) };
}

/**
 * The backing consumers act on (secure mint, ReserveGuard, the feeds), when a side is live: the
 * latest round alone would show the attested figures after the wallets were drained or the reserve
 * asset revoked. Empty when both sides are attested (the round above is then the whole story).
 */
export function describeBacking(backing: SubjectCollateral | null): string {
  if (backing === null || (backing.reserveSource === "attested" && backing.supplySource === "attested"))
    return "";
  const amount = (wad: bigint) => formatAmount(wad, 18, { grouping: true, fractionDigits: 2 });
  const freshness = backing.disputed
    ? `DISPUTED: ${backing.disputed.reason}`
    : backing.fresh
      ? "FRESH"
      : backing.reserveAssetApproved
        ? "STALE (an attested side is older than the heartbeat, or missing)"
        : "NOT FRESH: the reserve asset was revoked by the registry admin, its balances count as 0";
  return [
    `  backing now   (what secure mint, ReserveGuard and the feeds use)`,
    `    reserves    ${amount(backing.reservesWad)} (${backing.reserveSource})`,
    `    supply      ${amount(backing.supplyWad)} (${backing.supplySource})`,
    `    ratio       ${formatRatio(backing.ratioWad)}`,
    `    freshness   ${freshness}`,
  ].join("\n");
}

/**
 * The JSON shape of `por status --json`: base units as decimal strings plus formatted amounts, and
 * `disputed` (null, or the dispute naming its challenge).
 */
export function statusJson(status: ShownStatus): Record<string, unknown> {
  const round = status.latestRound;
  return {
    ...status,
    label: formatSubjectId(status.subjectId),
    latestRound:
      round === null
        ? null
        : {
            ...round,
            reservesFormatted: formatAmount(round.reserves, status.decimals),
            liabilitiesFormatted: formatAmount(round.liabilities, status.decimals),
            asOfIso: formatTimestamp(round.asOf),
            postedAtIso: formatTimestamp(round.postedAt),
          },
  };
}

/** The subject's configuration for humans. */
export function describeSubject(status: SubjectStatus, ctx: RegistryContext, pendingOwner?: string): string {
  const lines = [
    `${status.name}  (subject ${formatSubjectId(status.subjectId)})`,
    `  id            ${status.subjectId}`,
    `  registry      ${ctx.address} on ${networkLabel(ctx.hre, ctx.chainId)}`,
    `  owner         ${status.owner}`,
  ];
  if (pendingOwner !== undefined && pendingOwner !== ZeroAddress)
    lines.push(`  pending owner ${pendingOwner}`);
  lines.push(
    `  decimals      ${status.decimals}`,
    `  token         ${status.token === ZeroAddress ? "none on this chain" : status.token}`,
    `  reserve asset ${describeReserveAsset(status)}`,
    `  heartbeat     ${formatDuration(status.heartbeatSeconds)} (${status.heartbeatSeconds}s)`,
    describeAuditors(status),
  );
  return lines.join("\n");
}

function describeReserveAsset(status: SubjectStatus): string {
  if (status.reserveAsset === ZeroAddress) return "off-chain";
  return status.reserveAssetApproved
    ? status.reserveAsset
    : `${status.reserveAsset} (REVOKED by the registry admin: its wallet balances do not count)`;
}

/** The latest round for humans, or a line saying there is none. */
export function describeRound(status: ShownStatus, withTitle = true): string {
  const round = status.latestRound;
  const title = withTitle ? [`${status.name}  (subject ${formatSubjectId(status.subjectId)})`] : [];
  if (round === null) return [...title, "  latest round  none yet (no attestation posted)"].join("\n");
  const amount = (value: bigint) => formatAmount(value, status.decimals, { grouping: true });
  const heartbeat = `(heartbeat ${formatDuration(status.heartbeatSeconds)})`;
  // Disputed outranks the age: the registry dates a disputed subject's figures 0 for every consumer.
  const state = status.disputed
    ? `DISPUTED: ${status.disputed.reason}; no consumer counts the subject as fresh until a round with a later snapshot is posted`
    : `${round.fresh ? "FRESH" : "STALE"} ${heartbeat}`;
  return [
    ...title,
    `  latest round  #${round.roundId}`,
    `  as of         ${formatTimestamp(round.asOf)} (age ${formatDuration(round.ageSeconds)})`,
    `  freshness     ${state}`,
    `  posted at     ${formatTimestamp(round.postedAt)}`,
    `  reserves      ${amount(round.reserves)}`,
    `  liabilities   ${amount(round.liabilities)}`,
    `  ratio         ${round.ratio}${round.ratio === "n/a" ? " (no liabilities)" : ""}`,
    `  liab. root    ${round.liabilitiesRoot === ZERO_HASH ? "none published" : round.liabilitiesRoot}`,
    `  report hash   ${round.reportHash === ZERO_HASH ? "none" : round.reportHash}`,
  ].join("\n");
}

/** The listed auditors and whether each is still accredited. */
export function describeAuditors(status: SubjectStatus): string {
  const width = Math.max(...status.auditors.map((a) => a.name.length), 4);
  return [
    `  auditors (quorum ${status.quorum} of ${status.auditors.length})`,
    ...status.auditors.map(
      (a) => `    ${a.address}  ${a.name.padEnd(width)}  ${a.accredited ? "accredited" : "REVOKED"}`,
    ),
  ].join("\n");
}
