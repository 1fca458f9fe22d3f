import { InvalidFileError, PorError } from "../core/errors";
import { readJsonFile } from "../node/files";
import { expectFormat } from "../core/formats";
import { type Address, parseAddress } from "../core/hex";
import { parseRatio, WAD } from "../core/ratio";
import { DEFAULT_RETRY, type RetryPolicy } from "../chain/rpc";
import { parseSubjectId } from "../core/subject-id";

export const MONITOR_CONFIG_FORMAT = "por-monitor/1";

export interface NetworkConfig {
  rpcUrl: string;
  /** When set, an endpoint serving another chain is refused. */
  chainId?: bigint;
}

/** A registry subject: alert when missing, stale, or its ratio is below minRatioWad. */
export interface SubjectCheck {
  type: "subject";
  name: string;
  network: string;
  registry: Address;
  subjectId: string;
  minRatioWad: bigint;
}

/**
 * A bridge pair: wrapped-token supply on one network against what the lock addresses hold of the
 * original token on another. Alert when locked / wrapped is below minRatioWad.
 */
export interface BridgeCheck {
  type: "bridge";
  name: string;
  wrapped: { network: string; token: Address };
  locked: { network: string; token: Address; holders: Address[] };
  minRatioWad: bigint;
}

export type Check = SubjectCheck | BridgeCheck;

export interface MonitorConfig {
  intervalSeconds: number;
  retry: RetryPolicy;
  networks: Record<string, NetworkConfig>;
  checks: Check[];
}

/** Reads and validates a monitor.json; every problem names the field it is in. */
export async function loadMonitorConfig(file: string): Promise<MonitorConfig> {
  return parseMonitorConfig(await readJsonFile(file), file);
}

export function parseMonitorConfig(value: unknown, source: string): MonitorConfig {
  const root = expectFormat(value, MONITOR_CONFIG_FORMAT, source);
  const at = (field: string) => `${source}: ${field}`;
  try {
    knownKeys(root, ["format", "intervalSeconds", "retry", "networks", "checks"], "", at);
    const networks = parseNetworks(object(root.networks, at("networks")), at);
    const checksValue = root.checks;
    if (!Array.isArray(checksValue) || checksValue.length === 0) {
      throw new InvalidFileError(`${at("checks")} must be a non-empty array`);
    }
    const names = new Set<string>();
    const checks = checksValue.map((item, i) => {
      const check = parseCheck(object(item, at(`checks[${i}]`)), `checks[${i}]`, networks, at);
      if (names.has(check.name))
        throw new InvalidFileError(`${at(`checks[${i}].name`)} "${check.name}" is used twice`);
      names.add(check.name);
      return check;
    });
    const retry = root.retry === undefined ? {} : object(root.retry, at("retry"));
    knownKeys(retry, ["attempts", "baseDelayMs", "timeoutMs"], "retry.", at);
    return {
      intervalSeconds: positiveInteger(root.intervalSeconds ?? 60, at("intervalSeconds"), 86_400),
      retry: {
        attempts: positiveInteger(retry.attempts ?? DEFAULT_RETRY.attempts, at("retry.attempts"), 20),
        baseDelayMs: positiveInteger(
          retry.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
          at("retry.baseDelayMs"),
          60_000,
        ),
        timeoutMs: positiveInteger(
          retry.timeoutMs ?? DEFAULT_RETRY.timeoutMs,
          at("retry.timeoutMs"),
          300_000,
        ),
      },
      networks,
      checks,
    };
  } catch (err) {
    // Field parsers throw InvalidArgumentError; in a file, that is an invalid file.
    if (err instanceof PorError && !(err instanceof InvalidFileError)) {
      throw new InvalidFileError(`${source}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

function parseNetworks(
  value: Record<string, unknown>,
  at: (f: string) => string,
): Record<string, NetworkConfig> {
  const networks: Record<string, NetworkConfig> = {};
  const entries = Object.entries(value);
  if (entries.length === 0) throw new InvalidFileError(`${at("networks")} must name at least one network`);
  for (const [name, raw] of entries) {
    const network = object(raw, at(`networks.${name}`));
    knownKeys(network, ["rpcUrl", "chainId"], `networks.${name}.`, at);
    const rpcUrl = network.rpcUrl;
    if (typeof rpcUrl !== "string" || !/^https?:\/\//.test(rpcUrl)) {
      throw new InvalidFileError(`${at(`networks.${name}.rpcUrl`)} must be an http(s) URL`);
    }
    networks[name] = {
      rpcUrl,
      chainId:
        network.chainId === undefined
          ? undefined
          : BigInt(positiveInteger(network.chainId, at(`networks.${name}.chainId`))),
    };
  }
  return networks;
}

function parseCheck(
  raw: Record<string, unknown>,
  path: string,
  networks: Record<string, NetworkConfig>,
  at: (f: string) => string,
): Check {
  const name = raw.name;
  if (typeof name !== "string" || name.length === 0)
    throw new InvalidFileError(`${at(`${path}.name`)} must be a non-empty string`);
  const networkName = (value: unknown, field: string) => {
    if (typeof value !== "string" || !Object.hasOwn(networks, value)) {
      throw new InvalidFileError(`${at(field)} must name a network from "networks"`, {
        details: `got ${JSON.stringify(value)}`,
      });
    }
    return value;
  };
  if (raw.minRatio !== undefined && typeof raw.minRatio !== "string") {
    // A JSON number is a float: "0.99999999999999999" must not silently become 1.
    throw new InvalidFileError(`${at(`${path}.minRatio`)} must be a string such as "1", "0.98" or "98%"`);
  }
  const minRatioWad = raw.minRatio === undefined ? WAD : parseRatio(raw.minRatio, `${path}.minRatio`);
  if (raw.type === "subject") {
    knownKeys(raw, ["type", "name", "network", "registry", "subject", "minRatio"], `${path}.`, at);
    if (typeof raw.subject !== "string")
      throw new InvalidFileError(`${at(`${path}.subject`)} must be a string`);
    return {
      type: "subject",
      name,
      network: networkName(raw.network, `${path}.network`),
      registry: parseAddress(raw.registry, `${path}.registry`),
      subjectId: parseSubjectId(raw.subject),
      minRatioWad,
    };
  }
  if (raw.type === "bridge") {
    knownKeys(raw, ["type", "name", "wrapped", "locked", "minRatio"], `${path}.`, at);
    const wrapped = object(raw.wrapped, at(`${path}.wrapped`));
    const locked = object(raw.locked, at(`${path}.locked`));
    knownKeys(wrapped, ["network", "token"], `${path}.wrapped.`, at);
    knownKeys(locked, ["network", "token", "holders"], `${path}.locked.`, at);
    const holders = locked.holders;
    if (!Array.isArray(holders) || holders.length === 0) {
      throw new InvalidFileError(`${at(`${path}.locked.holders`)} must be a non-empty array of addresses`);
    }
    return {
      type: "bridge",
      name,
      wrapped: {
        network: networkName(wrapped.network, `${path}.wrapped.network`),
        token: parseAddress(wrapped.token, `${path}.wrapped.token`),
      },
      locked: {
        network: networkName(locked.network, `${path}.locked.network`),
        token: parseAddress(locked.token, `${path}.locked.token`),
        holders: distinct(
          holders.map((h, i) => parseAddress(h, `${path}.locked.holders[${i}]`)),
          at(`${path}.locked.holders`),
        ),
      },
      minRatioWad,
    };
  }
  throw new InvalidFileError(`${at(`${path}.type`)} must be "subject" or "bridge"`, {
    details: `got ${JSON.stringify(raw.type)}`,
  });
}

/**
 * Refuses a key that is not in `known`, naming its path (`checks[0].minratio`) and the key it
 * probably meant: a misspelt optional key would otherwise silently mean its default.
 */
function knownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  prefix: string,
  at: (f: string) => string,
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const meant = known.find((k) => k.toLowerCase() === key.toLowerCase());
    throw new InvalidFileError(`${at(`${prefix}${key}`)} is not a known key`, {
      details: meant ? `did you mean "${meant}"?` : `expected one of ${known.join(", ")}`,
    });
  }
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidFileError(`${field} must be an object`);
  return value as Record<string, unknown>;
}

/** A positive integer up to `max` (bounds keep timers within what setTimeout can wait). */
function positiveInteger(value: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new InvalidFileError(`${field} must be a positive integer up to ${max}`, {
      details: `got ${JSON.stringify(value)}`,
    });
  }
  return value;
}

/** Refuses a list with a repeated address: a lock address listed twice would be counted twice. */
function distinct(addresses: Address[], field: string): Address[] {
  const seen = new Set<Address>();
  for (const a of addresses) {
    if (seen.has(a)) throw new InvalidFileError(`${field} lists ${a} twice`);
    seen.add(a);
  }
  return addresses;
}
