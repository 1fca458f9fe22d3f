import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

/**
 * The test double for Chainlink's L2 sequencer uptime feed behaves as Chainlink documents
 * (docs.chain.link/data-feeds/l2-sequencer-feeds) and as its BaseSequencerUptimeFeed keeps rounds,
 * so the ReserveGuard and SecureMint tests built on it test against the real semantics.
 */
async function deploySequencerFeedFixture() {
  const feed = await ethers.deployContract("SequencerUptimeFeedMock");
  return { feed };
}

async function deployInitializedFeedFixture() {
  const { feed } = await deploySequencerFeedFixture();
  await feed.initialize(false);
  const initializedAt = await time.latest();
  return { feed, initializedAt };
}

describe("SequencerUptimeFeedMock", function () {
  it("describes itself as Chainlink's feed does: 0 decimals, version 1", async function () {
    const { feed } = await loadFixture(deploySequencerFeedFixture);
    expect(await feed.decimals()).to.equal(0n);
    expect(await feed.description()).to.equal("L2 Sequencer Uptime Status Feed");
    expect(await feed.version()).to.equal(1n);
  });

  describe("before initialize", function () {
    it("reads all zeros, as Arbitrum's uninitialized feed: round 0, answer 0, startedAt 0", async function () {
      const { feed } = await loadFixture(deploySequencerFeedFixture);
      expect(await feed.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
    });

    it("refuses updateStatus with NotInitialized() and getRoundData(0) with NoDataPresent(0)", async function () {
      const { feed } = await loadFixture(deploySequencerFeedFixture);
      await expect(feed.updateStatus(true, 1))
        .to.be.revertedWithCustomError(feed, "NotInitialized")
        .withArgs();
      await expect(feed.getRoundData(0)).to.be.revertedWithCustomError(feed, "NoDataPresent").withArgs(0);
    });
  });

  describe("initialize", function () {
    it("opens round 1 with the given status at the current block", async function () {
      const { feed } = await loadFixture(deploySequencerFeedFixture);
      const at = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(at);
      await expect(feed.initialize(true)).to.emit(feed, "NewRound").withArgs(1, 1, at);
      expect(await feed.latestRoundData()).to.deep.equal([1n, 1n, BigInt(at), BigInt(at), 1n]);
    });

    it("refuses a second call with AlreadyInitialized()", async function () {
      const { feed } = await loadFixture(deployInitializedFeedFixture);
      await expect(feed.initialize(true))
        .to.be.revertedWithCustomError(feed, "AlreadyInitialized")
        .withArgs();
    });
  });

  describe("updateStatus", function () {
    it("opens a new round on a status change: answer 1 = down, 0 = up, startedAt = the change's timestamp", async function () {
      const { feed, initializedAt } = await loadFixture(deployInitializedFeedFixture);
      const downAt = initializedAt + 10;
      await time.setNextBlockTimestamp(downAt + 5);
      await expect(feed.updateStatus(true, downAt)).to.emit(feed, "NewRound").withArgs(2, 1, downAt);
      expect(await feed.latestRoundData()).to.deep.equal([2n, 1n, BigInt(downAt), BigInt(downAt + 5), 2n]);
      const upAt = downAt + 100;
      await expect(feed.updateStatus(false, upAt)).to.emit(feed, "NewRound").withArgs(3, 0, upAt);
      const [roundId, answer, startedAt] = await feed.latestRoundData();
      expect([roundId, answer, startedAt]).to.deep.equal([3n, 0n, BigInt(upAt)]);
      // Earlier rounds stay readable.
      expect((await feed.getRoundData(2)).slice(0, 3)).to.deep.equal([2n, 1n, BigInt(downAt)]);
      await expect(feed.getRoundData(4)).to.be.revertedWithCustomError(feed, "NoDataPresent").withArgs(4);
    });

    it("keeps the round and its startedAt when the status is unchanged, refreshing updatedAt only", async function () {
      const { feed, initializedAt } = await loadFixture(deployInitializedFeedFixture);
      const at = initializedAt + 500;
      await time.setNextBlockTimestamp(at);
      await expect(feed.updateStatus(false, at)).to.emit(feed, "RoundUpdated").withArgs(1, at);
      expect(await feed.latestRoundData()).to.deep.equal([1n, 0n, BigInt(initializedAt), BigInt(at), 1n]);
    });

    it("ignores an update older than the latest round's startedAt", async function () {
      const { feed, initializedAt } = await loadFixture(deployInitializedFeedFixture);
      await expect(feed.updateStatus(true, initializedAt - 1))
        .to.emit(feed, "UpdateIgnored")
        .withArgs(false, initializedAt, true, initializedAt - 1);
      const [roundId, answer, startedAt] = await feed.latestRoundData();
      expect([roundId, answer, startedAt]).to.deep.equal([1n, 0n, BigInt(initializedAt)]);
    });
  });
});
