import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  HEARTBEAT_SECONDS,
  WAD,
  addWallet,
  approveReserveAssets,
  namedSigners,
  offlineWallets,
  postAttestation,
  rescaleRef,
  subjectConfig,
} from "./helpers/backing";

/** Attested reserves and liabilities only (6 decimals). */
const ATTESTED = ethers.id("ATTESTED");
/** Attested reserves (6 decimals), supply read live from a 6-decimal token. */
const TOKEN_ONLY = ethers.id("TOKEN_ONLY");
/** Live both sides: 8-decimal reserve asset, 6-decimal subject, 6-decimal token. */
const LIVE_BOTH = ethers.id("LIVE_BOTH");
/** Live reserves from an 18-decimal asset, 6-decimal subject, attested liabilities. */
const LIVE_RESERVES = ethers.id("LIVE_RESERVES");
const UNKNOWN = ethers.id("UNKNOWN");

const PROPERTY_RUNS = process.env.CI ? 100 : 25;
/** FeedRounds.LIVE_FLAG: a live round id is LIVE_FLAG | block.number. */
const LIVE_FLAG = 1n << 64n;

/** The latest block's live round id and timestamp, which views called now read. */
async function liveRound(): Promise<[bigint, bigint]> {
  const block = (await ethers.provider.getBlock("latest"))!;
  return [LIVE_FLAG | BigInt(block.number), BigInt(block.timestamp)];
}

/**
 * Registers `subjectId` backed by wallets holding a SettableERC20 reserve asset (`assetDecimals`),
 * optionally naming a SettableERC20 token with the subject's decimals, so tests can set balances and
 * supplies no real token reaches.
 */
async function settableSubject(
  fixture: Awaited<ReturnType<typeof deployCollateralizationFixture>>,
  subjectId: string,
  options: { decimals: number; assetDecimals: number; withToken: boolean },
) {
  const { registry, admin, owner, auditor, walletA, walletB } = fixture;
  const asset = await ethers.deployContract("SettableERC20", [options.assetDecimals]);
  const token = await ethers.deployContract("SettableERC20", [options.decimals]);
  await approveReserveAssets(registry, admin, asset);
  await registry.connect(owner).registerSubject(
    subjectId,
    subjectConfig([auditor.address], {
      name: subjectId,
      decimals: options.decimals,
      token: options.withToken ? await token.getAddress() : ethers.ZeroAddress,
      reserveAsset: await asset.getAddress(),
    }),
  );
  await addWallet(registry, owner, subjectId, walletA);
  await addWallet(registry, owner, subjectId, walletB);
  return { asset, token };
}

async function deployCollateralizationFixture() {
  const { admin, owner, auditor, walletA, walletB, walletC, stranger } = await namedSigners(
    "admin",
    "owner",
    "auditor",
    "walletA",
    "walletB",
    "walletC",
    "stranger",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");

  const reserve8 = await ethers.deployContract("MockERC20", ["Reserve 8", "R8", 8]);
  const reserve18 = await ethers.deployContract("MockERC20", ["Reserve 18", "R18", 18]);
  const token6 = await ethers.deployContract("MockERC20", ["USDX", "USDX", 6]);
  const liveToken6 = await ethers.deployContract("MockERC20", ["USDL", "USDL", 6]);
  await approveReserveAssets(registry, admin, reserve8, reserve18);

  const auditors = [auditor.address];
  const asOwner = registry.connect(owner);
  await asOwner.registerSubject(ATTESTED, subjectConfig(auditors, { name: "Attested" }));
  await asOwner.registerSubject(
    TOKEN_ONLY,
    subjectConfig(auditors, { name: "Token only", token: await token6.getAddress() }),
  );
  await asOwner.registerSubject(
    LIVE_BOTH,
    subjectConfig(auditors, {
      name: "Live both",
      token: await liveToken6.getAddress(),
      reserveAsset: await reserve8.getAddress(),
    }),
  );
  await asOwner.registerSubject(
    LIVE_RESERVES,
    subjectConfig(auditors, { name: "Live reserves", reserveAsset: await reserve18.getAddress() }),
  );
  await addWallet(registry, owner, LIVE_BOTH, walletA);
  await addWallet(registry, owner, LIVE_BOTH, walletB);
  await addWallet(registry, owner, LIVE_RESERVES, walletC);

  return {
    registry,
    admin,
    reserve8,
    reserve18,
    token6,
    liveToken6,
    owner,
    auditor,
    walletA,
    walletB,
    walletC,
    stranger,
  };
}

describe("ReserveRegistry collateralization", function () {
  describe("collateralization", function () {
    it("reads attested reserves and liabilities, normalized to 18 decimals", async function () {
      const { registry, auditor } = await loadFixture(deployCollateralizationFixture);
      await postAttestation(registry, [auditor], {
        subjectId: ATTESTED,
        asOf: await time.latest(),
        reserves: 1_500_000n,
        liabilities: 1_000_000n,
      });
      expect(await registry.collateralization(ATTESTED)).to.deep.equal([
        15n * 10n ** 17n,
        WAD,
        15n * 10n ** 17n,
        true,
      ]);
    });

    it("uses the latest attestation", async function () {
      const { registry, auditor } = await loadFixture(deployCollateralizationFixture);
      const asOf = await time.latest();
      await postAttestation(registry, [auditor], {
        subjectId: ATTESTED,
        asOf,
        reserves: 1n,
        liabilities: 1n,
      });
      await postAttestation(registry, [auditor], {
        subjectId: ATTESTED,
        asOf: asOf + 1,
        reserves: 900_000n,
        liabilities: 1_000_000n,
      });
      const [reserves, supply, ratioWad] = await registry.collateralization(ATTESTED);
      expect([reserves, supply, ratioWad]).to.deep.equal([9n * 10n ** 17n, WAD, 9n * 10n ** 17n]);
    });

    it("rounds the ratio down", async function () {
      const { registry, auditor } = await loadFixture(deployCollateralizationFixture);
      await postAttestation(registry, [auditor], {
        subjectId: ATTESTED,
        asOf: await time.latest(),
        reserves: 2n,
        liabilities: 3n,
      });
      const [, , ratioWad] = await registry.collateralization(ATTESTED);
      expect(ratioWad).to.equal((2n * WAD) / 3n);
      expect(ratioWad).to.equal(666_666_666_666_666_666n);
    });

    it("reports zero reserves and supply, ratio max and not fresh before the first attestation", async function () {
      const { registry } = await loadFixture(deployCollateralizationFixture);
      expect(await registry.collateralization(ATTESTED)).to.deep.equal([0n, 0n, ethers.MaxUint256, false]);
    });

    it("is fresh up to exactly the heartbeat after asOf, then stale", async function () {
      const { registry, auditor } = await loadFixture(deployCollateralizationFixture);
      const asOf = await time.latest();
      await postAttestation(registry, [auditor], {
        subjectId: ATTESTED,
        asOf,
        reserves: 1n,
        liabilities: 1n,
      });
      await time.increaseTo(asOf + HEARTBEAT_SECONDS);
      expect((await registry.collateralization(ATTESTED))[3]).to.equal(true);
      await time.increaseTo(asOf + HEARTBEAT_SECONDS + 1);
      expect((await registry.collateralization(ATTESTED))[3]).to.equal(false);
      expect(await registry.isFresh(ATTESTED)).to.equal(false);
    });

    it("reads supply from a 6-decimal token and attested reserves in the subject's (the token's) 6 decimals", async function () {
      const { registry, token6, auditor, stranger } = await loadFixture(deployCollateralizationFixture);
      await token6.mint(stranger.address, 2_000_000n); // 2 USDX
      await postAttestation(registry, [auditor], {
        subjectId: TOKEN_ONLY,
        asOf: await time.latest(),
        reserves: 3_000_000n, // 3.000000
        liabilities: 999_999_999_999n, // ignored: the token's supply is the liability
      });
      expect(await registry.collateralization(TOKEN_ONLY)).to.deep.equal([
        3n * WAD,
        2n * WAD,
        15n * 10n ** 17n,
        true,
      ]);
    });

    it("is only as fresh as the attested reserves when the supply is live", async function () {
      const { registry, token6, auditor, stranger } = await loadFixture(deployCollateralizationFixture);
      await token6.mint(stranger.address, 1n);
      expect((await registry.collateralization(TOKEN_ONLY))[3]).to.equal(false);
      const asOf = await time.latest();
      await postAttestation(registry, [auditor], {
        subjectId: TOKEN_ONLY,
        asOf,
        reserves: 1n,
        liabilities: 0n,
      });
      expect((await registry.collateralization(TOKEN_ONLY))[3]).to.equal(true);
      await time.increaseTo(asOf + HEARTBEAT_SECONDS + 1);
      expect((await registry.collateralization(TOKEN_ONLY))[3]).to.equal(false);
    });

    it("reads live reserves from an 8-decimal asset for a 6-decimal subject, rounding down, fresh without any attestation", async function () {
      const { registry, reserve8, liveToken6, walletA, walletB, stranger } = await loadFixture(
        deployCollateralizationFixture,
      );
      await reserve8.mint(walletA.address, 100_000_099n); // 1.00000099
      await reserve8.mint(walletB.address, 50_000_000n); // 0.5
      await liveToken6.mint(stranger.address, 1_000_000n); // 1 USDL
      // 1.50000099 in 8 decimals is 1.500000 in the subject's 6 decimals.
      expect(await registry.liveReserves(LIVE_BOTH)).to.equal(1_500_000n);
      expect(await registry.collateralization(LIVE_BOTH)).to.deep.equal([
        15n * 10n ** 17n,
        WAD,
        15n * 10n ** 17n,
        true,
      ]);
      expect(await registry.isFresh(LIVE_BOTH)).to.equal(false);
    });

    it("reads live reserves from an 18-decimal asset for a 6-decimal subject, rounding down", async function () {
      const { registry, reserve18, walletC, auditor } = await loadFixture(deployCollateralizationFixture);
      await reserve18.mint(walletC.address, 2n * WAD + 999_999_999_999n); // just under 2.000001
      await postAttestation(registry, [auditor], {
        subjectId: LIVE_RESERVES,
        asOf: await time.latest(),
        reserves: 1n, // ignored: the subject has reserve wallets
        liabilities: 4_000_000n,
      });
      expect(await registry.liveReserves(LIVE_RESERVES)).to.equal(2_000_000n);
      expect(await registry.collateralization(LIVE_RESERVES)).to.deep.equal([
        2n * WAD,
        4n * WAD,
        WAD / 2n,
        true,
      ]);
    });

    it("is only as fresh as the attested liabilities when the reserves are live", async function () {
      const { registry, reserve18, walletC, auditor } = await loadFixture(deployCollateralizationFixture);
      await reserve18.mint(walletC.address, WAD);
      expect(await registry.collateralization(LIVE_RESERVES)).to.deep.equal([
        WAD,
        0n,
        ethers.MaxUint256,
        false,
      ]);
      const asOf = await time.latest();
      await postAttestation(registry, [auditor], {
        subjectId: LIVE_RESERVES,
        asOf,
        reserves: 0n,
        liabilities: 1_000_000n,
      });
      expect((await registry.collateralization(LIVE_RESERVES))[3]).to.equal(true);
      await time.increaseTo(asOf + HEARTBEAT_SECONDS + 1);
      expect(await registry.collateralization(LIVE_RESERVES)).to.deep.equal([WAD, WAD, WAD, false]);
    });

    it("keeps reading live reserves (0) once every wallet is removed, never the attested figure", async function () {
      // Otherwise an owner could remove its wallets and fall back to a higher attested figure.
      const { registry, reserve18, walletC, owner, auditor } = await loadFixture(
        deployCollateralizationFixture,
      );
      await reserve18.mint(walletC.address, 5n * WAD);
      await postAttestation(registry, [auditor], {
        subjectId: LIVE_RESERVES,
        asOf: await time.latest(),
        reserves: 3_000_000_000n, // 3000: far above the 5 held
        liabilities: 1_000_000n,
      });
      expect(await registry.collateralization(LIVE_RESERVES)).to.deep.equal([5n * WAD, WAD, 5n * WAD, true]);
      // The custodian moves the funds out; only then may the wallet go (it no longer backs anything).
      await reserve18.connect(walletC).transfer(owner.address, 5n * WAD);
      await registry.connect(owner).removeReserveWallet(LIVE_RESERVES, walletC.address);
      expect(await registry.liveReserves(LIVE_RESERVES)).to.equal(0n);
      expect(await registry.collateralization(LIVE_RESERVES)).to.deep.equal([0n, WAD, 0n, true]);
      // A later attestation's reserves are not used either.
      await postAttestation(registry, [auditor], {
        subjectId: LIVE_RESERVES,
        asOf: await time.latest(),
        reserves: 9_000_000_000n,
        liabilities: 1_000_000n,
      });
      expect((await registry.collateralization(LIVE_RESERVES))[0]).to.equal(0n);
    });

    it("reports reserves 0 and not fresh while the reserve asset is revoked; re-approval restores both", async function () {
      const { registry, admin, reserve8, reserve18, liveToken6, walletA, walletC, stranger, auditor } =
        await loadFixture(deployCollateralizationFixture);
      await reserve8.mint(walletA.address, 200_000_000n); // 2
      await liveToken6.mint(stranger.address, 1_000_000n); // 1
      await reserve18.mint(walletC.address, 2n * WAD);
      await postAttestation(registry, [auditor], {
        subjectId: LIVE_RESERVES,
        asOf: await time.latest(),
        reserves: 0n,
        liabilities: 1_000_000n,
      });
      expect(await registry.collateralization(LIVE_BOTH)).to.deep.equal([2n * WAD, WAD, 2n * WAD, true]);
      expect(await registry.collateralization(LIVE_RESERVES)).to.deep.equal([2n * WAD, WAD, 2n * WAD, true]);

      await registry.connect(admin).revokeReserveAsset(await reserve8.getAddress());
      await registry.connect(admin).revokeReserveAsset(await reserve18.getAddress());
      expect(await registry.liveReserves(LIVE_BOTH)).to.equal(0n);
      expect(await registry.collateralization(LIVE_BOTH)).to.deep.equal([0n, WAD, 0n, false]);
      // Fresh attested liabilities do not make up for revoked reserves.
      expect(await registry.isFresh(LIVE_RESERVES)).to.equal(true);
      expect(await registry.collateralization(LIVE_RESERVES)).to.deep.equal([0n, WAD, 0n, false]);

      await registry.connect(admin).approveReserveAsset(await reserve8.getAddress());
      await registry.connect(admin).approveReserveAsset(await reserve18.getAddress());
      expect(await registry.collateralization(LIVE_BOTH)).to.deep.equal([2n * WAD, WAD, 2n * WAD, true]);
      expect(await registry.collateralization(LIVE_RESERVES)).to.deep.equal([2n * WAD, WAD, 2n * WAD, true]);
    });

    it("leaves subjects without live reserves alone when an asset is revoked", async function () {
      const { registry, admin, reserve8, token6, auditor, stranger } = await loadFixture(
        deployCollateralizationFixture,
      );
      await token6.mint(stranger.address, 1_000_000n);
      await postAttestation(registry, [auditor], {
        subjectId: TOKEN_ONLY,
        asOf: await time.latest(),
        reserves: 1_000_000n,
        liabilities: 0n,
      });
      await registry.connect(admin).revokeReserveAsset(await reserve8.getAddress());
      expect(await registry.collateralization(TOKEN_ONLY)).to.deep.equal([WAD, WAD, WAD, true]);
    });

    it("reports ratio type(uint256).max when the token supply is zero", async function () {
      const { registry, reserve8, walletA } = await loadFixture(deployCollateralizationFixture);
      await reserve8.mint(walletA.address, 100_000_000n);
      expect(await registry.collateralization(LIVE_BOTH)).to.deep.equal([WAD, 0n, ethers.MaxUint256, true]);
    });

    it("reports ratio 0 when nothing backs a non-zero supply", async function () {
      const { registry, liveToken6, stranger } = await loadFixture(deployCollateralizationFixture);
      await liveToken6.mint(stranger.address, 1n);
      expect(await registry.collateralization(LIVE_BOTH)).to.deep.equal([0n, 10n ** 12n, 0n, true]);
    });

    it("follows a reserve wallet whose balance changes between blocks", async function () {
      const { registry, reserve8, liveToken6, walletA, stranger } = await loadFixture(
        deployCollateralizationFixture,
      );
      await liveToken6.mint(stranger.address, 1_000_000n);
      await reserve8.mint(walletA.address, 100_000_000n);
      expect((await registry.collateralization(LIVE_BOTH))[2]).to.equal(WAD);
      await reserve8.connect(walletA).transfer(stranger.address, 25_000_000n);
      expect((await registry.collateralization(LIVE_BOTH))[2]).to.equal((3n * WAD) / 4n);
      await reserve8.mint(walletA.address, 75_000_000n);
      expect((await registry.collateralization(LIVE_BOTH))[2]).to.equal((3n * WAD) / 2n);
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployCollateralizationFixture);
      await expect(registry.collateralization(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });

    it("matches a bigint reference for random balances and decimals (property)", async function () {
      const { registry, admin, owner, auditor } = await loadFixture(deployCollateralizationFixture);
      const wallets = offlineWallets(4, "property");
      const walletAddresses = wallets.map((w) => w.address);
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 30 }), // reserve asset decimals
          fc.integer({ min: 0, max: 36 }), // subject decimals
          fc.array(fc.bigInt({ min: 0n, max: 2n ** 120n }), { minLength: 1, maxLength: wallets.length }),
          fc.bigInt({ min: 0n, max: 2n ** 120n }), // token supply
          async (assetDecimals, subjectDecimals, balances, totalSupply) => {
            const subjectId = ethers.id(`property-${runs++}`);
            const asset = await ethers.deployContract("MockERC20", ["Asset", "A", assetDecimals]);
            await approveReserveAssets(registry, admin, asset);
            // The token must have the subject's decimals; the reserve asset's may differ.
            const token = await ethers.deployContract("MockERC20", ["Token", "T", subjectDecimals]);
            if (totalSupply > 0n) await token.mint(owner.address, totalSupply);
            await registry.connect(owner).registerSubject(
              subjectId,
              subjectConfig([auditor.address], {
                decimals: subjectDecimals,
                token: await token.getAddress(),
                reserveAsset: await asset.getAddress(),
              }),
            );
            for (const [i, balance] of balances.entries()) {
              await addWallet(registry, owner, subjectId, wallets[i]!);
              if (balance > 0n) await asset.mint(walletAddresses[i]!, balance);
            }

            const sum = balances.reduce((a, b) => a + b, 0n);
            const expectedLive = rescaleRef(sum, assetDecimals, subjectDecimals);
            const expectedReserves = rescaleRef(expectedLive, subjectDecimals, 18);
            const expectedSupply = rescaleRef(totalSupply, subjectDecimals, 18);
            const expectedRatio =
              expectedSupply === 0n ? ethers.MaxUint256 : (expectedReserves * WAD) / expectedSupply;

            expect(await registry.liveReserves(subjectId)).to.equal(expectedLive);
            expect(await registry.collateralization(subjectId)).to.deep.equal([
              expectedReserves,
              expectedSupply,
              expectedRatio,
              true,
            ]);
          },
        ),
        { numRuns: PROPERTY_RUNS },
      );
    });
  });

  describe("collateralizationRound", function () {
    it("is (0, 0) before the first attestation when a side is attested", async function () {
      const { registry } = await loadFixture(deployCollateralizationFixture);
      expect(await registry.collateralizationRound(ATTESTED)).to.deep.equal([0n, 0n]);
      expect(await registry.collateralizationRound(TOKEN_ONLY)).to.deep.equal([0n, 0n]);
      expect(await registry.collateralizationRound(LIVE_RESERVES)).to.deep.equal([0n, 0n]);
    });

    it("is the latest attested round and its asOf when both sides are attested", async function () {
      const { registry, auditor } = await loadFixture(deployCollateralizationFixture);
      const asOf = (await time.latest()) - 100;
      await postAttestation(registry, [auditor], {
        subjectId: ATTESTED,
        asOf: asOf - 1,
        reserves: 1n,
        liabilities: 1n,
      });
      await postAttestation(registry, [auditor], {
        subjectId: ATTESTED,
        asOf,
        reserves: 1n,
        liabilities: 1n,
      });
      expect(await registry.collateralizationRound(ATTESTED)).to.deep.equal([2n, BigInt(asOf)]);
      await time.increase(60);
      expect(await registry.collateralizationRound(ATTESTED)).to.deep.equal([2n, BigInt(asOf)]);
    });

    it("is a live round id of the current block with the attested side's asOf when one side is live", async function () {
      const { registry, auditor } = await loadFixture(deployCollateralizationFixture);
      const asOf = (await time.latest()) - 100;
      for (const subjectId of [TOKEN_ONLY, LIVE_RESERVES]) {
        await postAttestation(registry, [auditor], {
          subjectId,
          asOf: asOf - 1,
          reserves: 1n,
          liabilities: 1n,
        });
        await postAttestation(registry, [auditor], { subjectId, asOf, reserves: 1n, liabilities: 1n });
      }
      for (let i = 0; i < 2; i++) {
        const [liveId] = await liveRound();
        for (const subjectId of [TOKEN_ONLY, LIVE_RESERVES]) {
          // The ratio can change in any block, so the id does, but the data is as old as the snapshot.
          expect(await registry.collateralizationRound(subjectId)).to.deep.equal([liveId, BigInt(asOf)]);
        }
        await time.increase(60);
      }
    });

    it("is a live round id of the current block and its timestamp when both sides are live", async function () {
      const { registry } = await loadFixture(deployCollateralizationFixture);
      const seen = new Set<bigint>();
      for (let i = 0; i < 2; i++) {
        const [liveId, timestamp] = await liveRound();
        const [roundId, updatedAt] = await registry.collateralizationRound(LIVE_BOTH);
        expect([roundId, updatedAt]).to.deep.equal([liveId, timestamp]);
        // Never an attested id (those stay below 2^64).
        expect(roundId & LIVE_FLAG).to.equal(LIVE_FLAG);
        seen.add(roundId);
        await time.increase(60);
      }
      expect(seen.size).to.equal(2);
    });

    it("stays live after every wallet is removed", async function () {
      const { registry, owner, walletA, walletB, walletC, auditor } = await loadFixture(
        deployCollateralizationFixture,
      );
      const asOf = await time.latest();
      await postAttestation(registry, [auditor], {
        subjectId: LIVE_RESERVES,
        asOf,
        reserves: 1n,
        liabilities: 1n,
      });
      await registry.connect(owner).removeReserveWallet(LIVE_BOTH, walletA.address);
      await registry.connect(owner).removeReserveWallet(LIVE_BOTH, walletB.address);
      await registry.connect(owner).removeReserveWallet(LIVE_RESERVES, walletC.address);
      const [liveId, timestamp] = await liveRound();
      expect(await registry.collateralizationRound(LIVE_BOTH)).to.deep.equal([liveId, timestamp]);
      expect(await registry.collateralizationRound(LIVE_RESERVES)).to.deep.equal([liveId, BigInt(asOf)]);
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployCollateralizationFixture);
      await expect(registry.collateralizationRound(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("collateralization limits", function () {
    const EXTREME = ethers.id("EXTREME");

    it("reverts with LiveReservesOverflow, not a Panic, when the wallets' balances sum past 2^256 - 1", async function () {
      const fixture = await loadFixture(deployCollateralizationFixture);
      const { registry, walletA, walletB } = fixture;
      const { asset, token } = await settableSubject(fixture, EXTREME, {
        decimals: 18,
        assetDecimals: 18,
        withToken: true,
      });
      await token.setTotalSupply(1n);
      await asset.setBalance(walletA.address, 2n ** 255n);
      await asset.setBalance(walletB.address, 2n ** 255n);
      await expect(registry.collateralization(EXTREME))
        .to.be.revertedWithCustomError(registry, "LiveReservesOverflow")
        .withArgs(EXTREME);
      await expect(registry.reservesRound(EXTREME))
        .to.be.revertedWithCustomError(registry, "LiveReservesOverflow")
        .withArgs(EXTREME);
      // The round does not read balances, so it still answers.
      expect(await registry.collateralizationRound(EXTREME)).to.deep.equal(await liveRound());
    });

    it("reverts with DecimalScalingOverflow when live reserves cannot be normalized to 18 decimals", async function () {
      const fixture = await loadFixture(deployCollateralizationFixture);
      const { registry, walletA } = fixture;
      const { asset } = await settableSubject(fixture, EXTREME, {
        decimals: 0,
        assetDecimals: 0,
        withToken: false,
      });
      const largest = ethers.MaxUint256 / WAD;
      await asset.setBalance(walletA.address, largest);
      expect((await registry.collateralization(EXTREME))[0]).to.equal(largest * WAD);
      await asset.setBalance(walletA.address, largest + 1n);
      expect(await registry.liveReserves(EXTREME)).to.equal(largest + 1n);
      await expect(registry.collateralization(EXTREME))
        .to.be.revertedWithCustomError(registry, "DecimalScalingOverflow")
        .withArgs(largest + 1n, 0, 18);
    });

    it("reverts with DecimalScalingOverflow when the live supply cannot be normalized to 18 decimals", async function () {
      const fixture = await loadFixture(deployCollateralizationFixture);
      const { registry } = fixture;
      const { token } = await settableSubject(fixture, EXTREME, {
        decimals: 0,
        assetDecimals: 6,
        withToken: true,
      });
      const largest = ethers.MaxUint256 / WAD;
      await token.setTotalSupply(largest);
      expect((await registry.collateralization(EXTREME))[1]).to.equal(largest * WAD);
      await token.setTotalSupply(largest + 1n);
      await expect(registry.collateralization(EXTREME))
        .to.be.revertedWithCustomError(registry, "DecimalScalingOverflow")
        .withArgs(largest + 1n, 0, 18);
    });

    it("reads the supply in the subject's decimals, fixed at registration, whatever the token's decimals() answers later", async function () {
      const fixture = await loadFixture(deployCollateralizationFixture);
      const { registry } = fixture;
      const { token } = await settableSubject(fixture, EXTREME, {
        decimals: 6,
        assetDecimals: 6,
        withToken: true,
      });
      await token.setTotalSupply(1_000_000n);
      expect((await registry.collateralization(EXTREME))[1]).to.equal(WAD);
      // A token that raises its decimals does not shrink its supply a trillion-fold in our eyes.
      await token.setDecimals(18);
      expect((await registry.collateralization(EXTREME))[1]).to.equal(WAD);
      await token.setDecimals(0);
      expect((await registry.collateralization(EXTREME))[1]).to.equal(WAD);
    });

    it("saturates the ratio at type(uint256).max and stays exact where reserves * 1e18 exceeds 2^256", async function () {
      const fixture = await loadFixture(deployCollateralizationFixture);
      const { registry, walletA } = fixture;
      const { asset, token } = await settableSubject(fixture, EXTREME, {
        decimals: 18,
        assetDecimals: 18,
        withToken: true,
      });
      await asset.setBalance(walletA.address, ethers.MaxUint256);
      await token.setTotalSupply(1n);
      expect(await registry.collateralization(EXTREME)).to.deep.equal([
        ethers.MaxUint256,
        1n,
        ethers.MaxUint256,
        true,
      ]);
      // Just under the saturation bound the ratio is exact.
      const bound = ethers.MaxUint256 / WAD;
      await asset.setBalance(walletA.address, bound - 1n);
      expect((await registry.collateralization(EXTREME))[2]).to.equal((bound - 1n) * WAD);
      await asset.setBalance(walletA.address, ethers.MaxUint256);
      await token.setTotalSupply(ethers.MaxUint256);
      expect((await registry.collateralization(EXTREME))[2]).to.equal(WAD);
      // 2^255 * 1e18 does not fit in 256 bits, yet the ratio 2^55 * 1e18 does.
      await asset.setBalance(walletA.address, 2n ** 255n);
      await token.setTotalSupply(2n ** 200n);
      expect((await registry.collateralization(EXTREME))[2]).to.equal(2n ** 55n * WAD);
    });

    it("saturates only a ratio that exceeds 2^256 - 1, exactly at the bound (property)", async function () {
      const fixture = await loadFixture(deployCollateralizationFixture);
      const { registry, walletA } = fixture;
      const { asset, token } = await settableSubject(fixture, EXTREME, {
        decimals: 18,
        assetDecimals: 18,
        withToken: true,
      });
      const bound = ethers.MaxUint256 / WAD;
      // Around reserves / supply == bound the exact ratio may still fit: only the true value decides.
      const nearBound = fc.tuple(fc.bigInt({ min: 1n, max: 2n ** 64n }), fc.bigInt({ min: -2n, max: 2n }));
      await fc.assert(
        fc.asyncProperty(nearBound, fc.bigInt({ min: 0n, max: 2n ** 64n }), async ([supply, step], extra) => {
          const reserves = (bound + step) * supply + (extra % supply);
          if (reserves > ethers.MaxUint256) return;
          await asset.setBalance(walletA.address, reserves);
          await token.setTotalSupply(supply);
          const exact = (reserves * WAD) / supply;
          const expected = exact > ethers.MaxUint256 ? ethers.MaxUint256 : exact;
          expect((await registry.collateralization(EXTREME))[2]).to.equal(expected);
        }),
        { numRuns: process.env.CI ? 100 : 30 },
      );
    });
  });

  describe("reservesRound", function () {
    it("is (0, 0, 0) before the first round of a subject with attested reserves", async function () {
      const { registry } = await loadFixture(deployCollateralizationFixture);
      for (const subjectId of [ATTESTED, TOKEN_ONLY]) {
        expect(await registry.reservesRound(subjectId)).to.deep.equal([0n, 0n, 0n]);
      }
    });

    it("is the latest round, its reserves and its asOf when the reserves are attested", async function () {
      const { registry, auditor } = await loadFixture(deployCollateralizationFixture);
      const asOf = (await time.latest()) - 50;
      await postAttestation(registry, [auditor], {
        subjectId: ATTESTED,
        asOf: asOf - 1,
        reserves: 7n,
        liabilities: 1n,
      });
      await postAttestation(registry, [auditor], {
        subjectId: ATTESTED,
        asOf,
        reserves: 9n,
        liabilities: 1n,
      });
      expect(await registry.reservesRound(ATTESTED)).to.deep.equal([2n, 9n, BigInt(asOf)]);
    });

    it("is a live round id, the live reserves and the block time once the subject has had a wallet", async function () {
      const { registry, reserve18, owner, walletC, auditor } = await loadFixture(
        deployCollateralizationFixture,
      );
      await reserve18.mint(walletC.address, 3n * WAD);
      let [liveId, timestamp] = await liveRound();
      expect(await registry.reservesRound(LIVE_RESERVES)).to.deep.equal([liveId, 3_000_000n, timestamp]);
      // An attestation does not replace them, and removing the last wallet leaves them live at 0.
      await postAttestation(registry, [auditor], {
        subjectId: LIVE_RESERVES,
        asOf: await time.latest(),
        reserves: 8_000_000n,
        liabilities: 1n,
      });
      await reserve18.connect(walletC).transfer(owner.address, 3n * WAD); // funds out first
      await registry.connect(owner).removeReserveWallet(LIVE_RESERVES, walletC.address);
      [liveId, timestamp] = await liveRound();
      expect(await registry.reservesRound(LIVE_RESERVES)).to.deep.equal([liveId, 0n, timestamp]);
    });

    it("answers 0 live reserves while the reserve asset is revoked", async function () {
      const { registry, admin, reserve8, walletA } = await loadFixture(deployCollateralizationFixture);
      await reserve8.mint(walletA.address, 100_000_000n);
      await registry.connect(admin).revokeReserveAsset(await reserve8.getAddress());
      const [liveId, timestamp] = await liveRound();
      expect(await registry.reservesRound(LIVE_BOTH)).to.deep.equal([liveId, 0n, timestamp]);
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployCollateralizationFixture);
      await expect(registry.reservesRound(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });
});
