/**
 * Helpers for the LiabilityChallenges tests: one fixture (a registry with its challenges contract,
 * two subjects sharing three auditors, their feeds, a ReserveGuard-protected pool and a
 * reserve-backed token), liabilities trees built by the SDK, balance statements signed with ethers'
 * signTypedData from the documented type string, and a snapshot of every view a consumer reads.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Signer } from "ethers";
import type { LiabilityChallenges, ReserveRegistry } from "../../typechain-types";
import {
  SaltDeriver,
  accountCommitment,
  leafHash,
  parentNode,
  proofStepsForContract,
  toHex,
  verifyProofPackage,
  type SumNode,
} from "../../src/liabilities";
import { ATTESTATION_TYPES, WAD, namedSigners, registryDomain, subjectConfig } from "./backing";
import { buildAccounts, scratchDir } from "./liabilities-build";

/** `BalanceStatement(bytes32 subjectId,bytes32 accountCommitment,uint256 balance,uint64 asOf)` */
export const BALANCE_STATEMENT_TYPES = {
  BalanceStatement: [
    { name: "subjectId", type: "bytes32" },
    { name: "accountCommitment", type: "bytes32" },
    { name: "balance", type: "uint256" },
    { name: "asOf", type: "uint64" },
  ],
};

/** A custodial stablecoin: attested reserves, its ReserveBackedToken's live supply. */
export const USDX = ethers.id("USDX custodial stablecoin");
/** An exchange: both sides attested, no token. */
export const CUSTODY = ethers.id("CUSTODY exchange");

export const UNIT = 10n ** 6n;
export const RESERVES = 10_000_000n * UNIT;
export const WINDOW = 7 * 86_400;
/** Longer than any window the tests wait out, so only a dispute can make a round not fresh. */
export const HEARTBEAT = 30 * 86_400; // longer than WINDOW: rounds stay fresh past a deadline
export const BOND = ethers.parseEther("0.05");
export const MAX_CHALLENGE_WINDOW = 30 * 86_400;

/** ILiabilityChallenges.ChallengeStatus. */
export const Status = { None: 0n, Open: 1n, Answered: 2n, Settled: 3n } as const;

export type ProofStep = { hash: string; sum: bigint };

// ------------------------------------------------------------------------------------ trees

export interface Account {
  accountId: string;
  balance: bigint;
}

/** A built round's tree: what auditors sign (root, total) and what the custodian answers with. */
export interface Tree {
  root: string;
  total: bigint;
  /** The account's proof steps; throws for an account the tree leaves out. */
  proof(accountId: string): ProofStep[];
}

export const TREE_SECRET = "custodian salt secret";

/** The account's commitment under `secret`, whether or not a tree includes it. */
export function commitmentOf(accountId: string, secret = TREE_SECRET): string {
  return toHex(accountCommitment(new SaltDeriver(Buffer.from(secret)).derive(accountId), accountId));
}

/** Builds `accounts` with the SDK's builder (CSV → tree file) and reads every proof back. */
export async function buildTree(accounts: Account[], secret = TREE_SECRET): Promise<Tree> {
  const scratch = scratchDir();
  try {
    const { summary, tree } = await buildAccounts(scratch.dir, accounts, { secret, threads: 0 });
    const proofs = new Map<string, ProofStep[]>();
    for (const pkg of tree.proofs()) {
      if (!verifyProofPackage(pkg).ok) throw new Error(`the SDK built a bad proof for ${pkg.accountId}`);
      proofs.set(pkg.accountId, proofStepsForContract(pkg));
    }
    tree.close();
    return {
      root: summary.root,
      total: summary.total,
      proof(accountId) {
        const steps = proofs.get(accountId);
        if (steps === undefined) throw new Error(`${accountId} is not in the tree`);
        return steps;
      },
    };
  } finally {
    scratch.cleanup();
  }
}

/**
 * A proof of `depth` steps for one leaf in a tree of 2^depth leaves whose other subtrees are known
 * only by their roots (arbitrary hashes and sums), folded with the SDK's parentNode: the shape of a
 * customer's proof in a tree of 2^depth accounts, without building one.
 */
export function deepProof(
  commitment: string,
  balance: bigint,
  depth: number,
): { root: string; total: bigint; steps: ProofStep[] } {
  let node: SumNode = { hash: leafHash(ethers.getBytes(commitment), balance), sum: balance };
  const steps: ProofStep[] = [];
  for (let level = 0; level < depth; level++) {
    const sibling: SumNode = {
      hash: ethers.getBytes(ethers.id(`subtree ${level}`)),
      sum: BigInt(level + 1) * 1_000n * UNIT,
    };
    steps.push({ hash: toHex(sibling.hash), sum: sibling.sum });
    node = parentNode(node, sibling)!;
  }
  return { root: toHex(node.hash), total: node.sum, steps };
}

// ---------------------------------------------------------------------------------- fixture

/**
 * A registry (admin), auditors 0-2 accredited and listed in that order, USDX (a ReserveBackedToken
 * the admin mints) and CUSTODY owned by `owner`, each with quorum 2, the statement key named, a
 * one-day window and a week's heartbeat; the bond set; both feeds of each; a pool guarding USDX.
 */
export async function deployChallengesFixture() {
  const signers = await namedSigners(
    "admin",
    "owner",
    "statementKey",
    "customer",
    "relayer",
    "alice",
    "auditorA",
    "auditorB",
    "auditorC",
    "newOwner",
    "outsider",
  );
  const { admin, owner, statementKey, auditorA, auditorB, auditorC } = signers;
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  const challenges = await ethers.getContractAt("LiabilityChallenges", await registry.challenges());
  const registryAddress = await registry.getAddress();
  // Listed in this order: bit i of a round's signers is auditors[i].
  const auditors = [auditorA, auditorB, auditorC];
  for (const [i, auditor] of auditors.entries()) {
    await registry.accreditAuditor(auditor.address, `Auditor ${i}`);
  }

  const usdx = await ethers.deployContract("ReserveBackedToken", [
    "USD X",
    "USDX",
    6,
    registryAddress,
    USDX,
    admin.address,
    ethers.ZeroAddress, // no sequencer uptime feed: an L1 token
    0,
  ]);
  await usdx.grantRole(await usdx.MINTER_ROLE(), admin.address);
  const config = (name: string, token: string) =>
    subjectConfig(
      auditors.map((a) => a.address),
      { name, token, heartbeat: HEARTBEAT, quorum: 2 },
    );
  await registry.connect(owner).registerSubject(USDX, config("USDX / USD", await usdx.getAddress()));
  await registry.connect(owner).registerSubject(CUSTODY, config("CUSTODY / USD", ethers.ZeroAddress));

  await challenges.connect(admin).setChallengeBond(BOND);
  for (const subjectId of [USDX, CUSTODY]) {
    await challenges.connect(owner).setStatementSigner(subjectId, statementKey.address);
    await challenges.connect(owner).setChallengeWindow(subjectId, WINDOW);
  }

  const feeds = {
    [USDX]: {
      reserve: await ethers.deployContract("ReserveFeed", [registryAddress, USDX]),
      ratio: await ethers.deployContract("ReserveRatioFeed", [registryAddress, USDX]),
    },
    [CUSTODY]: {
      reserve: await ethers.deployContract("ReserveFeed", [registryAddress, CUSTODY]),
      ratio: await ethers.deployContract("ReserveRatioFeed", [registryAddress, CUSTODY]),
    },
  };
  const pool = await ethers.deployContract("GuardedLendingPool", [
    await usdx.getAddress(),
    registryAddress,
    USDX,
    WAD,
    HEARTBEAT,
  ]);
  return { ...signers, auditors, registry, challenges, usdx, feeds, pool };
}

export type ChallengesFixture = Awaited<ReturnType<typeof deployChallengesFixture>>;

// ----------------------------------------------------------------------------- rounds, challenges

export interface PostedRound {
  roundId: bigint;
  asOf: bigint;
  postedAt: bigint;
}

export interface RoundOptions {
  /** Who signs: auditors 0 and 2 of the list by default. */
  signers?: HardhatEthersSigner[];
  reserves?: bigint;
  /** The snapshot time: one second before the latest block by default. */
  asOf?: bigint;
}

/**
 * The arguments of `postAttestation` for a round of `tree` (its root, and its total as liabilities)
 * signed by `options.signers`, in the ascending order the registry requires.
 */
export async function roundArgs(
  fx: ChallengesFixture,
  subjectId: string,
  tree: { root: string; total: bigint },
  options: RoundOptions = {},
) {
  const att = {
    subjectId,
    asOf: options.asOf ?? BigInt(await time.latest()) - 1n,
    reserves: options.reserves ?? RESERVES,
    liabilities: tree.total,
    liabilitiesRoot: tree.root,
    reportHash: ethers.id(`audit report of ${tree.root}`),
  };
  const domain = await registryDomain(fx.registry);
  const signed = await Promise.all(
    (options.signers ?? [fx.auditorA, fx.auditorC]).map(async (auditor) => ({
      address: auditor.address,
      signature: await auditor.signTypedData(domain, ATTESTATION_TYPES, att),
    })),
  );
  signed.sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  return [att, signed.map((s) => s.address), signed.map((s) => s.signature)] as const;
}

/** The round `postAttestation` just created: its id, snapshot and posting time. */
export async function latestRound(fx: ChallengesFixture, subjectId: string): Promise<PostedRound> {
  const [roundId, att, postedAt] = await fx.registry.latestAttestation(subjectId);
  return { roundId, asOf: att.asOf, postedAt };
}

/** Posts a round of `tree` (see RoundOptions) from the relayer. */
export async function postRound(
  fx: ChallengesFixture,
  subjectId: string,
  tree: { root: string; total: bigint },
  options: RoundOptions = {},
): Promise<PostedRound> {
  const args = await roundArgs(fx, subjectId, tree, options);
  await (await fx.registry.connect(fx.relayer).postAttestation(...args)).wait();
  return latestRound(fx, subjectId);
}

export interface Statement {
  subjectId: string;
  accountCommitment: string;
  balance: bigint;
  asOf: bigint;
}

/** `signer`'s EIP-712 BalanceStatement signature in `registry`'s domain. */
export async function signStatement(
  signer: Signer,
  registry: ReserveRegistry,
  statement: Statement,
): Promise<string> {
  return signer.signTypedData(await registryDomain(registry), BALANCE_STATEMENT_TYPES, statement);
}

export interface OpenOptions {
  /** Who challenges: the customer by default. */
  by?: HardhatEthersSigner;
  /** Who signs the statement: the statement key by default. */
  signer?: Signer;
  /** The statement's asOf: the round's by default. */
  asOf?: bigint;
  value?: bigint;
}

/** The arguments of `challenge` for a statement of `balance` for `accountId` signed as `options` say. */
export async function challengeArgs(
  fx: ChallengesFixture,
  subjectId: string,
  round: PostedRound,
  accountId: string,
  balance: bigint,
  options: OpenOptions = {},
) {
  const accountCommitment = commitmentOf(accountId);
  const signature = await signStatement(options.signer ?? fx.statementKey, fx.registry, {
    subjectId,
    accountCommitment,
    balance,
    asOf: options.asOf ?? round.asOf,
  });
  return [subjectId, round.roundId, accountCommitment, balance, signature] as const;
}

/** Opens a challenge (see OpenOptions) and returns its id. */
export async function openChallenge(
  fx: ChallengesFixture,
  subjectId: string,
  round: PostedRound,
  accountId: string,
  balance: bigint,
  options: OpenOptions = {},
): Promise<bigint> {
  const args = await challengeArgs(fx, subjectId, round, accountId, balance, options);
  const challenges = fx.challenges.connect(options.by ?? fx.customer);
  await (await challenges.challenge(...args, { value: options.value ?? BOND })).wait();
  return challenges.challengeCount();
}

/** Moves time past challenge `id`'s deadline. */
export async function passDeadline(challenges: LiabilityChallenges, id: bigint): Promise<void> {
  const { deadline } = await challenges.getChallenge(id);
  await time.increaseTo(deadline + 1n);
}

// ------------------------------------------------------------------------------------ views

/** A decoded Result as plain nested arrays, for deep equality. */
function plain(value: unknown): unknown {
  if (value instanceof ethers.Result) return value.toArray().map(plain);
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

/**
 * Every view a consumer reads for `subjectId` and round `roundId`, in the current block: freshness,
 * collateralization and its round, reserves, the attestation, the dispute flag, both feeds
 * (latest and the round) and solvency().
 */
export async function protocolView(fx: ChallengesFixture, subjectId: string, roundId: bigint) {
  const { registry, challenges } = fx;
  const feeds = fx.feeds[subjectId]!;
  const blockTag = await ethers.provider.getBlockNumber();
  const at = { blockTag };
  return plain({
    isFresh: await registry.isFresh(subjectId, at),
    collateralization: await registry.collateralization(subjectId, at),
    collateralizationRound: await registry.collateralizationRound(subjectId, at),
    reservesRound: await registry.reservesRound(subjectId, at),
    latestAttestation: await registry.latestAttestation(subjectId, at),
    isDisputed: await registry.isDisputed(subjectId, roundId, at),
    reserveFeedLatest: await feeds.reserve.latestRoundData(at),
    reserveFeedRound: await feeds.reserve.getRoundData(roundId, at),
    ratioFeedLatest: await feeds.ratio.latestRoundData(at),
    ratioFeedRound: await feeds.ratio.getRoundData(roundId, at),
    solvency: await challenges.solvency(subjectId, at),
  }) as Record<string, unknown>;
}
