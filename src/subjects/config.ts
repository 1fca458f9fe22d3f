import { ZeroAddress } from "ethers";
import type { ReserveRegistry } from "../../typechain-types";
import { IERC20Metadata__factory } from "../../typechain-types";
import { InvalidArgumentError, InvalidFileError } from "../core/errors";
import { readJsonFile } from "../node/files";
import { expectFormat } from "../core/formats";
import { parseAddress } from "../core/hex";
import { call } from "../chain/registry-client";
import type { Address } from "../core/hex";
import { parseDuration } from "../core/time";

/** IReserveRegistry.SubjectConfig with typed fields. */
export interface SubjectConfig {
  name: string;
  decimals: number;
  token: Address;
  reserveAsset: Address;
  heartbeatSeconds: number;
  quorum: number;
  auditors: Address[];
}

/** Loose input for a subject config, from CLI flags or a config file (strings or numbers). */
export interface SubjectConfigInput {
  name?: unknown;
  decimals?: unknown;
  token?: unknown;
  reserveAsset?: unknown;
  heartbeat?: unknown;
  quorum?: unknown;
  auditors?: unknown;
}

const CONFIG_FIELDS = [
  "name",
  "decimals",
  "token",
  "reserveAsset",
  "heartbeat",
  "quorum",
  "auditors",
] as const;

/** The config fields of `base` (a config file's), each replaced where `overrides` (CLI flags) gives one. */
export function overrideConfigInput(
  base: SubjectConfigInput,
  overrides: SubjectConfigInput,
): SubjectConfigInput {
  const merged: SubjectConfigInput = {};
  for (const field of CONFIG_FIELDS) merged[field] = overrides[field] ?? base[field];
  return merged;
}

/** Format tag of subject config files (`por subject register --config FILE`). */
export const SUBJECT_CONFIG_FORMAT = "por-subject/1";

const MAX_UINT32 = 2 ** 32 - 1;

/**
 * Validates a subject config: name non-empty; decimals an integer 0..255; token and reserve
 * asset addresses (default zero: none on this chain); heartbeat seconds or 1h/1d forms fitting a
 * uint32; quorum an integer 1..255; auditors a list (or comma-separated string) of addresses.
 * Rules that depend on chain state are checked by checkSubjectConfigOnChain, or left to the
 * registry (accreditation, quorum ≤ auditors, MAX_DECIMALS), whose refusal is decoded.
 */
export function parseSubjectConfig(input: SubjectConfigInput): SubjectConfig {
  const name = typeof input.name === "string" ? input.name.trim() : "";
  if (name === "") throw new InvalidArgumentError("subject name is required and must not be empty");
  const heartbeatSeconds =
    typeof input.heartbeat === "number"
      ? input.heartbeat
      : parseDuration(stringOf(input.heartbeat, "heartbeat"), "heartbeat");
  if (!Number.isInteger(heartbeatSeconds) || heartbeatSeconds <= 0 || heartbeatSeconds > MAX_UINT32) {
    throw new InvalidArgumentError(`heartbeat must be 1..${MAX_UINT32} seconds, got ${heartbeatSeconds}`);
  }
  return {
    name,
    decimals: smallInt(input.decimals, "decimals", 0, 255),
    token: input.token === undefined ? (ZeroAddress as Address) : parseAddress(input.token, "token"),
    reserveAsset:
      input.reserveAsset === undefined
        ? (ZeroAddress as Address)
        : parseAddress(input.reserveAsset, "reserve asset"),
    heartbeatSeconds,
    quorum: smallInt(input.quorum, "quorum", 1, 255),
    auditors: auditorList(input.auditors),
  };
}

/**
 * Reads a subject config file: `{"format":"por-subject/1","id":"USDX","name":"USDX / USD",
 * "decimals":6,"token":"0x…","reserveAsset":"0x…","heartbeat":"1d","quorum":2,"auditors":["0x…"]}`
 * (id, token and reserveAsset optional). Returns the raw fields for merging with flags.
 */
export async function readSubjectConfigFile(
  filePath: string,
): Promise<SubjectConfigInput & { id?: unknown }> {
  const record = expectFormat(await readJsonFile(filePath), SUBJECT_CONFIG_FORMAT, filePath);
  const known = new Set<string>(["format", "id", ...CONFIG_FIELDS]);
  const unknown = Object.keys(record).filter((key) => !known.has(key));
  if (unknown.length > 0)
    throw new InvalidFileError(`${filePath} has unknown field ${JSON.stringify(unknown[0])}`);
  return record;
}

function stringOf(value: unknown, field: string): string {
  if (typeof value !== "string") throw new InvalidArgumentError(`${field} is required`);
  return value;
}

function smallInt(value: unknown, field: string, min: number, max: number): number {
  const parsed = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof parsed !== "number" || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new InvalidArgumentError(`${field} must be an integer from ${min} to ${max}`, {
      details: `got ${JSON.stringify(value) ?? "nothing"}`,
    });
  }
  return parsed;
}

function auditorList(value: unknown): Address[] {
  const items =
    typeof value === "string"
      ? value
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
      : value;
  if (!Array.isArray(items) || items.length === 0) {
    throw new InvalidArgumentError("auditors must list at least one address");
  }
  return items.map((item, i) => parseAddress(item, `auditor ${i + 1}`));
}

/**
 * The registry's chain-dependent rules a user most often trips over, checked before registering so
 * that the refusal says what to do: a subject naming a token must use the token's decimals (else
 * DecimalsMismatch), and a named reserve asset must be one the registry admin approved (else
 * ReserveAssetNotApproved). A token that cannot be read is left to the registry (NotAContract,
 * NotAToken). Throws InvalidArgumentError with a one-line message.
 */
export async function checkSubjectConfigOnChain(
  registry: ReserveRegistry,
  config: SubjectConfig,
): Promise<void> {
  if (config.token !== ZeroAddress) {
    const runner = registry.runner;
    let tokenDecimals: number | undefined;
    try {
      tokenDecimals = Number(await IERC20Metadata__factory.connect(config.token, runner).decimals());
    } catch {
      tokenDecimals = undefined; // not a token: the registry names the problem
    }
    if (tokenDecimals !== undefined && tokenDecimals !== config.decimals) {
      throw new InvalidArgumentError(
        `decimals must be the token's: token ${config.token} has ${tokenDecimals} decimals, the subject ${config.decimals}` +
          ` (reserves are compared with the token's raw supply)`,
      );
    }
  }
  if (
    config.reserveAsset !== ZeroAddress &&
    !(await call("reading the reserve asset", () => registry.isApprovedReserveAsset(config.reserveAsset)))
  ) {
    throw new InvalidArgumentError(
      `reserve asset ${config.reserveAsset} is not approved in this registry` +
        ` (the registry admin approves it with \`por asset approve ${config.reserveAsset}\`)`,
    );
  }
}
