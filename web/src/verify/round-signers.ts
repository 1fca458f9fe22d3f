import type { Provider } from "ethers";
import type { ReserveRegistry } from "../../../typechain-types";

/** An auditor that signed a round: its address and the name it was accredited under. */
export interface RoundSigner {
  address: string;
  /** "" when the registry has no name for it (or the read failed). */
  name: string;
}

/**
 * Who signed round `round` of `subjectId`, from its AttestationPosted event. Public RPCs often refuse
 * a log query over the whole chain; then only the blocks stamped `postedAt` are searched (found by
 * bisection on block times). Undefined when the logs cannot be read at all.
 */
export async function roundSigners(
  registry: ReserveRegistry,
  provider: Provider,
  subjectId: string,
  round: bigint,
  postedAt: bigint,
): Promise<RoundSigner[] | undefined> {
  const filter = registry.filters.AttestationPosted(subjectId, round);
  let signers: string[] | undefined;
  try {
    signers = (await registry.queryFilter(filter, 0, "latest"))[0]?.args.signers;
  } catch {
    try {
      const [from, to] = await blocksStamped(provider, postedAt);
      signers = (await registry.queryFilter(filter, from, to))[0]?.args.signers;
    } catch {
      return undefined;
    }
  }
  if (signers === undefined) return undefined;
  return Promise.all(
    signers.map(async (address) => ({
      address,
      name: await registry.auditorName(address).catch(() => ""),
    })),
  );
}

/** The first and last block whose timestamp is `timestamp`. */
async function blocksStamped(provider: Provider, timestamp: bigint): Promise<[number, number]> {
  const latest = await provider.getBlockNumber();
  const from = await firstBlockAfter(provider, timestamp - 1n, latest);
  const to = (await firstBlockAfter(provider, timestamp, latest + 1)) - 1;
  return [from, Math.max(from, to)];
}

/** The lowest block number in [0, limit] whose time is after `timestamp` (limit if none is). */
async function firstBlockAfter(provider: Provider, timestamp: bigint, limit: number): Promise<number> {
  let low = 0;
  let high = limit;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const block = await provider.getBlock(middle);
    if (block === null) throw new Error(`block ${middle} is missing`);
    if (BigInt(block.timestamp) > timestamp) high = middle;
    else low = middle + 1;
  }
  return low;
}
