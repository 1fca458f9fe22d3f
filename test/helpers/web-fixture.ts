/**
 * The chain the browser tests of the web pages look at (test/e2e/web.test.ts), set up through the
 * SDK on a `hardhat node`: a registry with two accredited auditors and three subjects.
 *  - USDX (6 decimals, no token): two rounds with quorum 2, each publishing the root of a small
 *    liabilities tree built with the SDK's builder; the customers' proof packages of both rounds.
 *    Round 2's tree is also published (`por liabilities publish`, shards of 2 leaves) into a directory
 *    the test serves, and committed on-chain (publishProofs); round 1 has no publication.
 *  - RBT (6 decimals): a token and two reserve wallets whose balances are read live, one round.
 *  - NEWX: registered, never attested.
 *  - DSPX (6 decimals, no token): USDX's two trees as rounds 1 and 2, with a statement signer and a
 *    one-minute challenge window; a customer the round 2 tree leaves out challenged it, nobody
 *    answered, and the challenge was settled: round 2 is disputed (round 1 superseded by it).
 *  - SAFX: never attested, its listed auditors two accredited Safes (Safe 1.4.1) with a common owner.
 * Also a synthetic proof of any depth (no chain) for the page's timing figure.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { getAddress, JsonRpcProvider, NonceManager, randomBytes, Wallet, ZeroAddress } from "ethers";
import {
  LiabilityChallenges__factory,
  MockERC20__factory,
  ReserveRegistry__factory,
} from "../../typechain-types";
import type { ReserveRegistry } from "../../typechain-types";
import {
  attestationDomain,
  compareAddresses,
  parseSubjectId,
  signAttestation,
  signBalanceStatement,
  signReserveAddress,
  type Attestation,
  type Hex32,
} from "../../src";
import {
  PROOF_FORMAT,
  TreeFile,
  accountCommitment,
  buildTreeFile,
  leafHash,
  processProof,
  toHex,
  writePublication,
  type LiabilityProofPackage,
  type SumNode,
} from "../../src/liabilities";
import { devWallet } from "./hardhat-node";
import { createSafe, deploySafeContracts } from "./safe";

export const DECIMALS = 6;
/** The customer whose proofs the tests check. */
export const CUSTOMER = "alice@example.com";

/** USDX's customers per round, balances as the CSV gives them: round 2 only changes carol's. */
const ROUND_BALANCES: ReadonlyArray<Record<string, string>> = [
  {
    [CUSTOMER]: "1250.5",
    "bob@example.com": "730.25",
    "carol@example.com": "1019.25",
    "dave@example.com": "500",
    "erin@example.com": "500",
  },
  {
    [CUSTOMER]: "1250.5",
    "bob@example.com": "730.25",
    "carol@example.com": "1519.25",
    "dave@example.com": "500",
    "erin@example.com": "500",
  },
];
/** DSPX's challenge window: short, so the test waits it out by moving the node's clock a minute. */
const DISPUTE_WINDOW_SECONDS = 60;

/** Reserves of USDX's rounds: 105.00% of 4,000 and 104.25% of 4,500. */
const ROUND_RESERVES = [4_200_000_000n, 4_691_250_000n];

/** A posted round as the pages should show it. */
export interface PostedRound {
  roundId: bigint;
  asOf: bigint;
  reserves: bigint;
  liabilities: bigint;
  liabilitiesRoot: string;
}

/** Where the test's static server serves the publications from: a directory and its URL. */
export interface PublicationHost {
  dir: string;
  url: string;
}

/** USDX round 2's published proofs, as the customer checks them by account details. */
export interface PublishedRound {
  roundId: bigint;
  /** The URI committed on-chain: the publication's directory, ending in "/". */
  uri: string;
  /** A mirror of the same files with every shard changed (its manifest still the committed one). */
  tamperedUri: string;
  /** CUSTOMER's details as the custodian's account page gives them. */
  customer: { accountId: string; salt: string; balance: string };
}

export interface WebChain {
  registry: string;
  chainId: number;
  /** The block the registry was deployed in (the dashboard's "From block"). */
  deployBlock: number;
  /** The accredited auditors who sign every round, checksummed. */
  auditors: string[];
  usdx: {
    id: "USDX";
    rounds: PostedRound[];
    /** CUSTOMER's proof package of each round, as `por liabilities prove --attestation` writes it. */
    proofs: LiabilityProofPackage[];
    /** Round 2's publication; round 1 has none. */
    publication: PublishedRound;
  };
  rbt: {
    id: "RBT";
    supply: bigint;
    /** The reserve wallets and what each holds of the reserve asset. */
    wallets: Array<{ address: string; balance: bigint }>;
    round: PostedRound;
  };
  neverAttested: { id: "NEWX" };
  disputed: {
    id: "DSPX";
    rounds: PostedRound[];
    /** CUSTOMER's proof package of each round. */
    proofs: LiabilityProofPackage[];
    /** The challenge of round 2 that was settled unanswered. */
    challengeId: bigint;
  };
  sharedKey: {
    id: "SAFX";
    /** The two Safe auditors listed for it, checksummed. */
    safes: [string, string];
    /** The owner both Safes have. */
    sharedOwner: string;
  };
  /** Removes the tree files and the publications. */
  cleanup(): void;
}

/**
 * Deploys and attests everything the pages show, on the node at `rpcUrl`; writes USDX round 2's
 * publication (and a tampered mirror) under `host.dir`, served at `host.url`.
 */
export async function deployWebChain(
  rpcUrl: string,
  chainId: number,
  host: PublicationHost,
): Promise<WebChain> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "por-web-"));
  const provider = new JsonRpcProvider(rpcUrl, chainId, { staticNetwork: true, pollingInterval: 50 });
  try {
    const admin = new NonceManager(devWallet(0, provider));
    const auditors = [devWallet(1), devWallet(2)];
    const registry = await new ReserveRegistry__factory(admin).deploy(await admin.getAddress());
    const deployBlock = (await registry.deploymentTransaction()!.wait())!.blockNumber;
    const address = await registry.getAddress();
    for (const [i, auditor] of auditors.entries()) {
      await (await registry.accreditAuditor(auditor.address, `Auditor ${i + 1}`)).wait();
    }
    const auditorAddresses = auditors.map((a) => a.address);
    const domain = attestationDomain(chainId, address);
    const now = async () => BigInt((await provider.getBlock("latest"))!.timestamp);
    const post = (att: Attestation) => postRound(registry, auditors, domain, att);

    // USDX: two rounds, each with its tree's root and total.
    const usdx = parseSubjectId("USDX");
    await register(registry, usdx, "USDX / USD reserves", auditorAddresses);
    const rounds: PostedRound[] = [];
    const proofs: LiabilityProofPackage[] = [];
    let treeFile = "";
    for (const [i, balances] of ROUND_BALANCES.entries()) {
      const tree = await buildTree(path.join(dir, `round-${i + 1}`), balances);
      treeFile = tree.treeFile;
      const att: Attestation = {
        subjectId: usdx,
        asOf: (await now()) - (i === 0 ? 7_200n : 600n),
        reserves: ROUND_RESERVES[i]!,
        liabilities: tree.total,
        liabilitiesRoot: tree.root as Hex32,
        reportHash: toHex(randomBytes(32)) as Hex32,
      };
      rounds.push(await post(att));
      proofs.push({ ...tree.proof, attestedOn: { chainId, registry: address, subjectId: usdx } });
    }
    const published = await publishRound(registry, admin, usdx, rounds[1]!.roundId, treeFile, host);
    const customer = { accountId: CUSTOMER, salt: proofs[1]!.salt, balance: ROUND_BALANCES[1]![CUSTOMER]! };

    // RBT: a token (supply 2,000) backed live by two wallets holding 1,600 and 900 of the reserve asset.
    const rbt = parseSubjectId("RBT");
    const token = await new MockERC20__factory(admin).deploy("Reserve-backed token", "RBT", DECIMALS);
    const reserveAsset = await new MockERC20__factory(admin).deploy("Reserve dollar", "RUSD", DECIMALS);
    const [tokenAddress, assetAddress] = await Promise.all([token.getAddress(), reserveAsset.getAddress()]);
    const supply = 2_000_000_000n;
    await (await registry.approveReserveAsset(assetAddress)).wait();
    await register(registry, rbt, "RBT / USD reserves", auditorAddresses, tokenAddress, assetAddress);
    await (await token.mint(await admin.getAddress(), supply)).wait();
    const wallets: Array<{ address: string; balance: bigint }> = [];
    for (const balance of [1_600_000_000n, 900_000_000n]) {
      const wallet = new Wallet(toHex(randomBytes(32)));
      await (await reserveAsset.mint(wallet.address, balance)).wait();
      const consent = await signReserveAddress(wallet, domain, rbt, assetAddress);
      await (await registry.addReserveWallet(rbt, wallet.address, consent)).wait();
      wallets.push({ address: wallet.address, balance });
    }
    const reserves = wallets.reduce((sum, w) => sum + w.balance, 0n);
    const rbtRound = await post({
      subjectId: rbt,
      asOf: (await now()) - 60n,
      reserves,
      liabilities: supply,
      liabilitiesRoot: toHex(new Uint8Array(32)) as Hex32,
      reportHash: toHex(randomBytes(32)) as Hex32,
    });

    await register(registry, parseSubjectId("NEWX"), "NEWX / USD reserves", auditorAddresses);

    const disputed = await disputeSubject(registry, admin, provider, auditorAddresses, post, dir);
    const sharedKey = await sharedKeySubject(registry, admin);

    return {
      registry: address,
      chainId,
      deployBlock,
      auditors: auditorAddresses.map((a) => getAddress(a)),
      usdx: { id: "USDX", rounds, proofs, publication: { ...published, customer } },
      rbt: { id: "RBT", supply, wallets, round: rbtRound },
      neverAttested: { id: "NEWX" },
      disputed: { id: "DSPX", ...disputed },
      sharedKey: { id: "SAFX", ...sharedKey },
      cleanup: () => {
        rmSync(dir, { recursive: true, force: true });
        rmSync(host.dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    provider.destroy();
  }
}

/**
 * DSPX: statement signer (dev account 3) and a one-minute window set, USDX's two trees posted as
 * rounds 1 and 2, then round 2 challenged with a signed statement for a customer its tree leaves
 * out; the node's clock moves past the deadline and the challenge is settled, so round 2 is disputed.
 */
async function disputeSubject(
  registry: ReserveRegistry,
  owner: NonceManager,
  provider: JsonRpcProvider,
  auditors: string[],
  post: (att: Attestation) => Promise<PostedRound>,
  dir: string,
): Promise<Omit<WebChain["disputed"], "id">> {
  const { chainId } = await provider.getNetwork();
  const address = await registry.getAddress();
  const subjectId = parseSubjectId("DSPX");
  await register(registry, subjectId, "DSPX / USD reserves", auditors);
  const challenges = LiabilityChallenges__factory.connect(await registry.challenges(), owner);
  const statementKey = devWallet(3);
  await (await challenges.setStatementSigner(subjectId, statementKey.address)).wait();
  await (await challenges.setChallengeWindow(subjectId, DISPUTE_WINDOW_SECONDS)).wait();

  const rounds: PostedRound[] = [];
  const proofs: LiabilityProofPackage[] = [];
  for (const [i, balances] of ROUND_BALANCES.entries()) {
    const tree = await buildTree(path.join(dir, `dspx-${i + 1}`), balances);
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    rounds.push(
      await post({
        subjectId,
        asOf: now - BigInt(300 - i * 100),
        reserves: ROUND_RESERVES[i]!,
        liabilities: tree.total,
        liabilitiesRoot: tree.root as Hex32,
        reportHash: toHex(randomBytes(32)) as Hex32,
      }),
    );
    proofs.push({ ...tree.proof, attestedOn: { chainId: Number(chainId), registry: address, subjectId } });
  }

  // The account page signed mallory a balance at round 2's snapshot; round 2's tree leaves her out.
  const round = rounds[1]!;
  const commitment = toHex(accountCommitment(randomBytes(32), "mallory@example.com")) as Hex32;
  const statement = { subjectId, accountCommitment: commitment, balance: 250_000_000n, asOf: round.asOf };
  const signed = await signBalanceStatement(statementKey, attestationDomain(chainId, address), statement);
  const bond = await challenges.challengeBond(subjectId);
  await (
    await challenges.challenge(subjectId, round.roundId, commitment, statement.balance, signed.signature, {
      value: bond,
    })
  ).wait();
  const challengeId = await challenges.challengeCount();
  await provider.send("evm_increaseTime", [DISPUTE_WINDOW_SECONDS + 1]);
  await provider.send("evm_mine", []);
  await (await challenges.settleChallenge(challengeId)).wait();
  return { rounds, proofs, challengeId };
}

/**
 * SAFX: two Safes, owned by dev accounts 4 and 5 and by 4 and 6 (threshold 1), accredited and listed
 * as its auditors with quorum 2: dev account 4 alone can have both sign.
 */
async function sharedKeySubject(
  registry: ReserveRegistry,
  admin: NonceManager,
): Promise<Omit<WebChain["sharedKey"], "id">> {
  const deployment = await deploySafeContracts(admin);
  const [shared, ownerA, ownerB] = [4, 5, 6].map((i) => devWallet(i).address);
  const safes: [string, string] = [
    await createSafe(admin, deployment, [shared!, ownerA!], 1),
    await createSafe(admin, deployment, [shared!, ownerB!], 1),
  ];
  for (const [i, safe] of safes.entries()) {
    await (await registry.accreditAuditor(safe, `Safe auditor ${"AB"[i]}`)).wait();
  }
  await register(registry, parseSubjectId("SAFX"), "SAFX / USD reserves", safes);
  return { safes: safes.map((a) => getAddress(a)) as [string, string], sharedOwner: getAddress(shared!) };
}

/** Registers `subjectId` (6 decimals, one-day heartbeat, quorum 2 of `auditors`). */
async function register(
  registry: ReserveRegistry,
  subjectId: Hex32,
  name: string,
  auditors: string[],
  token = ZeroAddress,
  reserveAsset = ZeroAddress,
): Promise<void> {
  const config = { name, decimals: DECIMALS, token, reserveAsset, heartbeat: 86_400, quorum: 2, auditors };
  await (await registry.registerSubject(subjectId, config)).wait();
}

/** Has every auditor sign `att` and posts it as the subject's next round. */
async function postRound(
  registry: ReserveRegistry,
  auditors: Wallet[],
  domain: ReturnType<typeof attestationDomain>,
  att: Attestation,
): Promise<PostedRound> {
  const signed = await Promise.all(auditors.map((auditor) => signAttestation(auditor, domain, att)));
  signed.sort((a, b) => compareAddresses(a.signer, b.signer));
  const tx = await registry.postAttestation(
    att,
    signed.map((s) => s.signer),
    signed.map((s) => s.signature),
  );
  await tx.wait();
  const roundId = await registry.latestRoundId(att.subjectId);
  const { asOf, reserves, liabilities, liabilitiesRoot } = att;
  return { roundId, asOf, reserves, liabilities, liabilitiesRoot };
}

/**
 * Publishes `treeFile` as `por liabilities publish` does (shards of 2 leaves, so a customer fetches
 * one of several) into `host.dir`/usdx-<round>/, copies it to a mirror whose shards each have one
 * byte changed, and commits the original for the round through the registry's challenges().
 */
async function publishRound(
  registry: ReserveRegistry,
  owner: NonceManager,
  subjectId: Hex32,
  roundId: bigint,
  treeFile: string,
  host: PublicationHost,
): Promise<Omit<PublishedRound, "customer">> {
  const name = `usdx-${roundId}`;
  const dir = path.join(host.dir, name);
  mkdirSync(host.dir, { recursive: true });
  const summary = await writePublication(treeFile, dir, { shardLeaves: 2 }, true);
  const tampered = `${dir}-tampered`;
  rmSync(tampered, { recursive: true, force: true });
  cpSync(dir, tampered, { recursive: true });
  const shards = path.join(tampered, "shards");
  for (const file of readdirSync(shards)) {
    const bytes = readFileSync(path.join(shards, file));
    bytes[bytes.length - 1]! ^= 1; // the last leaf's sum
    writeFileSync(path.join(shards, file), bytes);
  }
  const uri = `${host.url}/${name}/`;
  const challenges = LiabilityChallenges__factory.connect(await registry.challenges(), owner);
  await (await challenges.publishProofs(subjectId, roundId, summary.manifestHash, uri)).wait();
  return { roundId, uri, tamperedUri: `${host.url}/${name}-tampered/` };
}

/** A liabilities tree of `balances` built with the SDK's builder, and CUSTOMER's proof package. */
async function buildTree(
  dir: string,
  balances: Record<string, string>,
): Promise<{ root: string; total: bigint; treeFile: string; proof: LiabilityProofPackage }> {
  const input = `${dir}.csv`;
  const treeFile = `${dir}.tree`;
  const rows = Object.entries(balances).map(([account, balance]) => `${account},${balance}`);
  writeFileSync(input, `account,balance\n${rows.join("\n")}\n`);
  const summary = await buildTreeFile({
    input,
    treeFile,
    decimals: DECIMALS,
    saltSecret: Buffer.from("web test salt secret"),
    threads: 0,
  });
  const tree = TreeFile.open(treeFile);
  try {
    return { root: summary.root, total: summary.total, treeFile, proof: tree.prove(CUSTOMER) };
  } finally {
    tree.close();
  }
}

/**
 * A valid proof package `depth` steps deep with no tree behind it: a leaf folded with random
 * siblings, its root and total computed with the SDK's own folding.
 */
export function syntheticProof(depth: number, decimals = DECIMALS): LiabilityProofPackage {
  const accountId = "synthetic@example.com";
  const salt = randomBytes(32);
  const balance = 1_234_567_890n;
  const steps: SumNode[] = Array.from({ length: depth }, () => ({
    hash: randomBytes(32),
    sum: BigInt(Math.floor(Math.random() * 1e12)),
  }));
  const root = processProof(leafHash(accountCommitment(salt, accountId), balance), balance, steps)!;
  return {
    format: PROOF_FORMAT,
    accountId,
    salt: toHex(salt),
    balance: balance.toString(),
    decimals,
    proof: steps.map((s) => ({ hash: toHex(s.hash), sum: s.sum.toString() })),
    root: toHex(root.hash),
    total: root.sum.toString(),
  };
}
