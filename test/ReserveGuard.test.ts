import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  HEARTBEAT_SECONDS,
  WAD,
  addWallet,
  approveReserveAssets,
  namedSigners,
  postAttestation,
  subjectConfig,
} from "./helpers/backing";

/** Attested reserves (6 decimals) backing a 6-decimal ReserveBackedToken. */
const USDX = ethers.id("USDX");
/** Never attested. */
const NEVER = ethers.id("NEVER");
/** Live both sides: reserve wallets holding a 6-decimal asset, a 6-decimal token. */
const LIVE = ethers.id("LIVE");

const MAX_AGE_SECONDS = 3600;
const SUPPLY = 1_000_000_000n; // 1000 USDX
const ONE_TOKEN = 1_000_000n;

async function deployReserveGuardFixture() {
  const { admin, owner, auditor, alice, walletA, holder } = await namedSigners(
    "admin",
    "owner",
    "auditor",
    "alice",
    "walletA",
    "holder",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");
  const registryAddress = await registry.getAddress();

  const usdx = await ethers.deployContract("ReserveBackedToken", [
    "USD X",
    "USDX",
    6,
    registryAddress,
    USDX,
    admin,
    ethers.ZeroAddress, // no sequencer uptime feed: an L1 token
    0,
  ]);
  await usdx.grantRole(await usdx.MINTER_ROLE(), admin.address);
  await registry
    .connect(owner)
    .registerSubject(USDX, subjectConfig([auditor.address], { token: await usdx.getAddress() }));
  const asOf = await time.latest();
  await postAttestation(registry, [auditor], { subjectId: USDX, asOf, reserves: SUPPLY, liabilities: 0n });
  await usdx.mint(alice.address, SUPPLY);

  const pool = await ethers.deployContract("GuardedLendingPool", [
    await usdx.getAddress(),
    registryAddress,
    USDX,
    WAD,
    MAX_AGE_SECONDS,
  ]);
  const tolerantPool = await ethers.deployContract("GuardedLendingPool", [
    await usdx.getAddress(),
    registryAddress,
    USDX,
    (98n * WAD) / 100n,
    MAX_AGE_SECONDS,
  ]);
  // Accepts data older than the subject's heartbeat: only the registry's freshness stops it then.
  const patientPool = await ethers.deployContract("GuardedLendingPool", [
    await usdx.getAddress(),
    registryAddress,
    USDX,
    WAD,
    2 * HEARTBEAT_SECONDS,
  ]);
  await usdx.connect(alice).approve(await pool.getAddress(), ethers.MaxUint256);
  await usdx.connect(alice).approve(await tolerantPool.getAddress(), ethers.MaxUint256);
  await usdx.connect(alice).approve(await patientPool.getAddress(), ethers.MaxUint256);

  const plain = await ethers.deployContract("MockERC20", ["Plain", "PLN", 6]);
  await registry
    .connect(owner)
    .registerSubject(
      NEVER,
      subjectConfig([auditor.address], { name: "Never", token: await plain.getAddress() }),
    );
  const neverPool = await ethers.deployContract("GuardedLendingPool", [
    await plain.getAddress(),
    registryAddress,
    NEVER,
    WAD,
    MAX_AGE_SECONDS,
  ]);

  const reserve6 = await ethers.deployContract("MockERC20", ["Reserve 6", "R6", 6]);
  await approveReserveAssets(registry, admin, reserve6);
  const liveToken = await ethers.deployContract("MockERC20", ["USDL", "USDL", 6]);
  await registry.connect(owner).registerSubject(
    LIVE,
    subjectConfig([auditor.address], {
      name: "Live",
      token: await liveToken.getAddress(),
      reserveAsset: await reserve6.getAddress(),
    }),
  );
  await addWallet(registry, owner, LIVE, walletA);
  const livePool = await ethers.deployContract("GuardedLendingPool", [
    await liveToken.getAddress(),
    registryAddress,
    LIVE,
    WAD,
    MAX_AGE_SECONDS,
  ]);
  await liveToken.mint(alice.address, SUPPLY);
  await reserve6.mint(walletA.address, SUPPLY);
  await liveToken.connect(alice).approve(await livePool.getAddress(), ethers.MaxUint256);

  return {
    registry,
    usdx,
    pool,
    tolerantPool,
    patientPool,
    neverPool,
    livePool,
    reserve6,
    admin,
    owner,
    auditor,
    alice,
    walletA,
    holder,
    asOf,
  };
}

describe("ReserveGuard via GuardedLendingPool", function () {
  describe("deposit", function () {
    it("takes collateral while the token is fully backed by fresh reserves", async function () {
      const { usdx, pool, alice } = await loadFixture(deployReserveGuardFixture);
      const poolAddress = await pool.getAddress();
      await expect(pool.connect(alice).deposit(ONE_TOKEN))
        .to.emit(pool, "Deposited")
        .withArgs(alice.address, ONE_TOKEN)
        .and.to.emit(usdx, "Transfer")
        .withArgs(alice.address, poolAddress, ONE_TOKEN);
      expect(await pool.collateralOf(alice.address)).to.equal(ONE_TOKEN);
      expect(await usdx.balanceOf(poolAddress)).to.equal(ONE_TOKEN);
    });

    it("refuses with ReservesTooOld(type(uint256).max) when the reserves were never attested", async function () {
      const { neverPool, alice } = await loadFixture(deployReserveGuardFixture);
      await expect(neverPool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(neverPool, "ReservesTooOld")
        .withArgs(ethers.MaxUint256, MAX_AGE_SECONDS);
    });

    it("passes with data exactly maxAgeSeconds old and refuses one second later with ReservesTooOld(age, maxAge)", async function () {
      const { pool, alice, asOf } = await loadFixture(deployReserveGuardFixture);
      await time.setNextBlockTimestamp(asOf + MAX_AGE_SECONDS);
      await expect(pool.connect(alice).deposit(1)).to.emit(pool, "Deposited").withArgs(alice.address, 1);
      await time.setNextBlockTimestamp(asOf + MAX_AGE_SECONDS + 1);
      await expect(pool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(pool, "ReservesTooOld")
        .withArgs(MAX_AGE_SECONDS + 1, MAX_AGE_SECONDS);
    });

    it("refuses with Undercollateralized(ratio, minRatio) when attested reserves fall below supply", async function () {
      const { registry, pool, auditor, alice } = await loadFixture(deployReserveGuardFixture);
      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves: SUPPLY - 1n,
        liabilities: 0n,
      });
      await expect(pool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(pool, "Undercollateralized")
        .withArgs(((SUPPLY - 1n) * WAD) / SUPPLY, WAD);
    });

    it("checks age before backing", async function () {
      const { registry, pool, auditor, alice } = await loadFixture(deployReserveGuardFixture);
      const asOf = await time.latest();
      await postAttestation(registry, [auditor], { subjectId: USDX, asOf, reserves: 0n, liabilities: 0n });
      await time.setNextBlockTimestamp(asOf + MAX_AGE_SECONDS + 5);
      await expect(pool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(pool, "ReservesTooOld")
        .withArgs(MAX_AGE_SECONDS + 5, MAX_AGE_SECONDS);
    });

    it("lets a pool with a tolerance margin accept a ratio just under 1", async function () {
      const { registry, pool, tolerantPool, auditor, alice } = await loadFixture(deployReserveGuardFixture);
      const reserves = (SUPPLY * 98n) / 100n; // exactly the tolerant pool's minimum
      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves,
        liabilities: 0n,
      });
      await expect(tolerantPool.connect(alice).deposit(1))
        .to.emit(tolerantPool, "Deposited")
        .withArgs(alice.address, 1);
      await expect(pool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(pool, "Undercollateralized")
        .withArgs((98n * WAD) / 100n, WAD);
    });

    it("treats live reserves as current: no attestation needed, and a drained wallet blocks at once", async function () {
      const { livePool, reserve6, alice, walletA, holder } = await loadFixture(deployReserveGuardFixture);
      await expect(livePool.connect(alice).deposit(ONE_TOKEN))
        .to.emit(livePool, "Deposited")
        .withArgs(alice.address, ONE_TOKEN);
      await time.increase(10 * MAX_AGE_SECONDS);
      await expect(livePool.connect(alice).deposit(1))
        .to.emit(livePool, "Deposited")
        .withArgs(alice.address, 1);
      await reserve6.connect(walletA).transfer(holder.address, SUPPLY / 2n);
      await expect(livePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(livePool, "Undercollateralized")
        .withArgs(WAD / 2n, WAD);
    });
    it("refuses with ReservesNotFresh when the attested side is older than the heartbeat but within maxAgeSeconds", async function () {
      const { patientPool, alice, asOf } = await loadFixture(deployReserveGuardFixture);
      await time.setNextBlockTimestamp(asOf + HEARTBEAT_SECONDS);
      await expect(patientPool.connect(alice).deposit(1))
        .to.emit(patientPool, "Deposited")
        .withArgs(alice.address, 1);
      await time.setNextBlockTimestamp(asOf + HEARTBEAT_SECONDS + 1);
      await expect(patientPool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(patientPool, "ReservesNotFresh")
        .withArgs(USDX);
    });

    it("refuses with ReservesNotFresh while the live reserves' asset is revoked, until it is approved again", async function () {
      const { registry, livePool, reserve6, admin, alice } = await loadFixture(deployReserveGuardFixture);
      await registry.connect(admin).revokeReserveAsset(await reserve6.getAddress());
      await expect(livePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(livePool, "ReservesNotFresh")
        .withArgs(LIVE);
      await registry.connect(admin).approveReserveAsset(await reserve6.getAddress());
      await expect(livePool.connect(alice).deposit(1))
        .to.emit(livePool, "Deposited")
        .withArgs(alice.address, 1);
    });

    it("counts live reserves as 0 once every wallet is removed (Undercollateralized(0))", async function () {
      const { registry, livePool, owner, alice, walletA, reserve6 } =
        await loadFixture(deployReserveGuardFixture);
      // The custodian moves the funds out; only then may the wallet go (it no longer backs anything).
      await reserve6.connect(walletA).transfer(owner.address, await reserve6.balanceOf(walletA.address));
      await registry.connect(owner).removeReserveWallet(LIVE, walletA.address);
      await expect(livePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(livePool, "Undercollateralized")
        .withArgs(0, WAD);
    });
  });

  describe("borrow", function () {
    it("records debt against collateral while backed", async function () {
      const { pool, alice } = await loadFixture(deployReserveGuardFixture);
      await pool.connect(alice).deposit(ONE_TOKEN);
      await expect(pool.connect(alice).borrow(ONE_TOKEN))
        .to.emit(pool, "Borrowed")
        .withArgs(alice.address, ONE_TOKEN);
      expect(await pool.debtOf(alice.address)).to.equal(ONE_TOKEN);
    });

    it("refuses debt above the collateral with InsufficientCollateral", async function () {
      const { pool, alice } = await loadFixture(deployReserveGuardFixture);
      await pool.connect(alice).deposit(ONE_TOKEN);
      await expect(pool.connect(alice).borrow(ONE_TOKEN + 1n))
        .to.be.revertedWithCustomError(pool, "InsufficientCollateral")
        .withArgs(alice.address, ONE_TOKEN + 1n, ONE_TOKEN);
    });

    it("refuses once the token is undercollateralized, even against collateral already deposited", async function () {
      const { registry, pool, auditor, alice } = await loadFixture(deployReserveGuardFixture);
      await pool.connect(alice).deposit(ONE_TOKEN);
      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves: SUPPLY / 2n,
        liabilities: 0n,
      });
      await expect(pool.connect(alice).borrow(1))
        .to.be.revertedWithCustomError(pool, "Undercollateralized")
        .withArgs(WAD / 2n, WAD);
    });

    it("refuses once the reserve data is too old", async function () {
      const { pool, alice, asOf } = await loadFixture(deployReserveGuardFixture);
      await pool.connect(alice).deposit(ONE_TOKEN);
      await time.setNextBlockTimestamp(asOf + 2 * MAX_AGE_SECONDS);
      await expect(pool.connect(alice).borrow(1))
        .to.be.revertedWithCustomError(pool, "ReservesTooOld")
        .withArgs(2 * MAX_AGE_SECONDS, MAX_AGE_SECONDS);
    });
    it("refuses with ReservesNotFresh while the reserve asset is revoked, even against collateral already deposited", async function () {
      const { registry, livePool, reserve6, admin, alice } = await loadFixture(deployReserveGuardFixture);
      await livePool.connect(alice).deposit(ONE_TOKEN);
      await registry.connect(admin).revokeReserveAsset(await reserve6.getAddress());
      await expect(livePool.connect(alice).borrow(1))
        .to.be.revertedWithCustomError(livePool, "ReservesNotFresh")
        .withArgs(LIVE);
      await registry.connect(admin).approveReserveAsset(await reserve6.getAddress());
      await expect(livePool.connect(alice).borrow(1))
        .to.emit(livePool, "Borrowed")
        .withArgs(alice.address, 1);
    });

    it("refuses with ReservesNotFresh once the attestation outlives the heartbeat", async function () {
      const { patientPool, alice, asOf } = await loadFixture(deployReserveGuardFixture);
      await patientPool.connect(alice).deposit(ONE_TOKEN);
      await time.setNextBlockTimestamp(asOf + HEARTBEAT_SECONDS + 1);
      await expect(patientPool.connect(alice).borrow(1))
        .to.be.revertedWithCustomError(patientPool, "ReservesNotFresh")
        .withArgs(USDX);
    });
  });

  describe("withdraw", function () {
    it("returns collateral even while the token is undercollateralized", async function () {
      const { registry, usdx, pool, auditor, alice } = await loadFixture(deployReserveGuardFixture);
      await pool.connect(alice).deposit(ONE_TOKEN);
      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves: 0n,
        liabilities: 0n,
      });
      await expect(pool.connect(alice).withdraw(ONE_TOKEN))
        .to.emit(pool, "Withdrawn")
        .withArgs(alice.address, ONE_TOKEN)
        .and.to.emit(usdx, "Transfer")
        .withArgs(await pool.getAddress(), alice.address, ONE_TOKEN);
      expect(await pool.collateralOf(alice.address)).to.equal(0n);
    });

    it("refuses to leave debt uncovered", async function () {
      const { pool, alice } = await loadFixture(deployReserveGuardFixture);
      await pool.connect(alice).deposit(ONE_TOKEN);
      await pool.connect(alice).borrow(ONE_TOKEN / 2n);
      await expect(pool.connect(alice).withdraw(ONE_TOKEN / 2n + 1n))
        .to.be.revertedWithCustomError(pool, "InsufficientCollateral")
        .withArgs(alice.address, ONE_TOKEN / 2n, ONE_TOKEN / 2n - 1n);
      await expect(pool.connect(alice).withdraw(ONE_TOKEN + 1n))
        .to.be.revertedWithCustomError(pool, "InsufficientCollateral")
        .withArgs(alice.address, ONE_TOKEN / 2n, 0);
    });
  });
});

/** Grace period after the sequencer comes back up (Chainlink's example uses 3600 seconds). */
const GRACE_SECONDS = 3600;

/** The ReserveGuard fixture plus Chainlink's L2 sequencer uptime feed (a test double) and L2 pools. */
async function deployL2GuardFixture() {
  const base = await deployReserveGuardFixture();
  const { registry, usdx, alice } = base;
  const registryAddress = await registry.getAddress();
  const sequencer = await ethers.deployContract("SequencerUptimeFeedMock");
  const sequencerAddress = await sequencer.getAddress();
  const liveToken = await ethers.getContractAt("MockERC20", await registry.subjectToken(LIVE));
  // Live reserves never age, so only the sequencer and the backing itself decide.
  const l2LivePool = await ethers.deployContract("L2GuardedLendingPool", [
    await liveToken.getAddress(),
    registryAddress,
    LIVE,
    WAD,
    MAX_AGE_SECONDS,
    sequencerAddress,
    GRACE_SECONDS,
  ]);
  // Attested reserves: their age still counts once the sequencer is up past the grace period.
  const l2AttestedPool = await ethers.deployContract("L2GuardedLendingPool", [
    await usdx.getAddress(),
    registryAddress,
    USDX,
    WAD,
    MAX_AGE_SECONDS,
    sequencerAddress,
    GRACE_SECONDS,
  ]);
  await liveToken.connect(alice).approve(await l2LivePool.getAddress(), ethers.MaxUint256);
  await usdx.connect(alice).approve(await l2AttestedPool.getAddress(), ethers.MaxUint256);
  return { ...base, sequencer, liveToken, l2LivePool, l2AttestedPool };
}

/** Fixture with the sequencer up since long before the grace period (initialized, then time passes). */
async function deployL2GuardUpFixture() {
  const fixture = await deployL2GuardFixture();
  await fixture.sequencer.initialize(false);
  await time.increase(GRACE_SECONDS);
  return fixture;
}

describe("ReserveGuard L2 variant (sequencer uptime feed) via L2GuardedLendingPool", function () {
  describe("deposit", function () {
    it("takes collateral once the sequencer has been up for the grace period", async function () {
      const { l2LivePool, alice } = await loadFixture(deployL2GuardUpFixture);
      await expect(l2LivePool.connect(alice).deposit(ONE_TOKEN))
        .to.emit(l2LivePool, "Deposited")
        .withArgs(alice.address, ONE_TOKEN);
      expect(await l2LivePool.sequencerUptimeFeed()).to.not.equal(ethers.ZeroAddress);
      expect(await l2LivePool.gracePeriodSeconds()).to.equal(GRACE_SECONDS);
    });

    it("refuses with SequencerStatusUnknown() while the feed is not initialized (startedAt 0, answer 0)", async function () {
      const { sequencer, l2LivePool, alice } = await loadFixture(deployL2GuardFixture);
      const [roundId, answer, startedAt] = await sequencer.latestRoundData();
      expect([roundId, answer, startedAt]).to.deep.equal([0n, 0n, 0n]);
      await expect(l2LivePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(l2LivePool, "SequencerStatusUnknown")
        .withArgs();
    });

    it("refuses with SequencerDown() while the feed answers 1, however long ago it went down", async function () {
      const { sequencer, l2LivePool, alice } = await loadFixture(deployL2GuardUpFixture);
      await sequencer.updateStatus(true, await time.latest());
      await expect(l2LivePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(l2LivePool, "SequencerDown")
        .withArgs();
      await time.increase(10 * GRACE_SECONDS);
      await expect(l2LivePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(l2LivePool, "SequencerDown")
        .withArgs();
    });

    it("refuses with SequencerDown() when the feed starts with the sequencer down", async function () {
      const { sequencer, l2LivePool, alice } = await loadFixture(deployL2GuardFixture);
      await sequencer.initialize(true);
      await time.increase(GRACE_SECONDS);
      await expect(l2LivePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(l2LivePool, "SequencerDown")
        .withArgs();
    });

    it("refuses with GracePeriodNotOver(since, grace) until exactly the grace period after startedAt, then accepts", async function () {
      const { sequencer, l2LivePool, alice } = await loadFixture(deployL2GuardUpFixture);
      const downAt = await time.latest();
      await sequencer.updateStatus(true, downAt);
      // The "up" message carries the L1 time it came back (upAt) and lands on L2 later: `since`
      // counts from startedAt = upAt, not from when the feed recorded it.
      const upAt = downAt + 600;
      await time.setNextBlockTimestamp(upAt + 100);
      await sequencer.updateStatus(false, upAt);
      expect((await sequencer.latestRoundData())[2]).to.equal(upAt);

      await time.setNextBlockTimestamp(upAt + 101);
      await expect(l2LivePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(l2LivePool, "GracePeriodNotOver")
        .withArgs(101, GRACE_SECONDS);
      await time.setNextBlockTimestamp(upAt + GRACE_SECONDS - 1);
      await expect(l2LivePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(l2LivePool, "GracePeriodNotOver")
        .withArgs(GRACE_SECONDS - 1, GRACE_SECONDS);
      await time.setNextBlockTimestamp(upAt + GRACE_SECONDS);
      await expect(l2LivePool.connect(alice).deposit(1))
        .to.emit(l2LivePool, "Deposited")
        .withArgs(alice.address, 1);
    });

    it("measures since as block.timestamp - startedAt: 0 at startedAt, and 0 while startedAt is ahead of the block", async function () {
      const { sequencer, l2LivePool, alice } = await loadFixture(deployL2GuardUpFixture);
      await sequencer.updateStatus(true, await time.latest());
      // An L1 timestamp ahead of the L2 clock: the status just changed, not an underflow.
      const upAt = (await time.latest()) + 100;
      await sequencer.updateStatus(false, upAt);
      expect(await time.latest()).to.be.lessThan(upAt);
      await time.setNextBlockTimestamp(upAt - 50);
      await expect(l2LivePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(l2LivePool, "GracePeriodNotOver")
        .withArgs(0, GRACE_SECONDS);
      await time.setNextBlockTimestamp(upAt);
      await expect(l2LivePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(l2LivePool, "GracePeriodNotOver")
        .withArgs(0, GRACE_SECONDS);
      await time.setNextBlockTimestamp(upAt + 1);
      await expect(l2LivePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(l2LivePool, "GracePeriodNotOver")
        .withArgs(1, GRACE_SECONDS);
    });

    it("still applies the backing checks once the sequencer is up past the grace period", async function () {
      const { l2LivePool, l2AttestedPool, reserve6, alice, walletA, holder, asOf } =
        await loadFixture(deployL2GuardUpFixture);
      // deployL2GuardUpFixture let GRACE_SECONDS (= MAX_AGE_SECONDS) pass since the attestation.
      const at = (await time.latest()) + 1;
      expect(at - asOf).to.be.greaterThan(MAX_AGE_SECONDS);
      await time.setNextBlockTimestamp(at);
      await expect(l2AttestedPool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(l2AttestedPool, "ReservesTooOld")
        .withArgs(at - asOf, MAX_AGE_SECONDS);
      await reserve6.connect(walletA).transfer(holder.address, SUPPLY / 2n);
      await expect(l2LivePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(l2LivePool, "Undercollateralized")
        .withArgs(WAD / 2n, WAD);
    });

    it("checks the sequencer before the backing", async function () {
      const { sequencer, l2LivePool, reserve6, alice, walletA, holder } =
        await loadFixture(deployL2GuardUpFixture);
      await reserve6.connect(walletA).transfer(holder.address, SUPPLY);
      await sequencer.updateStatus(true, await time.latest());
      await expect(l2LivePool.connect(alice).deposit(1))
        .to.be.revertedWithCustomError(l2LivePool, "SequencerDown")
        .withArgs();
    });
  });

  describe("borrow", function () {
    it("refuses with SequencerDown() against collateral already deposited, and lends again after the grace period", async function () {
      const { sequencer, l2LivePool, alice } = await loadFixture(deployL2GuardUpFixture);
      await l2LivePool.connect(alice).deposit(ONE_TOKEN);
      await sequencer.updateStatus(true, await time.latest());
      await expect(l2LivePool.connect(alice).borrow(1))
        .to.be.revertedWithCustomError(l2LivePool, "SequencerDown")
        .withArgs();
      const upAt = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(upAt);
      await sequencer.updateStatus(false, upAt);
      await time.setNextBlockTimestamp(upAt + GRACE_SECONDS - 1);
      await expect(l2LivePool.connect(alice).borrow(1))
        .to.be.revertedWithCustomError(l2LivePool, "GracePeriodNotOver")
        .withArgs(GRACE_SECONDS - 1, GRACE_SECONDS);
      await time.setNextBlockTimestamp(upAt + GRACE_SECONDS);
      await expect(l2LivePool.connect(alice).borrow(1))
        .to.emit(l2LivePool, "Borrowed")
        .withArgs(alice.address, 1);
    });
  });

  describe("withdraw", function () {
    it("returns collateral while the sequencer is down", async function () {
      const { sequencer, l2LivePool, alice } = await loadFixture(deployL2GuardUpFixture);
      await l2LivePool.connect(alice).deposit(ONE_TOKEN);
      await sequencer.updateStatus(true, await time.latest());
      await expect(l2LivePool.connect(alice).withdraw(ONE_TOKEN))
        .to.emit(l2LivePool, "Withdrawn")
        .withArgs(alice.address, ONE_TOKEN);
    });
  });
});
