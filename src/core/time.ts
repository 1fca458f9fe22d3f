import { InvalidArgumentError } from "./errors";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * A duration in seconds from "3600", "90s", "15m", "1h", "1d" or "2w". Must be a positive
 * integer number of seconds; `field` names the value in error messages.
 */
export function parseDuration(text: string, field = "duration"): number {
  const match = /^(\d+)([smhdw]?)$/.exec(text.trim());
  const unit = match ? UNIT_SECONDS[match[2] || "s"] : undefined;
  if (!match || unit === undefined) {
    throw new InvalidArgumentError(`${field} must be seconds or a number with s/m/h/d/w`, {
      details: `got ${JSON.stringify(text)}`,
    });
  }
  const seconds = Number(match[1]) * unit;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new InvalidArgumentError(`${field} must be positive`, { details: `got ${JSON.stringify(text)}` });
  }
  return seconds;
}

/**
 * A unix time in seconds from either a decimal unix timestamp ("1735689600") or an ISO 8601
 * date-time with an explicit zone ("2025-01-01T00:00:00Z"). Fractional seconds are refused.
 */
export function parseTimestamp(text: string, field = "time"): bigint {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const seconds = BigInt(trimmed);
    if (seconds > MAX_TIMESTAMP) {
      throw new InvalidArgumentError(`${field} is beyond the year 275759`, { details: `got ${trimmed}` });
    }
    return seconds;
  }
  const iso = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?(Z|[+-]\d{2}:\d{2})$/.exec(trimmed);
  const millis = iso ? Date.parse(trimmed) : Number.NaN;
  // Date.parse rolls impossible dates over (Feb 30 → Mar 2, 24:00 → next day): refuse them instead.
  if (iso && !Number.isNaN(millis) && !isCalendarTime(iso[1]!, iso[2]! + (iso[3] ?? ""))) {
    throw new InvalidArgumentError(`${field} is not a real calendar date and time`, {
      details: `got ${JSON.stringify(text)}`,
    });
  }
  if (Number.isNaN(millis)) {
    throw new InvalidArgumentError(`${field} must be unix seconds or an ISO 8601 time with a zone`, {
      details: `got ${JSON.stringify(text)}, e.g. 2025-01-01T00:00:00Z`,
    });
  }
  if (millis < 0) throw new InvalidArgumentError(`${field} is before 1970`);
  return BigInt(millis / 1000);
}

/**
 * A snapshot time (`asOf`) a user gave, checked against `nowSeconds` (this machine's clock, or a
 * later chain time): 0, a value in milliseconds and a time in the future are refused with one line
 * saying which, because the registry only refuses them when the attestation is posted, after
 * auditors have signed it (it reverts with FutureAttestation for `asOf` > block time).
 */
export function checkSnapshotTime(asOf: bigint, field: string, nowSeconds: bigint): bigint {
  if (asOf === 0n) {
    throw new InvalidArgumentError(`${field} is 0 (1970-01-01T00:00:00Z), not a snapshot time`, {
      details: `give unix seconds or ISO 8601, e.g. ${nowSeconds} (${formatTimestamp(nowSeconds)})`,
    });
  }
  if (asOf <= nowSeconds) return asOf;
  if (asOf >= MILLISECONDS_THRESHOLD) {
    const seconds = asOf / 1000n;
    throw new InvalidArgumentError(`${field} ${asOf} looks like milliseconds (as seconds: ${yearOf(asOf)})`, {
      details: `give unix seconds, e.g. ${seconds} (${formatTimestamp(seconds)})`,
    });
  }
  throw new InvalidArgumentError(
    `${field} ${formatTimestamp(asOf)} is in the future (${formatDuration(asOf - nowSeconds)} after now, ${formatTimestamp(nowSeconds)})`,
    { details: "the registry refuses a snapshot later than the block time" },
  );
}

/** parseTimestamp, then checkSnapshotTime against `nowSeconds` (default: this machine's clock). */
export function parseSnapshotTime(text: string, field: string, nowSeconds = unixNow()): bigint {
  return checkSnapshotTime(parseTimestamp(text, field), field, nowSeconds);
}

/** This machine's clock in unix seconds. */
export function unixNow(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

/**
 * 10^11 seconds is the year 5138; unix times in milliseconds pass it from March 1973 on, so a
 * future value this large is read as milliseconds.
 */
const MILLISECONDS_THRESHOLD = 100_000_000_000n;

/** "year 58871" for a unix time in seconds (or the plain number beyond what a Date can show). */
function yearOf(seconds: bigint): string {
  return seconds > MAX_TIMESTAMP
    ? `${seconds} seconds after 1970`
    : `year ${new Date(Number(seconds) * 1000).getUTCFullYear()}`;
}

/** The last second a JavaScript Date can show (8.64e15 ms); later unix times are printed as numbers. */
const MAX_TIMESTAMP = 8_640_000_000_000n;

/** Whether the date and wall-clock time exist (checked without the zone, which cannot make them exist). */
function isCalendarTime(date: string, time: string): boolean {
  const local = new Date(`${date}T${time.length === 5 ? `${time}:00` : time}Z`);
  return !Number.isNaN(local.getTime()) && local.toISOString().startsWith(`${date}T${time}`);
}

/** A unix time as ISO 8601 UTC without milliseconds ("2025-01-01T00:00:00Z"), or the plain number. */
export function formatTimestamp(seconds: bigint): string {
  if (seconds > MAX_TIMESTAMP) return `${seconds} (unix seconds)`;
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

/** A duration for humans, its two largest non-zero units: "45s", "3m 20s", "2h 5m", "1d 1s". */
export function formatDuration(seconds: bigint | number): string {
  let rest = BigInt(seconds);
  const sign = rest < 0n ? "-" : "";
  if (rest < 0n) rest = -rest;
  const parts: Array<[bigint, string]> = [
    [rest / 86_400n, "d"],
    [(rest % 86_400n) / 3600n, "h"],
    [(rest % 3600n) / 60n, "m"],
    [rest % 60n, "s"],
  ];
  const nonZero = parts.filter(([n]) => n > 0n);
  if (nonZero.length === 0) return "0s";
  return (
    sign +
    nonZero
      .slice(0, 2)
      .map(([n, u]) => `${n}${u}`)
      .join(" ")
  );
}

/**
 * "Now" for deciding whether a snapshot time is in the future: the later of this machine's clock and
 * `chainTimeSeconds` (the latest block's time), since a node may run ahead of the local clock.
 */
export function laterNow(chainTimeSeconds?: bigint): bigint {
  const local = unixNow();
  return chainTimeSeconds !== undefined && chainTimeSeconds > local ? chainTimeSeconds : local;
}
