import { isHexString } from "ethers";
import { attestationDomain } from "../attestations/attestation";
import { InvalidFileError, VerificationError } from "../core/errors";
import { chainIdField, fieldErrors, readJsonFile, writeFileAtomic, type WriteOptions } from "../node/files";
import { expectFormat } from "../core/formats";
import { parseAddress, parseHex32 } from "../core/hex";
import type { Address, Hex32 } from "../core/hex";
import { MAX_UINT256 } from "../core/amounts";
import {
  balanceStatementDigest,
  recoverBalanceStatementSigner,
  type BalanceStatement,
  type StatementSignature,
} from "./statement";

/** Format tag of balance statement files. */
export const BALANCE_STATEMENT_FORMAT = "por-balance-statement/1";

const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_UINT80 = (1n << 80n) - 1n;

/**
 * A balance statement file: what a customer keeps to challenge a round (`por challenge open`).
 * On disk: `{"format":"por-balance-statement/1","chainId":31337,"registry":"0x…","subjectId":"0x…",
 * "roundId":"3","asOf":"1735689600","accountCommitment":"0x…","balance":"980000000000",
 * "signer":"0x…","signature":"0x…"}` with integers as decimal strings (balance in the subject's base
 * units), addresses checksummed, hashes and the signature lowercase hex. `roundId` is not signed:
 * `asOf` names the round, and a statement whose asOf is not its round's is refused on-chain.
 */
export interface BalanceStatementFile extends BalanceStatement, Omit<StatementSignature, "digest"> {
  chainId: bigint;
  registry: Address;
  roundId: bigint;
}

/** The EIP-712 digest of a statement file's statement under its registry's domain. */
export function statementFileDigest(file: BalanceStatementFile): Hex32 {
  return balanceStatementDigest(attestationDomain(file.chainId, file.registry), statementOf(file));
}

/** The signed part of a statement file. */
export function statementOf(file: BalanceStatementFile): BalanceStatement {
  const { subjectId, accountCommitment, balance, asOf } = file;
  return { subjectId, accountCommitment, balance, asOf };
}

/**
 * Checks a statement file's signature: it must recover to `signer` (statements are ECDSA signatures
 * of a key; the challenge contract accepts nothing else).
 */
export function checkStatementFileSignature(file: BalanceStatementFile, source = "statement file"): void {
  const recovered = recoverBalanceStatementSigner(
    attestationDomain(file.chainId, file.registry),
    statementOf(file),
    file.signature,
  );
  if (recovered !== file.signer) {
    throw new VerificationError(`${source}: the signature is not by its signer ${file.signer}`, {
      details:
        "it was made by another key, or for another statement, registry or chain, or the file was altered",
    });
  }
}

/** The JSON object written for `file` (decimal strings for integers). */
export function statementFileToJson(file: BalanceStatementFile): Record<string, unknown> {
  return {
    format: BALANCE_STATEMENT_FORMAT,
    chainId: file.chainId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(file.chainId) : file.chainId.toString(),
    registry: file.registry,
    subjectId: file.subjectId,
    roundId: file.roundId.toString(),
    asOf: file.asOf.toString(),
    accountCommitment: file.accountCommitment,
    balance: file.balance.toString(),
    signer: file.signer,
    signature: file.signature,
  };
}

const STATEMENT_FIELDS = new Set([
  "format",
  "chainId",
  "registry",
  "subjectId",
  "roundId",
  "asOf",
  "accountCommitment",
  "balance",
  "signer",
  "signature",
]);

/**
 * Validates a parsed statement file: an unknown format, an unknown field or a malformed one is
 * refused with an error naming it. The signature is not checked here (checkStatementFileSignature).
 */
export function parseStatementFile(value: unknown, source = "statement file"): BalanceStatementFile {
  const record = expectFormat(value, BALANCE_STATEMENT_FORMAT, source);
  for (const key of Object.keys(record)) {
    if (!STATEMENT_FIELDS.has(key))
      throw new InvalidFileError(`${source}: unknown field ${JSON.stringify(key)}`);
  }
  return fieldErrors(source, () => {
    const signature = record.signature;
    if (typeof signature !== "string" || !isHexString(signature) || signature.length < 4) {
      throw new InvalidFileError("signature must be 0x-prefixed hex bytes");
    }
    const roundId = uintField(record, "roundId", MAX_UINT80);
    if (roundId === 0n) throw new InvalidFileError("roundId must be at least 1");
    return {
      chainId: chainIdField(record.chainId),
      registry: parseAddress(record.registry, "registry"),
      subjectId: parseHex32(record.subjectId, "subjectId"),
      roundId,
      asOf: uintField(record, "asOf", MAX_UINT64),
      accountCommitment: parseHex32(record.accountCommitment, "accountCommitment"),
      balance: uintField(record, "balance", MAX_UINT256),
      signer: parseAddress(record.signer, "signer"),
      signature: signature.toLowerCase(),
    };
  });
}

/** Reads and validates a statement file. */
export async function readStatementFile(filePath: string): Promise<BalanceStatementFile> {
  return parseStatementFile(await readJsonFile(filePath), filePath);
}

/** Writes `file` atomically as pretty JSON; an existing file is refused unless `options.replace`. */
export async function writeStatementFile(
  filePath: string,
  file: BalanceStatementFile,
  options: WriteOptions = {},
): Promise<void> {
  await writeFileAtomic(filePath, `${JSON.stringify(statementFileToJson(file), null, 2)}\n`, options);
}

/** A non-negative integer field as a decimal string (or a JSON safe integer), at most `max`. */
function uintField(record: Record<string, unknown>, field: string, max: bigint): bigint {
  const value = record[field];
  let parsed: bigint | undefined;
  if (typeof value === "string" && /^(0|[1-9]\d*)$/.test(value)) parsed = BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) parsed = BigInt(value);
  if (parsed === undefined) {
    throw new InvalidFileError(`${field} must be a non-negative integer as a decimal string`, {
      details: `got ${JSON.stringify(value) ?? "nothing"}`,
    });
  }
  if (parsed > max) throw new InvalidFileError(`${field} is out of range`);
  return parsed;
}
