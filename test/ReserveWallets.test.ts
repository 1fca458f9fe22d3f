import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import {
  MAX_RESERVE_WALLETS,
  RESERVE_ADDRESS_TYPES,
  addWallet,
  approveReserveAssets,
  namedSigners,
  offlineWallets,
  registryDomain,
  signReserveAddress,
  subjectConfig,
} from "./helpers/backing";
import { configTuple } from "./helpers/reserve-registry";

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
  await approveReserveAssets(registry, admin, usdc, wbtc);

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
    it("equals the EIP-712 hash of ReserveAddress(subjectId, wallet, reserveAsset) in the registry's domain", async function () {
      const { registry, usdc, walletA } = await loadFixture(deployReserveWalletsFixture);
      const message = { subjectId: USDX, wallet: walletA.address, reserveAsset: await usdc.getAddress() };
      const expected = ethers.TypedDataEncoder.hash(
        await registryDomain(registry),
        RESERVE_ADDRESS_TYPES,
        message,
      );
      expect(await registry.reserveAddressDigest(USDX, walletA.address, message.reserveAsset)).to.equal(
        expected,
      );
    });

    it("hashes the struct under the 3-field type string", async function () {
      const { registry, usdc, walletA } = await loadFixture(deployReserveWalletsFixture);
      const typeString = "ReserveAddress(bytes32 subjectId,address wallet,address reserveAsset)";
      expect(ethers.TypedDataEncoder.from(RESERVE_ADDRESS_TYPES).encodeType("ReserveAddress")).to.equal(
        typeString,
      );
      expect(await registry.RESERVE_ADDRESS_TYPEHASH()).to.equal(ethers.id(typeString));
      // Built by hand from the type string, independently of the ethers encoder.
      const structHash = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["bytes32", "bytes32", "address", "address"],
          [ethers.id(typeString), USDX, walletA.address, await usdc.getAddress()],
        ),
      );
      const domainSeparator = ethers.TypedDataEncoder.hashDomain(await registryDomain(registry));
      expect(await registry.reserveAddressDigest(USDX, walletA.address, await usdc.getAddress())).to.equal(
        ethers.keccak256(ethers.concat(["0x1901", domainSeparator, structHash])),
      );
    });

    it("differs for another reserve asset, wallet or subject", async function () {
      const { registry, usdc, wbtc, walletA, walletB } = await loadFixture(deployReserveWalletsFixture);
      const usdcAddress = await usdc.getAddress();
      const digest = await registry.reserveAddressDigest(USDX, walletA.address, usdcAddress);
      for (const other of [
        await registry.reserveAddressDigest(USDX, walletA.address, await wbtc.getAddress()),
        await registry.reserveAddressDigest(USDX, walletA.address, ethers.ZeroAddress),
        await registry.reserveAddressDigest(USDX, walletB.address, usdcAddress),
        await registry.reserveAddressDigest(USDY, walletA.address, usdcAddress),
      ]) {
        expect(other).to.not.equal(digest);
      }
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

    it("adds a wallet account that has code (an EIP-7702 account) on its key's signature", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      // Code that reverts on any call: ERC-1271 cannot answer for it, only the key can.
      await ethers.provider.send("hardhat_setCode", [walletA.address, "0x60006000fd"]);
      const signature = await signReserveAddress(walletA, registry, USDX);
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, signature))
        .to.emit(registry, "ReserveWalletAdded")
        .withArgs(USDX, walletA.address);
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

    it("refuses a signature the wallet made for another reserve asset of the same subject", async function () {
      const { registry, owner, wbtc, walletA } = await loadFixture(deployReserveWalletsFixture);
      // Consent to back USDX with WBTC is not consent to back it with USDC.
      const signature = await signReserveAddress(
        walletA,
        registry,
        USDX,
        walletA.address,
        {},
        await wbtc.getAddress(),
      );
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "InvalidReserveWalletSignature")
        .withArgs(walletA.address);
    });

    it("refuses a signature over the old two-field type without the reserve asset", async function () {
      const { registry, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      const signature = await walletA.signTypedData(
        await registryDomain(registry),
        {
          ReserveAddress: [
            { name: "subjectId", type: "bytes32" },
            { name: "wallet", type: "address" },
          ],
        },
        { subjectId: USDX, wallet: walletA.address },
      );
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "InvalidReserveWalletSignature")
        .withArgs(walletA.address);
    });

    it("refuses a wallet while the subject's reserve asset is revoked, and accepts it once re-approved", async function () {
      const { registry, admin, owner, usdc, walletA } = await loadFixture(deployReserveWalletsFixture);
      const asset = await usdc.getAddress();
      await registry.connect(admin).revokeReserveAsset(asset);
      const signature = await signReserveAddress(walletA, registry, USDX);
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, signature))
        .to.be.revertedWithCustomError(registry, "ReserveAssetNotApproved")
        .withArgs(asset);
      expect(await registry.reserveWallets(USDX)).to.deep.equal([]);
      await registry.connect(admin).approveReserveAsset(asset);
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, signature))
        .to.emit(registry, "ReserveWalletAdded")
        .withArgs(USDX, walletA.address);
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

  describe("the wallet list under any sequence of adds and removals", function () {
    it("property: lists exactly the wallets added and not removed, in swap-and-pop order, and sums only theirs", async function () {
      const { registry, usdc, owner } = await loadFixture(deployReserveWalletsFixture);
      const pool = offlineWallets(6);
      const signatures = await Promise.all(pool.map((w) => signReserveAddress(w, registry, USDX)));
      for (const [i, w] of pool.entries()) await usdc.mint(w.address, 10n ** BigInt(i + 1));
      // A revert consumes its snapshot, so each run takes the next one.
      let base: string = await ethers.provider.send("evm_snapshot", []);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ add: fc.boolean(), wallet: fc.nat({ max: pool.length - 1 }) }), {
            minLength: 1,
            maxLength: 14,
          }),
          async (ops) => {
            // Every run (and every shrink of a failing one) starts from the same state.
            await ethers.provider.send("evm_revert", [base]);
            base = await ethers.provider.send("evm_snapshot", []);
            const model: string[] = [];
            for (const { add, wallet } of ops) {
              const address = pool[wallet]!.address;
              const at = model.indexOf(address);
              if (add) {
                const tx = registry.connect(owner).addReserveWallet(USDX, address, signatures[wallet]!);
                if (at === -1) {
                  await tx;
                  model.push(address);
                } else {
                  await expect(tx).to.be.revertedWithCustomError(registry, "ReserveWalletAlreadyAdded");
                }
              } else {
                const tx = registry.connect(owner).removeReserveWallet(USDX, address);
                if (at === -1) {
                  await expect(tx).to.be.revertedWithCustomError(registry, "ReserveWalletNotFound");
                } else {
                  await tx;
                  // What EnumerableSet did before: the last wallet takes the removed one's place.
                  const last = model.pop()!;
                  if (at < model.length) model[at] = last;
                }
              }
              expect(await registry.reserveWallets(USDX)).to.deep.equal(model);
            }
            const expected = pool
              .map((w, i) => (model.includes(w.address) ? 10n ** BigInt(i + 1) : 0n))
              .reduce((a, b) => a + b, 0n);
            expect(await registry.liveReserves(USDX)).to.equal(expected);
          },
        ),
        { numRuns: 25 },
      );
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

    it("reads 0 while the reserve asset is revoked, keeping the wallets, and the balances again once re-approved", async function () {
      const { registry, admin, usdc, owner, walletA } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await usdc.mint(walletA.address, 1_000_000n);
      await expect(registry.connect(admin).revokeReserveAsset(await usdc.getAddress()))
        .to.emit(registry, "ReserveAssetRevoked")
        .withArgs(await usdc.getAddress());
      expect(await registry.liveReserves(USDX)).to.equal(0n);
      expect(await registry.reserveWallets(USDX)).to.deep.equal([walletA.address]);
      await registry.connect(admin).approveReserveAsset(await usdc.getAddress());
      expect(await registry.liveReserves(USDX)).to.equal(1_000_000n);
    });

    it("sums balances up to exactly 2^256 - 1 and reverts with LiveReservesOverflow past it", async function () {
      const { registry, admin, owner, auditor, walletA, walletB } =
        await loadFixture(deployReserveWalletsFixture);
      const settable = await ethers.deployContract("SettableERC20", [6]);
      await approveReserveAssets(registry, admin, settable);
      const HUGE = ethers.id("HUGE");
      await registry
        .connect(owner)
        .registerSubject(
          HUGE,
          subjectConfig([auditor.address], { name: "Huge", reserveAsset: await settable.getAddress() }),
        );
      await addWallet(registry, owner, HUGE, walletA);
      await addWallet(registry, owner, HUGE, walletB);
      await settable.setBalance(walletA.address, 2n ** 255n);
      await settable.setBalance(walletB.address, 2n ** 255n - 1n);
      expect(await registry.liveReserves(HUGE)).to.equal(ethers.MaxUint256);
      await settable.setBalance(walletB.address, 2n ** 255n);
      await expect(registry.liveReserves(HUGE))
        .to.be.revertedWithCustomError(registry, "LiveReservesOverflow")
        .withArgs(HUGE);
    });

    it("reverts with DecimalScalingOverflow when the sum cannot be expressed in the subject's decimals", async function () {
      const { registry, admin, owner, auditor, walletA } = await loadFixture(deployReserveWalletsFixture);
      // A 0-decimal asset seen by a 36-decimal subject: each unit is 10^36 of the subject's.
      const settable = await ethers.deployContract("SettableERC20", [0]);
      await approveReserveAssets(registry, admin, settable);
      const FINE = ethers.id("FINE");
      await registry.connect(owner).registerSubject(
        FINE,
        subjectConfig([auditor.address], {
          name: "Fine",
          decimals: 36,
          reserveAsset: await settable.getAddress(),
        }),
      );
      await addWallet(registry, owner, FINE, walletA);
      const largest = ethers.MaxUint256 / 10n ** 36n;
      await settable.setBalance(walletA.address, largest);
      expect(await registry.liveReserves(FINE)).to.equal(largest * 10n ** 36n);
      await settable.setBalance(walletA.address, largest + 1n);
      await expect(registry.liveReserves(FINE))
        .to.be.revertedWithCustomError(registry, "DecimalScalingOverflow")
        .withArgs(largest + 1n, 0, 36);
    });

    it("reads 0, not a Panic, when an approved asset later answers decimals() beyond 10^77", async function () {
      const { registry, admin, owner, auditor, walletA } = await loadFixture(deployReserveWalletsFixture);
      const settable = await ethers.deployContract("SettableERC20", [6]);
      await approveReserveAssets(registry, admin, settable);
      const SHIFTY = ethers.id("SHIFTY");
      await registry
        .connect(owner)
        .registerSubject(
          SHIFTY,
          subjectConfig([auditor.address], { name: "Shifty", reserveAsset: await settable.getAddress() }),
        );
      await addWallet(registry, owner, SHIFTY, walletA);
      await settable.setBalance(walletA.address, ethers.MaxUint256);
      // An upgradeable asset that starts answering 200 decimals: every balance is below one unit.
      await settable.setDecimals(200);
      expect(await registry.liveReserves(SHIFTY)).to.equal(0n);
      const [reserves, , , fresh] = await registry.collateralization(SHIFTY);
      expect([reserves, fresh]).to.deep.equal([0n, false]);
      await settable.setDecimals(83); // 83 - 6 = 77: the largest power of ten that still divides
      expect(await registry.liveReserves(SHIFTY)).to.equal(ethers.MaxUint256 / 10n ** 77n);
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
    it("refuses to change the reserve asset once a wallet backs the subject (ReserveAssetFrozen)", async function () {
      const { registry, usdc, wbtc, owner, auditor, walletA, walletB } =
        await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await addWallet(registry, owner, USDX, walletB);
      for (const requested of [await wbtc.getAddress(), ethers.ZeroAddress]) {
        const config = subjectConfig([auditor.address], { reserveAsset: requested });
        await expect(registry.connect(owner).updateSubject(USDX, config))
          .to.be.revertedWithCustomError(registry, "ReserveAssetFrozen")
          .withArgs(USDX, await usdc.getAddress(), requested);
      }
    });

    it("keeps the reserve asset frozen after every wallet is removed", async function () {
      const { registry, usdc, wbtc, owner, auditor, walletA } =
        await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      await registry.connect(owner).removeReserveWallet(USDX, walletA.address);
      expect(await registry.reserveWallets(USDX)).to.deep.equal([]);
      expect(await registry.latestRoundId(USDX)).to.equal(0n);
      for (const requested of [await wbtc.getAddress(), ethers.ZeroAddress]) {
        const config = subjectConfig([auditor.address], { reserveAsset: requested });
        await expect(registry.connect(owner).updateSubject(USDX, config))
          .to.be.revertedWithCustomError(registry, "ReserveAssetFrozen")
          .withArgs(USDX, await usdc.getAddress(), requested);
      }
    });

    it("freezes the token of a subject with wallets but no rounds, even after every wallet is removed", async function () {
      const { registry, usdc, owner, walletA, auditor } = await loadFixture(deployReserveWalletsFixture);
      const token = await ethers.deployContract("MockERC20", ["Token", "TKN", 6]);
      const withToken = subjectConfig([auditor.address], {
        reserveAsset: await usdc.getAddress(),
        token: await token.getAddress(),
      });
      await addWallet(registry, owner, USDX, walletA);
      await expect(registry.connect(owner).updateSubject(USDX, withToken))
        .to.be.revertedWithCustomError(registry, "TokenFrozen")
        .withArgs(USDX, ethers.ZeroAddress, await token.getAddress());
      await registry.connect(owner).removeReserveWallet(USDX, walletA.address);
      await expect(registry.connect(owner).updateSubject(USDX, withToken))
        .to.be.revertedWithCustomError(registry, "TokenFrozen")
        .withArgs(USDX, ethers.ZeroAddress, await token.getAddress());
    });

    it("freezes a named token against removal once a wallet backed the subject", async function () {
      const { registry, usdc, owner, walletA, auditor } = await loadFixture(deployReserveWalletsFixture);
      const token = await ethers.deployContract("MockERC20", ["Token", "TKN", 6]);
      const TOKENED = ethers.id("TOKENED");
      const config = subjectConfig([auditor.address], {
        name: "Tokened",
        reserveAsset: await usdc.getAddress(),
        token: await token.getAddress(),
      });
      await registry.connect(owner).registerSubject(TOKENED, config);
      await addWallet(registry, owner, TOKENED, walletA);
      await registry.connect(owner).removeReserveWallet(TOKENED, walletA.address);
      await expect(registry.connect(owner).updateSubject(TOKENED, { ...config, token: ethers.ZeroAddress }))
        .to.be.revertedWithCustomError(registry, "TokenFrozen")
        .withArgs(TOKENED, await token.getAddress(), ethers.ZeroAddress);
    });

    it("allows other changes while wallets are registered", async function () {
      const { registry, usdc, owner, auditor, walletA } = await loadFixture(deployReserveWalletsFixture);
      await addWallet(registry, owner, USDX, walletA);
      const config = subjectConfig([auditor.address], {
        name: "Renamed",
        reserveAsset: await usdc.getAddress(),
      });
      await expect(registry.connect(owner).updateSubject(USDX, config))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(USDX, configTuple(config));
      expect(await registry.reserveWallets(USDX)).to.deep.equal([walletA.address]);
    });

    it("allows changing the reserve asset before any wallet or round, and wallets then back it with the new one", async function () {
      const { registry, usdc, wbtc, owner, auditor, walletA } =
        await loadFixture(deployReserveWalletsFixture);
      const config = subjectConfig([auditor.address], { reserveAsset: await wbtc.getAddress() });
      await expect(registry.connect(owner).updateSubject(USDX, config)).to.emit(registry, "SubjectConfigSet");
      // A signature made for the old asset no longer matches.
      const forUsdc = await signReserveAddress(
        walletA,
        registry,
        USDX,
        walletA.address,
        {},
        await usdc.getAddress(),
      );
      await expect(registry.connect(owner).addReserveWallet(USDX, walletA.address, forUsdc))
        .to.be.revertedWithCustomError(registry, "InvalidReserveWalletSignature")
        .withArgs(walletA.address);
      await addWallet(registry, owner, USDY, walletA);
      await addWallet(registry, owner, USDX, walletA);
      await wbtc.mint(walletA.address, 100_000_000n); // 1 WBTC, counted in USDX's 6 decimals
      await usdc.mint(walletA.address, 999n);
      expect(await registry.liveReserves(USDX)).to.equal(1_000_000n);
      expect(await registry.liveReserves(USDY)).to.equal(999n);
    });
  });
});
