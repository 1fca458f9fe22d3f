/**
 * Chainlink's documented consumers (smartcontractkit/documentation samples, vendored in
 * contracts/test/vendor/chainlink with only the constructor made configurable) reading por-registry's
 * feeds through Chainlink's own AggregatorV3Interface: ReserveConsumerV3.getLatestReserve() reads
 * latestRoundData, HistoricalDataConsumerV3.getHistoricalData(roundId) reads getRoundData. Neither
 * handles a revert, so each must get an answer (0 where there is none) in every state.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseContract } from "ethers";
import {
  WAD,
  addWallet,
  approveReserveAssets,
  namedSigners,
  postAttestation,
  subjectConfig,
} from "../helpers/backing";
import { LIVE_FLAG, latestBlock } from "../helpers/consumers";

/** Attested reserves and liabilities, 6 decimals, no token. */
const ATTESTED = ethers.id("ATTESTED");
/** Reserve wallets holding an 8-decimal asset, a 6-decimal token. */
const WALLETS = ethers.id("WALLETS");
const CHAINLINK_V3 = "ChainlinkAggregatorV3Interface";

async function deployChainlinkFixture() {
  const { admin, owner, auditor, holder, walletA, sink } = await namedSigners(
    "admin",
    "owner",
    "auditor",
    "holder",
    "walletA",
    "sink",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");
  const reserve8 = await ethers.deployContract("MockERC20", ["Reserve 8", "R8", 8]);
  const token6 = await ethers.deployContract("MockERC20", ["USDW", "USDW", 6]);
  await approveReserveAssets(registry, admin, reserve8);
  const asOwner = registry.connect(owner);
  await asOwner.registerSubject(ATTESTED, subjectConfig([auditor.address], { name: "USDX" }));
  await asOwner.registerSubject(
    WALLETS,
    subjectConfig([auditor.address], {
      name: "USDW",
      token: await token6.getAddress(),
      reserveAsset: await reserve8.getAddress(),
    }),
  );

  const registryAddress = await registry.getAddress();
  const reserveFeed = (subjectId: string) =>
    ethers.deployContract("ReserveFeed", [registryAddress, subjectId]);
  const ratioFeed = (subjectId: string) =>
    ethers.deployContract("ReserveRatioFeed", [registryAddress, subjectId]);
  const attestedFeed = await reserveFeed(ATTESTED);
  const attestedRatioFeed = await ratioFeed(ATTESTED);
  const walletsFeed = await reserveFeed(WALLETS);
  const walletsRatioFeed = await ratioFeed(WALLETS);
  const reserveConsumer = (feed: BaseContract) =>
    feed.getAddress().then((address) => ethers.deployContract("ReserveConsumerV3", [address]));
  const historicalConsumer = (feed: BaseContract) =>
    feed.getAddress().then((address) => ethers.deployContract("HistoricalDataConsumerV3", [address]));

  /** Posts a round of `subjectId`, snapshot at the latest block; returns its asOf. */
  async function post(subjectId: string, reserves: bigint, liabilities: bigint) {
    const asOf = await time.latest();
    await postAttestation(registry, [auditor], { subjectId, asOf, reserves, liabilities });
    return BigInt(asOf);
  }

  return {
    registry,
    reserve8,
    token6,
    attestedFeed,
    attestedRatioFeed,
    walletsFeed,
    attestedReserves: await reserveConsumer(attestedFeed),
    walletsReserves: await reserveConsumer(walletsFeed),
    attestedHistory: await historicalConsumer(attestedFeed),
    attestedRatioHistory: await historicalConsumer(attestedRatioFeed),
    walletsHistory: await historicalConsumer(walletsFeed),
    walletsRatioHistory: await historicalConsumer(walletsRatioFeed),
    owner,
    holder,
    walletA,
    sink,
    post,
  };
}

describe("Chainlink's documented consumers reading por-registry feeds", function () {
  describe("ChainlinkAggregatorV3Interface", function () {
    it("reads both feeds with Chainlink's own interface: version 2, zeros before the first round", async function () {
      const fixture = await loadFixture(deployChainlinkFixture);
      const reserves = await ethers.getContractAt(CHAINLINK_V3, await fixture.attestedFeed.getAddress());
      const ratio = await ethers.getContractAt(CHAINLINK_V3, await fixture.attestedRatioFeed.getAddress());
      expect([await reserves.version(), await ratio.version()]).to.deep.equal([2n, 2n]);
      expect([await reserves.decimals(), await ratio.decimals()]).to.deep.equal([6n, 18n]);
      expect(await reserves.description()).to.equal("USDX reserves");
      expect(await ratio.description()).to.equal("USDX reserve ratio");
      expect(await reserves.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      expect(await ratio.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      expect(await ratio.getRoundData(7)).to.deep.equal([7n, 0n, 0n, 0n, 7n]);
    });
  });

  describe("ReserveConsumerV3.getLatestReserve", function () {
    it("is 0 before the first round, not a revert", async function () {
      const { attestedReserves, walletsReserves } = await loadFixture(deployChainlinkFixture);
      expect(await attestedReserves.getLatestReserve()).to.equal(0n);
      expect(await walletsReserves.getLatestReserve()).to.equal(0n);
    });

    it("is the latest attested reserves", async function () {
      const { attestedReserves, post } = await loadFixture(deployChainlinkFixture);
      await post(ATTESTED, 5_000_000n, 4_000_000n);
      await time.increase(60);
      await post(ATTESTED, 7_000_000n, 4_000_000n);
      expect(await attestedReserves.getLatestReserve()).to.equal(7_000_000n);
    });

    it("follows the reserve wallets' balances, in the token's decimals, down to 0 when drained", async function () {
      const { registry, walletsReserves, reserve8, owner, walletA, sink, post } =
        await loadFixture(deployChainlinkFixture);
      await post(WALLETS, 9_000_000n, 9_000_000n);
      expect(await walletsReserves.getLatestReserve()).to.equal(9_000_000n);
      await addWallet(registry, owner, WALLETS, walletA);
      await reserve8.mint(walletA.address, 300_000_000n);
      expect(await walletsReserves.getLatestReserve()).to.equal(3_000_000n);
      await reserve8.connect(walletA).transfer(sink.address, 300_000_000n);
      expect(await walletsReserves.getLatestReserve()).to.equal(0n);
    });
  });

  describe("HistoricalDataConsumerV3.getHistoricalData", function () {
    it("is 0 for any round before the first round, not a revert", async function () {
      const { attestedHistory, attestedRatioHistory, walletsHistory } =
        await loadFixture(deployChainlinkFixture);
      const { liveId } = await latestBlock();
      for (const id of [0n, 1n, liveId]) {
        expect(await attestedHistory.getHistoricalData(id)).to.equal(0n);
        expect(await attestedRatioHistory.getHistoricalData(id)).to.equal(0n);
        expect(await walletsHistory.getHistoricalData(id)).to.equal(0n);
      }
    });

    it("answers every attested round, after later rounds too, and 0 for a round not posted", async function () {
      const { attestedHistory, attestedRatioHistory, post } = await loadFixture(deployChainlinkFixture);
      await post(ATTESTED, 5_000_000n, 4_000_000n);
      await time.increase(60);
      await post(ATTESTED, 2_000_000n, 4_000_000n);
      expect(await attestedHistory.getHistoricalData(1)).to.equal(5_000_000n);
      expect(await attestedHistory.getHistoricalData(2)).to.equal(2_000_000n);
      expect(await attestedHistory.getHistoricalData(3)).to.equal(0n);
      expect(await attestedRatioHistory.getHistoricalData(1)).to.equal((5n * WAD) / 4n);
      expect(await attestedRatioHistory.getHistoricalData(2)).to.equal(WAD / 2n);
      expect(await attestedRatioHistory.getHistoricalData(3)).to.equal(0n);
    });

    it("answers the current block's live round, and 0 for it once the block has passed", async function () {
      const fixture = await loadFixture(deployChainlinkFixture);
      const { registry, walletsHistory, walletsRatioHistory, reserve8, token6, owner, walletA, holder } =
        fixture;
      await addWallet(registry, owner, WALLETS, walletA);
      await token6.mint(holder.address, 2_000_000n);
      await reserve8.mint(walletA.address, 100_000_000n);
      const { liveId } = await latestBlock();
      expect(await walletsHistory.getHistoricalData(liveId)).to.equal(1_000_000n);
      expect(await walletsRatioHistory.getHistoricalData(liveId)).to.equal(WAD / 2n);
      await mine();
      expect(await walletsHistory.getHistoricalData(liveId)).to.equal(0n);
      expect(await walletsRatioHistory.getHistoricalData(liveId)).to.equal(0n);
    });

    it("answers a wallet-backed subject's attested rounds with their reserves, and its ratio feed with 0 for them", async function () {
      const fixture = await loadFixture(deployChainlinkFixture);
      const { registry, walletsHistory, walletsRatioHistory, walletsFeed, owner, walletA, post } = fixture;
      await post(WALLETS, 8_000_000n, 8_000_000n);
      await addWallet(registry, owner, WALLETS, walletA);
      const [latestId] = await walletsFeed.latestRoundData();
      expect(latestId & LIVE_FLAG).to.equal(LIVE_FLAG);
      expect(await walletsHistory.getHistoricalData(1)).to.equal(8_000_000n);
      // With a token, the ratio's supply is live: an attested round holds no ratio.
      expect(await walletsRatioHistory.getHistoricalData(1)).to.equal(0n);
    });
  });
});
