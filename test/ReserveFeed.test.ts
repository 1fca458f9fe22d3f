import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import {
  type Attestation,
  type SubjectConfig,
  ascending,
  namedAccounts,
  registryDomain,
  signAttestation,
  subjectIdOf,
} from "./helpers/reserve-registry";

const DAY = 24 * 60 * 60;
const INT256_MAX = ethers.MaxInt256;
const SUBJECT = subjectIdOf("USDX / USD");
const UNKNOWN = subjectIdOf("never registered");

function attestation(asOf: number, reserves: bigint): Attestation {
  return {
    subjectId: SUBJECT,
    asOf,
    reserves,
    liabilities: 1_000_000n * 10n ** 6n,
    liabilitiesRoot: ethers.ZeroHash,
    reportHash: ethers.id(`report ${asOf}`),
  };
}

async function deployFeedFixture() {
  const { admin, issuer, relayer, auditorA, auditorB } = await namedAccounts(
    "admin",
    "issuer",
    "relayer",
    "auditorA",
    "auditorB",
  );
  const auditors = ascending([auditorA, auditorB]);

  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  for (const a of auditors) await registry.accreditAuditor(a.address, "Auditor");
  const config: SubjectConfig = {
    name: "USDX / USD",
    decimals: 6,
    token: ethers.ZeroAddress,
    reserveAsset: ethers.ZeroAddress,
    heartbeat: DAY,
    quorum: 2,
    auditors: auditors.map((a) => a.address),
  };
  await registry.connect(issuer).registerSubject(SUBJECT, config);
  const feed = await ethers.deployContract("ReserveFeed", [await registry.getAddress(), SUBJECT]);
  const domain = await registryDomain(registry);

  /** Posts an attestation of `reserves` at snapshot time `asOf`, signed by both auditors. */
  async function post(asOf: number, reserves: bigint) {
    const att = attestation(asOf, reserves);
    const signatures = await Promise.all(auditors.map((a) => signAttestation(a, domain, att)));
    await registry.connect(relayer).postAttestation(
      att,
      auditors.map((a) => a.address),
      signatures,
    );
    return att;
  }

  return { registry, feed, issuer, config, post };
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
    it("is the subject's decimals", async function () {
      const { feed } = await loadFixture(deployFeedFixture);
      expect(await feed.decimals()).to.equal(6);
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
    it("is 1", async function () {
      const { feed } = await loadFixture(deployFeedFixture);
      expect(await feed.version()).to.equal(1);
    });
  });

  describe("latestRoundData", function () {
    it("reverts RoundNotAvailable(0) before the first round", async function () {
      const { feed } = await loadFixture(deployFeedFixture);
      await expect(feed.latestRoundData())
        .to.be.revertedWithCustomError(feed, "RoundNotAvailable")
        .withArgs(0);
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

    it("reports reserves of exactly int256 max", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      await post(await time.latest(), INT256_MAX);
      const [, answer] = await feed.latestRoundData();
      expect(answer).to.equal(INT256_MAX);
    });

    it("reverts SafeCastOverflowedUintToInt for reserves above int256 max", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      const huge = INT256_MAX + 1n;
      await post(await time.latest(), huge);
      await expect(feed.latestRoundData())
        .to.be.revertedWithCustomError(feed, "SafeCastOverflowedUintToInt")
        .withArgs(huge);
    });

    it("reports any reserves up to int256 max exactly, and reverts above it (property)", async function () {
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), async (reserves) => {
          const { feed, post } = await loadFixture(deployFeedFixture);
          await post(await time.latest(), reserves);
          if (reserves <= INT256_MAX) {
            const [, answer] = await feed.latestRoundData();
            expect(answer).to.equal(reserves);
          } else {
            await expect(feed.latestRoundData())
              .to.be.revertedWithCustomError(feed, "SafeCastOverflowedUintToInt")
              .withArgs(reserves);
          }
        }),
        { numRuns: process.env.CI ? 100 : 20 },
      );
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

    it("reverts RoundNotAvailable for round 0, the round after the latest and the largest uint80", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      await expect(feed.getRoundData(1)).to.be.revertedWithCustomError(feed, "RoundNotAvailable").withArgs(1);
      await post(await time.latest(), 1n);
      const maxRound = 2n ** 80n - 1n;
      for (const missing of [0n, 2n, maxRound]) {
        await expect(feed.getRoundData(missing))
          .to.be.revertedWithCustomError(feed, "RoundNotAvailable")
          .withArgs(missing);
      }
    });

    it("reverts SafeCastOverflowedUintToInt for a round whose reserves exceed int256 max", async function () {
      const { feed, post } = await loadFixture(deployFeedFixture);
      const now = await time.latest();
      await post(now - 1, 2n ** 256n - 1n);
      await post(now, 1n);
      await expect(feed.getRoundData(1))
        .to.be.revertedWithCustomError(feed, "SafeCastOverflowedUintToInt")
        .withArgs(2n ** 256n - 1n);
      const [, answer] = await feed.getRoundData(2);
      expect(answer).to.equal(1n);
    });
  });
});
