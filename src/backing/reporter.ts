import { getAddress, keccak256, toUtf8Bytes, type Provider } from "ethers";
import { IERC20Metadata__factory, ReserveRegistry__factory } from "../../typechain-types";
import type { AttestationFile } from "../attestations/file";
import { rescale, rescaleUp } from "../core/decimals";
import { ChainError, InvalidArgumentError } from "../core/errors";
import type { Address, Hex32 } from "../core/hex";
import { ZERO_HASH } from "../core/hex";

/** Format tag of the JSON report whose keccak256 is the attestation's reportHash. */
export const RESERVE_REPORT_FORMAT = "por-reserve-report/1";

/** Where the attested liabilities come from. */
export type LiabilitiesInput =
  /** The subject's token supply at the snapshot block (the default when the subject has a token). */
  | { source: "token-supply" }
  /** An amount (and optional Merkle-sum root) supplied by the reporter, in the subject's base units. */
  | { source: "given"; amount: bigint; root?: Hex32 };

/**
 * What an automated auditor saw: every reserve wallet's balance, all read at one block. Its exact
 * JSON text (reserveReportJson) is hashed into the attestation, so anyone holding it can check the
 * figures against the chain at that block.
 */
export interface ReserveReport {
  chainId: bigint;
  registry: Address;
  subjectId: Hex32;
  block: { number: number; hash: string; timestamp: number };
  reserveAsset: { address: Address; decimals: number };
  subjectDecimals: number;
  wallets: Array<{ address: Address; balance: bigint }>;
  /** Sum of the wallet balances, in the reserve asset's base units. */
  totalBalance: bigint;
  /** totalBalance in the subject's decimals (rounded down, as liveReserves does). */
  reserves: bigint;
  liabilities: bigint;
  liabilitiesSource: LiabilitiesInput["source"];
}

export interface Snapshot {
  report: ReserveReport;
  /** The exact bytes to publish; reportHash = keccak256 of them. */
  reportJson: string;
  attestation: AttestationFile;
}

/** The canonical JSON text of a report (fixed key order, integers as decimal strings, trailing newline). */
export function reserveReportJson(report: ReserveReport): string {
  const body = {
    format: RESERVE_REPORT_FORMAT,
    chainId: report.chainId.toString(),
    registry: report.registry,
    subjectId: report.subjectId,
    block: report.block,
    reserveAsset: report.reserveAsset,
    subjectDecimals: report.subjectDecimals,
    wallets: report.wallets.map((w) => ({ address: w.address, balance: w.balance.toString() })),
    totalBalance: report.totalBalance.toString(),
    reserves: report.reserves.toString(),
    liabilities: report.liabilities.toString(),
    liabilitiesSource: report.liabilitiesSource,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/**
 * Reads `subjectId`'s reserve wallets and their balances at one block (`blockTag`, default the
 * latest), and builds the attestation for that snapshot: asOf = the block's timestamp,
 * reserves = the summed balances in the subject's decimals, reportHash = keccak256(reportJson).
 * Refuses a subject without an on-chain reserve asset or wallets, or whose reserve asset the admin
 * revoked (its balances count for nothing in the registry), and a snapshot that is not newer
 * than the latest attested round (the registry would refuse it as stale).
 */
export async function takeReserveSnapshot(
  provider: Provider,
  registryAddress: string,
  subjectId: Hex32,
  liabilitiesInput: LiabilitiesInput,
  blockTag: number | "latest" = "latest",
): Promise<Snapshot> {
  const block = await provider.getBlock(blockTag);
  if (block === null || block.hash === null) throw new InvalidArgumentError(`block ${blockTag} not found`);
  const at = { blockTag: block.number };
  const registry = ReserveRegistry__factory.connect(registryAddress, provider);
  const [{ config }, wallets, latestAsOf, { chainId }] = await Promise.all([
    registry.subject(subjectId, at),
    registry.reserveWallets(subjectId, at),
    registry
      .latestRoundId(subjectId, at)
      .then(async (round) =>
        round === 0n ? 0n : (await registry.getAttestation(subjectId, round, at)).att.asOf,
      ),
    provider.getNetwork(),
  ]);
  if (config.reserveAsset === "0x0000000000000000000000000000000000000000") {
    throw new InvalidArgumentError("the subject has no on-chain reserve asset to snapshot");
  }
  if (!(await registry.isApprovedReserveAsset(config.reserveAsset, at))) {
    throw new InvalidArgumentError(
      `the subject's reserve asset ${getAddress(config.reserveAsset)} is revoked: its balances do not count as reserves`,
    );
  }
  if (wallets.length === 0) {
    throw new InvalidArgumentError("the subject has no reserve wallets", {
      details: "the subject owner adds them with addReserveWallet",
    });
  }
  if (BigInt(block.timestamp) <= latestAsOf) {
    throw new ChainError(
      `block ${block.number} (time ${block.timestamp}) is not after the latest round's asOf ${latestAsOf}`,
    );
  }

  const asset = IERC20Metadata__factory.connect(config.reserveAsset, provider);
  const [assetDecimals, balances] = await Promise.all([
    asset.decimals(at),
    Promise.all(wallets.map((wallet) => asset.balanceOf(wallet, at))),
  ]);
  const subjectDecimals = Number(config.decimals);
  const totalBalance = balances.reduce((sum, b) => sum + b, 0n);

  let liabilities: bigint;
  let liabilitiesRoot = ZERO_HASH;
  if (liabilitiesInput.source === "given") {
    liabilities = liabilitiesInput.amount;
    liabilitiesRoot = liabilitiesInput.root ?? ZERO_HASH;
  } else {
    if (config.token === "0x0000000000000000000000000000000000000000") {
      throw new InvalidArgumentError(
        "the subject has no token whose supply is the liability: pass --liabilities AMOUNT or --liabilities-summary FILE",
      );
    }
    const token = IERC20Metadata__factory.connect(config.token, provider);
    const [supply, tokenDecimals] = await Promise.all([token.totalSupply(at), token.decimals(at)]);
    // Rounded up: understating what is owed would flatter the issuer.
    liabilities = rescaleUp(supply, Number(tokenDecimals), subjectDecimals);
  }

  const report: ReserveReport = {
    chainId,
    registry: getAddress(registryAddress) as Address,
    subjectId,
    block: { number: block.number, hash: block.hash, timestamp: block.timestamp },
    reserveAsset: { address: getAddress(config.reserveAsset) as Address, decimals: Number(assetDecimals) },
    subjectDecimals,
    wallets: wallets.map((address, i) => ({
      address: getAddress(address) as Address,
      balance: balances[i]!,
    })),
    totalBalance,
    reserves: rescale(totalBalance, Number(assetDecimals), subjectDecimals),
    liabilities,
    liabilitiesSource: liabilitiesInput.source,
  };
  const reportJson = reserveReportJson(report);
  return {
    report,
    reportJson,
    attestation: {
      chainId,
      registry: report.registry,
      attestation: {
        subjectId,
        asOf: BigInt(block.timestamp),
        reserves: report.reserves,
        liabilities,
        liabilitiesRoot,
        reportHash: keccak256(toUtf8Bytes(reportJson)) as Hex32,
      },
    },
  };
}
