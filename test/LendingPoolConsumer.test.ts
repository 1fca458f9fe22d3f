import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  type Attestation,
  namedAccounts,
  registryDomain,
  signAttestation,
  subjectIdOf,
} from "./helpers/reserve-registry";
import { addWallet, approveReserveAssets, subjectConfig } from "./helpers/backing";

const HOUR = 60 * 60;
const MAX_AGE = 6 * HOUR;
const SUBJECT = subjectIdOf("USDX / USD");
/** Reserves read live from a reserve wallet's balance. */
const LIVE = subjectIdOf("USDL / USD live");

async function deployConsumerFixture() {
  const { admin, auditor, borrower, walletA } = await namedAccounts(
    "admin",
    "auditor",
    "borrower",
    "walletA",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor");
  await registry.registerSubject(SUBJECT, {
    name: "USDX / USD",
    decimals: 6,
    token: ethers.ZeroAddress,
    reserveAsset: ethers.ZeroAddress,
    heartbeat: 24 * HOUR,
    quorum: 1,
    auditors: [auditor.address],
  });
  const feed = await ethers.deployContract("ReserveFeed", [await registry.getAddress(), SUBJECT]);
  const consumer = await ethers.deployContract("LendingPoolConsumer", [await feed.getAddress(), MAX_AGE]);
  const domain = await registryDomain(registry);
  // A hand-driven feed for answers ReserveFeed never gives (negative, incomplete round).
  const mockFeed = await ethers.deployContract("MockAggregatorV3");
  const mockConsumer = await ethers.deployContract("LendingPoolConsumer", [
    await mockFeed.getAddress(),
    MAX_AGE,
  ]);

  /** Posts reserves `reserves` at snapshot time `asOf`. */
  async function post(asOf: number, reserves: bigint) {
    const att: Attestation = {
      subjectId: SUBJECT,
      asOf,
      reserves,
      liabilities: 0n,
      liabilitiesRoot: ethers.ZeroHash,
      reportHash: ethers.id(`report ${asOf}`),
    };
    await registry.postAttestation(att, [auditor.address], [await signAttestation(auditor, domain, att)]);
  }

  const reserveAsset = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
  await approveReserveAssets(registry, admin, reserveAsset);
  await registry.registerSubject(
    LIVE,
    subjectConfig([auditor.address], { name: "USDL / USD", reserveAsset: await reserveAsset.getAddress() }),
  );
  await addWallet(registry, admin, LIVE, walletA);
  const liveFeed = await ethers.deployContract("ReserveFeed", [await registry.getAddress(), LIVE]);
  const liveConsumer = await ethers.deployContract("LendingPoolConsumer", [
    await liveFeed.getAddress(),
    MAX_AGE,
  ]);

  return {
    registry,
    feed,
    consumer,
    mockFeed,
    mockConsumer,
    liveConsumer,
    reserveAsset,
    admin,
    borrower,
    walletA,
    post,
  };
}

describe("LendingPoolConsumer", function () {
  describe("constructor", function () {
    it("stores the feed and the maximum age", async function () {
      const { feed, consumer } = await loadFixture(deployConsumerFixture);
      expect(await consumer.feed()).to.equal(await feed.getAddress());
      expect(await consumer.maxAgeSeconds()).to.equal(MAX_AGE);
    });
  });

  describe("reserves", function () {
    it("returns fresh positive reserves", async function () {
      const { consumer, post } = await loadFixture(deployConsumerFixture);
      await post(await time.latest(), 1_000_000n);
      expect(await consumer.reserves()).to.equal(1_000_000n);
    });

    it("accepts reserves exactly maxAgeSeconds old and rejects them one second later", async function () {
      const { consumer, post } = await loadFixture(deployConsumerFixture);
      const asOf = await time.latest();
      await post(asOf, 1_000_000n);
      await time.increaseTo(asOf + MAX_AGE);
      expect(await consumer.reserves()).to.equal(1_000_000n);
      await time.increaseTo(asOf + MAX_AGE + 1);
      await expect(consumer.reserves())
        .to.be.revertedWithCustomError(consumer, "StaleReserves")
        .withArgs(asOf, MAX_AGE);
    });

    it("rejects a just-posted attestation whose snapshot is already too old", async function () {
      const { consumer, post } = await loadFixture(deployConsumerFixture);
      const asOf = (await time.latest()) - MAX_AGE - 1;
      await post(asOf, 1_000_000n);
      await expect(consumer.reserves())
        .to.be.revertedWithCustomError(consumer, "StaleReserves")
        .withArgs(asOf, MAX_AGE);
    });

    it("rejects zero reserves", async function () {
      const { consumer, post } = await loadFixture(deployConsumerFixture);
      await post(await time.latest(), 0n);
      await expect(consumer.reserves())
        .to.be.revertedWithCustomError(consumer, "NonPositiveReserves")
        .withArgs(0);
    });

    it("recovers once a fresh positive round replaces a zero one", async function () {
      const { consumer, post } = await loadFixture(deployConsumerFixture);
      const now = await time.latest();
      await post(now - 10, 0n);
      await post(now, 5n);
      expect(await consumer.reserves()).to.equal(5n);
    });

    it("rejects a negative answer from a generic AggregatorV3 feed", async function () {
      const { mockFeed, mockConsumer } = await loadFixture(deployConsumerFixture);
      await mockFeed.setLatestRound(3, -1, await time.latest(), 3);
      await expect(mockConsumer.reserves())
        .to.be.revertedWithCustomError(mockConsumer, "NonPositiveReserves")
        .withArgs(-1);
    });

    it("rejects an answer carried over from an earlier round of a generic AggregatorV3 feed", async function () {
      const { mockFeed, mockConsumer } = await loadFixture(deployConsumerFixture);
      await mockFeed.setLatestRound(5, 100, await time.latest(), 4);
      await expect(mockConsumer.reserves())
        .to.be.revertedWithCustomError(mockConsumer, "IncompleteRound")
        .withArgs(5, 4);
      await mockFeed.setLatestRound(5, 100, await time.latest(), 5);
      expect(await mockConsumer.reserves()).to.equal(100);
    });

    it("refuses the feed's empty answer before any round as stale (updatedAt 0)", async function () {
      const { feed, consumer } = await loadFixture(deployConsumerFixture);
      expect(await feed.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      await expect(consumer.reserves())
        .to.be.revertedWithCustomError(consumer, "StaleReserves")
        .withArgs(0, MAX_AGE);
    });

    it("never sees an incomplete round from ReserveFeed (answeredInRound = roundId)", async function () {
      const { feed, consumer, post } = await loadFixture(deployConsumerFixture);
      const now = await time.latest();
      await post(now - 1, 1n);
      await post(now, 2n);
      const [roundId, , , , answeredInRound] = await feed.latestRoundData();
      expect(answeredInRound).to.equal(roundId);
      expect(await consumer.reserves()).to.equal(2n);
    });
    it("reads live wallet reserves without any attestation, however long since registration", async function () {
      const { liveConsumer, reserveAsset, walletA } = await loadFixture(deployConsumerFixture);
      await reserveAsset.mint(walletA.address, 7_000_000n);
      expect(await liveConsumer.reserves()).to.equal(7_000_000n);
      await time.increase(10 * MAX_AGE);
      expect(await liveConsumer.reserves()).to.equal(7_000_000n);
    });

    it("rejects live reserves of 0 while the reserve asset is revoked, and reads them again once re-approved", async function () {
      const { registry, liveConsumer, reserveAsset, admin, walletA } =
        await loadFixture(deployConsumerFixture);
      await reserveAsset.mint(walletA.address, 7_000_000n);
      await registry.connect(admin).revokeReserveAsset(await reserveAsset.getAddress());
      await expect(liveConsumer.reserves())
        .to.be.revertedWithCustomError(liveConsumer, "NonPositiveReserves")
        .withArgs(0);
      await registry.connect(admin).approveReserveAsset(await reserveAsset.getAddress());
      expect(await liveConsumer.reserves()).to.equal(7_000_000n);
    });

    it("rejects live reserves of 0 once every wallet is removed", async function () {
      const { registry, liveConsumer, reserveAsset, admin, walletA } =
        await loadFixture(deployConsumerFixture);
      await reserveAsset.mint(walletA.address, 7_000_000n);
      await registry.connect(admin).removeReserveWallet(LIVE, walletA.address);
      await expect(liveConsumer.reserves())
        .to.be.revertedWithCustomError(liveConsumer, "NonPositiveReserves")
        .withArgs(0);
    });
  });

  describe("borrow", function () {
    it("lends against fresh reserves and emits Borrowed", async function () {
      const { consumer, borrower, post } = await loadFixture(deployConsumerFixture);
      await post(await time.latest(), 1_000n);
      await expect(consumer.connect(borrower).borrow(600n))
        .to.emit(consumer, "Borrowed")
        .withArgs(borrower.address, 600n, 1_000n);
      await expect(consumer.connect(borrower).borrow(400n))
        .to.emit(consumer, "Borrowed")
        .withArgs(borrower.address, 400n, 1_000n);
      expect(await consumer.totalBorrowed()).to.equal(1_000n);
    });

    it("refuses to lend beyond the attested reserves", async function () {
      const { consumer, borrower, post } = await loadFixture(deployConsumerFixture);
      await post(await time.latest(), 1_000n);
      await consumer.connect(borrower).borrow(900n);
      await expect(consumer.connect(borrower).borrow(101n))
        .to.be.revertedWithCustomError(consumer, "InsufficientReserves")
        .withArgs(101n, 900n, 1_000n);
    });

    it("stops lending once the reserves go stale", async function () {
      const { consumer, borrower, post } = await loadFixture(deployConsumerFixture);
      const asOf = await time.latest();
      await post(asOf, 1_000n);
      await time.increaseTo(asOf + MAX_AGE + 1);
      await expect(consumer.connect(borrower).borrow(1n))
        .to.be.revertedWithCustomError(consumer, "StaleReserves")
        .withArgs(asOf, MAX_AGE);
    });
  });
});
