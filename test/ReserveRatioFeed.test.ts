import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD, addWallet, namedSigners, postAttestation, subjectConfig } from "./helpers/backing";

/** Attested reserves and liabilities (6 decimals). */
const ATTESTED = ethers.id("ATTESTED");
/** Live both sides: reserve wallets holding an 8-decimal asset, a 6-decimal token. */
const LIVE = ethers.id("LIVE");
const UNKNOWN = ethers.id("UNKNOWN");
const INT256_MAX = 2n ** 255n - 1n;

async function deployReserveRatioFeedFixture() {
  const { admin, owner, auditor, walletA, holder } = await namedSigners(
    "admin",
    "owner",
    "auditor",
    "walletA",
    "holder",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");
  const reserve8 = await ethers.deployContract("MockERC20", ["Reserve 8", "R8", 8]);
  const token6 = await ethers.deployContract("MockERC20", ["USDL", "USDL", 6]);

  await registry.connect(owner).registerSubject(ATTESTED, subjectConfig([auditor.address], { name: "USDX" }));
  await registry.connect(owner).registerSubject(
    LIVE,
    subjectConfig([auditor.address], {
      name: "USDL",
      token: await token6.getAddress(),
      reserveAsset: await reserve8.getAddress(),
    }),
  );
  await addWallet(registry, owner, LIVE, walletA);

  const registryAddress = await registry.getAddress();
  const attestedFeed = await ethers.deployContract("ReserveRatioFeed", [registryAddress, ATTESTED]);
  const liveFeed = await ethers.deployContract("ReserveRatioFeed", [registryAddress, LIVE]);
  return { registry, attestedFeed, liveFeed, reserve8, token6, owner, auditor, walletA, holder };
}

/** Posts two ATTESTED rounds; the second has ratio 1.25 and asOf `asOf`. */
async function postTwoRounds(fixture: Awaited<ReturnType<typeof deployReserveRatioFeedFixture>>) {
  const asOf = (await time.latest()) - 10;
  await postAttestation(fixture.registry, [fixture.auditor], {
    subjectId: ATTESTED,
    asOf: asOf - 1,
    reserves: 1n,
    liabilities: 1n,
  });
  await postAttestation(fixture.registry, [fixture.auditor], {
    subjectId: ATTESTED,
    asOf,
    reserves: 1_250_000n,
    liabilities: 1_000_000n,
  });
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
    it("is 1", async function () {
      const { attestedFeed } = await loadFixture(deployReserveRatioFeedFixture);
      expect(await attestedFeed.version()).to.equal(1n);
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
      expect(await fixture.attestedFeed.latestRoundData()).to.deep.equal([
        2n,
        (5n * WAD) / 4n,
        asOf,
        asOf,
        2n,
      ]);
    });

    it("reports the current block as the round when both sides are live", async function () {
      const { liveFeed, reserve8, token6, walletA, holder } = await loadFixture(
        deployReserveRatioFeedFixture,
      );
      await reserve8.mint(walletA.address, 300_000_000n); // 3
      await token6.mint(holder.address, 2_000_000n); // 2
      const block = (await ethers.provider.getBlock("latest"))!;
      expect(await liveFeed.latestRoundData()).to.deep.equal([
        BigInt(block.number),
        (3n * WAD) / 2n,
        BigInt(block.timestamp),
        BigInt(block.timestamp),
        BigInt(block.number),
      ]);
    });

    it("follows a live reserve wallet's balance from block to block", async function () {
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
    });

    it("reports type(int256).max when the supply is zero", async function () {
      const { liveFeed, reserve8, walletA } = await loadFixture(deployReserveRatioFeedFixture);
      await reserve8.mint(walletA.address, 1n);
      const [, answer] = await liveFeed.latestRoundData();
      expect(answer).to.equal(INT256_MAX);
    });

    it("reports type(int256).max for an attested round with zero liabilities", async function () {
      const { registry, attestedFeed, auditor } = await loadFixture(deployReserveRatioFeedFixture);
      await postAttestation(registry, [auditor], {
        subjectId: ATTESTED,
        asOf: await time.latest(),
        reserves: 0n,
        liabilities: 0n,
      });
      const [roundId, answer] = await attestedFeed.latestRoundData();
      expect([roundId, answer]).to.deep.equal([1n, INT256_MAX]);
    });

    it("reverts with RoundNotAvailable(0) before the first attestation", async function () {
      const { attestedFeed } = await loadFixture(deployReserveRatioFeedFixture);
      await expect(attestedFeed.latestRoundData())
        .to.be.revertedWithCustomError(attestedFeed, "RoundNotAvailable")
        .withArgs(0);
    });
  });

  describe("getRoundData", function () {
    it("returns the current attested round", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      const asOf = await postTwoRounds(fixture);
      expect(await fixture.attestedFeed.getRoundData(2)).to.deep.equal([2n, (5n * WAD) / 4n, asOf, asOf, 2n]);
    });

    it("reverts with RoundNotAvailable for an earlier or later round", async function () {
      const fixture = await loadFixture(deployReserveRatioFeedFixture);
      await postTwoRounds(fixture);
      const feed = fixture.attestedFeed;
      await expect(feed.getRoundData(1)).to.be.revertedWithCustomError(feed, "RoundNotAvailable").withArgs(1);
      await expect(feed.getRoundData(3)).to.be.revertedWithCustomError(feed, "RoundNotAvailable").withArgs(3);
    });

    it("returns the current block's round when both sides are live, and reverts for a past block", async function () {
      const { liveFeed, reserve8, token6, walletA, holder } = await loadFixture(
        deployReserveRatioFeedFixture,
      );
      await reserve8.mint(walletA.address, 100_000_000n);
      await token6.mint(holder.address, 1_000_000n);
      const block = (await ethers.provider.getBlock("latest"))!;
      const current = BigInt(block.number);
      const timestamp = BigInt(block.timestamp);
      expect(await liveFeed.getRoundData(current)).to.deep.equal([
        current,
        WAD,
        timestamp,
        timestamp,
        current,
      ]);
      await expect(liveFeed.getRoundData(current - 1n))
        .to.be.revertedWithCustomError(liveFeed, "RoundNotAvailable")
        .withArgs(current - 1n);
    });

    it("reverts with RoundNotAvailable(0) before the first attestation, whatever round is asked", async function () {
      const { attestedFeed } = await loadFixture(deployReserveRatioFeedFixture);
      await expect(attestedFeed.getRoundData(0))
        .to.be.revertedWithCustomError(attestedFeed, "RoundNotAvailable")
        .withArgs(0);
      await expect(attestedFeed.getRoundData(1))
        .to.be.revertedWithCustomError(attestedFeed, "RoundNotAvailable")
        .withArgs(0);
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
