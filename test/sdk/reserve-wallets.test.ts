import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  addReserveWallet,
  attestationDomain,
  ChainError,
  checkReserveWalletAddition,
  checkReserveWalletRemoval,
  InvalidArgumentError,
  listReserveWallets,
  parseSubjectId,
  readConsentSubject,
  removeReserveWallet,
  signReserveAddress,
  signWalletConsent,
  VerificationError,
} from "../../src";
import type { Address, Hex32, WalletConsent } from "../../src";
import type { ReserveRegistry } from "../../typechain-types";

const USDX = parseSubjectId("USDX");
const USDY = parseSubjectId("USDY");
const BARE = parseSubjectId("BARE");

/**
 * A registry with an approved 8-decimal reserve asset named by two subjects of different owners
 * (6 decimals each) and a subject without a reserve asset; a funded EOA wallet separate from the owners.
 */
async function walletsFixture() {
  const [admin, owner, otherOwner, auditor] = await ethers.getSigners();
  const registry = await ethers.deployContract("ReserveRegistry", [admin!.address]);
  await registry.accreditAuditor(auditor!.address, "Auditor");
  const usdo = await ethers.deployContract("MockERC20", ["USD Onchain", "USDO", 8]);
  const other = await ethers.deployContract("MockERC20", ["Other", "OTH", 6]);
  const asset = (await usdo.getAddress()) as Address;
  await registry.approveReserveAsset(asset);
  await registry.approveReserveAsset(await other.getAddress());
  const register = async (signer: HardhatEthersSigner, id: Hex32, reserveAsset: string) =>
    registry.connect(signer).registerSubject(id, {
      name: `${id.slice(0, 10)} reserves`,
      decimals: 6,
      token: ethers.ZeroAddress,
      reserveAsset,
      heartbeat: 3600,
      quorum: 1,
      auditors: [auditor!.address],
    });
  await register(owner!, USDX, asset);
  await register(otherOwner!, USDY, asset);
  await register(owner!, BARE, ethers.ZeroAddress);
  const wallet = Wallet.createRandom();
  await usdo.mint(wallet.address, 123_456_789n); // 1.23456789 USDO
  const { chainId } = await ethers.provider.getNetwork();
  const address = await registry.getAddress();
  const consentFor = (subjectId: Hex32, signer = wallet, reserveAsset: string = asset) =>
    signWalletConsent(signer, { chainId, registry: address, subjectId, reserveAsset });
  return {
    registry,
    admin: admin!,
    owner: owner!,
    otherOwner: otherOwner!,
    usdo,
    asset,
    otherAsset: await other.getAddress(),
    wallet,
    chainId,
    address,
    consentFor,
    asOwner: registry.connect(owner!),
  };
}

async function refusal(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  pattern: RegExp,
): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect(err, (err as Error).stack).to.be.instanceOf(type);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail("accepted");
}

const check = (registry: ReserveRegistry, sender: string, consent: WalletConsent, subjectId = USDX) =>
  checkReserveWalletAddition(registry, sender, consent, { subjectId, source: "c.json" });

describe("reserve wallets (SDK)", function () {
  describe("readConsentSubject", function () {
    it("shows the subject, its owner and its reserve asset with symbol and decimals", async function () {
      const { registry, owner, asset, chainId, address } = await loadFixture(walletsFixture);
      expect(await readConsentSubject(registry, USDX)).to.deep.equal({
        subjectId: USDX,
        name: `${USDX.slice(0, 10)} reserves`,
        decimals: 6,
        owner: owner.address,
        pendingOwner: null,
        reserveAsset: asset,
        asset: { symbol: "USDO", decimals: 8 },
        approved: true,
        chainId,
        registry: address,
      });
    });

    it("refuses an unregistered subject, saying why signing for it is unsafe", async function () {
      const { registry } = await loadFixture(walletsFixture);
      await refusal(
        readConsentSubject(registry, parseSubjectId("NOPE")),
        InvalidArgumentError,
        /^subject NOPE is not registered on registry 0x[0-9a-fA-F]{40}: a consent given for an unregistered id can be taken by whoever registers it first \(docs\/protocol\.md, "Known limits"\)/,
      );
    });

    it("refuses a subject without an on-chain reserve asset", async function () {
      const { registry } = await loadFixture(walletsFixture);
      await refusal(
        readConsentSubject(registry, BARE),
        ChainError,
        /^subject BARE has no on-chain reserve asset/,
      );
    });
  });

  describe("checkReserveWalletAddition and addReserveWallet", function () {
    it("adds a consenting wallet; the listing shows its balance and the live total in the subject's decimals", async function () {
      const { asOwner, owner, wallet, asset, consentFor } = await loadFixture(walletsFixture);
      const consent = await consentFor(USDX);
      await check(asOwner, owner.address, consent);
      await addReserveWallet(asOwner, consent);
      const listing = await listReserveWallets(asOwner, USDX);
      expect(listing).to.deep.include({
        reserveAsset: asset,
        asset: { symbol: "USDO", decimals: 8 },
        approved: true,
        decimals: 6,
        wallets: [{ wallet: wallet.address, balance: 123_456_789n }],
        liveReserves: 1_234_567n, // 1.23456789 rounded down to 6 decimals
      });
    });

    it("refuses a sender that is not the subject owner", async function () {
      const { registry, otherOwner, owner, consentFor } = await loadFixture(walletsFixture);
      await refusal(
        check(registry.connect(otherOwner), otherOwner.address, await consentFor(USDX)),
        ChainError,
        new RegExp(
          `^only the owner of subject USDX \\(${owner.address}\\) can add reserve wallets: the key in use is ${otherOwner.address}$`,
        ),
      );
    });

    it("refuses a consent for another chain, registry, subject or reserve asset", async function () {
      const { asOwner, owner, wallet, address, asset, otherAsset } = await loadFixture(walletsFixture);
      const sign = (chainId: bigint, registry: string, subjectId: Hex32, reserveAsset: string) =>
        signWalletConsent(wallet, { chainId, registry, subjectId, reserveAsset });
      await refusal(
        check(asOwner, owner.address, await sign(1n, address, USDX, asset)),
        VerificationError,
        /^c\.json is for chain 1, not 31337$/,
      );
      const elsewhere = Wallet.createRandom().address;
      await refusal(
        check(asOwner, owner.address, await sign(31337n, elsewhere, USDX, asset)),
        VerificationError,
        new RegExp(`^c\\.json is for registry ${elsewhere}, not ${address}$`),
      );
      await refusal(
        check(asOwner, owner.address, await sign(31337n, address, USDY, asset)),
        VerificationError,
        /^c\.json is for subject USDY, not USDX$/,
      );
      await refusal(
        check(asOwner, owner.address, await sign(31337n, address, USDX, otherAsset)),
        VerificationError,
        new RegExp(`^c\\.json names reserve asset ${otherAsset}, but the subject's is ${asset}`),
      );
    });

    it("refuses an EOA consent whose signature is not the wallet's, before sending", async function () {
      const { asOwner, owner, wallet, consentFor } = await loadFixture(walletsFixture);
      const forged = {
        ...(await consentFor(USDX, Wallet.createRandom())),
        wallet: wallet.address as Address,
      };
      await refusal(check(asOwner, owner.address, forged), VerificationError, /not by the wallet/);
    });

    it("refuses while the reserve asset is revoked", async function () {
      const { registry, asOwner, owner, asset, consentFor } = await loadFixture(walletsFixture);
      await registry.revokeReserveAsset(asset);
      await refusal(
        check(asOwner, owner.address, await consentFor(USDX)),
        ChainError,
        new RegExp(`^the subject's reserve asset ${asset} is not approved by the registry admin`),
      );
    });

    it("refuses a wallet already added, and one backing another subject with the same asset", async function () {
      const { registry, asOwner, owner, otherOwner, consentFor } = await loadFixture(walletsFixture);
      const consent = await consentFor(USDX);
      await addReserveWallet(asOwner, consent);
      await refusal(
        check(asOwner, owner.address, consent),
        ChainError,
        /^wallet 0x[0-9a-fA-F]{40} already backs subject USDX$/,
      );
      await refusal(
        check(registry.connect(otherOwner), otherOwner.address, await consentFor(USDY), USDY),
        ChainError,
        /^adding the wallet refused: 0x[0-9a-fA-F]{40} already backs .*USDX.* with the same reserve asset/,
      );
    });

    it("refuses a wallet beyond MAX_RESERVE_WALLETS", async function () {
      const { registry, asOwner, owner, consentFor } = await loadFixture(walletsFixture);
      const max = Number(await registry.MAX_RESERVE_WALLETS());
      for (let i = 0; i < max; i++)
        await addReserveWallet(asOwner, await consentFor(USDX, Wallet.createRandom()));
      await refusal(
        check(asOwner, owner.address, await consentFor(USDX)),
        ChainError,
        new RegExp(`^subject USDX already has ${max} reserve wallets, the most the registry allows`),
      );
    });

    it("leaves a contract wallet's signature to the registry (ERC-1271), refusing one it rejects", async function () {
      const { asOwner, owner, address, chainId, asset } = await loadFixture(walletsFixture);
      const holder = Wallet.createRandom();
      const contract = await ethers.deployContract("ERC1271Wallet", [holder.address]);
      const contractWallet = (await contract.getAddress()) as Address;
      const domain = attestationDomain(chainId, address);
      const consentSignedBy = async (key: Pick<Wallet, "signTypedData">): Promise<WalletConsent> => ({
        chainId,
        registry: address as Address,
        subjectId: USDX,
        wallet: contractWallet,
        reserveAsset: asset,
        signature: await signReserveAddress(
          { getAddress: async () => contractWallet, signTypedData: (d, t, v) => key.signTypedData(d, t, v) },
          domain,
          USDX,
          asset,
        ),
      });
      await refusal(
        check(asOwner, owner.address, await consentSignedBy(Wallet.createRandom())),
        ChainError,
        new RegExp(
          `^adding the wallet refused: the consent signature of wallet ${contractWallet} does not verify`,
        ),
      );
      const accepted = await consentSignedBy(holder);
      await check(asOwner, owner.address, accepted);
      await addReserveWallet(asOwner, accepted);
      expect(await asOwner.reserveWallets(USDX)).to.deep.equal([contractWallet]);
    });
  });

  describe("removal and listing", function () {
    it("refuses a non-owner and a wallet that does not back the subject, then removes; reserves stay live at 0", async function () {
      const { registry, asOwner, owner, otherOwner, wallet, consentFor } = await loadFixture(walletsFixture);
      await addReserveWallet(asOwner, await consentFor(USDX));
      await refusal(
        checkReserveWalletRemoval(
          registry.connect(otherOwner),
          otherOwner.address,
          USDX,
          wallet.address as Address,
        ),
        ChainError,
        /^only the owner of subject USDX .* can remove reserve wallets/,
      );
      const stranger = Wallet.createRandom().address as Address;
      await refusal(
        checkReserveWalletRemoval(asOwner, owner.address, USDX, stranger),
        ChainError,
        new RegExp(`^wallet ${stranger} does not back subject USDX`),
      );
      await checkReserveWalletRemoval(asOwner, owner.address, USDX, wallet.address as Address);
      await removeReserveWallet(asOwner, USDX, wallet.address as Address);
      const listing = await listReserveWallets(asOwner, USDX);
      expect(listing.wallets).to.deep.equal([]);
      expect(listing.liveReserves).to.equal(0n);
      const [reserves] = await registry.collateralization(USDX);
      expect(reserves).to.equal(0n); // live for good: not back to an attested figure
    });

    it("lists a revoked asset's wallets with approved false and live reserves 0, and a bare subject with nulls", async function () {
      const { registry, asOwner, asset, consentFor } = await loadFixture(walletsFixture);
      await addReserveWallet(asOwner, await consentFor(USDX));
      await registry.revokeReserveAsset(asset);
      const revoked = await listReserveWallets(registry, USDX);
      expect(revoked.approved).to.equal(false);
      expect(revoked.wallets.map((w) => w.balance)).to.deep.equal([123_456_789n]);
      expect(revoked.liveReserves).to.equal(0n);
      expect(await listReserveWallets(registry, BARE)).to.deep.include({
        reserveAsset: null,
        asset: null,
        approved: null,
        wallets: [],
        liveReserves: null,
      });
    });
  });
});
