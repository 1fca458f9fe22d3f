import { getAddress } from "ethers";
import type { BlockTag, ContractRunner } from "ethers";
import type { ReserveRegistry } from "../../typechain-types";
import { IERC20Metadata__factory } from "../../typechain-types";
import { ChainError } from "../core/errors";
import type { Address } from "../core/hex";
import { call, registryInterface } from "../chain/registry-client";

/**
 * Reserve assets: the ERC20s the registry admin approved (approveReserveAsset). Subjects may only
 * name an approved asset, and wallet balances of a revoked one stop counting at once.
 */

/** An ERC20's symbol and decimals, each null where the token does not answer (or answers oddly). */
export interface TokenMetadata {
  symbol: string | null;
  decimals: number | null;
}

/** A currently approved reserve asset. */
export interface ReserveAsset extends TokenMetadata {
  address: Address;
  /** Block of the ReserveAssetApproved event that (last) approved it. */
  approvedAtBlock: number;
  /** Transaction of that event. */
  approvedInTx: string;
}

/** Reads `token`'s symbol and decimals, leaving out what it does not answer. */
export async function readTokenMetadata(
  runner: ContractRunner,
  token: string,
  blockTag?: BlockTag,
): Promise<TokenMetadata> {
  const erc20 = IERC20Metadata__factory.connect(token, runner);
  const at = blockTag === undefined ? {} : { blockTag };
  const [symbol, decimals] = await Promise.all([
    erc20.symbol(at).catch(() => null),
    erc20.decimals(at).then(Number, () => null),
  ]);
  return { symbol, decimals };
}

/**
 * The reserve assets approved in `registry` at block `toBlock` (default the latest), oldest
 * approval first: the ReserveAssetApproved and ReserveAssetRevoked events from `fromBlock` (default
 * 0; at most the registry's deployment block, or approvals before it are missed) replayed in order.
 * Each result is checked against isApprovedReserveAsset at `toBlock`, so logs missing a revocation
 * are an error rather than a wrong entry. Symbol and decimals are read where the token answers.
 */
export async function listReserveAssets(
  registry: ReserveRegistry,
  options: { fromBlock?: number; toBlock?: number } = {},
): Promise<ReserveAsset[]> {
  const runner = registry.runner;
  const provider = runner?.provider;
  if (!runner || !provider) throw new ChainError("the registry contract is not connected to a provider");
  const toBlock =
    options.toBlock ?? (await call("reading the latest block", () => provider.getBlockNumber()));
  const approved = registryInterface.getEvent("ReserveAssetApproved")!;
  const revoked = registryInterface.getEvent("ReserveAssetRevoked")!;
  const registryAddress = await registry.getAddress();
  const logs = await call("reading reserve asset events", () =>
    provider.getLogs({
      address: registryAddress,
      topics: [[approved.topicHash, revoked.topicHash]],
      fromBlock: options.fromBlock ?? 0,
      toBlock,
    }),
  );
  const ordered = [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const current = new Map<Address, { approvedAtBlock: number; approvedInTx: string }>();
  for (const log of ordered) {
    const parsed = registryInterface.parseLog(log);
    if (parsed === null) continue;
    const asset = getAddress(parsed.args.asset as string) as Address;
    if (parsed.name === "ReserveAssetApproved") {
      current.set(asset, { approvedAtBlock: log.blockNumber, approvedInTx: log.transactionHash });
    } else {
      current.delete(asset);
    }
  }
  const at = { blockTag: toBlock };
  const assets = await Promise.all(
    [...current].map(async ([address, approval]) => {
      const stillApproved = await call("reading reserve assets", () =>
        registry.isApprovedReserveAsset(address, at),
      );
      if (!stillApproved) {
        throw new ChainError(
          `the events say ${address} is approved but the registry does not: events are missing (--from-block too late?)`,
        );
      }
      return { address, ...(await readTokenMetadata(runner, address, toBlock)), ...approval };
    }),
  );
  return assets;
}
