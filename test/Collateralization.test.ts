import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  HEARTBEAT_SECONDS,
  WAD,
  addWallet,
  namedSigners,
  offlineWallets,
  postAttestation,
  rescaleRef,
  subjectConfig,
} from "./helpers/backing";

/** Attested reserves and liabilities only (6 decimals). */
const ATTESTED = ethers.id("ATTESTED");
/** Attested reserves (8 decimals), supply read live from a 6-decimal token. */
const TOKEN_ONLY = ethers.id("TOKEN_ONLY");
/** Live both sides: 8-decimal reserve asset, 6-decimal subject, 6-decimal token. */
const LIVE_BOTH = ethers.id("LIVE_BOTH");
/** Live reserves from an 18-decimal asset, 6-decimal subject, attested liabilities. */
const LIVE_RESERVES = ethers.id("LIVE_RESERVES");
const UNKNOWN = ethers.id("UNKNOWN");

const PROPERTY_RUNS = process.env.CI ? 100 : 25;

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

  const auditors = [auditor.address];
  const asOwner = registry.connect(owner);
  await asOwner.registerSubject(ATTESTED, subjectConfig(auditors, { name: "Attested" }));
  await asOwner.registerSubject(
    TOKEN_ONLY,
    subjectConfig(auditors, { name: "Token only", decimals: 8, token: await token6.getAddress() }),
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

    it("reads supply from a 6-decimal token and attested reserves in the subject's 8 decimals", async function () {
      const { registry, token6, auditor, stranger } = await loadFixture(deployCollateralizationFixture);
      await token6.mint(stranger.address, 2_000_000n); // 2 USDX
      await postAttestation(registry, [auditor], {
        subjectId: TOKEN_ONLY,
        asOf: await time.latest(),
        reserves: 300_000_000n, // 3.00000000
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

    it("falls back to the attested reserves once every wallet is removed", async function () {
      const { registry, reserve18, walletC, owner, auditor } = await loadFixture(
        deployCollateralizationFixture,
      );
      await reserve18.mint(walletC.address, 5n * WAD);
      await postAttestation(registry, [auditor], {
        subjectId: LIVE_RESERVES,
        asOf: await time.latest(),
        reserves: 3_000_000n,
        liabilities: 1_000_000n,
      });
      expect((await registry.collateralization(LIVE_RESERVES))[0]).to.equal(5n * WAD);
      await registry.connect(owner).removeReserveWallet(LIVE_RESERVES, walletC.address);
      expect((await registry.collateralization(LIVE_RESERVES))[0]).to.equal(3n * WAD);
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
      const { registry, owner, auditor } = await loadFixture(deployCollateralizationFixture);
      const wallets = offlineWallets(4, "property");
      const walletAddresses = wallets.map((w) => w.address);
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 30 }), // reserve asset decimals
          fc.integer({ min: 0, max: 36 }), // subject decimals
          fc.array(fc.bigInt({ min: 0n, max: 2n ** 120n }), { minLength: 1, maxLength: wallets.length }),
          fc.integer({ min: 0, max: 36 }), // token decimals
          fc.bigInt({ min: 0n, max: 2n ** 120n }), // token supply
          async (assetDecimals, subjectDecimals, balances, tokenDecimals, totalSupply) => {
            const subjectId = ethers.id(`property-${runs++}`);
            const asset = await ethers.deployContract("MockERC20", ["Asset", "A", assetDecimals]);
            const token = await ethers.deployContract("MockERC20", ["Token", "T", tokenDecimals]);
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
            const expectedSupply = rescaleRef(totalSupply, tokenDecimals, 18);
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

    it("is the latest attested round and its asOf when a side is attested", async function () {
      const { registry, auditor } = await loadFixture(deployCollateralizationFixture);
      const asOf = (await time.latest()) - 100;
      for (const subjectId of [ATTESTED, TOKEN_ONLY, LIVE_RESERVES]) {
        await postAttestation(registry, [auditor], {
          subjectId,
          asOf: asOf - 1,
          reserves: 1n,
          liabilities: 1n,
        });
        await postAttestation(registry, [auditor], { subjectId, asOf, reserves: 1n, liabilities: 1n });
        expect(await registry.collateralizationRound(subjectId)).to.deep.equal([2n, BigInt(asOf)]);
      }
    });

    it("is the current block number and timestamp when both sides are live", async function () {
      const { registry } = await loadFixture(deployCollateralizationFixture);
      for (let i = 0; i < 2; i++) {
        const block = (await ethers.provider.getBlock("latest"))!;
        expect(await registry.collateralizationRound(LIVE_BOTH)).to.deep.equal([
          BigInt(block.number),
          BigInt(block.timestamp),
        ]);
        await time.increase(60);
      }
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployCollateralizationFixture);
      await expect(registry.collateralizationRound(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });
});
