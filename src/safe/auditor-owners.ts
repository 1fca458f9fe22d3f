import { Contract, getAddress, Interface } from "ethers";
import type { BlockTag, ContractRunner, Provider } from "ethers";
import { ChainError } from "../core/errors";
import type { Address } from "../core/hex";
import { isEmptyRevert, isRevert, shortMessage } from "../core/revert";

/**
 * Auditors sharing a key (docs/protocol.md, trust model). The registry counts each listed auditor
 * once, but two Safes with a common owner can both sign with that owner's key: a quorum of 2 met by
 * one person. The registry cannot see owners; this reads them. Browser-safe (the dashboard calls it).
 */

// Only what this reads, so the dashboard bundle does not carry the registry's decoders (./contracts does).
const SAFE_OWNERS = new Interface(["function getOwners() view returns (address[])"]);

/** Two listed auditors one key (or more) can sign for. */
export interface SharedAuditorOwners {
  /** The two auditors, in the order they were given. */
  auditors: [Address, Address];
  /**
   * The keys that sign for both, sorted: their common Safe owners, and an auditor that is itself an
   * owner of the other (an EOA auditor that co-owns a Safe auditor, or a Safe owning a Safe).
   */
  sharedOwners: Address[];
}

/**
 * Every pair of `auditors` whose signing keys overlap, read at `blockTag` (default latest). A Safe
 * (an auditor with code answering getOwners()) is signed for by its owners; an account without code,
 * or with an EIP-7702 delegation, by its own key. Other contracts (no getOwners, or an answer that
 * is not an address list) have owners this cannot know: they are left out, never an error. A
 * failed RPC call is a ChainError, not "no overlap".
 */
export async function findSharedAuditorOwners(
  runner: ContractRunner,
  auditors: readonly string[],
  options: { blockTag?: BlockTag } = {},
): Promise<SharedAuditorOwners[]> {
  const provider = runner.provider;
  if (!provider) throw new ChainError("reading auditors' owners needs a provider");
  const unique = [...new Set(auditors.map((a) => getAddress(a) as Address))];
  const keys = await Promise.all(unique.map((a) => signingKeys(provider, a, options.blockTag)));
  const shared: SharedAuditorOwners[] = [];
  for (let i = 0; i < unique.length; i++) {
    for (let j = i + 1; j < unique.length; j++) {
      const [a, b] = [keys[i], keys[j]];
      if (a === null || a === undefined || b === null || b === undefined) continue;
      const common = [...a].filter((key) => b.has(key)).sort(compareHex);
      if (common.length > 0) shared.push({ auditors: [unique[i]!, unique[j]!], sharedOwners: common });
    }
  }
  return shared;
}

/** The keys that sign for `auditor`: itself, plus its owners when it is a Safe; null when unknowable. */
async function signingKeys(
  provider: Provider,
  auditor: Address,
  blockTag?: BlockTag,
): Promise<Set<Address> | null> {
  let code: string;
  try {
    code = await provider.getCode(auditor, blockTag);
  } catch (err) {
    throw rpcFailure(`reading the code of auditor ${auditor}`, err);
  }
  // An EIP-7702 account (0xef0100 ‖ delegate) signs with its own key, as an EOA does.
  if (code === "0x" || code.toLowerCase().startsWith("0xef0100")) return new Set([auditor]);
  const safe = new Contract(auditor, SAFE_OWNERS, provider);
  let owners: string[];
  try {
    owners = (await safe.getFunction("getOwners").staticCall({ blockTag })) as string[];
  } catch (err) {
    // A revert, or data that does not decode as address[]: a contract that is not a Safe.
    if (isRevert(err) || isEmptyRevert(err) || (err as { code?: unknown } | null)?.code === "BAD_DATA")
      return null;
    throw rpcFailure(`reading the owners of auditor ${auditor}`, err);
  }
  return new Set([auditor, ...owners.map((o) => getAddress(o) as Address)]);
}

/** A transport failure (neither call reverts with a custom error): "<what>: <provider's message>". */
function rpcFailure(what: string, err: unknown): ChainError {
  return new ChainError(`${what}: ${shortMessage(err)}`, { cause: err });
}

/** uint160 order: lower-case hex of one length sorts as the number does. */
function compareHex(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * One pair for humans: `auditors 0xA… ("Safe Audit LLP") and 0xB… share owner 0xK…: one key counts
 * toward both auditors' signatures, so fewer people than the quorum can meet it`. `names` gives
 * auditors' registered names, when known.
 */
export function describeSharedAuditorOwners(
  shared: SharedAuditorOwners,
  names: ReadonlyMap<string, string> = new Map(),
): string {
  const auditor = (a: Address) => {
    const name = names.get(a);
    return name ? `${a} (${JSON.stringify(name)})` : a;
  };
  const owners = shared.sharedOwners;
  return (
    `auditors ${auditor(shared.auditors[0])} and ${auditor(shared.auditors[1])} share ` +
    `${owners.length === 1 ? "owner" : "owners"} ${owners.join(", ")}: one key counts toward both ` +
    "auditors' signatures, so fewer people than the quorum can meet it"
  );
}
