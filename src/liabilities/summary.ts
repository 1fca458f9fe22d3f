import { InvalidFileError } from "../core/errors";
import { readJsonFile } from "../node/files";
import { expectFormat } from "../core/formats";
import { MAX_UINT256, type Hex } from "./hash";
import { MAX_DECIMALS } from "./decimal";

export const SUMMARY_FORMAT = "por-liabilities/1";

/** summary.json as written: amounts as decimal strings. */
export interface LiabilitiesSummaryJson {
  format: typeof SUMMARY_FORMAT;
  root: Hex;
  total: string;
  leafCount: number;
  decimals: number;
  inputSha256: Hex;
}

/** summary.json as read: what an auditor signs (`liabilitiesRoot` = root, `liabilities` = total). */
export interface LiabilitiesSummary {
  root: Hex;
  total: bigint;
  leafCount: number;
  decimals: number;
  inputSha256: Hex;
}

export function summaryToJson(summary: LiabilitiesSummary): LiabilitiesSummaryJson {
  return {
    format: SUMMARY_FORMAT,
    root: summary.root,
    total: summary.total.toString(),
    leafCount: summary.leafCount,
    decimals: summary.decimals,
    inputSha256: summary.inputSha256,
  };
}

/** Validates a parsed summary; refuses an unknown `format` or any malformed field. */
export function parseLiabilitiesSummary(value: unknown, source: string): LiabilitiesSummary {
  const r = expectFormat(value, SUMMARY_FORMAT, source);
  const hex = (v: unknown, what: string): Hex => {
    if (typeof v !== "string" || !/^0x[0-9a-f]{64}$/.test(v)) {
      throw new InvalidFileError(`${source}: ${what} must be 0x-prefixed lowercase 32-byte hex`);
    }
    return v as Hex;
  };
  if (typeof r.total !== "string" || !/^(0|[1-9][0-9]*)$/.test(r.total) || BigInt(r.total) > MAX_UINT256) {
    throw new InvalidFileError(`${source}: total must be a uint256 as a decimal string`);
  }
  if (typeof r.leafCount !== "number" || !Number.isSafeInteger(r.leafCount) || r.leafCount < 1) {
    throw new InvalidFileError(`${source}: leafCount must be a positive integer`);
  }
  if (
    typeof r.decimals !== "number" ||
    !Number.isInteger(r.decimals) ||
    r.decimals < 0 ||
    r.decimals > MAX_DECIMALS
  ) {
    throw new InvalidFileError(`${source}: decimals must be an integer from 0 to ${MAX_DECIMALS}`);
  }
  return {
    root: hex(r.root, "root"),
    total: BigInt(r.total),
    leafCount: r.leafCount,
    decimals: r.decimals,
    inputSha256: hex(r.inputSha256, "inputSha256"),
  };
}

/**
 * Reads a liabilities summary.json (`por-liabilities/1`) for `por attest`: the root and total an
 * auditor signs are exactly what `por liabilities build` computed.
 */
export async function readLiabilitiesSummary(file: string): Promise<LiabilitiesSummary> {
  return parseLiabilitiesSummary(await readJsonFile(file), file);
}
