import { getAddress, ZeroAddress } from "ethers";
import type { Provider, Signer } from "ethers";
import type { ReserveRegistry } from "../../typechain-types";
import { IERC20Metadata__factory } from "../../typechain-types";
import { formatAmount } from "../core/amounts";
import { checkConsentSignature, checkConsentTarget } from "./consent-file";
import type { WalletConsent, WalletConsentTarget } from "./consent-file";
import { rescale } from "../core/decimals";
import { ChainError, InvalidArgumentError } from "../core/errors";
import type { Address, Hex32 } from "../core/hex";
import { call, registryInterface, toChainError } from "../chain/registry-client";
import { readTokenMetadata } from "./assets";
import type { TokenMetadata } from "./assets";
import { findRevertData } from "../core/revert";
import { formatSubjectId } from "../core/subject-id";
import { DEFAULT_SEND_SETTINGS, executeCall } from "../chain/transactions";
import type { CallOutcome, PlannedCall, SendSettings } from "../chain/transactions";

/**
 * Reserve wallets: addresses whose balance of a subject's reserve asset the registry sums live as
 * the subject's reserves. A wallet consents by signing ReserveAddress(subjectId, wallet, asset)
 * (consent-file.ts); the subject owner adds it with that consent and may remove it. From the first
 * wallet on, the subject's reserves stay live for good, even with no wallet left.
 */

/** A subject's reserve asset as a wallet's holder or owner needs to see it before acting. */
export interface ReserveWalletSubject {
  subjectId: Hex32;
  name: string;
  /** The subject's decimals (those of liveReserves and attestations). */
  decimals: number;
  owner: Address;
  /** The account ownership was offered to, or null. */
  pendingOwner: Address | null;
  reserveAsset: Address;
  asset: TokenMetadata;
  /** Whether the registry admin currently approves the asset (its balances count only then). */
  approved: boolean;
  chainId: bigint;
  registry: Address;
}

/**
 * The subject a wallet is about to consent to back. Refuses an unregistered subject (subject ids
 * are first come, first served and the signed type names the id, not its owner: a consent for an
 * unregistered id can be taken by whoever registers it first) and a subject without an on-chain
 * reserve asset (it cannot have reserve wallets).
 */
export async function readConsentSubject(
  registry: ReserveRegistry,
  subjectId: Hex32,
): Promise<ReserveWalletSubject> {
  const registryAddress = await registry.getAddress();
  return readWalletSubject(registry, subjectId, {
    unknown: () =>
      new InvalidArgumentError(
        `subject ${formatSubjectId(subjectId)} is not registered on registry ${registryAddress}`,
        {
          details:
            'a consent given for an unregistered id can be taken by whoever registers it first (docs/protocol.md, "Known limits"); sign once the subject is registered to the owner you expect',
        },
      ),
  });
}

/** The EIP-712 target of a consent to back `subject`. */
export function consentTarget(subject: ReserveWalletSubject): WalletConsentTarget {
  return {
    chainId: subject.chainId,
    registry: subject.registry,
    subjectId: subject.subjectId,
    reserveAsset: subject.reserveAsset,
  };
}

/**
 * Checks up front everything the registry would refuse in addReserveWallet(consent) sent by
 * `sender`, each with a sentence: a consent for another chain, registry, subject or asset, a
 * signature that does not recover to the wallet (EOAs; a contract wallet's ERC-1271 check is the
 * registry's, run here by simulating the call), a sender that is not the owner, an asset that is
 * not approved, a wallet already added or backing another subject with the same asset, and too
 * many wallets. Returns the subject.
 */
export async function checkReserveWalletAddition(
  registry: ReserveRegistry,
  sender: string,
  consent: WalletConsent,
  expected: { subjectId: Hex32; source: string },
): Promise<ReserveWalletSubject> {
  const { source } = expected;
  const provider = providerOf(registry);
  const [{ chainId }, registryAddress] = await Promise.all([provider.getNetwork(), registry.getAddress()]);
  // Chain, registry and subject first: a consent for another registry would read as an unknown subject.
  checkConsentTarget(
    consent,
    { chainId, registry: registryAddress, subjectId: expected.subjectId, reserveAsset: consent.reserveAsset },
    source,
  );
  const subject = await readWalletSubject(registry, consent.subjectId);
  checkConsentTarget(consent, consentTarget(subject), source);
  checkOwner(subject, sender, "add");
  if (!subject.approved) {
    throw new ChainError(
      `the subject's reserve asset ${subject.reserveAsset} is not approved by the registry admin`,
      {
        details: "wallets can be added once it is (`por asset list`)",
      },
    );
  }
  const walletIsContract =
    (await call("reading the wallet", () => provider.getCode(consent.wallet))) !== "0x";
  if (!walletIsContract) checkConsentSignature(consent);
  const [wallets, maxWallets] = await Promise.all([
    call("reading reserve wallets", () => registry.reserveWallets(consent.subjectId)),
    call("reading reserve wallets", () => registry.MAX_RESERVE_WALLETS()),
  ]);
  if (wallets.some((w) => getAddress(w) === consent.wallet)) {
    throw new ChainError(
      `wallet ${consent.wallet} already backs subject ${formatSubjectId(consent.subjectId)}`,
    );
  }
  if (BigInt(wallets.length) >= maxWallets) {
    throw new ChainError(
      `subject ${formatSubjectId(consent.subjectId)} already has ${wallets.length} reserve wallets, the most the registry allows`,
      { details: "remove one first" },
    );
  }
  // What only the chain knows: whether another subject with this asset holds the wallet, and a
  // contract wallet's answer to isValidSignature.
  await call("adding the wallet refused", () =>
    registry.addReserveWallet.staticCall(consent.subjectId, consent.wallet, consent.signature, {
      from: sender,
    }),
  );
  return subject;
}

/** The registry call that adds `consent`'s wallet (check it first with checkReserveWalletAddition). */
export function planAddReserveWallet(registry: Address, consent: WalletConsent): PlannedCall {
  return {
    description: `add reserve wallet ${consent.wallet} to subject ${formatSubjectId(consent.subjectId)}`,
    to: registry,
    data: registryInterface.encodeFunctionData("addReserveWallet", [
      consent.subjectId,
      consent.wallet,
      consent.signature,
    ]),
  };
}

/**
 * Sends addReserveWallet(consent) from the registry contract's signer through the send pipeline
 * (simulated, then sent and waited for; check it first with checkReserveWalletAddition).
 */
export async function addReserveWallet(
  registry: ReserveRegistry,
  consent: WalletConsent,
  settings: SendSettings = DEFAULT_SEND_SETTINGS,
): Promise<CallOutcome> {
  const planned = planAddReserveWallet((await registry.getAddress()) as Address, consent);
  return executeCall(signerOf(registry), planned, settings, "adding the wallet");
}

/**
 * Checks what the registry would refuse in removeReserveWallet(subjectId, wallet) sent by
 * `sender` (not the owner, a wallet that does not back the subject). Returns the subject.
 */
export async function checkReserveWalletRemoval(
  registry: ReserveRegistry,
  sender: string,
  subjectId: Hex32,
  wallet: Address,
): Promise<ReserveWalletSubject> {
  const subject = await readWalletSubject(registry, subjectId);
  checkOwner(subject, sender, "remove");
  const wallets = await call("reading reserve wallets", () => registry.reserveWallets(subjectId));
  if (!wallets.some((w) => getAddress(w) === wallet)) {
    throw new ChainError(`wallet ${wallet} does not back subject ${formatSubjectId(subjectId)}`, {
      details: "`por wallet list` shows the wallets that do",
    });
  }
  const backing = await readWalletRemovalBacking(registry, subject, wallet);
  if (backing.backsLiabilities) throw walletBacksLiabilities(subject, wallet, backing);
  // What only the chain decides, at the block the transaction will run on.
  await call("removing the wallet refused", () =>
    registry.removeReserveWallet.staticCall(subjectId, wallet, { from: sender }),
  );
  return subject;
}

/** What removing a wallet would take from what backs its subject's outstanding liabilities. */
export interface WalletRemovalBacking {
  /** What the subject owes: its token's supply, else its latest round's attested liabilities (subject decimals). */
  outstanding: bigint;
  outstandingSource: "token supply" | "attested liabilities";
  /** The wallet's balance of the reserve asset, in the asset's base units. */
  walletBalance: bigint;
  /** The wallets' balances in the subject's decimals, with and without this wallet (read even while the asset is revoked). */
  reservesBefore: bigint;
  reservesAfter: bigint;
  /** Whether the registry refuses the removal (ReserveWalletBacksLiabilities): it would lower min(reserves, outstanding). */
  backsLiabilities: boolean;
}

/**
 * removeReserveWallet's rule, read at one block: a removal may not lower what backs the subject's
 * outstanding liabilities, so a balance that backs one subject cannot be moved to another by its
 * owner alone. An empty wallet, a surplus wallet, or any wallet of a subject that owes nothing goes.
 */
export async function readWalletRemovalBacking(
  registry: ReserveRegistry,
  subject: ReserveWalletSubject,
  wallet: Address,
): Promise<WalletRemovalBacking> {
  const provider = providerOf(registry);
  const at = { blockTag: await call("reading the latest block", () => provider.getBlockNumber()) };
  const asset = IERC20Metadata__factory.connect(subject.reserveAsset, provider);
  const [[config], roundId, wallets] = await Promise.all([
    call("reading subject", () => registry.subject(subject.subjectId, at)),
    call("reading the latest round", () => registry.latestRoundId(subject.subjectId, at)),
    call("reading reserve wallets", () => registry.reserveWallets(subject.subjectId, at)),
  ]);
  const hasToken = config.token !== ZeroAddress;
  let outstanding = 0n;
  if (hasToken) {
    const token = IERC20Metadata__factory.connect(config.token, provider);
    outstanding = await call("reading the token's supply", () => token.totalSupply(at));
  } else if (roundId !== 0n) {
    const [att] = await call("reading the latest round", () =>
      registry.getAttestation(subject.subjectId, roundId, at),
    );
    outstanding = att.liabilities;
  }
  const balances = await Promise.all(
    wallets.map((w) => call("reading a wallet balance", () => asset.balanceOf(w, at))),
  );
  const walletBalance = balances[wallets.findIndex((w) => getAddress(w) === wallet)] ?? 0n;
  const total = balances.reduce((sum, b) => sum + b, 0n);
  // Read with the subject (readWalletSubject): an approved asset answers decimals(), checked at approval.
  const decimals = subject.asset.decimals;
  if (decimals === null)
    throw new ChainError(`reserve asset ${subject.reserveAsset} does not answer decimals()`);
  const reservesBefore = rescale(total, decimals, subject.decimals);
  const reservesAfter = rescale(
    total > walletBalance ? total - walletBalance : 0n,
    decimals,
    subject.decimals,
  );
  return {
    outstanding,
    outstandingSource: hasToken ? "token supply" : "attested liabilities",
    walletBalance,
    reservesBefore,
    reservesAfter,
    backsLiabilities:
      outstanding > 0n && walletBalance > 0n && reservesAfter < outstanding && reservesAfter < reservesBefore,
  };
}

function walletBacksLiabilities(
  subject: ReserveWalletSubject,
  wallet: Address,
  backing: WalletRemovalBacking,
): ChainError {
  const label = formatSubjectId(subject.subjectId);
  const amount = (value: bigint) => formatAmount(value, subject.decimals, { grouping: true });
  const symbol = subject.asset.symbol ?? "units of the reserve asset";
  const held =
    subject.asset.decimals === null
      ? `${backing.walletBalance} base units`
      : `${formatAmount(backing.walletBalance, subject.asset.decimals, { grouping: true })} ${symbol}`;
  return new ChainError(
    `wallet ${wallet} holds ${held} that back subject ${label}: without it its reserves would fall from` +
      ` ${amount(backing.reservesBefore)} to ${amount(backing.reservesAfter)}, below the ${amount(backing.outstanding)}` +
      ` it owes (${backing.outstandingSource})`,
    {
      details:
        "a balance that backs a subject's liabilities stays until its custodian moves it to another of the" +
        " subject's wallets, tokens are burned or a round attests less (docs/protocol.md, Reserve wallets);" +
        " the registry refuses this removal with ReserveWalletBacksLiabilities",
    },
  );
}

/** The registry call that stops counting `wallet` as `subjectId`'s reserves. */
export function planRemoveReserveWallet(registry: Address, subjectId: Hex32, wallet: Address): PlannedCall {
  return {
    description: `remove reserve wallet ${wallet} from subject ${formatSubjectId(subjectId)}`,
    to: registry,
    data: registryInterface.encodeFunctionData("removeReserveWallet", [subjectId, wallet]),
  };
}

/** Sends removeReserveWallet(subjectId, wallet) from the registry contract's signer through the send pipeline. */
export async function removeReserveWallet(
  registry: ReserveRegistry,
  subjectId: Hex32,
  wallet: Address,
  settings: SendSettings = DEFAULT_SEND_SETTINGS,
): Promise<CallOutcome> {
  const planned = planRemoveReserveWallet((await registry.getAddress()) as Address, subjectId, wallet);
  return executeCall(signerOf(registry), planned, settings, "removing the wallet");
}

/** One reserve wallet and its balance of the reserve asset, in the asset's base units. */
export interface ReserveWalletBalance {
  wallet: Address;
  balance: bigint;
}

/** A subject's reserve wallets and balances, read at one block. */
export interface ReserveWalletListing {
  subjectId: Hex32;
  name: string;
  /** The subject's decimals, those of liveReserves. */
  decimals: number;
  owner: Address;
  block: number;
  /** The subject's on-chain reserve asset, or null when it has none (then it has no wallets). */
  reserveAsset: Address | null;
  asset: TokenMetadata | null;
  approved: boolean | null;
  wallets: ReserveWalletBalance[];
  /** registry.liveReserves: the balances' sum in the subject's decimals (rounded down), 0 while the asset is revoked. */
  liveReserves: bigint | null;
}

/** `subjectId`'s reserve wallets, their balances and the registry's live total, all at one block. */
export async function listReserveWallets(
  registry: ReserveRegistry,
  subjectId: Hex32,
): Promise<ReserveWalletListing> {
  const provider = providerOf(registry);
  const block = await call("reading the latest block", () => provider.getBlockNumber());
  const at = { blockTag: block };
  const [config, ownerRaw] = await call("reading subject", () => registry.subject(subjectId, at));
  const base = {
    subjectId,
    name: config.name,
    decimals: Number(config.decimals),
    owner: getAddress(ownerRaw) as Address,
    block,
  };
  if (config.reserveAsset === ZeroAddress) {
    return { ...base, reserveAsset: null, asset: null, approved: null, wallets: [], liveReserves: null };
  }
  const reserveAsset = getAddress(config.reserveAsset) as Address;
  const token = IERC20Metadata__factory.connect(reserveAsset, provider);
  const [approved, asset, wallets, liveReserves] = await Promise.all([
    call("reading reserve asset", () => registry.isApprovedReserveAsset(reserveAsset, at)),
    readTokenMetadata(provider, reserveAsset, block),
    call("reading reserve wallets", () => registry.reserveWallets(subjectId, at)),
    call("reading live reserves", () => registry.liveReserves(subjectId, at)),
  ]);
  const balances = await Promise.all(
    wallets.map(async (wallet) => ({
      wallet: getAddress(wallet) as Address,
      balance: await call("reading a wallet balance", () => token.balanceOf(wallet, at)),
    })),
  );
  return { ...base, reserveAsset, asset, approved, wallets: balances, liveReserves };
}

async function readWalletSubject(
  registry: ReserveRegistry,
  subjectId: Hex32,
  options: { unknown?: () => Error } = {},
): Promise<ReserveWalletSubject> {
  const provider = providerOf(registry);
  let config: Awaited<ReturnType<ReserveRegistry["subject"]>>[0];
  let owner: string;
  try {
    [config, owner] = await registry.subject(subjectId);
  } catch (err) {
    if (options.unknown && revertName(err) === "UnknownSubject") throw options.unknown();
    throw toChainError("reading subject", err);
  }
  if (config.reserveAsset === ZeroAddress) {
    throw new ChainError(`subject ${formatSubjectId(subjectId)} has no on-chain reserve asset`, {
      details: "only a subject naming a reserve asset can have reserve wallets",
    });
  }
  const reserveAsset = getAddress(config.reserveAsset) as Address;
  const [pendingOwner, approved, asset, { chainId }, registryAddress] = await Promise.all([
    call("reading subject", () => registry.pendingSubjectOwner(subjectId)),
    call("reading reserve asset", () => registry.isApprovedReserveAsset(reserveAsset)),
    readTokenMetadata(provider, reserveAsset),
    provider.getNetwork(),
    registry.getAddress(),
  ]);
  return {
    subjectId,
    name: config.name,
    decimals: Number(config.decimals),
    owner: getAddress(owner) as Address,
    pendingOwner: pendingOwner === ZeroAddress ? null : (getAddress(pendingOwner) as Address),
    reserveAsset,
    asset,
    approved,
    chainId,
    registry: getAddress(registryAddress) as Address,
  };
}

function checkOwner(subject: ReserveWalletSubject, sender: string, verb: "add" | "remove"): void {
  if (getAddress(sender) !== subject.owner) {
    throw new ChainError(
      `only the owner of subject ${formatSubjectId(subject.subjectId)} (${subject.owner}) can ${verb} reserve wallets`,
      { details: `the key in use is ${getAddress(sender)}` },
    );
  }
}

function parseRevert(err: unknown) {
  const data = findRevertData(err);
  if (data === undefined) return null;
  try {
    return registryInterface.parseError(data);
  } catch {
    return null;
  }
}

function revertName(err: unknown): string | undefined {
  return parseRevert(err)?.name;
}

function signerOf(registry: ReserveRegistry): Signer {
  const runner = registry.runner as Signer | null;
  if (runner === null || typeof runner.sendTransaction !== "function") {
    throw new ChainError("the registry contract is not connected to a signer");
  }
  return runner;
}

function providerOf(registry: ReserveRegistry): Provider {
  const provider = registry.runner?.provider;
  if (!provider) throw new ChainError("the registry contract is not connected to a provider");
  return provider;
}
