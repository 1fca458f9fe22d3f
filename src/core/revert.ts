import { isHexString } from "ethers";

/** The revert data of an ethers / Hardhat error, wherever the provider nested it. */
export function findRevertData(err: unknown, depth = 0): string | undefined {
  if (typeof err !== "object" || err === null || depth > 5) return undefined;
  const record = err as Record<string, unknown>;
  const data = record.data;
  if (typeof data === "string" && isHexString(data) && (data.length >= 10 || data === "0x")) {
    if (data !== "0x" || record.code === "CALL_EXCEPTION") return data;
  }
  if (typeof data === "object" && data !== null) {
    const nested = findRevertData(data, depth + 1);
    if (nested !== undefined) return nested;
  }
  for (const key of ["error", "info", "cause"]) {
    const nested = findRevertData(record[key], depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

/**
 * Whether `err` is the chain answering "no" (a revert), which no retry will change, as opposed to
 * a transport failure: ethers' CALL_EXCEPTION, or revert data anywhere a provider nested it.
 */
export function isRevert(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "CALL_EXCEPTION" || findRevertData(err) !== undefined;
}

/**
 * Whether `err` is a revert without data: a function the contract does not have (or a bare revert).
 * Hardhat's in-process network leaves out ethers' CALL_EXCEPTION code there, keeping only `data: "0x"`.
 */
export function isEmptyRevert(err: unknown): boolean {
  const data = findRevertData(err) ?? (err as { data?: unknown } | null)?.data;
  return data === "0x" || (data === undefined && isRevert(err));
}

/** A provider error's one-line message (ethers' shortMessage, else the first line of its message). */
export function shortMessage(err: unknown): string {
  if (typeof err === "object" && err !== null) {
    const record = err as Record<string, unknown>;
    if (typeof record.shortMessage === "string") return record.shortMessage;
    if (typeof record.message === "string") return record.message.split("\n")[0] ?? "unknown error";
  }
  return String(err);
}
