import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { WAD } from "./helpers/backing";

const MAX = ethers.MaxUint256;
const RUNS = { numRuns: process.env.CI ? 200 : 50 };

async function deployHarnessFixture() {
  return { harness: await ethers.deployContract("ScalingHarness") };
}

/** Naive reference: exact integer arithmetic, rounding down, "fits" iff below 2^256. */
function rescaleRef(amount: bigint, from: number, to: number): { ok: boolean; result: bigint } {
  const result = from >= to ? amount / 10n ** BigInt(from - to) : amount * 10n ** BigInt(to - from);
  return result > MAX ? { ok: false, result: 0n } : { ok: true, result };
}

function ratioRef(reserves: bigint, supply: bigint): bigint {
  if (supply === 0n) return MAX;
  const exact = (reserves * WAD) / supply;
  return exact > MAX ? MAX : exact;
}

/** Amounts spread over every magnitude, edges included. */
const amount = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX }),
  fc.integer({ min: 0, max: 256 }).map((bits) => (bits === 256 ? MAX : 2n ** BigInt(bits))),
  fc.constantFrom(0n, 1n, MAX, MAX / WAD, MAX / 10n ** 77n),
);

describe("DecimalScaling", function () {
  describe("tryRescale", function () {
    it("matches exact arithmetic for any amount and any pair of uint8 precisions (property)", async function () {
      const { harness } = await loadFixture(deployHarnessFixture);
      const decimals = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 40 }));
      await fc.assert(
        fc.asyncProperty(amount, decimals, decimals, async (value, from, to) => {
          const expected = rescaleRef(value, from, to);
          const [ok, result] = await harness.tryRescale(value, from, to);
          expect([ok, result]).to.deep.equal([expected.ok, expected.result]);
        }),
        RUNS,
      );
    });

    it("scales 0 to 0 and refuses anything else across more than 77 powers of ten up", async function () {
      const { harness } = await loadFixture(deployHarnessFixture);
      expect(await harness.tryRescale(0n, 0, 255)).to.deep.equal([true, 0n]);
      expect(await harness.tryRescale(1n, 0, 78)).to.deep.equal([false, 0n]);
      expect(await harness.tryRescale(1n, 0, 77)).to.deep.equal([true, 10n ** 77n]);
      expect(await harness.tryRescale(MAX, 255, 0)).to.deep.equal([true, 0n]);
    });
  });

  describe("rescale", function () {
    it("reverts DecimalScalingOverflow with the amount and both precisions, never a Panic", async function () {
      const { harness } = await loadFixture(deployHarnessFixture);
      await expect(harness.rescale(MAX / 10n + 1n, 17, 18))
        .to.be.revertedWithCustomError(harness, "DecimalScalingOverflow")
        .withArgs(MAX / 10n + 1n, 17, 18);
      await expect(harness.rescale(2n, 0, 200))
        .to.be.revertedWithCustomError(harness, "DecimalScalingOverflow")
        .withArgs(2n, 0, 200);
      expect(await harness.rescale(MAX / 10n, 17, 18)).to.equal((MAX / 10n) * 10n);
    });
  });
});

describe("BackingRatio", function () {
  describe("ratioWad", function () {
    it("is reserves * 1e18 / supply rounded down, saturating only where the exact ratio exceeds 2^256 - 1 (property)", async function () {
      const { harness } = await loadFixture(deployHarnessFixture);
      await fc.assert(
        fc.asyncProperty(amount, amount, async (reserves, supply) => {
          expect(await harness.ratioWad(reserves, supply)).to.equal(ratioRef(reserves, supply));
        }),
        RUNS,
      );
    });

    it("is type(uint256).max for a zero supply, and exact one unit under the saturation bound", async function () {
      const { harness } = await loadFixture(deployHarnessFixture);
      expect(await harness.ratioWad(0n, 0n)).to.equal(MAX);
      // whole * 1e18 fits in both; adding the fraction (0.9 or 0.5) overflows only the first.
      const whole = MAX / WAD;
      const supply = 10n;
      expect(MAX - whole * WAD).to.be.within(5n * 10n ** 17n, 9n * 10n ** 17n);
      expect(await harness.ratioWad(whole * supply + 9n, supply)).to.equal(MAX);
      expect(await harness.ratioWad(whole * supply + 5n, supply)).to.equal(whole * WAD + 5n * 10n ** 17n);
      expect(await harness.ratioWad(whole * supply, supply)).to.equal(whole * WAD);
    });
  });
});

describe("FeedRounds", function () {
  it("numbers a live reading 2^64 | block.number and tells live ids from registry rounds", async function () {
    const { harness } = await loadFixture(deployHarnessFixture);
    const block = BigInt(await ethers.provider.getBlockNumber());
    expect(await harness.liveRoundId()).to.equal((1n << 64n) | block);
    expect(await harness.isLive((1n << 64n) | block)).to.equal(true);
    expect(await harness.isLive(2n ** 64n - 1n)).to.equal(false);
    expect(await harness.isLive(1n)).to.equal(false);
  });
});
