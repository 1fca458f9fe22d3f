import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  type Attestation,
  type SubjectConfig,
  ascending,
  namedAccounts,
  registryDomain,
  signAttestation,
  subjectIdOf,
} from "./helpers/reserve-registry";
import { approveReserveAssets, signReserveAddress } from "./helpers/backing";
import {
  INT256_MAX,
  LIVE_FLAG,
  MAX_AMOUNT,
  UINT80_MAX,
  latestBlock,
  liveRoundId,
  noAnswer,
  roundOf,
} from "./helpers/consumers";

const DAY = 24 * 60 * 60;
/** Attested reserves only (6 decimals). */
const SUBJECT = subjectIdOf("USDX / USD");
/** Reserve wallets holding an 8-decimal asset; the subject has 6 decimals. */
const WALLETS = subjectIdOf("USDW / USD");
/** Reserve wallets holding a SettableERC20 (18 decimals, like the subject), to reach absurd balances. */
const SETTABLE = subjectIdOf("HUGE / USD");
const UNKNOWN = subjectIdOf("never registered");

/** An attestation with its amounts typed as the tests compare them. */
type PostedAttestation = Attestation & { asOf: number; reserves: bigint };

function attestation(asOf: number, reserves: bigint, subjectId = SUBJECT): PostedAttestation {
  return {
    subjectId,
    asOf,
    reserves,
    liabilities: 1_000_000n * 10n ** 6n,
    liabilitiesRoot: ethers.ZeroHash,
    reportHash: ethers.id(`report ${asOf}`),
  };
}

async function deployFeedFixture() {
  const { admin, issuer, relayer, auditorA, auditorB, walletA, walletB, holder } = await namedAccounts(
    "admin",
    "issuer",
    "relayer",
    "auditorA",
    "auditorB",
    "walletA",
    "walletB",
    "holder",
  );
  const auditors = ascending([auditorA, auditorB]);

  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  for (const a of auditors) await registry.accreditAuditor(a.address, "Auditor");
  const reserve8 = await ethers.deployContract("MockERC20", ["Reserve 8", "R8", 8]);
  const settable = await ethers.deployContract("SettableERC20", [18]);
  await approveReserveAssets(registry, admin, reserve8, settable);

  const config: SubjectConfig = {
    name: "USDX / USD",
    decimals: 6,
    token: ethers.ZeroAddress,
    reserveAsset: ethers.ZeroAddress,
    heartbeat: DAY,
    quorum: 2,
    auditors: auditors.map((a) => a.address),
  };
  const asIssuer = registry.connect(issuer);
  await asIssuer.registerSubject(SUBJECT, config);
  await asIssuer.registerSubject(WALLETS, {
    ...config,
    name: "USDW / USD",
    reserveAsset: await reserve8.getAddress(),
  });
  await asIssuer.registerSubject(SETTABLE, {
    ...config,
    name: "HUGE / USD",
    decimals: 18,
    reserveAsset: await settable.getAddress(),
  });

  const registryAddress = await registry.getAddress();
  const feed = await ethers.deployContract("ReserveFeed", [registryAddress, SUBJECT]);
  const walletsFeed = await ethers.deployContract("ReserveFeed", [registryAddress, WALLETS]);
  const settableFeed = await ethers.deployContract("ReserveFeed", [registryAddress, SETTABLE]);
  const domain = await registryDomain(registry);

  /** Posts an attestation of `reserves` at snapshot time `asOf`, signed by both auditors. */
  async function post(asOf: number, reserves: bigint, subjectId = SUBJECT) {
    const att = attestation(asOf, reserves, subjectId);
    const signatures = await Promise.all(auditors.map((a) => signAttestation(a, domain, att)));
    await registry.connect(relayer).postAttestation(
      att,
      auditors.map((a) => a.address),
      signatures,
    );
    return att;
  }

  /** Adds `wallets` (EOAs consenting for the subject's current asset) as reserve wallets of `subjectId`. */
  async function addWallets(subjectId: string, ...wallets: HardhatEthersSigner[]) {
    for (const wallet of wallets) {
      const signature = await signReserveAddress(wallet, registry, subjectId);
      await asIssuer.addReserveWallet(subjectId, wallet.address, signature);
    }
  }

  return {
    registry,
    feed,
    walletsFeed,
    settableFeed,
    reserve8,
    settable,
    admin,
    issuer,
    walletA,
    walletB,
    holder,
    config,
    post,
    addWallets,
  };
}

describe("ReserveFeed", function () {
  describe("constructor", function () {
    it("binds the feed to a registry and a subject", async function () {
      const { registry, feed } = await loadFixture(deployFeedFixture);
      expect(await feed.registry()).to.equal(await registry.getAddress());
      expect(await feed.subjectId()).to.equal(SUBJECT);
    });

    it("reverts with the registry's UnknownSubject for an unregistered subject", async function () {
      const { registry } = await loadFixture(deployFeedFixture);
      const Feed = await ethers.getContractFactory("ReserveFeed");
      await expect(Feed.deploy(await registry.getAddress(), UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("decimals", function () {
    it("is the subject's decimals, also when the reserve asset has others", async function () {
      const { feed, walletsFeed, settableFeed } = await loadFixture(deployFeedFixture);
      expect(await feed.decimals()).to.equal(6);
      expect(await walletsFeed.decimals()).to.equal(6);
      expect(await settableFeed.decimals()).to.equal(18);
    });

    it("cannot be changed, so the owner cannot rescale signed reserves", async function () {
      const { registry, feed, issuer, config, post } = await loadFixture(deployFeedFixture);
      await post(await time.latest(), 5_000_000n);
      await expect(registry.connect(issuer).updateSubject(SUBJECT, { ...config, decimals: 0 }))
        .to.be.revertedWithCustomError(registry, "DecimalsFrozen")
        .withArgs(SUBJECT, 6, 0);
      expect(await feed.decimals()).to.equal(6);
    });
  });

  describe("description", function () {
    it('is "<subject name> reserves"', async function () {
      const { feed } = await loadFixture(deployFeedFixture);
      expect(await feed.description()).to.equal("USDX / USD reserves");
    });

    it("follows updateSubject, also after rounds were posted", async function () {
      const { registry, feed, issuer, config, post } = await loadFixture(deployFeedFixture);
      await post(await time.latest(), 1n);
      await registry.connect(issuer).updateSubject(SUBJECT, { ...config, name: "USDX v2 / USD" });
      expect(await feed.description()).to.equal("USDX v2 / USD reserves");
    });
  });

  describe("version", function () {
    it("is 2", async function () {
      const { feed } = await loadFixture(deployFeedFixture);
      expect(await feed.version()).to.equal(2);
    });
  });

  describe("latestRoundData", function () {
    it("answers all zeros before the first round instead of reverting", async function () {
      const { feed, walletsFeed } = await loadFixture(deployFeedFixture);
      expect(await feed.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      // A subject that names a reserve asset but has no wallet yet is still attested.
      expect(await walletsFeed.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
    });

    it("reports the latest round: answer = reserves, startedAt = updatedAt = asOf, answeredInRound = roundId", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      const now = await time.latest();
      await post(now - 100, 5_000_000n);
      const latest = await post(now - 40, 6_000_000n);
      await time.increase(3600);
      const [roundId, answer, startedAt, updatedAt, answeredInRound] = await feed.latestRoundData();
      expect(roundId).to.equal(2);
      expect(answer).to.equal(latest.reserves);
      // The snapshot time, not the posting time, so consumers measure the age of the data itself.
      expect(startedAt).to.equal(now - 40);
      expect(updatedAt).to.equal(now - 40);
      expect(answeredInRound).to.equal(2);
    });

    it("reports attested reserves of exactly MAX_AMOUNT, the largest the registry accepts", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      await post(await time.latest(), MAX_AMOUNT);
      const [, answer] = await feed.latestRoundData();
      expect(answer).to.equal(MAX_AMOUNT);
    });

    it("keeps its answer when a round above MAX_AMOUNT is refused with AmountTooLarge", async function () {
      const { registry, feed, post } = await loadFixture(deployFeedFixture);
      const now = await time.latest();
      await post(now - 10, 7n);
      await expect(post(now, MAX_AMOUNT + 1n))
        .to.be.revertedWithCustomError(registry, "AmountTooLarge")
        .withArgs(MAX_AMOUNT + 1n, MAX_AMOUNT);
      expect(await feed.latestRoundData()).to.deep.equal(roundOf(1, 7n, now - 10));
    });

    it("reports any attested reserves up to MAX_AMOUNT exactly (property)", async function () {
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 0n, max: MAX_AMOUNT }), async (reserves) => {
          const { feed, post } = await loadFixture(deployFeedFixture);
          const att = await post(await time.latest(), reserves);
          expect(await feed.latestRoundData()).to.deep.equal(roundOf(1, reserves, att.asOf));
          expect(await feed.getRoundData(1)).to.deep.equal(roundOf(1, reserves, att.asOf));
        }),
        { numRuns: process.env.CI ? 100 : 20 },
      );
    });

    it("answers the wallets' live balances in the subject's decimals, rounded down, in a live round of the current block", async function () {
      const { walletsFeed, reserve8, walletA, walletB, addWallets } = await loadFixture(deployFeedFixture);
      await addWallets(WALLETS, walletA, walletB);
      await reserve8.mint(walletA.address, 100_000_001n); // 1.00000001 R8
      await reserve8.mint(walletB.address, 50_000_099n); // 0.50000099 R8
      const block = await latestBlock();
      // 1.50000100 in 8 decimals is 1.500001 in the subject's 6.
      expect(await walletsFeed.latestRoundData()).to.deep.equal(
        roundOf(block.liveId, 1_500_001n, block.timestamp),
      );
      expect(block.liveId).to.equal((1n << 64n) | block.number);
    });

    it("gets a new live round id in every block, with or without a change of balance", async function () {
      const { walletsFeed, reserve8, walletA, addWallets } = await loadFixture(deployFeedFixture);
      await addWallets(WALLETS, walletA);
      const [first] = await walletsFeed.latestRoundData();
      await mine();
      const [second] = await walletsFeed.latestRoundData();
      await reserve8.mint(walletA.address, 100n);
      const [third, answer] = await walletsFeed.latestRoundData();
      expect(first & LIVE_FLAG).to.equal(LIVE_FLAG);
      expect([second - first, third - second]).to.deep.equal([1n, 1n]);
      expect(third).to.equal((await latestBlock()).liveId);
      expect(answer).to.equal(1n);
    });

    it("switches from the attested figure to the wallets with the first wallet, and stays live after a new round", async function () {
      const { walletsFeed, reserve8, walletA, post, addWallets } = await loadFixture(deployFeedFixture);
      const att = await post((await time.latest()) - 5, 9_000_000n, WALLETS);
      expect(await walletsFeed.latestRoundData()).to.deep.equal(roundOf(1, 9_000_000n, att.asOf));
      await reserve8.mint(walletA.address, 200_000_000n);
      await addWallets(WALLETS, walletA);
      let block = await latestBlock();
      expect(await walletsFeed.latestRoundData()).to.deep.equal(
        roundOf(block.liveId, 2_000_000n, block.timestamp),
      );
      // A higher attested figure does not replace what the wallets hold.
      await post(await time.latest(), 50_000_000n, WALLETS);
      block = await latestBlock();
      expect(await walletsFeed.latestRoundData()).to.deep.equal(
        roundOf(block.liveId, 2_000_000n, block.timestamp),
      );
    });

    it("answers 0 (not the attested figure) once the wallets are drained", async function () {
      const { walletsFeed, reserve8, walletA, holder, post, addWallets } =
        await loadFixture(deployFeedFixture);
      await post(await time.latest(), 200_000_000n, WALLETS);
      await addWallets(WALLETS, walletA);
      await reserve8.mint(walletA.address, 300_000_000n);
      expect((await walletsFeed.latestRoundData())[1]).to.equal(3_000_000n);
      await reserve8.connect(walletA).transfer(holder.address, 300_000_000n);
      const block = await latestBlock();
      expect(await walletsFeed.latestRoundData()).to.deep.equal(roundOf(block.liveId, 0n, block.timestamp));
    });

    it("answers 0 in a live round after every wallet is removed: reserves stay live", async function () {
      const { registry, walletsFeed, reserve8, issuer, walletA, post, addWallets } =
        await loadFixture(deployFeedFixture);
      await post(await time.latest(), 200_000_000n, WALLETS);
      await addWallets(WALLETS, walletA);
      await reserve8.mint(walletA.address, 300_000_000n);
      // The custodian moves the funds out; only then may the wallet go (it no longer backs anything).
      await reserve8.connect(walletA).transfer(issuer.address, 300_000_000n);
      await expect(registry.connect(issuer).removeReserveWallet(WALLETS, walletA.address))
        .to.emit(registry, "ReserveWalletRemoved")
        .withArgs(WALLETS, walletA.address);
      const block = await latestBlock();
      expect(await walletsFeed.latestRoundData()).to.deep.equal(roundOf(block.liveId, 0n, block.timestamp));
    });

    it("answers 0 while the reserve asset is revoked, and the balances again once it is re-approved", async function () {
      const { registry, walletsFeed, reserve8, admin, walletA, addWallets } =
        await loadFixture(deployFeedFixture);
      await addWallets(WALLETS, walletA);
      await reserve8.mint(walletA.address, 500_000_000n);
      const asset = await reserve8.getAddress();
      await expect(registry.connect(admin).revokeReserveAsset(asset))
        .to.emit(registry, "ReserveAssetRevoked")
        .withArgs(asset);
      let block = await latestBlock();
      expect(await walletsFeed.latestRoundData()).to.deep.equal(roundOf(block.liveId, 0n, block.timestamp));
      await expect(registry.connect(admin).approveReserveAsset(asset))
        .to.emit(registry, "ReserveAssetApproved")
        .withArgs(asset);
      block = await latestBlock();
      expect(await walletsFeed.latestRoundData()).to.deep.equal(
        roundOf(block.liveId, 5_000_000n, block.timestamp),
      );
    });

    it("saturates at int256 max for live reserves above it", async function () {
      const { settableFeed, settable, walletA, addWallets } = await loadFixture(deployFeedFixture);
      await addWallets(SETTABLE, walletA);
      await settable.setBalance(walletA.address, INT256_MAX);
      let block = await latestBlock();
      expect(await settableFeed.latestRoundData()).to.deep.equal(
        roundOf(block.liveId, INT256_MAX, block.timestamp),
      );
      for (const balance of [INT256_MAX + 1n, ethers.MaxUint256]) {
        await settable.setBalance(walletA.address, balance);
        block = await latestBlock();
        expect(await settableFeed.latestRoundData()).to.deep.equal(
          roundOf(block.liveId, INT256_MAX, block.timestamp),
        );
        expect(await settableFeed.getRoundData(block.liveId)).to.deep.equal(
          roundOf(block.liveId, INT256_MAX, block.timestamp),
        );
      }
    });

    it("answers zeros, not a revert, when the wallets' balances sum past 2^256 (LiveReservesOverflow in the registry)", async function () {
      const { registry, settableFeed, settable, walletA, walletB, addWallets } =
        await loadFixture(deployFeedFixture);
      await addWallets(SETTABLE, walletA, walletB);
      await settable.setBalance(walletA.address, 1n << 255n);
      await settable.setBalance(walletB.address, 1n << 255n);
      await expect(registry.reservesRound(SETTABLE))
        .to.be.revertedWithCustomError(registry, "LiveReservesOverflow")
        .withArgs(SETTABLE);
      const { liveId } = await latestBlock();
      expect(await settableFeed.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      expect(await settableFeed.getRoundData(liveId)).to.deep.equal(noAnswer(liveId));
      expect(await settableFeed.latestAnswer()).to.equal(0n);
      expect(await settableFeed.latestTimestamp()).to.equal(0n);
      expect(await settableFeed.latestRound()).to.equal(0n);
      expect(await settableFeed.getAnswer(liveId)).to.equal(0n);
    });

    it("answers zeros when live balances cannot be rescaled to the subject's decimals (DecimalScalingOverflow)", async function () {
      const { registry, admin, issuer, config, walletA } = await loadFixture(deployFeedFixture);
      // A 0-decimal asset backing a 36-decimal subject: every unit is multiplied by 10^36.
      const units = await ethers.deployContract("SettableERC20", [0]);
      await approveReserveAssets(registry, admin, units);
      const subjectId = subjectIdOf("UNITS / USD");
      await registry.connect(issuer).registerSubject(subjectId, {
        ...config,
        name: "UNITS",
        decimals: 36,
        reserveAsset: await units.getAddress(),
      });
      await registry
        .connect(issuer)
        .addReserveWallet(subjectId, walletA.address, await signReserveAddress(walletA, registry, subjectId));
      const unitsFeed = await ethers.deployContract("ReserveFeed", [await registry.getAddress(), subjectId]);
      await units.setBalance(walletA.address, 3n);
      let block = await latestBlock();
      expect(await unitsFeed.latestRoundData()).to.deep.equal(
        roundOf(block.liveId, 3n * 10n ** 36n, block.timestamp),
      );
      await units.setBalance(walletA.address, 1n << 200n);
      await expect(registry.reservesRound(subjectId))
        .to.be.revertedWithCustomError(registry, "DecimalScalingOverflow")
        .withArgs(1n << 200n, 0, 36);
      block = await latestBlock();
      expect(await unitsFeed.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      expect(await unitsFeed.getRoundData(block.liveId)).to.deep.equal(noAnswer(block.liveId));
      expect(await unitsFeed.latestAnswer()).to.equal(0n);
    });

    it("is readable through the plain Chainlink AggregatorV3Interface", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      const att = await post(await time.latest(), 7n);
      const aggregator = await ethers.getContractAt("AggregatorV3Interface", await feed.getAddress());
      const data = await aggregator.latestRoundData();
      expect(data.roundId).to.equal(1);
      expect(data.answer).to.equal(7n);
      expect(data.updatedAt).to.equal(att.asOf);
      expect(await aggregator.description()).to.equal("USDX / USD reserves");
    });
  });

  describe("getRoundData", function () {
    it("reports every posted round", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      const now = await time.latest();
      const rounds = [await post(now - 30, 100n), await post(now - 20, 0n), await post(now - 10, 300n)];
      for (const [i, att] of rounds.entries()) {
        const roundId = i + 1;
        const [id, answer, startedAt, updatedAt, answeredInRound] = await feed.getRoundData(roundId);
        expect(id).to.equal(roundId);
        expect(answer).to.equal(att.reserves);
        expect(startedAt).to.equal(att.asOf);
        expect(updatedAt).to.equal(att.asOf);
        expect(answeredInRound).to.equal(roundId);
      }
    });

    it("echoes the id with zeros before the first round, for round 0 and 1 and a live id", async function () {
      const { feed } = await loadFixture(deployFeedFixture);
      const { liveId } = await latestBlock();
      for (const id of [0n, 1n, liveId]) {
        expect(await feed.getRoundData(id)).to.deep.equal(noAnswer(id));
      }
    });

    it("echoes the id with zeros for round 0, the round after the latest and the largest uint80", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      await post(await time.latest(), 1n);
      for (const missing of [0n, 2n, LIVE_FLAG - 1n, UINT80_MAX]) {
        expect(await feed.getRoundData(missing)).to.deep.equal(noAnswer(missing));
      }
    });

    it("echoes the id with zeros for a live id while the subject is attested", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      await post(await time.latest(), 1n);
      const { number, liveId } = await latestBlock();
      // Neither the current block's live id, nor the live id whose low bits name the attested round.
      for (const id of [liveId, liveRoundId(1), liveRoundId(number + 1n)]) {
        expect(await feed.getRoundData(id)).to.deep.equal(noAnswer(id));
      }
    });

    it("answers the current block's live id like latestRoundData, and only in that block", async function () {
      const { walletsFeed, reserve8, walletA, addWallets } = await loadFixture(deployFeedFixture);
      await addWallets(WALLETS, walletA);
      await reserve8.mint(walletA.address, 700_000_000n);
      const block = await latestBlock();
      expect(await walletsFeed.getRoundData(block.liveId)).to.deep.equal(
        roundOf(block.liveId, 7_000_000n, block.timestamp),
      );
      // The next block's id is not answered ahead of time.
      expect(await walletsFeed.getRoundData(block.liveId + 1n)).to.deep.equal(noAnswer(block.liveId + 1n));
      await mine();
      // Unchanged balances or not, a past block's live id no longer answers.
      expect(await walletsFeed.getRoundData(block.liveId)).to.deep.equal(noAnswer(block.liveId));
      const next = await latestBlock();
      expect(await walletsFeed.getRoundData(next.liveId)).to.deep.equal(
        roundOf(next.liveId, 7_000_000n, next.timestamp),
      );
    });

    it("still answers past attested rounds with their own reserves and asOf while the latest reading is live", async function () {
      const { walletsFeed, reserve8, walletA, holder, post, addWallets } =
        await loadFixture(deployFeedFixture);
      const now = await time.latest();
      const first = await post(now - 20, 4_000_000n, WALLETS);
      await addWallets(WALLETS, walletA);
      const second = await post(now - 10, 8_000_000n, WALLETS);
      await reserve8.mint(walletA.address, 100_000_000n);
      await reserve8.connect(walletA).transfer(holder.address, 100_000_000n);
      const [latestId] = await walletsFeed.latestRoundData();
      expect(latestId & LIVE_FLAG).to.equal(LIVE_FLAG);
      expect(await walletsFeed.getRoundData(1)).to.deep.equal(roundOf(1, first.reserves, first.asOf));
      expect(await walletsFeed.getRoundData(2)).to.deep.equal(roundOf(2, second.reserves, second.asOf));
      expect(await walletsFeed.getRoundData(3)).to.deep.equal(noAnswer(3));
    });
  });

  describe("latestAnswer", function () {
    it("is 0 before the first round, then the latest attested reserves, then the live reserves", async function () {
      const { walletsFeed, reserve8, walletA, post, addWallets } = await loadFixture(deployFeedFixture);
      expect(await walletsFeed.latestAnswer()).to.equal(0n);
      await post(await time.latest(), 12_000_000n, WALLETS);
      expect(await walletsFeed.latestAnswer()).to.equal(12_000_000n);
      await addWallets(WALLETS, walletA);
      await reserve8.mint(walletA.address, 123_456_789n);
      expect(await walletsFeed.latestAnswer()).to.equal(1_234_567n);
    });
  });

  describe("latestTimestamp", function () {
    it("is 0 before the first round, then the round's asOf, then the block's timestamp", async function () {
      const { walletsFeed, walletA, post, addWallets } = await loadFixture(deployFeedFixture);
      expect(await walletsFeed.latestTimestamp()).to.equal(0n);
      const att = await post((await time.latest()) - 3, 1n, WALLETS);
      expect(await walletsFeed.latestTimestamp()).to.equal(att.asOf);
      await addWallets(WALLETS, walletA);
      expect(await walletsFeed.latestTimestamp()).to.equal((await latestBlock()).timestamp);
    });
  });

  describe("latestRound", function () {
    it("is 0 before the first round, then the attested round, then the current block's live id", async function () {
      const { walletsFeed, walletA, post, addWallets } = await loadFixture(deployFeedFixture);
      expect(await walletsFeed.latestRound()).to.equal(0n);
      const now = await time.latest();
      await post(now - 2, 1n, WALLETS);
      await post(now - 1, 2n, WALLETS);
      expect(await walletsFeed.latestRound()).to.equal(2n);
      await addWallets(WALLETS, walletA);
      expect(await walletsFeed.latestRound()).to.equal((await latestBlock()).liveId);
    });
  });

  describe("getAnswer", function () {
    it("is 0 before the first round", async function () {
      const { feed } = await loadFixture(deployFeedFixture);
      expect(await feed.getAnswer(0)).to.equal(0n);
      expect(await feed.getAnswer(1)).to.equal(0n);
    });

    it("is each attested round's reserves, and 0 for a missing one", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      const now = await time.latest();
      await post(now - 2, 11n);
      await post(now - 1, 22n);
      expect(await feed.getAnswer(1)).to.equal(11n);
      expect(await feed.getAnswer(2)).to.equal(22n);
      expect(await feed.getAnswer(3)).to.equal(0n);
    });

    it("is 0 for ids above uint80, even where their low 80 bits name a round", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      await post(await time.latest(), 11n);
      expect(await feed.getAnswer(1)).to.equal(11n);
      for (const id of [(1n << 80n) + 1n, (1n << 200n) + 1n, ethers.MaxUint256]) {
        expect(await feed.getAnswer(id)).to.equal(0n);
      }
    });

    it("is the live reserves for the current block's live id, 0 for another block's", async function () {
      const { walletsFeed, reserve8, walletA, addWallets } = await loadFixture(deployFeedFixture);
      await addWallets(WALLETS, walletA);
      await reserve8.mint(walletA.address, 100_000_000n);
      const { liveId } = await latestBlock();
      expect(await walletsFeed.getAnswer(liveId)).to.equal(1_000_000n);
      expect(await walletsFeed.getAnswer(liveId - 1n)).to.equal(0n);
      expect(await walletsFeed.getAnswer(liveId + (1n << 80n))).to.equal(0n);
    });
  });

  describe("getTimestamp", function () {
    it("is each attested round's asOf, and 0 for a missing round or an id above uint80", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      expect(await feed.getTimestamp(1)).to.equal(0n);
      const att = await post((await time.latest()) - 7, 11n);
      expect(await feed.getTimestamp(1)).to.equal(att.asOf);
      expect(await feed.getTimestamp(0)).to.equal(0n);
      expect(await feed.getTimestamp(2)).to.equal(0n);
      expect(await feed.getTimestamp((1n << 80n) + 1n)).to.equal(0n);
    });

    it("is the block's timestamp for the current block's live id, 0 for another block's", async function () {
      const { walletsFeed, walletA, addWallets } = await loadFixture(deployFeedFixture);
      await addWallets(WALLETS, walletA);
      const { liveId, timestamp } = await latestBlock();
      expect(await walletsFeed.getTimestamp(liveId)).to.equal(timestamp);
      await mine();
      expect(await walletsFeed.getTimestamp(liveId)).to.equal(0n);
    });
  });
});
