/**
 * Aave's Proof-of-Reserve code (bgd-labs/aave-proof-of-reserve, vendored unmodified in
 * contracts/test/vendor/aave) reading por-registry's feeds: ProofOfReserveAggregator compares each
 * asset's raw totalSupply() with its feed's latestRoundData answer, in a loop without try/catch, and
 * Aave's copy of Chainlink's older AggregatorInterface reads the legacy getters.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseContract } from "ethers";
import {
  WAD,
  addWallet,
  approveReserveAssets,
  namedSigners,
  postAttestation,
  subjectConfig,
} from "../helpers/backing";
import { LIVE_FLAG, latestBlock } from "../helpers/consumers";
import type { MockERC20, ReserveBackedToken } from "../../typechain-types";

const AGGREGATOR_INTERFACE = "AggregatorInterface";
const DECIMALS = [6, 8, 18] as const;
const KINDS = ["ReserveBackedToken", "MockERC20"] as const;
type Kind = (typeof KINDS)[number];

/** Attested reserves, a 6-decimal MockERC20 token: no round is ever posted in the fixture. */
const UNATTESTED = ethers.id("UNATTESTED");
/** Attested reserves, a 6-decimal MockERC20 token, minted 10x over its reserves in the tests. */
const OVERMINTED = ethers.id("OVERMINTED");
/** Reserve wallets holding an 8-decimal asset, a 6-decimal MockERC20 token. */
const WALLETS = ethers.id("WALLETS");
/** Attested both sides, no token: for the ratio feed. */
const ATTESTED = ethers.id("ATTESTED");

async function deployAaveFixture() {
  const { admin, owner, auditor, aaveOwner, minter, holder, walletA, walletB, sink } = await namedSigners(
    "admin",
    "owner",
    "auditor",
    "aaveOwner",
    "minter",
    "holder",
    "walletA",
    "walletB",
    "sink",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");
  const registryAddress = await registry.getAddress();
  const aggregator = await ethers.deployContract("ProofOfReserveAggregator", [], aaveOwner);
  const asOwner = registry.connect(owner);

  /** Registers a subject with `token`, deploys its ReserveFeed and enables it in Aave's aggregator. */
  async function listAsset(
    subjectId: string,
    token: BaseContract,
    decimals: number,
    reserveAsset?: BaseContract,
  ) {
    await asOwner.registerSubject(
      subjectId,
      subjectConfig([auditor.address], {
        name: `asset ${subjectId.slice(0, 10)}`,
        decimals,
        token: await token.getAddress(),
        reserveAsset: reserveAsset === undefined ? ethers.ZeroAddress : await reserveAsset.getAddress(),
      }),
    );
    const feed = await ethers.deployContract("ReserveFeed", [registryAddress, subjectId]);
    await aggregator
      .connect(aaveOwner)
      .enableProofOfReserveFeed(await token.getAddress(), await feed.getAddress());
    return feed;
  }

  /** One attested subject per token kind and decimals, its token and its feed, listed in Aave. */
  const assets: { kind: Kind; decimals: number; subjectId: string; token: ReserveBackedToken | MockERC20 }[] =
    [];
  for (const kind of KINDS) {
    for (const decimals of DECIMALS) {
      const subjectId = ethers.id(`${kind} ${decimals}`);
      let token: ReserveBackedToken | MockERC20;
      if (kind === "ReserveBackedToken") {
        const backed = await ethers.deployContract("ReserveBackedToken", [
          `RBT ${decimals}`,
          `RBT${decimals}`,
          decimals,
          registryAddress,
          subjectId,
          admin.address,
          ethers.ZeroAddress, // no sequencer uptime feed: an L1 token
          0,
        ]);
        await backed.connect(admin).grantRole(await backed.MINTER_ROLE(), minter.address);
        token = backed;
      } else {
        token = await ethers.deployContract("MockERC20", [`Mock ${decimals}`, `M${decimals}`, decimals]);
      }
      await listAsset(subjectId, token, decimals);
      assets.push({ kind, decimals, subjectId, token });
    }
  }

  const unattestedToken = await ethers.deployContract("MockERC20", ["Unattested", "UNA", 6]);
  const unattestedFeed = await listAsset(UNATTESTED, unattestedToken, 6);
  const overmintedToken = await ethers.deployContract("MockERC20", ["Overminted", "OVR", 6]);
  await listAsset(OVERMINTED, overmintedToken, 6);

  const reserve8 = await ethers.deployContract("MockERC20", ["Reserve 8", "R8", 8]);
  await approveReserveAssets(registry, admin, reserve8);
  const walletsToken = await ethers.deployContract("MockERC20", ["Wallet-backed", "WBK", 6]);
  const walletsFeed = await listAsset(WALLETS, walletsToken, 6, reserve8);
  await addWallet(registry, owner, WALLETS, walletA);
  await addWallet(registry, owner, WALLETS, walletB);

  await asOwner.registerSubject(ATTESTED, subjectConfig([auditor.address], { name: "Attested" }));
  const ratioFeed = await ethers.deployContract("ReserveRatioFeed", [registryAddress, ATTESTED]);

  /** Posts a round of `subjectId` with `reserves` (and liabilities), snapshot at the latest block. */
  async function post(subjectId: string, reserves: bigint, liabilities = reserves) {
    const asOf = await time.latest();
    await postAttestation(registry, [auditor], { subjectId, asOf, reserves, liabilities });
    return BigInt(asOf);
  }

  /** Mints `amount` of `token` to the holder: through the minter for a ReserveBackedToken. */
  async function mint(token: ReserveBackedToken | MockERC20, amount: bigint) {
    if ("MINTER_ROLE" in token) await token.connect(minter).mint(holder.address, amount);
    else await token.mint(holder.address, amount);
  }

  /** Aave's verdict for `tokens`: (all backed, per-asset "unbacked" flags). */
  async function verdict(...tokens: BaseContract[]): Promise<[boolean, boolean[]]> {
    const [allBacked, unbacked] = await aggregator.areAllReservesBacked(
      await Promise.all(tokens.map((t) => t.getAddress())),
    );
    return [allBacked, [...unbacked]];
  }

  return {
    registry,
    aggregator,
    assets,
    unattestedToken,
    unattestedFeed,
    overmintedToken,
    reserve8,
    walletsToken,
    walletsFeed,
    ratioFeed,
    admin,
    owner,
    auditor,
    aaveOwner,
    minter,
    holder,
    walletA,
    walletB,
    sink,
    listAsset,
    post,
    mint,
    verdict,
  };
}

describe("Aave's Proof-of-Reserve reading por-registry feeds", function () {
  describe("ProofOfReserveAggregator.enableProofOfReserveFeed", function () {
    it("takes a ReserveFeed as an asset's Proof-of-Reserve feed", async function () {
      const { registry, aggregator, aaveOwner, owner, auditor } = await loadFixture(deployAaveFixture);
      const token = await ethers.deployContract("MockERC20", ["New", "NEW", 6]);
      const subjectId = ethers.id("NEW");
      await registry
        .connect(owner)
        .registerSubject(subjectId, subjectConfig([auditor.address], { token: await token.getAddress() }));
      const feed = await ethers.deployContract("ReserveFeed", [await registry.getAddress(), subjectId]);
      const [tokenAddress, feedAddress] = [await token.getAddress(), await feed.getAddress()];
      await expect(aggregator.connect(aaveOwner).enableProofOfReserveFeed(tokenAddress, feedAddress))
        .to.emit(aggregator, "ProofOfReserveFeedStateChanged")
        .withArgs(tokenAddress, feedAddress, ethers.ZeroAddress, true);
      expect(await aggregator.getProofOfReserveFeedForAsset(tokenAddress)).to.equal(feedAddress);
    });
  });

  describe("ProofOfReserveAggregator.areAllReservesBacked", function () {
    for (const kind of KINDS) {
      for (const decimals of DECIMALS) {
        it(`${kind}, ${decimals} decimals: backed at supply = reserves, unbacked one base unit over, restored by a new round`, async function () {
          const fixture = await loadFixture(deployAaveFixture);
          const asset = fixture.assets.find((a) => a.kind === kind && a.decimals === decimals)!;
          const { token, subjectId } = asset;
          const reserves = 1_000n * 10n ** BigInt(decimals);
          expect(await token.decimals()).to.equal(decimals);

          await fixture.post(subjectId, reserves);
          await fixture.mint(token, reserves);
          expect(await token.totalSupply()).to.equal(reserves);
          expect(await fixture.verdict(token)).to.deep.equal([true, [false]]);

          if (kind === "ReserveBackedToken") {
            // The token itself refuses to over-mint; a new round one base unit short unbacks it.
            const scale = 10n ** BigInt(18 - decimals);
            await expect(fixture.mint(token, 1n))
              .to.be.revertedWithCustomError(token, "InsufficientReserves")
              .withArgs((reserves + 1n) * scale, reserves * scale);
            await fixture.post(subjectId, reserves - 1n);
            expect(await fixture.verdict(token)).to.deep.equal([false, [true]]);
            await fixture.post(subjectId, reserves);
          } else {
            await fixture.mint(token, 1n);
            expect(await fixture.verdict(token)).to.deep.equal([false, [true]]);
            await fixture.post(subjectId, reserves + 1n);
          }
          expect(await fixture.verdict(token)).to.deep.equal([true, [false]]);
        });
      }
    }

    it("checks every listed asset in one call, whatever their decimals", async function () {
      const fixture = await loadFixture(deployAaveFixture);
      for (const { subjectId, token, decimals } of fixture.assets) {
        const reserves = 5n * 10n ** BigInt(decimals);
        await fixture.post(subjectId, reserves);
        await fixture.mint(token, reserves);
      }
      const tokens = fixture.assets.map((a) => a.token);
      expect(await fixture.verdict(...tokens)).to.deep.equal([true, tokens.map(() => false)]);
      // One base unit over on the 8-decimal MockERC20 only.
      const mock8 = fixture.assets.findIndex((a) => a.kind === "MockERC20" && a.decimals === 8);
      await fixture.mint(fixture.assets[mock8]!.token, 1n);
      expect(await fixture.verdict(...tokens)).to.deep.equal([false, tokens.map((_, i) => i === mock8)]);
    });

    it("does not revert on an unattested feed beside an over-minted asset, and flags both", async function () {
      const fixture = await loadFixture(deployAaveFixture);
      const { unattestedToken, unattestedFeed, overmintedToken } = fixture;
      const healthy = fixture.assets[0]!;
      await fixture.post(healthy.subjectId, 1_000_000n);
      await fixture.mint(healthy.token, 1_000_000n);
      await fixture.post(OVERMINTED, 100_000_000n);
      await fixture.mint(overmintedToken, 1_000_000_000n); // 10x its reserves
      await fixture.mint(unattestedToken, 5_000_000n);
      expect(await unattestedFeed.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      // The unattested asset answers 0 against a supply of 5: unbacked, and the loop goes on.
      expect(await fixture.verdict(unattestedToken, overmintedToken, healthy.token)).to.deep.equal([
        false,
        [true, true, false],
      ]);
    });

    it("does not flag an unattested asset with no supply, and still flags the over-minted one beside it", async function () {
      const fixture = await loadFixture(deployAaveFixture);
      await fixture.post(OVERMINTED, 100_000_000n);
      await fixture.mint(fixture.overmintedToken, 1_000_000_000n);
      expect(await fixture.verdict(fixture.unattestedToken, fixture.overmintedToken)).to.deep.equal([
        false,
        [false, true],
      ]);
    });

    it("flags a wallet-backed asset when its wallets are drained, and backs it again when they are refilled", async function () {
      const fixture = await loadFixture(deployAaveFixture);
      const { walletsToken, reserve8, walletA, walletB, sink } = fixture;
      await fixture.mint(walletsToken, 1_000_000_000n); // 1,000 in 6 decimals
      await reserve8.mint(walletA.address, 60_000_000_000n); // 600 in 8 decimals
      await reserve8.mint(walletB.address, 40_000_000_000n); // 400
      expect(await fixture.verdict(walletsToken)).to.deep.equal([true, [false]]);

      await reserve8.connect(walletA).transfer(sink.address, 60_000_000_000n);
      expect(await fixture.verdict(walletsToken)).to.deep.equal([false, [true]]);

      await reserve8.connect(sink).transfer(walletA.address, 60_000_000_000n);
      expect(await fixture.verdict(walletsToken)).to.deep.equal([true, [false]]);
    });

    it("flags a wallet-backed asset short of one 8-decimal unit: the reserves are rounded down to the token's 6", async function () {
      const fixture = await loadFixture(deployAaveFixture);
      const { walletsToken, walletsFeed, reserve8, walletA } = fixture;
      await fixture.mint(walletsToken, 1_000_000_000n);
      await reserve8.mint(walletA.address, 100_000_000_000n - 1n);
      expect((await walletsFeed.latestRoundData())[1]).to.equal(999_999_999n);
      expect(await fixture.verdict(walletsToken)).to.deep.equal([false, [true]]);
    });

    it("flags a wallet-backed asset whose reserve asset is revoked, and backs it again once re-approved", async function () {
      const fixture = await loadFixture(deployAaveFixture);
      const { registry, walletsToken, reserve8, admin, walletA } = fixture;
      await fixture.mint(walletsToken, 1_000_000_000n);
      await reserve8.mint(walletA.address, 200_000_000_000n);
      expect(await fixture.verdict(walletsToken)).to.deep.equal([true, [false]]);
      const asset = await reserve8.getAddress();
      await expect(registry.connect(admin).revokeReserveAsset(asset))
        .to.emit(registry, "ReserveAssetRevoked")
        .withArgs(asset);
      expect(await fixture.verdict(walletsToken)).to.deep.equal([false, [true]]);
      await registry.connect(admin).approveReserveAsset(asset);
      expect(await fixture.verdict(walletsToken)).to.deep.equal([true, [false]]);
    });
  });

  describe("AggregatorInterface (Aave's copy of Chainlink's older interface)", function () {
    it("reads a ReserveFeed's legacy getters: zeros before the first round, then the attested round", async function () {
      const fixture = await loadFixture(deployAaveFixture);
      const legacy = await ethers.getContractAt(
        AGGREGATOR_INTERFACE,
        await fixture.unattestedFeed.getAddress(),
      );
      expect(await legacy.latestAnswer()).to.equal(0n);
      expect(await legacy.latestTimestamp()).to.equal(0n);
      expect(await legacy.latestRound()).to.equal(0n);
      expect(await legacy.getAnswer(1)).to.equal(0n);
      expect(await legacy.getTimestamp(1)).to.equal(0n);

      const asOf = await fixture.post(UNATTESTED, 42_000_000n);
      expect(await legacy.latestAnswer()).to.equal(42_000_000n);
      expect(await legacy.latestTimestamp()).to.equal(asOf);
      expect(await legacy.latestRound()).to.equal(1n);
      expect(await legacy.getAnswer(1)).to.equal(42_000_000n);
      expect(await legacy.getTimestamp(1)).to.equal(asOf);
      expect(await legacy.getAnswer((1n << 80n) + 1n)).to.equal(0n);
      expect(await legacy.getTimestamp((1n << 80n) + 1n)).to.equal(0n);
      expect(await legacy.decimals()).to.equal(6n);
    });

    it("reads a wallet-backed ReserveFeed's legacy getters in the current block's live round", async function () {
      const fixture = await loadFixture(deployAaveFixture);
      const legacy = await ethers.getContractAt(AGGREGATOR_INTERFACE, await fixture.walletsFeed.getAddress());
      await fixture.reserve8.mint(fixture.walletA.address, 250_000_000n);
      const block = await latestBlock();
      expect(await legacy.latestAnswer()).to.equal(2_500_000n);
      expect(await legacy.latestTimestamp()).to.equal(block.timestamp);
      expect(await legacy.latestRound()).to.equal(block.liveId);
      expect(await legacy.getAnswer(block.liveId)).to.equal(2_500_000n);
      expect(await legacy.getTimestamp(block.liveId)).to.equal(block.timestamp);
      expect(await legacy.getAnswer(block.liveId - 1n)).to.equal(0n);
      expect(await legacy.getTimestamp(block.liveId - 1n)).to.equal(0n);
    });

    it("reads a ReserveRatioFeed's legacy getters", async function () {
      const fixture = await loadFixture(deployAaveFixture);
      const legacy = await ethers.getContractAt(AGGREGATOR_INTERFACE, await fixture.ratioFeed.getAddress());
      expect([
        await legacy.latestAnswer(),
        await legacy.latestTimestamp(),
        await legacy.latestRound(),
      ]).to.deep.equal([0n, 0n, 0n]);
      const first = await fixture.post(ATTESTED, 3_000_000n, 2_000_000n);
      await time.increase(60);
      const second = await fixture.post(ATTESTED, 1_000_000n, 4_000_000n);
      expect(await legacy.latestAnswer()).to.equal(WAD / 4n);
      expect(await legacy.latestTimestamp()).to.equal(second);
      expect(await legacy.latestRound()).to.equal(2n);
      expect(await legacy.getAnswer(1)).to.equal((3n * WAD) / 2n);
      expect(await legacy.getTimestamp(1)).to.equal(first);
      expect(await legacy.getAnswer(3)).to.equal(0n);
      expect(await legacy.getAnswer(LIVE_FLAG | 1n)).to.equal(0n);
      expect(await legacy.getAnswer((1n << 80n) + 2n)).to.equal(0n);
      expect(await legacy.decimals()).to.equal(18n);
    });
  });
});
