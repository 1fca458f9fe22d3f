import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  HEARTBEAT_SECONDS,
  addWallet,
  approveReserveAssets,
  namedSigners,
  postAttestation,
  subjectConfig,
} from "./helpers/backing";

/** Attested reserves in the token's 6 decimals backing a 6-decimal token. */
const USDX = ethers.id("USDX");
/** Live both sides: reserve wallets holding a 6-decimal asset, an 18-decimal token (and subject). */
const LIVE = ethers.id("LIVE");
/** Live both sides: reserve wallets holding an 8-decimal asset, a 6-decimal token (and subject). */
const FINE = ethers.id("FINE");
/** Live reserves, but the subject does not name the token: its liabilities side is attested. */
const NO_TOKEN = ethers.id("NO_TOKEN");

const SCALE_6_TO_18 = 10n ** 12n;

async function deployReserveBackedTokenFixture() {
  const { admin, owner, auditor, minter, alice, walletA, holder } = await namedSigners(
    "admin",
    "owner",
    "auditor",
    "minter",
    "alice",
    "walletA",
    "holder",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");
  const registryAddress = await registry.getAddress();
  const auditors = [auditor.address];

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
  const minterRole = await usdx.MINTER_ROLE();
  await usdx.grantRole(minterRole, minter.address);
  await registry
    .connect(owner)
    .registerSubject(USDX, subjectConfig(auditors, { token: await usdx.getAddress() }));

  const reserve6 = await ethers.deployContract("MockERC20", ["Reserve 6", "R6", 6]);
  const reserve8 = await ethers.deployContract("MockERC20", ["Reserve 8", "R8", 8]);
  const reserve18 = await ethers.deployContract("MockERC20", ["Reserve 18", "R18", 18]);
  await approveReserveAssets(registry, admin, reserve6, reserve8, reserve18);
  const live = await ethers.deployContract("ReserveBackedToken", [
    "USD L",
    "USDL",
    18,
    registryAddress,
    LIVE,
    admin,
    ethers.ZeroAddress, // no sequencer uptime feed: an L1 token
    0,
  ]);
  await live.grantRole(minterRole, minter.address);
  await registry.connect(owner).registerSubject(
    LIVE,
    subjectConfig(auditors, {
      name: "Live",
      decimals: 18,
      token: await live.getAddress(),
      reserveAsset: await reserve6.getAddress(),
    }),
  );
  await addWallet(registry, owner, LIVE, walletA);

  const fine = await ethers.deployContract("ReserveBackedToken", [
    "USD F",
    "USDF",
    6,
    registryAddress,
    FINE,
    admin,
    ethers.ZeroAddress, // no sequencer uptime feed: an L1 token
    0,
  ]);
  await fine.grantRole(minterRole, minter.address);
  await registry.connect(owner).registerSubject(
    FINE,
    subjectConfig(auditors, {
      name: "Fine",
      token: await fine.getAddress(),
      reserveAsset: await reserve8.getAddress(),
    }),
  );
  await addWallet(registry, owner, FINE, walletA);

  const noToken = await ethers.deployContract("ReserveBackedToken", [
    "USD N",
    "USDN",
    18,
    registryAddress,
    NO_TOKEN,
    admin,
    ethers.ZeroAddress, // no sequencer uptime feed: an L1 token
    0,
  ]);
  await noToken.grantRole(minterRole, minter.address);
  await registry
    .connect(owner)
    .registerSubject(
      NO_TOKEN,
      subjectConfig(auditors, { name: "No token", decimals: 18, reserveAsset: await reserve18.getAddress() }),
    );
  await addWallet(registry, owner, NO_TOKEN, walletA);

  return {
    registry,
    usdx,
    live,
    fine,
    noToken,
    reserve6,
    reserve8,
    reserve18,
    minterRole,
    admin,
    owner,
    auditor,
    minter,
    alice,
    walletA,
    holder,
  };
}

/** Live reserves (6 decimals) backing a 6-decimal token on a rollup with a sequencer uptime feed. */
const L2 = ethers.id("L2");
/** Grace period after the sequencer comes back up (Chainlink's example uses 3600 seconds). */
const GRACE_SECONDS = 3600;
const L2_RESERVES = 1_000_000n;

/** A token on an L2: Chainlink's sequencer uptime feed (a test double, up since long ago) and live reserves. */
async function deployL2TokenFixture() {
  const { admin, owner, auditor, minter, alice, walletA } = await namedSigners(
    "admin",
    "owner",
    "auditor",
    "minter",
    "alice",
    "walletA",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");
  const sequencer = await ethers.deployContract("SequencerUptimeFeedMock");
  const l2 = await ethers.deployContract("ReserveBackedToken", [
    "USD Rollup",
    "USDR",
    6,
    await registry.getAddress(),
    L2,
    admin,
    await sequencer.getAddress(),
    GRACE_SECONDS,
  ]);
  await l2.grantRole(await l2.MINTER_ROLE(), minter.address);
  const reserve6 = await ethers.deployContract("MockERC20", ["Reserve 6", "R6", 6]);
  await approveReserveAssets(registry, admin, reserve6);
  await registry.connect(owner).registerSubject(
    L2,
    subjectConfig([auditor.address], {
      name: "Rollup",
      token: await l2.getAddress(),
      reserveAsset: await reserve6.getAddress(),
    }),
  );
  await addWallet(registry, owner, L2, walletA);
  await reserve6.mint(walletA.address, L2_RESERVES);
  return { registry, sequencer, l2, reserve6, minter, alice, walletA };
}

/** deployL2TokenFixture with the sequencer up since the grace period ago. */
async function deployL2TokenUpFixture() {
  const fixture = await deployL2TokenFixture();
  await fixture.sequencer.initialize(false);
  await time.increase(GRACE_SECONDS);
  return fixture;
}

describe("ReserveBackedToken", function () {
  describe("constructor", function () {
    it("sets the ERC20 metadata, the reserve subject and the admin", async function () {
      const { registry, usdx, admin } = await loadFixture(deployReserveBackedTokenFixture);
      expect(await usdx.name()).to.equal("USD X");
      expect(await usdx.symbol()).to.equal("USDX");
      expect(await usdx.decimals()).to.equal(6n);
      expect(await usdx.reserveRegistry()).to.equal(await registry.getAddress());
      expect(await usdx.reserveSubjectId()).to.equal(USDX);
      expect(await usdx.hasRole(await usdx.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await usdx.MINTER_ROLE()).to.equal(ethers.id("MINTER_ROLE"));
      expect(await usdx.sequencerUptimeFeed()).to.equal(ethers.ZeroAddress);
      expect(await usdx.sequencerGracePeriodSeconds()).to.equal(0n);
    });

    it("keeps an L2 token's sequencer uptime feed and grace period", async function () {
      const { l2, sequencer } = await loadFixture(deployL2TokenFixture);
      expect(await l2.sequencerUptimeFeed()).to.equal(await sequencer.getAddress());
      expect(await l2.sequencerGracePeriodSeconds()).to.equal(BigInt(GRACE_SECONDS));
    });
  });

  describe("mint", function () {
    it("mints up to exactly the attested reserves and refuses one unit more", async function () {
      const { registry, usdx, auditor, minter, alice } = await loadFixture(deployReserveBackedTokenFixture);
      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves: 1_000_000n, // 1.000000 in the subject's (the token's) 6 decimals
        liabilities: 0n,
      });
      await expect(usdx.connect(minter).mint(alice.address, 1_000_000n)) // 1.000000 USDX
        .to.emit(usdx, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, 1_000_000n);
      await expect(usdx.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(usdx, "InsufficientReserves")
        .withArgs(1_000_001n * SCALE_6_TO_18, 10n ** 18n);
      expect(await usdx.totalSupply()).to.equal(1_000_000n);
    });

    it("counts the supply already minted", async function () {
      const { registry, usdx, auditor, minter, alice } = await loadFixture(deployReserveBackedTokenFixture);
      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves: 1_000_000n,
        liabilities: 0n,
      });
      await usdx.connect(minter).mint(alice.address, 600_000n);
      await usdx.connect(minter).mint(alice.address, 400_000n);
      await expect(usdx.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(usdx, "InsufficientReserves")
        .withArgs(1_000_001n * SCALE_6_TO_18, 10n ** 18n);
    });

    it("rounds live reserves down to the token's units: a fraction of a unit over does not allow another unit", async function () {
      const { fine, reserve8, minter, alice, walletA } = await loadFixture(deployReserveBackedTokenFixture);
      await reserve8.mint(walletA.address, 100_000_099n); // 1.00000099: 0.99 of a USDF unit above 1 USDF
      await fine.connect(minter).mint(alice.address, 1_000_000n);
      await expect(fine.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(fine, "InsufficientReserves")
        .withArgs(1_000_001n * SCALE_6_TO_18, 10n ** 18n);
    });

    it("refuses with StaleReserves before any attestation", async function () {
      const { usdx, minter, alice } = await loadFixture(deployReserveBackedTokenFixture);
      await expect(usdx.connect(minter).mint(alice.address, 0n))
        .to.be.revertedWithCustomError(usdx, "StaleReserves")
        .withArgs(USDX);
    });

    it("refuses with StaleReserves once the attestation is older than the heartbeat, until a new one", async function () {
      const { registry, usdx, auditor, minter, alice } = await loadFixture(deployReserveBackedTokenFixture);
      const asOf = await time.latest();
      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf,
        reserves: 10n ** 10n,
        liabilities: 0n,
      });
      await time.setNextBlockTimestamp(asOf + HEARTBEAT_SECONDS);
      await usdx.connect(minter).mint(alice.address, 1n);

      await time.setNextBlockTimestamp(asOf + HEARTBEAT_SECONDS + 1);
      await expect(usdx.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(usdx, "StaleReserves")
        .withArgs(USDX);

      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves: 10n ** 10n,
        liabilities: 0n,
      });
      await expect(usdx.connect(minter).mint(alice.address, 1n))
        .to.emit(usdx, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, 1n);
      expect(await usdx.totalSupply()).to.equal(2n);
    });

    it("refuses a caller without MINTER_ROLE", async function () {
      const { registry, usdx, auditor, alice, minterRole } = await loadFixture(
        deployReserveBackedTokenFixture,
      );
      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves: 10n ** 10n,
        liabilities: 0n,
      });
      await expect(usdx.connect(alice).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(usdx, "AccessControlUnauthorizedAccount")
        .withArgs(alice.address, minterRole);
    });

    it("mints against live reserve wallets without any attestation, up to their balance", async function () {
      const { live, reserve6, minter, alice, walletA } = await loadFixture(deployReserveBackedTokenFixture);
      await reserve6.mint(walletA.address, 5_000_000n); // 5 reserve units
      await expect(live.connect(minter).mint(alice.address, 5n * 10n ** 18n))
        .to.emit(live, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, 5n * 10n ** 18n);
      await expect(live.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(live, "InsufficientReserves")
        .withArgs(5n * 10n ** 18n + 1n, 5n * 10n ** 18n);
    });

    it("follows the live reserves from block to block", async function () {
      const { live, reserve6, minter, alice, walletA, holder } = await loadFixture(
        deployReserveBackedTokenFixture,
      );
      await reserve6.mint(walletA.address, 2_000_000n);
      await live.connect(minter).mint(alice.address, 10n ** 18n);
      await reserve6.connect(walletA).transfer(holder.address, 1_500_000n);
      await expect(live.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(live, "InsufficientReserves")
        .withArgs(10n ** 18n + 1n, 5n * 10n ** 17n);
      await reserve6.mint(walletA.address, 500_001n);
      await expect(live.connect(minter).mint(alice.address, 10n ** 12n))
        .to.emit(live, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, 10n ** 12n);
    });

    it("refuses to mint for a subject that does not name this token, even with live reserves", async function () {
      // Otherwise any number of tokens could mint against one subject's reserves.
      const { noToken, reserve18, minter, alice, walletA } = await loadFixture(
        deployReserveBackedTokenFixture,
      );
      await reserve18.mint(walletA.address, 10n ** 18n);
      await expect(noToken.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(noToken, "NotSubjectToken")
        .withArgs(NO_TOKEN, await noToken.getAddress());
    });

    it("refuses a second token that points at another token's subject (double-minting attack)", async function () {
      const { registry, live, reserve6, admin, minter, minterRole, alice, walletA } = await loadFixture(
        deployReserveBackedTokenFixture,
      );
      await reserve6.mint(walletA.address, 1_000_000n);
      const copycat = await ethers.deployContract("ReserveBackedToken", [
        "Copycat",
        "COPY",
        18,
        await registry.getAddress(),
        LIVE,
        admin,
        ethers.ZeroAddress, // no sequencer uptime feed: an L1 token
        0,
      ]);
      await copycat.grantRole(minterRole, minter.address);
      await expect(copycat.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(copycat, "NotSubjectToken")
        .withArgs(LIVE, await copycat.getAddress());
      await expect(live.connect(minter).mint(alice.address, 10n ** 18n)).to.emit(live, "Transfer");
    });
    it("refuses with StaleReserves while the reserve asset is revoked, and mints again once it is re-approved", async function () {
      const { registry, live, reserve6, admin, minter, alice, walletA } = await loadFixture(
        deployReserveBackedTokenFixture,
      );
      await reserve6.mint(walletA.address, 5_000_000n);
      await registry.connect(admin).revokeReserveAsset(await reserve6.getAddress());
      await expect(live.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(live, "StaleReserves")
        .withArgs(LIVE);
      await registry.connect(admin).approveReserveAsset(await reserve6.getAddress());
      await expect(live.connect(minter).mint(alice.address, 1n))
        .to.emit(live, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, 1n);
    });

    it("refuses once every wallet is removed, even with a higher attested figure on record", async function () {
      const { registry, live, reserve6, owner, auditor, minter, alice, walletA } = await loadFixture(
        deployReserveBackedTokenFixture,
      );
      await reserve6.mint(walletA.address, 1_000_000n);
      await postAttestation(registry, [auditor], {
        subjectId: LIVE,
        asOf: await time.latest(),
        reserves: 10n ** 9n * 10n ** 18n, // a billion USDL, far above the wallet's 1
        liabilities: 0n,
      });
      await live.connect(minter).mint(alice.address, 10n ** 18n);
      // The custodian moves the funds out; only then may the wallet go (it no longer backs anything).
      await reserve6.connect(walletA).transfer(owner.address, 1_000_000n);
      await registry.connect(owner).removeReserveWallet(LIVE, walletA.address);
      await expect(live.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(live, "InsufficientReserves")
        .withArgs(10n ** 18n + 1n, 0n);
    });

    it("refuses a mint that would take the supply past 2^256 - 1 with InsufficientReserves, not a Panic", async function () {
      const { live, reserve6, minter, alice, walletA } = await loadFixture(deployReserveBackedTokenFixture);
      await reserve6.mint(walletA.address, 2_000_000n);
      await live.connect(minter).mint(alice.address, 10n ** 18n);
      await expect(live.connect(minter).mint(alice.address, ethers.MaxUint256))
        .to.be.revertedWithCustomError(live, "InsufficientReserves")
        .withArgs(ethers.MaxUint256, 2n * 10n ** 18n);
    });
    it("refuses an amount whose 18-decimal value cannot be represented with DecimalScalingOverflow, not a Panic", async function () {
      const { registry, usdx, auditor, minter, alice } = await loadFixture(deployReserveBackedTokenFixture);
      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves: 1_000_000n,
        liabilities: 0n,
      });
      await usdx.connect(minter).mint(alice.address, 1n);
      // 2^250 units of a 6-decimal token are more than 2^256 in 18 decimals.
      await expect(usdx.connect(minter).mint(alice.address, 2n ** 250n))
        .to.be.revertedWithCustomError(usdx, "DecimalScalingOverflow")
        .withArgs(2n ** 250n + 1n, 6, 18);
      // Past 2^256 even before scaling: checked as the largest supply, not added with a Panic.
      await expect(usdx.connect(minter).mint(alice.address, ethers.MaxUint256))
        .to.be.revertedWithCustomError(usdx, "DecimalScalingOverflow")
        .withArgs(ethers.MaxUint256, 6, 18);
    });
  });

  describe("burn", function () {
    it("burns the caller's tokens, freeing room under the reserves", async function () {
      const { live, reserve6, minter, alice, walletA } = await loadFixture(deployReserveBackedTokenFixture);
      await reserve6.mint(walletA.address, 1_000_000n);
      await live.connect(minter).mint(alice.address, 10n ** 18n);
      await expect(live.connect(alice).burn(4n * 10n ** 17n))
        .to.emit(live, "Transfer")
        .withArgs(alice.address, ethers.ZeroAddress, 4n * 10n ** 17n);
      expect(await live.totalSupply()).to.equal(6n * 10n ** 17n);
      await expect(live.connect(minter).mint(alice.address, 4n * 10n ** 17n)).to.emit(live, "Transfer");
    });

    it("works while the reserves are stale, so redemptions are never blocked", async function () {
      const { registry, usdx, auditor, minter, alice } = await loadFixture(deployReserveBackedTokenFixture);
      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves: 1_000_000n,
        liabilities: 0n,
      });
      await usdx.connect(minter).mint(alice.address, 1_000_000n);
      await time.increase(HEARTBEAT_SECONDS + 1);
      await expect(usdx.connect(alice).burn(1_000_000n))
        .to.emit(usdx, "Transfer")
        .withArgs(alice.address, ethers.ZeroAddress, 1_000_000n);
    });

    it("refuses to burn more than the caller holds", async function () {
      const { live, reserve6, minter, alice, walletA } = await loadFixture(deployReserveBackedTokenFixture);
      await reserve6.mint(walletA.address, 1_000_000n);
      await live.connect(minter).mint(alice.address, 10n);
      await expect(live.connect(alice).burn(11n))
        .to.be.revertedWithCustomError(live, "ERC20InsufficientBalance")
        .withArgs(alice.address, 10n, 11n);
    });
  });

  describe("mint on an L2 (sequencer uptime feed)", function () {
    it("mints once the sequencer has been up for the grace period, up to the reserves", async function () {
      const { l2, minter, alice } = await loadFixture(deployL2TokenUpFixture);
      await expect(l2.connect(minter).mint(alice.address, L2_RESERVES))
        .to.emit(l2, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, L2_RESERVES);
    });

    it("refuses with SequencerStatusUnknown() while the feed is not initialized (startedAt 0)", async function () {
      const { l2, minter, alice } = await loadFixture(deployL2TokenFixture);
      await time.increase(10 * GRACE_SECONDS);
      await expect(l2.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(l2, "SequencerStatusUnknown")
        .withArgs();
    });

    it("refuses with SequencerDown() while the sequencer is down, though reserves cover the mint", async function () {
      const { sequencer, l2, minter, alice } = await loadFixture(deployL2TokenUpFixture);
      await sequencer.updateStatus(true, await time.latest());
      await expect(l2.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(l2, "SequencerDown")
        .withArgs();
    });

    it("refuses with GracePeriodNotOver(since, grace) until exactly the grace period after it came back up, then mints", async function () {
      const { sequencer, l2, minter, alice } = await loadFixture(deployL2TokenUpFixture);
      await sequencer.updateStatus(true, await time.latest());
      const upAt = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(upAt);
      await sequencer.updateStatus(false, upAt);
      await time.setNextBlockTimestamp(upAt + 1);
      await expect(l2.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(l2, "GracePeriodNotOver")
        .withArgs(1, GRACE_SECONDS);
      await time.setNextBlockTimestamp(upAt + GRACE_SECONDS - 1);
      await expect(l2.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(l2, "GracePeriodNotOver")
        .withArgs(GRACE_SECONDS - 1, GRACE_SECONDS);
      await time.setNextBlockTimestamp(upAt + GRACE_SECONDS);
      await expect(l2.connect(minter).mint(alice.address, 1n))
        .to.emit(l2, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, 1n);
    });

    it("still refuses a mint the reserves do not cover once the sequencer is up", async function () {
      const { l2, minter, alice } = await loadFixture(deployL2TokenUpFixture);
      await expect(l2.connect(minter).mint(alice.address, L2_RESERVES + 1n))
        .to.be.revertedWithCustomError(l2, "InsufficientReserves")
        .withArgs((L2_RESERVES + 1n) * SCALE_6_TO_18, L2_RESERVES * SCALE_6_TO_18);
    });

    it("checks the sequencer before the reserves", async function () {
      const { sequencer, l2, minter, alice } = await loadFixture(deployL2TokenUpFixture);
      await sequencer.updateStatus(true, await time.latest());
      await expect(l2.connect(minter).mint(alice.address, L2_RESERVES + 1n))
        .to.be.revertedWithCustomError(l2, "SequencerDown")
        .withArgs();
    });

    it("never blocks a burn: while the sequencer is down or within the grace period", async function () {
      const { sequencer, l2, minter, alice } = await loadFixture(deployL2TokenUpFixture);
      await l2.connect(minter).mint(alice.address, 3n);
      await sequencer.updateStatus(true, await time.latest());
      await expect(l2.connect(alice).burn(1n))
        .to.emit(l2, "Transfer")
        .withArgs(alice.address, ethers.ZeroAddress, 1n);
      const upAt = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(upAt);
      await sequencer.updateStatus(false, upAt);
      await time.setNextBlockTimestamp(upAt + 1);
      await expect(l2.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(l2, "GracePeriodNotOver")
        .withArgs(1, GRACE_SECONDS);
      await expect(l2.connect(alice).burn(2n))
        .to.emit(l2, "Transfer")
        .withArgs(alice.address, ethers.ZeroAddress, 2n);
      expect(await l2.totalSupply()).to.equal(0n);
    });
  });
});
