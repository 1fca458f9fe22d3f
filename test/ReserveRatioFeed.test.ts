import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  WAD,
  addWallet,
  approveReserveAssets,
  namedSigners,
  postAttestation,
  subjectConfig,
} from "./helpers/backing";
import { INT256_MAX, LIVE_FLAG, UINT80_MAX, latestBlock, noAnswer, roundOf } from "./helpers/consumers";

/** Attested reserves and liabilities (6 decimals). */
const ATTESTED = ethers.id("ATTESTED");
/** Live both sides: reserve wallets holding an 8-decimal asset, a 6-decimal token. */
const LIVE = ethers.id("LIVE");
/** Live supply (a 6-decimal token), attested reserves. */
const HALF_TOKEN = ethers.id("HALF_TOKEN");
/** Live reserves (wallets of the 8-decimal asset), attested liabilities, no token. */
const HALF_WALLETS = ethers.id("HALF_WALLETS");
/** Live both sides, with a SettableERC20 token, to reach a supply that cannot be normalized. */
const BROKEN = ethers.id("BROKEN");
const UNKNOWN = ethers.id("UNKNOWN");

async function deployReserveRatioFeedFixture() {
  const { admin, owner, auditor, walletA, walletB, walletC, holder } = await namedSigners(
    "admin",
    "owner",
    "auditor",
    "walletA",
    "walletB",
    "walletC",
    "holder",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");
  const reserve8 = await ethers.deployContract("MockERC20", ["Reserve 8", "R8", 8]);
  const token6 = await ethers.deployContract("MockERC20", ["USDL", "USDL", 6]);
  const halfToken6 = await ethers.deployContract("MockERC20", ["USDH", "USDH", 6]);
  const settableToken = await ethers.deployContract("SettableERC20", [6]);
  await approveReserveAssets(registry, admin, reserve8);
  const reserve8Address = await reserve8.getAddress();

  const asOwner = registry.connect(owner);
  const auditors = [auditor.address];
  await asOwner.registerSubject(ATTESTED, subjectConfig(auditors, { name: "USDX" }));
  await asOwner.registerSubject(
    LIVE,
    subjectConfig(auditors, {
      name: "USDL",
      token: await token6.getAddress(),
      reserveAsset: reserve8Address,
    }),
  );
  await asOwner.registerSubject(
    HALF_TOKEN,
    subjectConfig(auditors, { name: "USDH", token: await halfToken6.getAddress() }),
  );
  await asOwner.registerSubject(
    HALF_WALLETS,
    subjectConfig(auditors, { name: "USDW", reserveAsset: reserve8Address }),
  );
  await asOwner.registerSubject(
    BROKEN,
    subjectConfig(auditors, {
      name: "BRKN",
      token: await settableToken.getAddress(),
      reserveAsset: reserve8Address,
    }),
  );
  await addWallet(registry, owner, LIVE, walletA);
  await addWallet(registry, owner, HALF_WALLETS, walletB);
  await addWallet(registry, owner, BROKEN, walletC);

  const registryAddress = await registry.getAddress();
  const feedOf = (subjectId: string) =>
    ethers.deployContract("ReserveRatioFeed", [registryAddress, subjectId]);
  return {
    registry,
    attestedFeed: await feedOf(ATTESTED),
    liveFeed: await feedOf(LIVE),
    halfTokenFeed: await feedOf(HALF_TOKEN),
    halfWalletsFeed: await feedOf(HALF_WALLETS),
    brokenFeed: await feedOf(BROKEN),
    reserve8,
    token6,
    halfToken6,
    settableToken,
    admin,
    owner,
    auditor,
    walletA,
    walletB,
    walletC,
    holder,
  };
}

type Fixture = Awaited<ReturnType<typeof deployReserveRatioFeedFixture>>;

/** Posts a round of `subjectId` signed by the fixture's auditor; returns its asOf. */
async function post(
  fixture: Fixture,
  subjectId: string,
  reserves: bigint,
  liabilities: bigint,
  asOf?: number,
): Promise<bigint> {
  const snapshot = asOf ?? (await time.latest());
  await postAttestation(fixture.registry, [fixture.auditor], {
    subjectId,
    asOf: snapshot,
    reserves,
    liabilities,
  });
  return BigInt(snapshot);
}

/** Posts two ATTESTED rounds: ratio 1 at `asOf - 1`, then ratio 1.25 at `asOf`; returns `asOf`. */
async function postTwoRounds(fixture: Fixture) {
  const asOf = (await time.latest()) - 10;
  await post(fixture, ATTESTED, 1n, 1n, asOf - 1);
  await post(fixture, ATTESTED, 1_250_000n, 1_000_000n, asOf);
  return BigInt(asOf);
}

describe("ReserveRatioFeed", function () {
  describe("constructor", function () {
    it("records the registry and subject", async function () {
      const { registry, attestedFeed } = await loadFixture(deployReserveRatioFeedFixture);
      expect(await attestedFeed.registry()).to.equal(await registry.getAddress());
      expect(await attestedFeed.subjectId()).to.equal(ATTESTED);
    });

    it("reverts with UnknownSubject for an unregistered subject", async function () {
      const { registry } = await loadFixture(deployReserveRatioFeedFixture);
      const factory = await ethers.getContractFactory("ReserveRatioFeed");
      await expect(factory.deploy(await registry.getAddress(), UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("decimals", function () {
    it("is 18", async function () {
      const { attestedFeed } = await loadFixture(deployReserveRatioFeedFixture);
      expect(await attestedFeed.decimals()).to.equal(18n);
    });
  });

  describe("version", function () {
    it("is 2", async function () {
      const { attestedFeed } = await loadFixture(deployReserveRatioFeedFixture);
      expect(await attestedFeed.version()).to.equal(2n);
    });
  });

  describe("description", function () {
    it("is the subject's name followed by 'reserve ratio'", async function () {
      const { attestedFeed, liveFeed } = await loadFixture(deployReserveRatioFeedFixture);
      expect(await attestedFeed.description()).to.equal("USDX reserve ratio");
      expect(await liveFeed.description()).to.equal("USDL reserve ratio");
    });
  });

  describe("latestRoundData", function () {
    it("reports the latest attested round, its ratio and its asOf", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      const asOf = await postTwoRounds(fixture);
      expect(await fixture.attestedFeed.latestRoundData()).to.deep.equal(roundOf(2, (5n * WAD) / 4n, asOf));
    });

    it("answers all zeros before the first attestation instead of reverting", async function () {
      const { attestedFeed } = await loadFixture(deployReserveRatioFeedFixture);
      expect(await attestedFeed.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
    });

    it("reports the current block's live round and its timestamp when both sides are live", async function () {
      const { liveFeed, reserve8, token6, walletA, holder } = await loadFixture(
        deployReserveRatioFeedFixture,
      );
      await reserve8.mint(walletA.address, 300_000_000n); // 3
      await token6.mint(holder.address, 2_000_000n); // 2
      const block = await latestBlock();
      expect(await liveFeed.latestRoundData()).to.deep.equal(
        roundOf(block.liveId, (3n * WAD) / 2n, block.timestamp),
      );
    });

    it("follows a live reserve wallet's balance from block to block, with a new round id each block", async function () {
      const { liveFeed, reserve8, token6, walletA, holder } = await loadFixture(
        deployReserveRatioFeedFixture,
      );
      await token6.mint(holder.address, 1_000_000n);
      await reserve8.mint(walletA.address, 100_000_000n);
      const [firstRound, firstAnswer] = await liveFeed.latestRoundData();
      await reserve8.connect(walletA).transfer(holder.address, 10_000_000n);
      const [secondRound, secondAnswer] = await liveFeed.latestRoundData();
      expect(firstAnswer).to.equal(WAD);
      expect(secondAnswer).to.equal((9n * WAD) / 10n);
      expect(secondRound).to.equal(firstRound + 1n);
      expect(secondRound).to.equal((await latestBlock()).liveId);
    });

    it("reports type(int256).max when the supply is zero", async function () {
      const { liveFeed, reserve8, walletA } = await loadFixture(deployReserveRatioFeedFixture);
      await reserve8.mint(walletA.address, 1n);
      const [, answer] = await liveFeed.latestRoundData();
      expect(answer).to.equal(INT256_MAX);
    });

    it("reports type(int256).max for an attested round with zero liabilities", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      await post(fixture, ATTESTED, 0n, 0n);
      const [roundId, answer] = await fixture.attestedFeed.latestRoundData();
      expect([roundId, answer]).to.deep.equal([1n, INT256_MAX]);
    });

    it("with a live supply and attested reserves: zeros before the first round, then a live round updated at the round's asOf", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      const { halfTokenFeed, halfToken6, holder } = fixture;
      await halfToken6.mint(holder.address, 1_000_000n);
      expect(await halfTokenFeed.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      const asOf = await post(fixture, HALF_TOKEN, 1_500_000n, 123n, (await time.latest()) - 30);
      let block = await latestBlock();
      // updatedAt is the older side's time: the attested reserves' snapshot, not this block.
      expect(await halfTokenFeed.latestRoundData()).to.deep.equal(
        roundOf(block.liveId, (3n * WAD) / 2n, asOf),
      );
      await halfToken6.mint(holder.address, 500_000n);
      block = await latestBlock();
      expect(await halfTokenFeed.latestRoundData()).to.deep.equal(roundOf(block.liveId, WAD, asOf));
    });

    it("with live reserves and attested liabilities: zeros before the first round, then a live round updated at the round's asOf", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      const { halfWalletsFeed, reserve8, walletB } = fixture;
      await reserve8.mint(walletB.address, 100_000_000n); // 1
      expect(await halfWalletsFeed.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      const asOf = await post(fixture, HALF_WALLETS, 9_999n, 2_000_000n, (await time.latest()) - 30);
      const block = await latestBlock();
      // The wallets' 1 against the attested 2, not the round's signed reserves.
      expect(await halfWalletsFeed.latestRoundData()).to.deep.equal(roundOf(block.liveId, WAD / 2n, asOf));
    });

    it("answers a ratio of 0 in a live round while the reserve asset is revoked", async function () {
      const { registry, liveFeed, reserve8, token6, admin, walletA, holder } = await loadFixture(
        deployReserveRatioFeedFixture,
      );
      await reserve8.mint(walletA.address, 300_000_000n);
      await token6.mint(holder.address, 2_000_000n);
      await registry.connect(admin).revokeReserveAsset(await reserve8.getAddress());
      const block = await latestBlock();
      expect(await liveFeed.latestRoundData()).to.deep.equal(roundOf(block.liveId, 0n, block.timestamp));
    });

    it("answers zeros, not a revert, when the supply cannot be normalized (DecimalScalingOverflow in the registry)", async function () {
      const { registry, brokenFeed, settableToken, reserve8, walletC } = await loadFixture(
        deployReserveRatioFeedFixture,
      );
      await reserve8.mint(walletC.address, 100_000_000n);
      await settableToken.setTotalSupply(1_000_000n);
      let block = await latestBlock();
      expect(await brokenFeed.latestRoundData()).to.deep.equal(roundOf(block.liveId, WAD, block.timestamp));
      // 2^256 - 1 base units of a 6-decimal token have no 18-decimal form.
      await settableToken.setTotalSupply(ethers.MaxUint256);
      await expect(registry.collateralization(BROKEN))
        .to.be.revertedWithCustomError(registry, "DecimalScalingOverflow")
        .withArgs(ethers.MaxUint256, 6, 18);
      block = await latestBlock();
      expect(await brokenFeed.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      expect(await brokenFeed.getRoundData(block.liveId)).to.deep.equal(noAnswer(block.liveId));
      expect(await brokenFeed.latestAnswer()).to.equal(0n);
    });
  });

  describe("getRoundData", function () {
    it("answers every attested round with the ratio of its own signed figures, forever", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      const asOf = await postTwoRounds(fixture);
      const feed = fixture.attestedFeed;
      expect(await feed.getRoundData(1)).to.deep.equal(roundOf(1, WAD, asOf - 1n));
      expect(await feed.getRoundData(2)).to.deep.equal(roundOf(2, (5n * WAD) / 4n, asOf));
      await time.increase(3600);
      const third = await post(fixture, ATTESTED, 500_000n, 1_000_000n);
      expect(await feed.getRoundData(1)).to.deep.equal(roundOf(1, WAD, asOf - 1n));
      expect(await feed.getRoundData(2)).to.deep.equal(roundOf(2, (5n * WAD) / 4n, asOf));
      expect(await feed.getRoundData(3)).to.deep.equal(roundOf(3, WAD / 2n, third));
    });

    it("echoes the id with zeros for round 0, the round after the latest, the largest uint80 and a live id", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      await postTwoRounds(fixture);
      const { liveId } = await latestBlock();
      for (const id of [0n, 3n, UINT80_MAX, liveId, LIVE_FLAG | 2n]) {
        expect(await fixture.attestedFeed.getRoundData(id)).to.deep.equal(noAnswer(id));
      }
    });

    it("echoes the id with zeros before the first attestation, whatever round is asked", async function () {
      const { attestedFeed } = await loadFixture(deployReserveRatioFeedFixture);
      const { liveId } = await latestBlock();
      for (const id of [0n, 1n, liveId]) {
        expect(await attestedFeed.getRoundData(id)).to.deep.equal(noAnswer(id));
      }
    });

    it("answers the current block's live round when both sides are live, and zeros for a past block's", async function () {
      const { liveFeed, reserve8, token6, walletA, holder } = await loadFixture(
        deployReserveRatioFeedFixture,
      );
      await reserve8.mint(walletA.address, 100_000_000n);
      await token6.mint(holder.address, 1_000_000n);
      const block = await latestBlock();
      expect(await liveFeed.getRoundData(block.liveId)).to.deep.equal(
        roundOf(block.liveId, WAD, block.timestamp),
      );
      expect(await liveFeed.getRoundData(block.liveId - 1n)).to.deep.equal(noAnswer(block.liveId - 1n));
      await mine();
      expect(await liveFeed.getRoundData(block.liveId)).to.deep.equal(noAnswer(block.liveId));
    });

    it("answers attested rounds with their signed ratio while the latest is live, for a subject without a token", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      const { halfWalletsFeed, reserve8, walletB } = fixture;
      await reserve8.mint(walletB.address, 100_000_000n);
      const now = await time.latest();
      const first = await post(fixture, HALF_WALLETS, 9_999n, 2_000_000n, now - 20);
      const second = await post(fixture, HALF_WALLETS, 3_000_000n, 1_000_000n, now - 10);
      const [latestId, latestAnswer] = await halfWalletsFeed.latestRoundData();
      expect([latestId & LIVE_FLAG, latestAnswer]).to.deep.equal([LIVE_FLAG, WAD]);
      expect(await halfWalletsFeed.getRoundData(1)).to.deep.equal(
        roundOf(1, (9_999n * WAD) / 2_000_000n, first),
      );
      expect(await halfWalletsFeed.getRoundData(2)).to.deep.equal(roundOf(2, 3n * WAD, second));
    });

    it("echoes attested ids with zeros for a subject with a token: a round's liabilities are not the supply", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      const { halfTokenFeed, liveFeed, halfToken6, holder } = fixture;
      await halfToken6.mint(holder.address, 1_000_000n);
      await post(fixture, HALF_TOKEN, 2_000_000n, 1_000_000n);
      await post(fixture, LIVE, 2_000_000n, 1_000_000n);
      const [latestId, latestAnswer] = await halfTokenFeed.latestRoundData();
      expect([latestId & LIVE_FLAG, latestAnswer]).to.deep.equal([LIVE_FLAG, 2n * WAD]);
      expect(await halfTokenFeed.getRoundData(1)).to.deep.equal(noAnswer(1));
      expect(await liveFeed.getRoundData(1)).to.deep.equal(noAnswer(1));
    });
  });

  describe("latestAnswer, latestTimestamp and latestRound", function () {
    it("are 0 before the first attestation", async function () {
      const { attestedFeed } = await loadFixture(deployReserveRatioFeedFixture);
      expect(await attestedFeed.latestAnswer()).to.equal(0n);
      expect(await attestedFeed.latestTimestamp()).to.equal(0n);
      expect(await attestedFeed.latestRound()).to.equal(0n);
    });

    it("follow latestRoundData for an attested subject", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      const asOf = await postTwoRounds(fixture);
      expect(await fixture.attestedFeed.latestAnswer()).to.equal((5n * WAD) / 4n);
      expect(await fixture.attestedFeed.latestTimestamp()).to.equal(asOf);
      expect(await fixture.attestedFeed.latestRound()).to.equal(2n);
    });

    it("follow latestRoundData for a live subject", async function () {
      const { liveFeed, reserve8, token6, walletA, holder } = await loadFixture(
        deployReserveRatioFeedFixture,
      );
      await token6.mint(holder.address, 4_000_000n);
      await reserve8.mint(walletA.address, 100_000_000n);
      const block = await latestBlock();
      expect(await liveFeed.latestAnswer()).to.equal(WAD / 4n);
      expect(await liveFeed.latestTimestamp()).to.equal(block.timestamp);
      expect(await liveFeed.latestRound()).to.equal(block.liveId);
    });
  });

  describe("getAnswer and getTimestamp", function () {
    it("answer attested rounds, and 0 for a missing round", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      expect(await fixture.attestedFeed.getAnswer(1)).to.equal(0n);
      const asOf = await postTwoRounds(fixture);
      const feed = fixture.attestedFeed;
      expect([await feed.getAnswer(1), await feed.getTimestamp(1)]).to.deep.equal([WAD, asOf - 1n]);
      expect([await feed.getAnswer(2), await feed.getTimestamp(2)]).to.deep.equal([(5n * WAD) / 4n, asOf]);
      expect([await feed.getAnswer(3), await feed.getTimestamp(3)]).to.deep.equal([0n, 0n]);
    });

    it("are 0 for ids above uint80, even where their low 80 bits name a round", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      await postTwoRounds(fixture);
      for (const id of [(1n << 80n) + 1n, (1n << 80n) + 2n, ethers.MaxUint256]) {
        expect(await fixture.attestedFeed.getAnswer(id)).to.equal(0n);
        expect(await fixture.attestedFeed.getTimestamp(id)).to.equal(0n);
      }
    });

    it("answer the current block's live id only", async function () {
      const { liveFeed, reserve8, token6, walletA, holder } = await loadFixture(
        deployReserveRatioFeedFixture,
      );
      await token6.mint(holder.address, 1_000_000n);
      await reserve8.mint(walletA.address, 200_000_000n);
      const block = await latestBlock();
      expect(await liveFeed.getAnswer(block.liveId)).to.equal(2n * WAD);
      expect(await liveFeed.getTimestamp(block.liveId)).to.equal(block.timestamp);
      expect(await liveFeed.getAnswer(block.liveId + (1n << 80n))).to.equal(0n);
      await mine();
      expect(await liveFeed.getAnswer(block.liveId)).to.equal(0n);
      expect(await liveFeed.getTimestamp(block.liveId)).to.equal(0n);
    });
  });

  describe("AggregatorV3 consumers", function () {
    it("serves the existing LendingPoolConsumer, which knows nothing of the registry", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      await postTwoRounds(fixture);
      const consumer = await ethers.deployContract("LendingPoolConsumer", [
        await fixture.attestedFeed.getAddress(),
        3600,
      ]);
      expect(await consumer.reserves()).to.equal((5n * WAD) / 4n);
    });
  });
});
