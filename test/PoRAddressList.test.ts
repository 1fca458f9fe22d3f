import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  addWallet,
  approveReserveAssets,
  namedSigners,
  offlineWallets,
  subjectConfig,
} from "./helpers/backing";

const USDX = ethers.id("USDX");
const EMPTY = ethers.id("EMPTY");
const UNKNOWN = ethers.id("UNKNOWN");

async function deployPoRAddressListFixture() {
  const { admin, owner, auditor } = await namedSigners("admin", "owner", "auditor");
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");
  const usdc = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
  await approveReserveAssets(registry, admin, usdc);
  const config = subjectConfig([auditor.address], { reserveAsset: await usdc.getAddress() });
  await registry.connect(owner).registerSubject(USDX, config);
  await registry.connect(owner).registerSubject(EMPTY, { ...config, name: "Empty" });

  const wallets = offlineWallets(3, "por-list");
  for (const wallet of wallets) await addWallet(registry, owner, USDX, wallet);
  const list = await ethers.deployContract("PoRAddressList", [await registry.getAddress(), USDX]);
  const emptyList = await ethers.deployContract("PoRAddressList", [await registry.getAddress(), EMPTY]);
  // The order the registry lists them in, which the address list follows.
  const ordered = [...(await registry.reserveWallets(USDX))];
  return { registry, list, emptyList, wallets, ordered, owner, usdc };
}

describe("PoRAddressList", function () {
  describe("constructor", function () {
    it("records the registry and subject", async function () {
      const { registry, list } = await loadFixture(deployPoRAddressListFixture);
      expect(await list.registry()).to.equal(await registry.getAddress());
      expect(await list.subjectId()).to.equal(USDX);
    });

    it("reverts with UnknownSubject for an unregistered subject", async function () {
      const { registry } = await loadFixture(deployPoRAddressListFixture);
      const factory = await ethers.getContractFactory("PoRAddressList");
      await expect(factory.deploy(await registry.getAddress(), UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("getPoRAddressListLength", function () {
    it("is the number of reserve wallets", async function () {
      const { list, emptyList } = await loadFixture(deployPoRAddressListFixture);
      expect(await list.getPoRAddressListLength()).to.equal(3n);
      expect(await emptyList.getPoRAddressListLength()).to.equal(0n);
    });

    it("is 0 while the reserve asset is revoked, so tooling summing the list counts nothing", async function () {
      const { registry, list, usdc } = await loadFixture(deployPoRAddressListFixture);
      await expect(registry.revokeReserveAsset(await usdc.getAddress())).to.emit(
        registry,
        "ReserveAssetRevoked",
      );
      expect(await list.getPoRAddressListLength()).to.equal(0n);
      expect(await list.getPoRAddressList(0, 10)).to.deep.equal([]);
      await registry.approveReserveAsset(await usdc.getAddress());
      expect(await list.getPoRAddressListLength()).to.equal(3n);
    });

    it("follows wallets added and removed in the registry", async function () {
      const { registry, list, owner, wallets } = await loadFixture(deployPoRAddressListFixture);
      await registry.connect(owner).removeReserveWallet(USDX, wallets[0]!.address);
      expect(await list.getPoRAddressListLength()).to.equal(2n);
      await addWallet(registry, owner, USDX, offlineWallets(1, "late")[0]!);
      expect(await list.getPoRAddressListLength()).to.equal(3n);
    });
  });

  describe("getPoRAddressList", function () {
    it("returns every wallet for 0 through the last index, in the registry's order", async function () {
      const { list, ordered } = await loadFixture(deployPoRAddressListFixture);
      expect(await list.getPoRAddressList(0, 2)).to.deep.equal(ordered);
    });

    it("returns checksummed 0x strings equal to ethers.getAddress", async function () {
      const { list, wallets } = await loadFixture(deployPoRAddressListFixture);
      const listed = await list.getPoRAddressList(0, 2);
      for (const entry of listed) {
        expect(entry).to.equal(ethers.getAddress(entry.toLowerCase()));
        expect(entry).to.match(/^0x[0-9a-fA-F]{40}$/);
      }
      expect([...listed].sort()).to.deep.equal(wallets.map((w) => w.address).sort());
    });

    it("includes endIndex", async function () {
      const { list, ordered } = await loadFixture(deployPoRAddressListFixture);
      expect(await list.getPoRAddressList(1, 2)).to.deep.equal(ordered.slice(1, 3));
      expect(await list.getPoRAddressList(0, 0)).to.deep.equal(ordered.slice(0, 1));
      expect(await list.getPoRAddressList(1, 1)).to.deep.equal(ordered.slice(1, 2));
    });

    it("clamps endIndex to the last index", async function () {
      const { list, ordered } = await loadFixture(deployPoRAddressListFixture);
      expect(await list.getPoRAddressList(0, 3)).to.deep.equal(ordered);
      expect(await list.getPoRAddressList(2, 100)).to.deep.equal(ordered.slice(2));
      expect(await list.getPoRAddressList(1, ethers.MaxUint256)).to.deep.equal(ordered.slice(1));
    });

    it("returns an empty array for an empty list", async function () {
      const { emptyList } = await loadFixture(deployPoRAddressListFixture);
      expect(await emptyList.getPoRAddressList(0, 0)).to.deep.equal([]);
      expect(await emptyList.getPoRAddressList(0, ethers.MaxUint256)).to.deep.equal([]);
    });

    it("returns an empty array when startIndex is past the end", async function () {
      const { list } = await loadFixture(deployPoRAddressListFixture);
      expect(await list.getPoRAddressList(3, 5)).to.deep.equal([]);
      expect(await list.getPoRAddressList(ethers.MaxUint256, ethers.MaxUint256)).to.deep.equal([]);
    });

    it("returns an empty array when startIndex is after endIndex", async function () {
      const { list } = await loadFixture(deployPoRAddressListFixture);
      expect(await list.getPoRAddressList(2, 1)).to.deep.equal([]);
    });
  });
});
