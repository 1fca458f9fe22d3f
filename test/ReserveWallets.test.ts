import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import {
  MAX_RESERVE_WALLETS,
  RESERVE_ADDRESS_TYPES,
  addWallet,
  namedSigners,
  offlineWallets,
  registryDomain,
  signReserveAddress,
  subjectConfig,
} from "./helpers/backing";

const USDX = ethers.id("USDX");
const USDY = ethers.id("USDY");
const BTCX = ethers.id("BTCX");
const OFFCHAIN = ethers.id("OFFCHAIN");
const UNKNOWN = ethers.id("UNKNOWN");

async function deployReserveWalletsFixture() {
  const { admin, owner, auditor, other, walletA, walletB, walletOwner, stranger } = await namedSigners(
    "admin",
    "owner",
    "auditor",
    "other",
    "walletA",
    "walletB",
    "walletOwner",
    "stranger",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");

  const usdc = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
  const wbtc = await ethers.deployContract("MockERC20", ["Wrapped BTC", "WBTC", 8]);
  const contractWallet = await ethers.deployContract("ERC1271Wallet", [walletOwner.address]);

  const auditors = [auditor.address];
  const usdcAddress = await usdc.getAddress();
  const wbtcAddress = await wbtc.getAddress();
  const asOwner = registry.connect(owner);
  await asOwner.registerSubject(USDX, subjectConfig(auditors, { reserveAsset: usdcAddress }));
  await asOwner.registerSubject(USDY, subjectConfig(auditors, { name: "USDY", reserveAsset: usdcAddress }));
  await asOwner.registerSubject(
    BTCX,
    subjectConfig(auditors, { name: "BTCX", decimals: 8, reserveAsset: wbtcAddress }),
  );
  await asOwner.registerSubject(OFFCHAIN, subjectConfig(auditors, { name: "Off-chain" }));

  return {
    registry,
    usdc,
    wbtc,
    contractWallet,
    admin,
    owner,
    auditor,
    other,
    walletA,
    walletB,
    walletOwner,
    stranger,
  };
}

describe("ReserveRegistry reserve wallets", function () {
  describe("reserveAddressDigest", function () {
    it("equals the EIP-712 hash of ReserveAddress(subjectId, wallet) in the registry's domain", async function () {
      const { registry, walletA } = await loadFixture(deployReserveWalletsFixture);
      const expected = ethers.TypedDataEncoder.hash(await registryDomain(registry), RESERVE_ADDRESS_TYPES, {
        subjectId: USDX,
        wallet: walletA.address,
      });
      expect(await registry.reserveAddressDigest(USDX, walletA.address)).to.equal(expected);
    });

    it("commits to the type string ReserveAddress(bytes32 subjectId,address wallet)", async function () {
      const { registry } = await loadFixture(deployReserveWalletsFixture);
      expect(await registry.RESERVE_ADDRESS_TYPEHASH()).to.equal(
        ethers.id("ReserveAddress(bytes32 subjectId,address wallet)"),
      );
    });
  });

  describe("addReserveWallet", function () {
    it("adds an EOA wallet that signed for the subject and emits ReserveWalletAdded", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      const signature = await signReserveAddress(walletA, registry, USDX);
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, signature))
        .to.emit(registry, "ReserveWalletAdded")
        .withArgs(USDX, walletA.address);
      expect(await registry.reserveWallets(USDX)).to.deep.equal([walletA.address]);
    });

    it("adds an ERC-1271 contract wallet whose owner signed", async function () {
      const { registry, owner, contractWallet, walletOwner } = await loadFixture(deployReserveWalletsFixture);
      const wallet = await contractWallet.getAddress();
      const signature = await signReserveAddress(walletOwner, registry, USDX, wallet);
      await expect(registry.connect(owner).addReserveWallet(USDX, wallet, signature))
        .to.emit(registry, "ReserveWalletAdded")
        .withArgs(USDX, wallet);
      expect(await registry.reserveWallets(USDX)).to.deep.equal([wallet]);
    });

    it("refuses an ERC-1271 wallet when someone other than its owner signed", async function () {
      const { registry, owner, contractWallet, stranger } = await loadFixture(deployReserveWalletsFixture);
      const wallet = await contractWallet.getAddress();
      const signature = await signReserveAddress(stranger, registry, USDX, wallet);
      await expect(registry.connect(owner).addReserveWallet(USDX, wallet, signature))
        .to.be.revertedWithCustomError(registry, "InvalidReserveWalletSignature")
        .withArgs(wallet);
    });

    it("refuses a contract that does not implement ERC-1271", async function () {
      const { registry, owner, wbtc, walletOwner } = await loadFixture(deployReserveWalletsFixture);
      const wallet = await wbtc.getAddress();
      const signature = await signReserveAddress(walletOwner, registry, USDX, wallet);
      await expect(registry.connect(owner).addReserveWallet(USDX, wallet, signature))
        .to.be.revertedWithCustomError(registry, "InvalidReserveWalletSignature")
        .withArgs(wallet);
    });

    it("refuses a signature the wallet made for another subject", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      const signature = await signReserveAddress(walletA, registry, USDY);
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "InvalidReserveWalletSignature")
        .withArgs(walletA.address);
    });

    it("refuses a signature by another key than the wallet's", async function () {
      const { registry, owner, walletA, stranger } = await loadFixture(deployReserveWalletsFixture);
      const signature = await signReserveAddress(stranger, registry, USDX, walletA.address);
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "InvalidReserveWalletSignature")
        .withArgs(walletA.address);
    });

    it("refuses a signature made for another registry", async function () {
      const { registry, owner, walletA, usdc } = await loadFixture(deployReserveWalletsFixture);
      const signature = await signReserveAddress(walletA, registry, USDX, walletA.address, {
        verifyingContract: await usdc.getAddress(),
      });
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "InvalidReserveWalletSignature")
        .withArgs(walletA.address);
    });

    it("refuses a signature made for another chain", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      const signature = await signReserveAddress(walletA, registry, USDX, walletA.address, { chainId: 1n });
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "InvalidReserveWalletSignature")
        .withArgs(walletA.address);
    });

    it("refuses an empty signature", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, "0x"))
        .to.be.revertedWithCustomError(registry, "InvalidReserveWalletSignature")
        .withArgs(walletA.address);
    });

    it("refuses the zero address, which no signature recovers to", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      const signature = await signReserveAddress(walletA, registry, USDX, ethers.ZeroAddress);
      await expect(registry.connect(owner).addReserveWallet(USDX, ethers.ZeroAddress, signature))
        .to.be.revertedWithCustomError(registry, "InvalidReserveWalletSignature")
        .withArgs(ethers.ZeroAddress);
    });

    it("refuses a wallet the subject already has", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      const signature = await signReserveAddress(walletA, registry, USDX);
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "ReserveWalletAlreadyAdded")
        .withArgs(USDX, walletA.address);
    });

    it("refuses a wallet that already backs another subject with the same reserve asset (double counting)", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      const signature = await signReserveAddress(walletA, registry, USDY);
      await expect(registry.connect(owner).addReserveWallet(USDY, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "ReserveWalletInUse")
        .withArgs(walletA.address, USDX);
    });

    it("allows the same wallet for a subject with a different reserve asset", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      const signature = await signReserveAddress(walletA, registry, BTCX);
      await expect(registry.connect(owner).addReserveWallet(BTCX, walletA.address, signature))
        .to.emit(registry, "ReserveWalletAdded")
        .withArgs(BTCX, walletA.address);
      expect(await registry.reserveWallets(USDX)).to.deep.equal([walletA.address]);
      expect(await registry.reserveWallets(BTCX)).to.deep.equal([walletA.address]);
    });

    it("allows a wallet in a second subject once the first subject removed it", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await registry.connect(owner).removeReserveWallet(USDX, walletA.address);
      await expect(addWallet(registry, owner, USDY, walletA)).to.not.be.reverted;
      expect(await registry.reserveWallets(USDY)).to.deep.equal([walletA.address]);
    });

    it("refuses a subject whose reserves are off-chain (no reserve asset)", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      const signature = await signReserveAddress(walletA, registry, OFFCHAIN);
      await expect(registry.connect(owner).addReserveWallet(OFFCHAIN, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "NoReserveAsset")
        .withArgs(OFFCHAIN);
    });

    it("refuses a caller that does not own the subject", async function () {
      const { registry, stranger, walletA } = await loadFixture(deployReserveWalletsFixture);
      const signature = await signReserveAddress(walletA, registry, USDX);
      await expect(registry.connect(stranger).addReserveWallet(USDX, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "NotSubjectOwner")
        .withArgs(USDX, stranger.address);
    });

    it("refuses an unknown subject", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      const signature = await signReserveAddress(walletA, registry, UNKNOWN);
      await expect(registry.connect(owner).addReserveWallet(UNKNOWN, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });

    it("lets a new subject owner add wallets after accepting ownership", async function () {
      const { registry, owner, other, walletA } = await loadFixture(deployReserveWalletsFixture);
      await registry.connect(owner).transferSubjectOwnership(USDX, other.address);
      await registry.connect(other).acceptSubjectOwnership(USDX);
      const signature = await signReserveAddress(walletA, registry, USDX);
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "NotSubjectOwner")
        .withArgs(USDX, owner.address);
      await expect(registry.connect(other).addReserveWallet(USDX, walletA.address, signature))
        .to.emit(registry, "ReserveWalletAdded")
        .withArgs(USDX, walletA.address);
    });

    it("accepts MAX_RESERVE_WALLETS wallets and refuses one more", async function () {
      const { registry, owner } = await loadFixture(deployReserveWalletsFixture);
      expect(await registry.MAX_RESERVE_WALLETS()).to.equal(MAX_RESERVE_WALLETS);
      const wallets = offlineWallets(MAX_RESERVE_WALLETS + 1);
      for (const wallet of wallets.slice(0, MAX_RESERVE_WALLETS)) {
        await addWallet(registry, owner, USDX, wallet);
      }
      expect(await registry.reserveWallets(USDX)).to.have.lengthOf(MAX_RESERVE_WALLETS);

      const extra = wallets[MAX_RESERVE_WALLETS]!;
      const signature = await signReserveAddress(extra, registry, USDX);
      await expect(registry.connect(owner).addReserveWallet(USDX, extra.address, signature))
        .to.be.revertedWithCustomError(registry, "TooManyReserveWallets")
        .withArgs(USDX, MAX_RESERVE_WALLETS);

      await registry.connect(owner).removeReserveWallet(USDX, wallets[0]!.address);
      await expect(registry.connect(owner).addReserveWallet(USDX, extra.address, signature))
        .to.emit(registry, "ReserveWalletAdded")
        .withArgs(USDX, extra.address);
    });
  });

  describe("removeReserveWallet", function () {
    it("removes a wallet and emits ReserveWalletRemoved", async function () {
      const { registry, owner, walletA, walletB } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await addWallet(registry, owner, USDX, walletB);
      await expect(registry.connect(owner).removeReserveWallet(USDX, walletA.address))
        .to.emit(registry, "ReserveWalletRemoved")
        .withArgs(USDX, walletA.address);
      expect(await registry.reserveWallets(USDX)).to.deep.equal([walletB.address]);
    });

    it("lets the owner add a removed wallet again", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await registry.connect(owner).removeReserveWallet(USDX, walletA.address);
      await addWallet(registry, owner, USDX, walletA);
      expect(await registry.reserveWallets(USDX)).to.deep.equal([walletA.address]);
    });

    it("refuses a wallet the subject does not have", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      await expect(registry.connect(owner).removeReserveWallet(USDX, walletA.address))
        .to.be.revertedWithCustomError(registry, "ReserveWalletNotFound")
        .withArgs(USDX, walletA.address);
    });

    it("refuses a wallet that backs another subject, leaving it there", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await expect(registry.connect(owner).removeReserveWallet(USDY, walletA.address))
        .to.be.revertedWithCustomError(registry, "ReserveWalletNotFound")
        .withArgs(USDY, walletA.address);
      expect(await registry.reserveWallets(USDX)).to.deep.equal([walletA.address]);
    });

    it("refuses a caller that does not own the subject", async function () {
      const { registry, owner, stranger, walletA } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await expect(registry.connect(stranger).removeReserveWallet(USDX, walletA.address))
        .to.be.revertedWithCustomError(registry, "NotSubjectOwner")
        .withArgs(USDX, stranger.address);
    });

    it("refuses an unknown subject", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      await expect(registry.connect(owner).removeReserveWallet(UNKNOWN, walletA.address))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("reserveWallets", function () {
    it("is empty for a subject without wallets", async function () {
      const { registry } = await loadFixture(deployReserveWalletsFixture);
      expect(await registry.reserveWallets(USDX)).to.deep.equal([]);
    });

    it("lists every added wallet", async function () {
      const { registry, owner, walletA, walletB } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await addWallet(registry, owner, USDX, walletB);
      expect([...(await registry.reserveWallets(USDX))].sort()).to.deep.equal(
        [walletA.address, walletB.address].sort(),
      );
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployReserveWalletsFixture);
      await expect(registry.reserveWallets(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("liveReserves", function () {
    it("is zero for a subject with a reserve asset and no wallets", async function () {
      const { registry } = await loadFixture(deployReserveWalletsFixture);
      expect(await registry.liveReserves(USDX)).to.equal(0n);
    });

    it("sums the reserve asset balances of the registered wallets only", async function () {
      const { registry, usdc, owner, walletA, walletB, contractWallet, walletOwner, stranger } =
        await loadFixture(deployReserveWalletsFixture);
      const wallet = await contractWallet.getAddress();
      await addWallet(registry, owner, USDX, walletA);
      await addWallet(registry, owner, USDX, walletB);
      await registry
        .connect(owner)
        .addReserveWallet(USDX, wallet, await signReserveAddress(walletOwner, registry, USDX, wallet));
      await usdc.mint(walletA.address, 1_000_000n);
      await usdc.mint(walletB.address, 2_500_000n);
      await usdc.mint(wallet, 7n);
      await usdc.mint(stranger.address, 9_999_999n);
      expect(await registry.liveReserves(USDX)).to.equal(3_500_007n);
    });

    it("follows a wallet's balance as it changes between blocks", async function () {
      const { registry, usdc, owner, walletA, stranger } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await usdc.mint(walletA.address, 5_000_000n);
      expect(await registry.liveReserves(USDX)).to.equal(5_000_000n);
      const before = await ethers.provider.getBlockNumber();

      await usdc.connect(walletA).transfer(stranger.address, 2_000_000n);
      expect(await registry.liveReserves(USDX)).to.equal(3_000_000n);
      expect(await registry.liveReserves(USDX, { blockTag: before })).to.equal(5_000_000n);

      await mine(3);
      await usdc.mint(walletA.address, 1n);
      expect(await registry.liveReserves(USDX)).to.equal(3_000_001n);
    });

    it("stops counting a removed wallet", async function () {
      const { registry, usdc, owner, walletA, walletB } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await addWallet(registry, owner, USDX, walletB);
      await usdc.mint(walletA.address, 10n);
      await usdc.mint(walletB.address, 20n);
      await registry.connect(owner).removeReserveWallet(USDX, walletA.address);
      expect(await registry.liveReserves(USDX)).to.equal(20n);
    });

    it("counts a wallet shared by subjects with different reserve assets once per asset", async function () {
      const { registry, usdc, wbtc, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await addWallet(registry, owner, BTCX, walletA);
      await usdc.mint(walletA.address, 123n);
      await wbtc.mint(walletA.address, 456n);
      expect(await registry.liveReserves(USDX)).to.equal(123n);
      expect(await registry.liveReserves(BTCX)).to.equal(456n);
    });

    it("expresses the sum in the subject's decimals, rounding down", async function () {
      const { registry, wbtc, owner, walletA, walletB, auditor } =
        await loadFixture(deployReserveWalletsFixture);
      // The same 1.23456789 WBTC (8 decimals) seen by a 6-decimal and an 18-decimal subject.
      const [btc6, btc18] = [ethers.id("BTC6"), ethers.id("BTC18")];
      for (const [id, decimals, wallet] of [
        [btc6, 6, walletA],
        [btc18, 18, walletB],
      ] as const) {
        await registry
          .connect(owner)
          .registerSubject(
            id,
            subjectConfig([auditor.address], { name: id, decimals, reserveAsset: await wbtc.getAddress() }),
          );
        await addWallet(registry, owner, id, wallet);
        await wbtc.mint(wallet.address, 123_456_789n);
      }
      expect(await registry.liveReserves(btc6)).to.equal(1_234_567n);
      expect(await registry.liveReserves(btc18)).to.equal(1_234_567_890_000_000_000n);
    });

    it("freezes the subject's token once a wallet backs it (TokenFrozen)", async function () {
      const { registry, usdc, owner, walletA, auditor } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      const token = await ethers.deployContract("MockERC20", ["Token", "TKN", 6]);
      const config = subjectConfig([auditor.address], {
        reserveAsset: await usdc.getAddress(),
        token: await token.getAddress(),
      });
      await expect(registry.connect(owner).updateSubject(USDX, config))
        .to.be.revertedWithCustomError(registry, "TokenFrozen")
        .withArgs(USDX, ethers.ZeroAddress, await token.getAddress());
    });

    it("reverts for a subject without a reserve asset", async function () {
      const { registry } = await loadFixture(deployReserveWalletsFixture);
      await expect(registry.liveReserves(OFFCHAIN))
        .to.be.revertedWithCustomError(registry, "NoReserveAsset")
        .withArgs(OFFCHAIN);
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployReserveWalletsFixture);
      await expect(registry.liveReserves(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("updateSubject", function () {
    it("refuses to change the reserve asset while wallets are registered", async function () {
      const { registry, wbtc, owner, auditor, walletA, walletB } =
        await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await addWallet(registry, owner, USDX, walletB);
      const config = subjectConfig([auditor.address], { reserveAsset: await wbtc.getAddress() });
      await expect(registry.connect(owner).updateSubject(USDX, config))
        .to.be.revertedWithCustomError(registry, "ReserveWalletsRegistered")
        .withArgs(USDX, 2);
      await expect(registry.connect(owner).updateSubject(USDX, subjectConfig([auditor.address])))
        .to.be.revertedWithCustomError(registry, "ReserveWalletsRegistered")
        .withArgs(USDX, 2);
    });

    it("allows other changes while wallets are registered", async function () {
      const { registry, usdc, owner, auditor, walletA } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      const config = subjectConfig([auditor.address], {
        name: "Renamed",
        reserveAsset: await usdc.getAddress(),
      });
      await expect(registry.connect(owner).updateSubject(USDX, config)).to.emit(registry, "SubjectConfigSet");
      expect(await registry.reserveWallets(USDX)).to.deep.equal([walletA.address]);
    });

    it("allows changing the reserve asset once every wallet is removed", async function () {
      const { registry, usdc, wbtc, owner, auditor, walletA } =
        await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await registry.connect(owner).removeReserveWallet(USDX, walletA.address);
      const config = subjectConfig([auditor.address], { reserveAsset: await wbtc.getAddress() });
      await expect(registry.connect(owner).updateSubject(USDX, config)).to.emit(registry, "SubjectConfigSet");
      // The wallet is free under the old asset and can back the subject under the new one.
      await addWallet(registry, owner, USDY, walletA);
      await addWallet(registry, owner, USDX, walletA);
      await wbtc.mint(walletA.address, 100_000_000n); // 1 WBTC, counted in USDX's 6 decimals
      await usdc.mint(walletA.address, 999n);
      expect(await registry.liveReserves(USDX)).to.equal(1_000_000n);
      expect(await registry.liveReserves(USDY)).to.equal(999n);
    });
  });
});
