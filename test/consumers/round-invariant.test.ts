/**
 * The feeds' round invariant (issue 8, point 6): a round id never answers two different non-empty
 * values (updatedAt != 0) in different blocks, in either feed. Random sequences of what moves a
 * subject's backing (reserve-wallet mints and transfers, token supply changes, new attested rounds,
 * wallets added and removed, the reserve asset revoked and approved again, empty blocks) run against
 * three subjects; every (feed, round id) seen is recorded and read again in later blocks.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { ReserveFeed, ReserveRatioFeed } from "../../typechain-types";
import {
  approveReserveAssets,
  namedSigners,
  postAttestation,
  signReserveAddress,
  subjectConfig,
} from "../helpers/backing";
import { LIVE_FLAG, latestBlock, noAnswer } from "../helpers/consumers";

/** Reserve wallets (8-decimal asset) and a 6-decimal token: both sides can go live. */
const WITH_TOKEN = ethers.id("WITH_TOKEN");
/** Reserve wallets, liabilities attested, no token. */
const NO_TOKEN = ethers.id("NO_TOKEN");
/** Attested reserves and liabilities only. */
const ATTESTED = ethers.id("ATTESTED");
const SUBJECTS = [WITH_TOKEN, NO_TOKEN, ATTESTED] as const;
/** Which subject each of the five wallets may back (a wallet backs one subject per asset). */
const WALLET_SUBJECT = [WITH_TOKEN, WITH_TOKEN, WITH_TOKEN, NO_TOKEN, NO_TOKEN] as const;
/** How many actions a run takes at most: each is a block, read through six feeds. */
const MAX_ACTIONS = 25;

async function deployRoundInvariantFixture() {
  const signers = await namedSigners("admin", "owner", "auditor", "sink", "w0", "w1", "w2", "w3", "w4");
  const { admin, owner, auditor, sink } = signers;
  const wallets = [signers.w0, signers.w1, signers.w2, signers.w3, signers.w4];
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");
  const reserve8 = await ethers.deployContract("MockERC20", ["Reserve 8", "R8", 8]);
  const token = await ethers.deployContract("SettableERC20", [6]);
  await approveReserveAssets(registry, admin, reserve8);
  const reserveAsset = await reserve8.getAddress();
  const asOwner = registry.connect(owner);
  const auditors = [auditor.address];
  await asOwner.registerSubject(
    WITH_TOKEN,
    subjectConfig(auditors, { name: "With token", token: await token.getAddress(), reserveAsset }),
  );
  await asOwner.registerSubject(NO_TOKEN, subjectConfig(auditors, { name: "No token", reserveAsset }));
  await asOwner.registerSubject(ATTESTED, subjectConfig(auditors, { name: "Attested" }));
  const consents = await Promise.all(
    wallets.map((wallet, i) => signReserveAddress(wallet, registry, WALLET_SUBJECT[i]!)),
  );

  const registryAddress = await registry.getAddress();
  const feeds: { name: string; feed: ReserveFeed | ReserveRatioFeed }[] = [];
  for (const [i, subjectId] of SUBJECTS.entries()) {
    const label = ["with-token", "no-token", "attested"][i]!;
    feeds.push({
      name: `ReserveFeed(${label})`,
      feed: await ethers.deployContract("ReserveFeed", [registryAddress, subjectId]),
    });
    feeds.push({
      name: `ReserveRatioFeed(${label})`,
      feed: await ethers.deployContract("ReserveRatioFeed", [registryAddress, subjectId]),
    });
  }
  return { registry, reserve8, token, feeds, admin, owner, auditor, sink, wallets, consents };
}

type Fixture = Awaited<ReturnType<typeof deployRoundInvariantFixture>>;

const amount = fc.bigInt({ min: 0n, max: 10n ** 12n });
const actionArb = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("mint reserve" as const), wallet: fc.nat(4), amount }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("move reserve out" as const), wallet: fc.nat(4), amount }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("mint token" as const), amount }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("burn token" as const), amount }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("post round" as const),
      subject: fc.nat(2),
      reserves: amount,
      liabilities: amount,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("toggle wallet" as const), wallet: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("toggle asset approval" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("mine" as const), seconds: fc.integer({ min: 1, max: 7200 }) }),
  },
);
type Action = typeof actionArb extends fc.Arbitrary<infer A> ? A : never;

/** Performs `action`; every action mines exactly one block. */
async function perform(f: Fixture, action: Action): Promise<void> {
  switch (action.kind) {
    case "mint reserve":
      await f.reserve8.mint(f.wallets[action.wallet]!.address, action.amount);
      return;
    case "move reserve out": {
      const wallet = f.wallets[action.wallet]!;
      const balance = await f.reserve8.balanceOf(wallet.address);
      const moved = action.amount < balance ? action.amount : balance;
      await f.reserve8.connect(wallet).transfer(f.sink.address, moved);
      return;
    }
    case "mint token":
      await f.token.setTotalSupply((await f.token.totalSupply()) + action.amount);
      return;
    case "burn token": {
      const supply = await f.token.totalSupply();
      await f.token.setTotalSupply(action.amount < supply ? supply - action.amount : 0n);
      return;
    }
    case "post round":
      await postAttestation(f.registry, [f.auditor], {
        subjectId: SUBJECTS[action.subject]!,
        asOf: await time.latest(),
        reserves: action.reserves,
        liabilities: action.liabilities,
      });
      return;
    case "toggle wallet": {
      const subjectId = WALLET_SUBJECT[action.wallet]!;
      const wallet = f.wallets[action.wallet]!.address;
      const asOwner = f.registry.connect(f.owner);
      if ((await f.registry.reserveWallets(subjectId)).includes(wallet)) {
        await asOwner.removeReserveWallet(subjectId, wallet);
      } else if (await f.registry.isApprovedReserveAsset(await f.reserve8.getAddress())) {
        await asOwner.addReserveWallet(subjectId, wallet, f.consents[action.wallet]!);
      } else {
        await time.increase(1); // a revoked asset takes no new wallet: an empty block instead
      }
      return;
    }
    case "toggle asset approval": {
      const asset = await f.reserve8.getAddress();
      const asAdmin = f.registry.connect(f.admin);
      if (await f.registry.isApprovedReserveAsset(asset)) await asAdmin.revokeReserveAsset(asset);
      else await asAdmin.approveReserveAsset(asset);
      return;
    }
    case "mine":
      await time.increase(action.seconds);
      return;
  }
}

/** Every non-empty answer seen, per feed and round id, and the block each live id belongs to. */
class Observations {
  private readonly answers = new Map<string, { value: string; block: bigint }>();
  readonly ids: Set<bigint>[];

  constructor(feedCount: number) {
    this.ids = Array.from({ length: feedCount }, () => new Set<bigint>());
  }

  /** Records `round` read from feed `feed` in block `block`; a non-empty answer must match every earlier one. */
  record(feed: string, index: number, round: readonly bigint[], block: bigint): void {
    const [id, answer, startedAt, updatedAt, answeredInRound] = round as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    expect(answeredInRound, `${feed} answeredInRound of ${id}`).to.equal(id);
    expect(startedAt, `${feed} startedAt of ${id}`).to.equal(updatedAt);
    if (updatedAt === 0n) {
      expect(answer, `${feed} round ${id}: an answer without updatedAt`).to.equal(0n);
      return;
    }
    this.ids[index]!.add(id);
    const key = `${index}:${id}`;
    const value = `${answer}@${updatedAt}`;
    const first = this.answers.get(key);
    if (first === undefined) this.answers.set(key, { value, block });
    else
      expect(
        value,
        `${feed} round ${id}: block ${first.block} answered ${first.value}, block ${block}`,
      ).to.equal(first.value);
  }
}

/** Reads every feed's latest round and, in the same block, getRoundData of that id. */
async function readLatest(f: Fixture, seen: Observations, block: bigint): Promise<void> {
  for (const [index, { name, feed }] of f.feeds.entries()) {
    const latest = [...(await feed.latestRoundData())];
    expect(latest[0], `${name} latestRoundData roundId`).to.equal(latest[4]);
    seen.record(name, index, latest, block);
    if (latest[0] !== 0n) {
      const again = [...(await feed.getRoundData(latest[0]!))];
      expect(again, `${name} getRoundData(latest) in the same block`).to.deep.equal(latest);
    }
  }
}

/** Reads `ids` of feed `index` again with getRoundData; past live ids must answer nothing. */
async function reread(f: Fixture, seen: Observations, index: number, ids: Iterable<bigint>, block: bigint) {
  const { name, feed } = f.feeds[index]!;
  for (const id of ids) {
    const round = [...(await feed.getRoundData(id))];
    expect(round[0], `${name} getRoundData echoes ${id}`).to.equal(id);
    seen.record(name, index, round, block);
    if ((id & LIVE_FLAG) !== 0n && id !== (LIVE_FLAG | block)) {
      expect(round, `${name} past live round ${id} in block ${block}`).to.deep.equal(noAnswer(id));
    }
  }
}

describe("Feed round invariant", function () {
  it("never answers two different non-empty values for one round id, in either feed (property)", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: MAX_ACTIONS }), async (actions) => {
        const f = await loadFixture(deployRoundInvariantFixture);
        const seen = new Observations(f.feeds.length);
        await readLatest(f, seen, (await latestBlock()).number);
        for (const action of actions) {
          await perform(f, action);
          const { number } = await latestBlock();
          await readLatest(f, seen, number);
          for (const [index] of f.feeds.entries()) {
            const subjectId = SUBJECTS[Math.floor(index / 2)]!;
            const latestRound = await f.registry.latestRoundId(subjectId);
            const attestedIds = Array.from({ length: Number(latestRound) + 1 }, (_, k) => BigInt(k));
            // Attested ids (also ones never seen as latest), and the live ids of the last blocks.
            const recentLive = [1n, 2n, 3n].map((back) => LIVE_FLAG | (number - back));
            await reread(f, seen, index, [...attestedIds, ...recentLive], number);
          }
        }
        // Finally every id ever answered, by every feed, in a later block.
        await time.increase(1);
        const { number } = await latestBlock();
        for (const [index, ids] of seen.ids.entries()) await reread(f, seen, index, [...ids], number);
      }),
      { numRuns: process.env.CI ? 100 : 20 },
    );
  });
});
