import { promises as fs } from "node:fs";
import { getAddress, isHexString, keccak256, toUtf8Bytes } from "ethers";
import { InvalidArgumentError, InvalidFileError } from "../core/errors";
import { fieldErrors, fileSystemError, readJsonFile, writeFileAtomic } from "../node/files";
import { parseAddress } from "../core/hex";
import type { Address } from "../core/hex";
import { safeTransactionForCalls } from "./transaction";
import type { SafeTransactionData } from "./transaction";
import type { PlannedCall } from "../chain/transactions";

/**
 * Safe Transaction Builder batch files: the JSON the Safe web app's Transaction Builder imports
 * (safe-global/safe-react-apps, apps/tx-builder, BatchFile), so that calls a Safe must make (a
 * registry admin's) are written by `por … --safe-tx FILE` instead of being sent, then reviewed,
 * signed and executed by the Safe's owners in the web app. On disk:
 * `{"version":"1.0","chainId":"11155111","createdAt":1735689600000,"meta":{"name":…,"description":…,
 * "txBuilderVersion":"1.18.3","createdFromSafeAddress":"0x…"|"","createdFromOwnerAddress":"",
 * "checksum":"0x…"},"transactions":[{"to":"0x…","value":"0","data":"0x…","contractMethod":null,
 * "contractInputsValues":null}]}` (chain id and values as decimal strings, createdAt in
 * milliseconds). Every transaction carries raw calldata; `contractMethod` stays null.
 */

/** The batch format version the Transaction Builder writes. */
export const SAFE_BATCH_VERSION = "1.0";
/** The Transaction Builder release whose file format (and checksum) these files follow. */
export const TX_BUILDER_VERSION = "1.18.3";
/** The batch name shown in the Transaction Builder's library. */
export const SAFE_BATCH_NAME = "por-registry transactions";

/** One call of a batch: raw calldata, value in wei. */
export interface SafeBatchTransaction {
  to: Address;
  value: bigint;
  data: string;
}

/** A Transaction Builder batch, parsed. */
export interface SafeBatch {
  chainId: bigint;
  /** Milliseconds since the epoch. */
  createdAt: number;
  name: string;
  description: string;
  txBuilderVersion: string;
  /** The Safe the batch was made for, or null when not recorded. */
  safeAddress: Address | null;
  transactions: SafeBatchTransaction[];
}

/** What appendSafeBatch adds: calls for a Safe on a chain. */
export interface SafeBatchInput {
  chainId: bigint | number;
  safeAddress?: string;
  calls: PlannedCall[];
}

/**
 * Writes `input.calls` to the batch file `file`: a new file; with `append`, the calls are added to
 * an existing batch (of the same chain and Safe; a missing file is created); with `force`, an
 * existing file is replaced. An existing file without either is refused. The file is written
 * atomically with a fresh checksum. Returns the batch as written.
 */
export async function appendSafeBatch(
  file: string,
  input: SafeBatchInput,
  options: { append?: boolean; force?: boolean } = {},
): Promise<SafeBatch> {
  const chainId = BigInt(input.chainId);
  const safeAddress =
    input.safeAddress === undefined ? null : parseAddress(input.safeAddress, "Safe address");
  if (input.calls.length === 0) throw new InvalidArgumentError("no calls to write to the Safe batch");
  const transactions = input.calls.map(batchTransaction);
  const descriptions = input.calls.map((c) => c.description);
  const existing = options.append === true ? await readExistingBatch(file) : null;
  let batch: SafeBatch;
  if (existing === null) {
    batch = {
      chainId,
      createdAt: Date.now(),
      name: SAFE_BATCH_NAME,
      description: descriptions.join("; "),
      txBuilderVersion: TX_BUILDER_VERSION,
      safeAddress,
      transactions,
    };
  } else {
    if (existing.chainId !== chainId) {
      throw new InvalidArgumentError(
        `${file} is a batch for chain ${existing.chainId}, not chain ${chainId}`,
        {
          details: "write this chain's calls to another file",
        },
      );
    }
    if (safeAddress !== null && existing.safeAddress !== null && existing.safeAddress !== safeAddress) {
      throw new InvalidArgumentError(
        `${file} is a batch for Safe ${existing.safeAddress}, not ${safeAddress}`,
      );
    }
    batch = {
      ...existing,
      safeAddress: existing.safeAddress ?? safeAddress,
      description: [existing.description, ...descriptions].filter((d) => d !== "").join("; "),
      transactions: [...existing.transactions, ...transactions],
    };
  }
  await writeFileAtomic(file, `${JSON.stringify(safeBatchToJson(batch), null, 2)}\n`, {
    replace: existing !== null || options.force === true,
    hint: "pass --append to add to it, or --force to replace it",
  });
  return batch;
}

/** The JSON object written for `batch`, with its checksum. */
export function safeBatchToJson(batch: SafeBatch): Record<string, unknown> {
  const unsigned = {
    version: SAFE_BATCH_VERSION,
    chainId: batch.chainId.toString(),
    createdAt: batch.createdAt,
    meta: {
      name: batch.name,
      description: batch.description,
      txBuilderVersion: batch.txBuilderVersion,
      createdFromSafeAddress: batch.safeAddress ?? "",
      createdFromOwnerAddress: "",
    },
    transactions: batch.transactions.map((t) => ({
      to: t.to,
      value: t.value.toString(),
      data: t.data,
      contractMethod: null,
      contractInputsValues: null,
    })),
  };
  return { ...unsigned, meta: { ...unsigned.meta, checksum: txBuilderChecksum(unsigned) } };
}

/**
 * The Transaction Builder's checksum of a batch object (its lib/checksum.ts): keccak256 of a
 * canonical serialization (object keys sorted, `meta.name` set to null so renaming a batch keeps
 * it valid, undefined as null) of the object as given. The app computes it without
 * `meta.checksum`; verifySafeBatchChecksum removes it before comparing.
 */
export function txBuilderChecksum(batch: Record<string, unknown>): string {
  const meta = (batch.meta ?? {}) as Record<string, unknown>;
  return keccak256(toUtf8Bytes(serializeForChecksum({ ...batch, meta: { ...meta, name: null } })));
}

function serializeForChecksum(json: unknown): string {
  if (Array.isArray(json)) return `[${json.map(serializeForChecksum).join(",")}]`;
  if (typeof json === "object" && json !== null) {
    const record = json as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${JSON.stringify(keys)}${keys.map((k) => `${serializeForChecksum(record[k])},`).join("")}}`;
  }
  return JSON.stringify(json === undefined ? null : json);
}

/** Reads and validates a batch file (parseSafeBatch). */
export async function readSafeBatch(file: string): Promise<SafeBatch> {
  return parseSafeBatch(await readJsonFile(file), file);
}

/**
 * Validates a parsed batch: version 1.0, a chain id, and at least one transaction with a target,
 * a decimal-string value and raw calldata (transactions given only as contractMethod inputs are
 * refused: `por` executes raw calldata only). A checksum that does not match the content (the file
 * was edited since it was written) is refused; a file without one is accepted.
 */
export function parseSafeBatch(value: unknown, source = "Safe batch"): SafeBatch {
  return fieldErrors(source, () => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new InvalidFileError("not a JSON object");
    }
    const record = value as Record<string, unknown>;
    if (record.version !== SAFE_BATCH_VERSION) {
      throw new InvalidFileError(`version must be "${SAFE_BATCH_VERSION}"`, {
        details: `got ${JSON.stringify(record.version) ?? "nothing"}`,
      });
    }
    const chainId = record.chainId;
    if (typeof chainId !== "string" || !/^[1-9]\d*$/.test(chainId)) {
      throw new InvalidFileError("chainId must be a positive integer as a decimal string");
    }
    if (typeof record.createdAt !== "number" || !Number.isSafeInteger(record.createdAt)) {
      throw new InvalidFileError("createdAt must be an integer (milliseconds)");
    }
    const meta = record.meta;
    if (typeof meta !== "object" || meta === null || Array.isArray(meta)) {
      throw new InvalidFileError("meta must be an object");
    }
    const m = meta as Record<string, unknown>;
    const text = (field: string): string => {
      const v = m[field];
      if (v === undefined || v === null) return "";
      if (typeof v !== "string") throw new InvalidFileError(`meta.${field} must be text`);
      return v;
    };
    const safe = text("createdFromSafeAddress");
    if (!Array.isArray(record.transactions) || record.transactions.length === 0) {
      throw new InvalidFileError("transactions must be a non-empty list");
    }
    const transactions = record.transactions.map((t: unknown, i) => parseTransaction(t, i + 1));
    const checksum = text("checksum");
    if (checksum !== "") {
      const { checksum: _omitted, ...rest } = m;
      const expected = txBuilderChecksum({ ...record, meta: rest });
      if (expected !== checksum.toLowerCase()) {
        throw new InvalidFileError("its checksum does not match: the file was changed after it was written", {
          details: `checksum ${checksum}, content hashes to ${expected}`,
        });
      }
    }
    return {
      chainId: BigInt(chainId),
      createdAt: record.createdAt,
      name: text("name"),
      description: text("description"),
      txBuilderVersion: text("txBuilderVersion") || TX_BUILDER_VERSION,
      safeAddress: safe === "" ? null : parseAddress(safe, "meta.createdFromSafeAddress"),
      transactions,
    };
  });
}

/**
 * The Safe transaction that runs `batch`: its one call as a CALL, or all its calls in order through
 * MultiSendCallOnly at `multiSendCallOnly` (a DELEGATECALL; the canonical 1.4.1 deployment is
 * MULTI_SEND_CALL_ONLY_1_4_1).
 */
export function safeTransactionForBatch(batch: SafeBatch, multiSendCallOnly?: string): SafeTransactionData {
  return safeTransactionForCalls(batch.transactions, multiSendCallOnly);
}

/** MultiSendCallOnly 1.4.1's canonical address (safe-global/safe-deployments), the same on every chain it is on. */
export const MULTI_SEND_CALL_ONLY_1_4_1 = "0x9641d764fc13c8B624c04430C7356C1C7C8102e2" as Address;

function batchTransaction(call: PlannedCall): SafeBatchTransaction {
  const value = call.value ?? 0n;
  if (value < 0n) throw new InvalidArgumentError(`${call.description}: value must not be negative`);
  if (!isHexString(call.data) || call.data.length % 2 !== 0) {
    throw new InvalidArgumentError(`${call.description}: calldata must be 0x-prefixed hex bytes`);
  }
  return { to: getAddress(call.to) as Address, value, data: call.data.toLowerCase() };
}

function parseTransaction(value: unknown, index: number): SafeBatchTransaction {
  const where = `transaction ${index}`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidFileError(`${where} must be an object`);
  }
  const t = value as Record<string, unknown>;
  const to = parseAddress(t.to, `${where}: to`);
  if (typeof t.value !== "string" || !/^(0|[1-9]\d*)$/.test(t.value)) {
    throw new InvalidFileError(`${where}: value must be a decimal string of wei`);
  }
  const data = t.data;
  if (data === undefined || data === null || data === "") {
    throw new InvalidFileError(`${where} has no raw data`, {
      details:
        "batches whose calls are only contractMethod inputs are not supported; por executes raw calldata",
    });
  }
  if (typeof data !== "string" || !isHexString(data) || data.length % 2 !== 0) {
    throw new InvalidFileError(`${where}: data must be 0x-prefixed hex bytes`);
  }
  return { to, value: BigInt(t.value), data: data.toLowerCase() };
}

/** The existing batch at `file`, or null if there is none; refuses an unreadable one. */
async function readExistingBatch(file: string): Promise<SafeBatch | null> {
  try {
    await fs.access(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw fileSystemError("read", file, err);
  }
  return readSafeBatch(file);
}
