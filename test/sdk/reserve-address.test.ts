import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { attestationDomain, parseSubjectId, reserveAddressDigest, signReserveAddress } from "../../src";
import type { Hex32 } from "../../src";
import { RESERVE_ADDRESS_TYPES, registryDomainAt } from "../helpers/eip712";

const SUBJECT = parseSubjectId("SDKWALLET");

/** A registry with a subject backed by an approved 6-decimal reserve asset, and a second approved asset. */
async function walletSubjectFixture() {
  const [admin, issuer, auditor, wallet] = await ethers.getSigners();
  const registry = await ethers.deployContract("ReserveRegistry", [admin!.address]);
  await registry.accreditAuditor(auditor!.address, "Auditor");
  const reserve = await ethers.deployContract("MockERC20", ["Reserve", "RSV", 6]);
  const otherAsset = await ethers.deployContract("MockERC20", ["Other", "OTH", 6]);
  // Subjects may only name a reserve asset the admin approved.
  await registry.approveReserveAsset(await reserve.getAddress());
  await registry.approveReserveAsset(await otherAsset.getAddress());
  await registry.connect(issuer!).registerSubject(SUBJECT, {
    name: "SDK wallet",
    decimals: 6,
    token: ethers.ZeroAddress,
    reserveAsset: await reserve.getAddress(),
    heartbeat: 3600,
    quorum: 1,
    auditors: [auditor!.address],
  });
  const { chainId } = await ethers.provider.getNetwork();
  const address = await registry.getAddress();
  return {
    registry,
    issuer: issuer!,
    wallet: wallet!,
    reserve: await reserve.getAddress(),
    otherAsset: await otherAsset.getAddress(),
    chainId,
    address,
    domain: attestationDomain(chainId, address),
  };
}

describe("reserve-address signing (SDK)", function () {
  describe("reserveAddressDigest", function () {
    it("equals the registry's digest and the hand-written EIP-712 type, asset included", async function () {
      const { registry, wallet, reserve, chainId, address, domain } = await loadFixture(walletSubjectFixture);
      const digest = reserveAddressDigest(domain, SUBJECT, wallet.address, reserve);
      expect(digest).to.equal(await registry.reserveAddressDigest(SUBJECT, wallet.address, reserve));
      expect(digest).to.equal(
        ethers.TypedDataEncoder.hash(registryDomainAt(chainId, address), RESERVE_ADDRESS_TYPES, {
          subjectId: SUBJECT,
          wallet: wallet.address,
          reserveAsset: reserve,
        }),
      );
    });

    it("matches the registry for any subject, wallet and asset, and differs per asset", async function () {
      const { registry, domain } = await loadFixture(walletSubjectFixture);
      const address = fc
        .uint8Array({ minLength: 20, maxLength: 20 })
        .map((b) => ethers.getAddress(ethers.hexlify(b)));
      const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => ethers.hexlify(b));
      await fc.assert(
        fc.asyncProperty(bytes32, address, address, address, async (subjectId, wallet, asset, otherAsset) => {
          fc.pre(asset !== otherAsset);
          const id = subjectId as Hex32;
          const digest = reserveAddressDigest(domain, id, wallet, asset);
          expect(digest).to.equal(await registry.reserveAddressDigest(subjectId, wallet, asset));
          expect(digest).to.not.equal(reserveAddressDigest(domain, id, wallet, otherAsset));
        }),
        { numRuns: process.env.CI ? 100 : 20 },
      );
    });
  });

  describe("signReserveAddress", function () {
    it("produces a consent the registry accepts for the subject's approved asset", async function () {
      const { registry, issuer, wallet, reserve, domain } = await loadFixture(walletSubjectFixture);
      const signature = await signReserveAddress(wallet, domain, SUBJECT, reserve);
      await expect(registry.connect(issuer).addReserveWallet(SUBJECT, wallet.address, signature))
        .to.emit(registry, "ReserveWalletAdded")
        .withArgs(SUBJECT, wallet.address);
      expect(await registry.reserveWallets(SUBJECT)).to.deep.equal([wallet.address]);
    });

    it("produces a consent for another asset that the registry refuses", async function () {
      const { registry, issuer, wallet, otherAsset, domain } = await loadFixture(walletSubjectFixture);
      const signature = await signReserveAddress(wallet, domain, SUBJECT, otherAsset);
      await expect(registry.connect(issuer).addReserveWallet(SUBJECT, wallet.address, signature))
        .to.be.revertedWithCustomError(registry, "InvalidReserveWalletSignature")
        .withArgs(wallet.address);
      expect(await registry.reserveWallets(SUBJECT)).to.deep.equal([]);
    });
  });
});
