/**
 * Issue 8, point 1: an issuer whose subject owner is a contract batching its calls in one
 * transaction tries to swap what backs its token (the reserve asset, or the token itself), re-add
 * its wallets with their old consent signatures, mint 1,000,000 unbacked tokens and borrow against
 * them from a ReserveGuard-protected pool. Each batch must fail, and CallFailed(index, reason) shows
 * which step refused and why: since issue 18 the first removal already fails, because the wallet's
 * balance backs the token's supply (ReserveWalletBacksLiabilities). Then each defence is shown
 * holding on its own, with the wallet emptied by its custodian first so that the removal goes through.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { IReserveRegistry } from "../../typechain-types/contracts/ReserveRegistry";
import type { OwnerBatch } from "../../typechain-types";
import {
  WAD,
  approveReserveAssets,
  namedSigners,
  postAttestation,
  signReserveAddress,
  subjectConfig,
} from "../helpers/backing";
import { batchCall, batchFailure, deployBackedToken } from "../helpers/consumers";

/** Reserve wallet of the real asset R, a ReserveBackedToken: the reserve-asset swap. */
const USDX = ethers.id("USDX");
/** Reserve wallet of R, a ReserveBackedToken, no round ever: the token swap. */
const USDY = ethers.id("USDY");
/** Registered in the tests, nothing backs it yet. */
const FRESH = ethers.id("FRESH");

const UNIT = 10n ** 6n;
const ATTACK_AMOUNT = 1_000_000n * UNIT;
const SCALE_6_TO_18 = 10n ** 12n;

async function deployAttackFixture() {
  const { admin, auditor, attacker, wallet, wallet2, wallet3 } = await namedSigners(
    "admin",
    "auditor",
    "attacker",
    "wallet",
    "wallet2",
    "wallet3",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");
  const realAsset = await ethers.deployContract("MockERC20", ["Real USD", "RUSD", 6]);
  const otherAsset = await ethers.deployContract("MockERC20", ["Other USD", "OUSD", 6]);
  await approveReserveAssets(registry, admin, realAsset, otherAsset);
  // A token the attacker mints at will; never approved by the registry's admin.
  const fake = await ethers.deployContract("MockERC20", ["Fake USD", "FUSD", 6]);

  // The subject owner: a contract the attacker drives, holding MINTER_ROLE on the tokens.
  const batch = (await ethers.deployContract("OwnerBatch")).connect(attacker);
  const batchAddress = await batch.getAddress();
  const execute = async (...calls: Promise<OwnerBatch.CallStruct>[]) =>
    (await batch.execute(await Promise.all(calls))).wait();

  const usdx = await deployBackedToken(registry, USDX, "USDX", attacker, batch);
  const usdxConfig = subjectConfig([auditor.address], {
    name: "USDX",
    token: await usdx.getAddress(),
    reserveAsset: await realAsset.getAddress(),
  });
  await execute(batchCall(registry, "registerSubject", [USDX, usdxConfig]));
  const usdxConsent = await signReserveAddress(wallet, registry, USDX);
  await execute(batchCall(registry, "addReserveWallet", [USDX, wallet.address, usdxConsent]));
  await realAsset.mint(wallet.address, 1_000n * UNIT);
  await execute(batchCall(usdx, "mint", [batchAddress, 1_000n * UNIT]));
  const pool = await ethers.deployContract("GuardedLendingPool", [
    await usdx.getAddress(),
    await registry.getAddress(),
    USDX,
    WAD,
    3600,
  ]);

  const usdy = await deployBackedToken(registry, USDY, "USDY", attacker, batch);
  const usdyConfig = subjectConfig([auditor.address], {
    name: "USDY",
    token: await usdy.getAddress(),
    reserveAsset: await realAsset.getAddress(),
  });
  await execute(batchCall(registry, "registerSubject", [USDY, usdyConfig]));
  const usdyConsent = await signReserveAddress(wallet2, registry, USDY);
  await execute(batchCall(registry, "addReserveWallet", [USDY, wallet2.address, usdyConsent]));
  await realAsset.mint(wallet2.address, ATTACK_AMOUNT);
  await execute(batchCall(usdy, "mint", [batchAddress, ATTACK_AMOUNT]));
  // The attacker's second token, pointed at USDY's reserves, already backing USDY in full.
  const usdz = await deployBackedToken(registry, USDY, "USDZ", attacker, batch);
  const usdzPool = await ethers.deployContract("GuardedLendingPool", [
    await usdz.getAddress(),
    await registry.getAddress(),
    USDY,
    WAD,
    3600,
  ]);

  return {
    registry,
    realAsset,
    otherAsset,
    fake,
    batch,
    batchAddress,
    execute,
    usdx,
    usdxConfig,
    usdxConsent,
    pool,
    usdy,
    usdyConfig,
    usdyConsent,
    usdz,
    usdzPool,
    admin,
    auditor,
    wallet,
    wallet2,
    wallet3,
  };
}

type Fixture = Awaited<ReturnType<typeof deployAttackFixture>>;

/** The custodian moves `wallet`'s whole balance of the reserve asset away (the issuer cannot). */
async function emptyWallet(f: Fixture, wallet: HardhatEthersSigner): Promise<void> {
  const balance = await f.realAsset.balanceOf(wallet.address);
  await (await f.realAsset.connect(wallet).transfer(f.admin.address, balance)).wait();
}

/** ReserveWalletBacksLiabilities(subject, wallet, 0, outstanding) as CallFailed's reason. */
function backsLiabilities(f: Fixture, subjectId: string, wallet: string, outstanding: bigint): string {
  return f.registry.interface.encodeErrorResult("ReserveWalletBacksLiabilities", [
    subjectId,
    wallet,
    0n,
    outstanding,
  ]);
}

/** The reserve-asset swap of issue 8 as one batch; step 1 is the updateSubject. */
async function assetSwapBatch(f: Fixture, asset: string): Promise<OwnerBatch.CallStruct[]> {
  const swapped: IReserveRegistry.SubjectConfigStruct = { ...f.usdxConfig, reserveAsset: asset };
  return Promise.all([
    batchCall(f.registry, "removeReserveWallet", [USDX, f.wallet.address]),
    batchCall(f.registry, "updateSubject", [USDX, swapped]),
    batchCall(f.registry, "addReserveWallet", [USDX, f.wallet.address, f.usdxConsent]),
    batchCall(f.fake, "mint", [f.wallet.address, 10n * ATTACK_AMOUNT]),
    batchCall(f.usdx, "mint", [f.batchAddress, ATTACK_AMOUNT]),
    batchCall(f.usdx, "approve", [await f.pool.getAddress(), ATTACK_AMOUNT]),
    batchCall(f.pool, "deposit", [ATTACK_AMOUNT]),
    batchCall(f.pool, "borrow", [ATTACK_AMOUNT]),
  ]);
}

describe("An issuer's one-transaction attacks through OwnerBatch", function () {
  describe("control", function () {
    it("the batch owns the subjects and can mint within reserves, deposit and borrow in one transaction", async function () {
      const f = await loadFixture(deployAttackFixture);
      expect((await f.registry.subject(USDX))[1]).to.equal(f.batchAddress);
      const amount = 500n * UNIT;
      const calls = await Promise.all([
        batchCall(f.usdx, "approve", [await f.pool.getAddress(), amount]),
        batchCall(f.pool, "deposit", [amount]),
        batchCall(f.pool, "borrow", [amount]),
      ]);
      await expect(f.batch.execute(calls)).to.emit(f.pool, "Borrowed").withArgs(f.batchAddress, amount);
      expect(await f.pool.debtOf(f.batchAddress)).to.equal(amount);
    });
  });

  describe("reserve-asset swap: remove wallets, name a fake asset, re-add with the old consent, mint, borrow", function () {
    it("fails at the removal: the wallet's balance backs the supply (ReserveWalletBacksLiabilities)", async function () {
      const f = await loadFixture(deployAttackFixture);
      const [realAddress, fakeAddress] = [await f.realAsset.getAddress(), await f.fake.getAddress()];
      const calls = await assetSwapBatch(f, fakeAddress);

      const { index, error } = await batchFailure(f.batch, calls, f.registry.interface);
      expect(index).to.equal(0n);
      expect(error.name).to.equal("ReserveWalletBacksLiabilities");
      await expect(f.batch.execute(calls))
        .to.be.revertedWithCustomError(f.batch, "CallFailed")
        .withArgs(0, backsLiabilities(f, USDX, f.wallet.address, 1_000n * UNIT));

      // Nothing of the batch happened.
      expect((await f.registry.subject(USDX))[0].reserveAsset).to.equal(realAddress);
      expect(await f.registry.reserveWallets(USDX)).to.deep.equal([f.wallet.address]);
      expect(await f.usdx.totalSupply()).to.equal(1_000n * UNIT);
      expect(await f.pool.debtOf(f.batchAddress)).to.equal(0n);
    });
  });

  describe("token swap on a subject with wallets but no rounds", function () {
    it("fails at the removal, and with the wallet emptied first at the updateSubject step (TokenFrozen)", async function () {
      const f = await loadFixture(deployAttackFixture);
      expect(await f.registry.latestRoundId(USDY)).to.equal(0n);
      const [usdyAddress, usdzAddress] = [await f.usdy.getAddress(), await f.usdz.getAddress()];
      const calls = await Promise.all([
        batchCall(f.registry, "removeReserveWallet", [USDY, f.wallet2.address]),
        batchCall(f.registry, "updateSubject", [USDY, { ...f.usdyConfig, token: usdzAddress }]),
        batchCall(f.registry, "addReserveWallet", [USDY, f.wallet2.address, f.usdyConsent]),
        // USDZ would mint against the reserves that already back USDY in full.
        batchCall(f.usdz, "mint", [f.batchAddress, ATTACK_AMOUNT]),
        batchCall(f.usdz, "approve", [await f.usdzPool.getAddress(), ATTACK_AMOUNT]),
        batchCall(f.usdzPool, "deposit", [ATTACK_AMOUNT]),
        batchCall(f.usdzPool, "borrow", [ATTACK_AMOUNT]),
      ]);

      const atRemoval = await batchFailure(f.batch, calls, f.registry.interface);
      expect(atRemoval.index).to.equal(0n);
      expect(atRemoval.reason).to.equal(backsLiabilities(f, USDY, f.wallet2.address, ATTACK_AMOUNT));

      await emptyWallet(f, f.wallet2);
      const { index, error } = await batchFailure(f.batch, calls, f.registry.interface);
      expect(index).to.equal(1n);
      expect(error.name).to.equal("TokenFrozen");
      expect([...error.args]).to.deep.equal([USDY, usdyAddress, usdzAddress]);
      await expect(f.batch.execute(calls))
        .to.be.revertedWithCustomError(f.batch, "CallFailed")
        .withArgs(1, f.registry.interface.encodeErrorResult("TokenFrozen", [USDY, usdyAddress, usdzAddress]));
      expect(await f.registry.subjectToken(USDY)).to.equal(usdyAddress);
      expect(await f.usdz.totalSupply()).to.equal(0n);
    });
  });

  describe("each defence alone", function () {
    it("freeze: the swap fails with ReserveAssetFrozen even if the admin had approved the attacker's token", async function () {
      const f = await loadFixture(deployAttackFixture);
      await approveReserveAssets(f.registry, f.admin, f.fake);
      await emptyWallet(f, f.wallet); // so that the removal goes through
      const [realAddress, fakeAddress] = [await f.realAsset.getAddress(), await f.fake.getAddress()];
      const { index, error } = await batchFailure(
        f.batch,
        await assetSwapBatch(f, fakeAddress),
        f.registry.interface,
      );
      expect(index).to.equal(1n);
      expect(error.name).to.equal("ReserveAssetFrozen");
      expect([...error.args]).to.deep.equal([USDX, realAddress, fakeAddress]);
    });

    it("approval: a subject nothing backs yet cannot name an unapproved asset, at registration or by an update", async function () {
      const f = await loadFixture(deployAttackFixture);
      const fakeAddress = await f.fake.getAddress();
      const config = subjectConfig([f.auditor.address], {
        name: "Fresh",
        reserveAsset: await f.realAsset.getAddress(),
      });
      const notApproved = f.registry.interface.encodeErrorResult("ReserveAssetNotApproved", [fakeAddress]);

      const register = [
        await batchCall(f.registry, "registerSubject", [FRESH, { ...config, reserveAsset: fakeAddress }]),
      ];
      await expect(f.batch.execute(register))
        .to.be.revertedWithCustomError(f.batch, "CallFailed")
        .withArgs(0, notApproved);

      await f.execute(batchCall(f.registry, "registerSubject", [FRESH, config]));
      const update = [
        await batchCall(f.registry, "updateSubject", [FRESH, { ...config, reserveAsset: fakeAddress }]),
      ];
      const { index, error } = await batchFailure(f.batch, update, f.registry.interface);
      expect(index).to.equal(0n);
      expect(error.name).to.equal("ReserveAssetNotApproved");
      expect([...error.args]).to.deep.equal([fakeAddress]);
    });

    it("asset-bound consent: a wallet's signature for R is refused once the subject names another approved asset", async function () {
      const f = await loadFixture(deployAttackFixture);
      const [realAddress, otherAddress] = [await f.realAsset.getAddress(), await f.otherAsset.getAddress()];
      const config = subjectConfig([f.auditor.address], { name: "Fresh", reserveAsset: realAddress });
      await f.execute(batchCall(f.registry, "registerSubject", [FRESH, config]));
      // Nothing backs FRESH yet, so switching it to the other approved asset is allowed.
      const consentForReal = await signReserveAddress(
        f.wallet3,
        f.registry,
        FRESH,
        undefined,
        {},
        realAddress,
      );
      const swapThenAdd = (consent: string) =>
        Promise.all([
          batchCall(f.registry, "updateSubject", [FRESH, { ...config, reserveAsset: otherAddress }]),
          batchCall(f.registry, "addReserveWallet", [FRESH, f.wallet3.address, consent]),
        ]);

      const { index, error } = await batchFailure(
        f.batch,
        await swapThenAdd(consentForReal),
        f.registry.interface,
      );
      expect(index).to.equal(1n);
      expect(error.name).to.equal("InvalidReserveWalletSignature");
      expect([...error.args]).to.deep.equal([f.wallet3.address]);

      // The same batch with consent for the asset the subject now names goes through.
      const consentForOther = await signReserveAddress(
        f.wallet3,
        f.registry,
        FRESH,
        undefined,
        {},
        otherAddress,
      );
      await expect(f.batch.execute(await swapThenAdd(consentForOther)))
        .to.emit(f.registry, "ReserveWalletAdded")
        .withArgs(FRESH, f.wallet3.address);
    });

    it("sticky live reserves: removing every wallet beside a fresh, high attested round leaves reserves at 0, so the mint fails", async function () {
      const f = await loadFixture(deployAttackFixture);
      await emptyWallet(f, f.wallet); // so that the removal goes through
      await postAttestation(f.registry, [f.auditor], {
        subjectId: USDX,
        asOf: await time.latest(),
        reserves: 100n * ATTACK_AMOUNT,
        liabilities: 1_000n * UNIT,
      });
      expect(await f.registry.isFresh(USDX)).to.equal(true);
      const calls = await Promise.all([
        batchCall(f.registry, "removeReserveWallet", [USDX, f.wallet.address]),
        batchCall(f.usdx, "mint", [f.batchAddress, ATTACK_AMOUNT]),
      ]);
      const supplyAfterWad = (1_000n * UNIT + ATTACK_AMOUNT) * SCALE_6_TO_18;

      const { index, error } = await batchFailure(f.batch, calls, f.registry.interface, f.usdx.interface);
      expect(index).to.equal(1n);
      expect(error.name).to.equal("InsufficientReserves");
      expect([...error.args]).to.deep.equal([supplyAfterWad, 0n]);
      await expect(f.batch.execute(calls))
        .to.be.revertedWithCustomError(f.batch, "CallFailed")
        .withArgs(1, f.usdx.interface.encodeErrorResult("InsufficientReserves", [supplyAfterWad, 0n]));
    });
  });

  describe("the wallet list (a fixed array and a count since issue 13)", function () {
    it("a wallet removed and re-added twice in one transaction is listed once and counted once", async function () {
      const f = await loadFixture(deployAttackFixture);
      await f.realAsset.mint(f.wallet.address, 5n * UNIT);
      const wallet3Consent = await signReserveAddress(f.wallet3, f.registry, USDX);
      // wallet3 alone covers the supply, so the removals of `wallet` take nothing needed.
      await f.realAsset.mint(f.wallet3.address, 1_007n * UNIT);
      const readdTwice = await Promise.all([
        batchCall(f.registry, "addReserveWallet", [USDX, f.wallet3.address, wallet3Consent]),
        batchCall(f.registry, "removeReserveWallet", [USDX, f.wallet.address]),
        batchCall(f.registry, "addReserveWallet", [USDX, f.wallet.address, f.usdxConsent]),
        batchCall(f.registry, "removeReserveWallet", [USDX, f.wallet.address]),
        batchCall(f.registry, "addReserveWallet", [USDX, f.wallet.address, f.usdxConsent]),
      ]);
      const before = await f.registry.liveReserves(USDX);
      await (await f.batch.execute(readdTwice)).wait();
      expect(await f.registry.reserveWallets(USDX)).to.deep.equal([f.wallet3.address, f.wallet.address]);
      expect(await f.registry.liveReserves(USDX)).to.equal(before + 1_007n * UNIT);
      // A second add of a listed wallet in the same batch is refused, the whole batch undone.
      const addTwice = await Promise.all([
        batchCall(f.registry, "removeReserveWallet", [USDX, f.wallet.address]),
        batchCall(f.registry, "addReserveWallet", [USDX, f.wallet.address, f.usdxConsent]),
        batchCall(f.registry, "addReserveWallet", [USDX, f.wallet.address, f.usdxConsent]),
      ]);
      const { index, error } = await batchFailure(f.batch, addTwice, f.registry.interface);
      expect(index).to.equal(2n);
      expect(error.name).to.equal("ReserveWalletAlreadyAdded");
      expect(await f.registry.reserveWallets(USDX)).to.deep.equal([f.wallet3.address, f.wallet.address]);
    });
  });
});
