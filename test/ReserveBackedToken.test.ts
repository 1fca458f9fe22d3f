import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  HEARTBEAT_SECONDS,
  addWallet,
  namedSigners,
  postAttestation,
  subjectConfig,
} from "./helpers/backing";

/** Attested reserves in 8 decimals backing a 6-decimal token. */
const USDX = ethers.id("USDX");
/** Live both sides: reserve wallets holding a 6-decimal asset, an 18-decimal token. */
const LIVE = ethers.id("LIVE");
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
  ]);
  const minterRole = await usdx.MINTER_ROLE();
  await usdx.grantRole(minterRole, minter.address);
  await registry
    .connect(owner)
    .registerSubject(USDX, subjectConfig(auditors, { decimals: 8, token: await usdx.getAddress() }));

  const reserve6 = await ethers.deployContract("MockERC20", ["Reserve 6", "R6", 6]);
  const live = await ethers.deployContract("ReserveBackedToken", [
    "USD L",
    "USDL",
    18,
    registryAddress,
    LIVE,
    admin,
  ]);
  await live.grantRole(minterRole, minter.address);
  await registry.connect(owner).registerSubject(
    LIVE,
    subjectConfig(auditors, {
      name: "Live",
      token: await live.getAddress(),
      reserveAsset: await reserve6.getAddress(),
    }),
  );
  await addWallet(registry, owner, LIVE, walletA);

  const reserve18 = await ethers.deployContract("MockERC20", ["Reserve 18", "R18", 18]);
  const noToken = await ethers.deployContract("ReserveBackedToken", [
    "USD N",
    "USDN",
    18,
    registryAddress,
    NO_TOKEN,
    admin,
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
    noToken,
    reserve6,
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
    });
  });

  describe("mint", function () {
    it("mints up to exactly the attested reserves and refuses one unit more", async function () {
      const { registry, usdx, auditor, minter, alice } = await loadFixture(deployReserveBackedTokenFixture);
      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves: 100_000_000n, // 1.00000000 in the subject's 8 decimals
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
        reserves: 100_000_000n,
        liabilities: 0n,
      });
      await usdx.connect(minter).mint(alice.address, 600_000n);
      await usdx.connect(minter).mint(alice.address, 400_000n);
      await expect(usdx.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(usdx, "InsufficientReserves")
        .withArgs(1_000_001n * SCALE_6_TO_18, 10n ** 18n);
    });

    it("compares in 18 decimals: reserves a fraction of a token unit over do not allow another unit", async function () {
      const { registry, usdx, auditor, minter, alice } = await loadFixture(deployReserveBackedTokenFixture);
      await postAttestation(registry, [auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves: 100_000_099n, // 1.00000099: 0.99 of a USDX unit above 1 USDX
        liabilities: 0n,
      });
      await usdx.connect(minter).mint(alice.address, 1_000_000n);
      await expect(usdx.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(usdx, "InsufficientReserves")
        .withArgs(1_000_001n * SCALE_6_TO_18, 100_000_099n * 10n ** 10n);
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
      ]);
      await copycat.grantRole(minterRole, minter.address);
      await expect(copycat.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(copycat, "NotSubjectToken")
        .withArgs(LIVE, await copycat.getAddress());
      await expect(live.connect(minter).mint(alice.address, 10n ** 18n)).to.emit(live, "Transfer");
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
        reserves: 100_000_000n,
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
});
