import { formatDuration } from "@por/sdk/core/time";

/**
 * "3h 5m ago" from `seconds` to `now` (both unix seconds). A time slightly ahead of `now` reads "just
 * now": a local node stamps blocks ahead of the wall clock after a burst of transactions.
 */
export function ago(seconds: bigint, now: bigint): string {
  return now > seconds ? `${formatDuration(now - seconds)} ago` : "just now";
}
