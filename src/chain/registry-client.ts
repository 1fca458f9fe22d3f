import { ErrorDescription, ErrorFragment, getAddress, Interface, ZeroAddress } from "ethers";
import type { Fragment, Provider } from "ethers";
import type { ReserveRegistry } from "../../typechain-types";
import { LiabilityChallenges__factory } from "../../typechain-types/factories/contracts/LiabilityChallenges__factory";
import { MerkleSumProof__factory } from "../../typechain-types/factories/contracts/libraries/MerkleSumProof__factory";
import { ReserveGuard__factory } from "../../typechain-types/factories/contracts/libraries/ReserveGuard__factory";
import { PoRAddressList__factory } from "../../typechain-types/factories/contracts/PoRAddressList__factory";
import { ReserveBackedToken__factory } from "../../typechain-types/factories/contracts/ReserveBackedToken__factory";
import { ReserveRegistry__factory } from "../../typechain-types/factories/contracts/ReserveRegistry__factory";
import { SecureMint__factory } from "../../typechain-types/factories/contracts/SecureMint__factory";
import type { Attestation } from "../attestations/attestation";
import { explainError } from "../core/error-sentences";
import { ChainError } from "../core/errors";
import type { DecodedRevert } from "../core/errors";
import { findRevertData, shortMessage } from "../core/revert";
import type { Address, Hex32 } from "../core/hex";
import { formatRatio, ratioWad } from "../core/ratio";
import { formatSubjectId } from "../core/subject-id";

/**
 * The registry's ABI (its functions, events and errors, including those of the libraries it uses,
 * such as DecimalScalingOverflow), plus the errors the protocol's other code reverts with:
 * ReserveGuard (ReservesNotFresh, Undercollateralized, ReservesTooOld), SecureMint
 * (StaleReserves, InsufficientReserves, NotSubjectToken), ReserveBackedToken (ERC-20 errors),
 * MerkleSumProof, PoRAddressList and LiabilityChallenges. decodeRevert and toChainError decode all of them.
 */
export const registryInterface: Interface = withErrorsOf(
  ReserveRegistry__factory.abi,
  ReserveGuard__factory.abi,
  SecureMint__factory.abi,
  ReserveBackedToken__factory.abi,
  MerkleSumProof__factory.abi,
  PoRAddressList__factory.abi,
  LiabilityChallenges__factory.abi,
);

/** `base` plus every custom error of `others` that `base` lacks (same signature counted once). */
function withErrorsOf(base: readonly unknown[], ...others: ReadonlyArray<readonly unknown[]>): Interface {
  const baseInterface = new Interface(base as Fragment[]);
  const seen = new Set<string>();
  baseInterface.forEachError((fragment) => seen.add(fragment.format("sighash")));
  const extra: ErrorFragment[] = [];
  for (const abi of others) {
    new Interface(abi as Fragment[]).forEachError((fragment) => {
      const signature = fragment.format("sighash");
      if (!seen.has(signature)) {
        seen.add(signature);
        extra.push(fragment);
      }
    });
  }
  return new Interface([...baseInterface.fragments, ...extra]);
}

/** Decimal places of `ratio`. */
export const RATIO_PRECISION = 4;

/**
 * reserves / liabilities as a decimal string with `precision` places, rounded down, computed
 * with bigint math ("1.0526"); "n/a" when liabilities are 0.
 */
export function computeRatio(reserves: bigint, liabilities: bigint, precision = RATIO_PRECISION): string {
  return liabilities === 0n ? "n/a" : formatRatio(ratioWad(reserves, liabilities), precision);
}

/** How old a snapshot is at chain time `now`, and whether it is within the heartbeat (as isFresh). */
export function freshness(
  asOf: bigint,
  heartbeatSeconds: bigint,
  now: bigint,
): { ageSeconds: bigint; fresh: boolean } {
  const ageSeconds = now > asOf ? now - asOf : 0n;
  return { ageSeconds, fresh: ageSeconds <= heartbeatSeconds };
}

/** A listed auditor and whether its signatures currently count. */
export interface AuditorStatus {
  address: Address;
  name: string;
  accredited: boolean;
}

/** A subject's configuration as stored. */
export interface SubjectInfo {
  subjectId: Hex32;
  name: string;
  decimals: number;
  token: Address;
  reserveAsset: Address;
  /** Whether the reserve asset is currently approved (null when the subject names none). */
  reserveAssetApproved: boolean | null;
  heartbeatSeconds: bigint;
  quorum: number;
  owner: Address;
  auditors: AuditorStatus[];
}

/** A posted round with derived figures. */
export interface RoundStatus extends Attestation {
  roundId: bigint;
  postedAt: bigint;
  ratio: string;
  ageSeconds: bigint;
  fresh: boolean;
}

/** Everything `por status` shows about a subject, at chain time `now`. */
export interface SubjectStatus extends SubjectInfo {
  registry: Address;
  chainId: bigint;
  now: bigint;
  latestRound: RoundStatus | null;
}

/** A subject's config, owner and auditors' accreditation. Unknown subjects become ChainError. */
export async function readSubject(registry: ReserveRegistry, subjectId: Hex32): Promise<SubjectInfo> {
  const [config, owner] = await call("reading subject", () => registry.subject(subjectId));
  const auditors = await Promise.all(
    config.auditors.map(async (address) => ({
      address: getAddress(address) as Address,
      name: await call("reading auditor", () => registry.auditorName(address)),
      accredited: await call("reading auditor", () => registry.isAccredited(address)),
    })),
  );
  const reserveAsset = getAddress(config.reserveAsset) as Address;
  const reserveAssetApproved =
    reserveAsset === ZeroAddress
      ? null
      : await call("reading reserve asset", () => registry.isApprovedReserveAsset(reserveAsset));
  return {
    subjectId,
    name: config.name,
    decimals: Number(config.decimals),
    token: getAddress(config.token) as Address,
    reserveAsset,
    reserveAssetApproved,
    heartbeatSeconds: config.heartbeat,
    quorum: Number(config.quorum),
    owner: getAddress(owner) as Address,
    auditors,
  };
}

/** The subject, its latest round (or null) and freshness at the latest block's time. */
export async function readSubjectStatus(registry: ReserveRegistry, subjectId: Hex32): Promise<SubjectStatus> {
  const provider = requireProvider(registry);
  const info = await readSubject(registry, subjectId);
  const [{ chainId }, block, roundId] = await Promise.all([
    provider.getNetwork(),
    provider.getBlock("latest"),
    call("reading latest round", () => registry.latestRoundId(subjectId)),
  ]);
  const now = BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
  let latestRound: RoundStatus | null = null;
  if (roundId > 0n) {
    const [att, postedAt] = await call("reading latest round", () =>
      registry.getAttestation(subjectId, roundId),
    );
    latestRound = {
      roundId,
      subjectId,
      asOf: att.asOf,
      reserves: att.reserves,
      liabilities: att.liabilities,
      liabilitiesRoot: att.liabilitiesRoot as Hex32,
      reportHash: att.reportHash as Hex32,
      postedAt,
      ratio: computeRatio(att.reserves, att.liabilities),
      ...freshness(att.asOf, info.heartbeatSeconds, now),
    };
  }
  return { ...info, registry: getAddress(await registry.getAddress()) as Address, chainId, now, latestRound };
}

/** Runs `fn`, turning any chain failure into a ChainError "<what>: <decoded reason>". */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toChainError(what, err);
  }
}

/**
 * A one-line ChainError for a failed call or transaction: "<what>: <sentence>", where the
 * sentence explains the contract's custom error in the user's terms ("posting refused: not
 * enough auditor signatures: 1 given, the subject's quorum is 2") and `revert` keeps the decoded
 * error for --json; else the provider's short message. `contract` names the contract in sentences
 * (default "registry").
 */
export function toChainError(
  what: string,
  err: unknown,
  iface: Interface = registryInterface,
  contract = "registry",
): ChainError {
  if (err instanceof ChainError) return err;
  const data = findRevertData(err);
  if (data !== undefined) {
    const { sentence, revert } = explainRevert(data, iface, contract);
    return new ChainError(`${what}: ${sentence}`, { cause: err, revert });
  }
  return new ChainError(`${what}: ${shortMessage(err)}`, { cause: err });
}

/**
 * Revert data explained: a sentence in the user's terms and, when the data decodes with `iface`,
 * the decoded error (name, signature, arguments by name).
 */
export function explainRevert(
  data: string,
  iface: Interface = registryInterface,
  contract = "registry",
): { sentence: string; revert?: DecodedRevert } {
  if (data === "0x") return { sentence: "reverted without a reason" };
  const parsed = parseRevert(data, iface);
  if (parsed === null) return { sentence: `reverted with unknown error data ${data.slice(0, 74)}` };
  const names = parsed.fragment.inputs.map(
    (input, i) => input.name || BUILTIN_ARG_NAMES[parsed.name] || `arg${i}`,
  );
  const raw = Object.fromEntries(names.map((name, i) => [name, parsed.args[i] as unknown]));
  const args = Object.fromEntries(
    parsed.fragment.inputs.map((input, i) => [names[i]!, jsonArg(input.type, parsed.args[i])]),
  );
  return {
    sentence: explainError(parsed.name, raw, { contract }),
    revert: { name: parsed.name, signature: parsed.signature, args },
  };
}

/** Names for the unnamed parameter of Solidity's built-in Error(string) and Panic(uint256). */
const BUILTIN_ARG_NAMES: Record<string, string> = { Error: "message", Panic: "code" };

/** A custom error, Error(string) or Panic revert as "Name(arg, …)", or the raw data. */
export function decodeRevert(data: string, iface: Interface = registryInterface): string {
  if (data === "0x") return "reverted without a reason";
  const parsed = parseRevert(data, iface);
  if (parsed === null) return `reverted with unknown error data ${data.slice(0, 74)}`;
  const args = parsed.fragment.inputs.map((input, i) => formatArg(input.type, parsed.args[i]));
  return `${parsed.name}(${args.join(", ")})`;
}

function parseRevert(data: string, iface: Interface): ErrorDescription | null {
  try {
    return iface.parseError(data);
  } catch {
    return null;
  }
}

/** An argument for JSON: integers as decimal strings, addresses checksummed, the rest as decoded. */
function jsonArg(type: string, value: unknown): string | boolean {
  if (type === "address" && typeof value === "string") return getAddress(value);
  if (typeof value === "boolean") return value;
  return String(value);
}

function formatArg(type: string, value: unknown): string {
  if (type === "address" && typeof value === "string") return getAddress(value);
  if (type === "bytes32" && typeof value === "string") {
    const text = formatSubjectId(value);
    return text.startsWith("0x") ? text : JSON.stringify(text);
  }
  if (type === "string") return JSON.stringify(value);
  return String(value);
}

function requireProvider(registry: ReserveRegistry): Provider {
  const provider = registry.runner?.provider;
  if (!provider) throw new ChainError("the registry contract is not connected to a provider");
  return provider;
}
