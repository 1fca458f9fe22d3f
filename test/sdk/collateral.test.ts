import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import {
  formatRoundId,
  isLiveRoundId,
  LIVE_ROUND_FLAG,
  liveRoundBlock,
  liveRoundId,
  readSubjectCollateral,
} from "../../src";
import { Connections, parseMonitorConfig, runChecks } from "../../src/monitor";
import {
  addWallet,
  approveReserveAssets,
  namedSigners,
  postAttestation,
  subjectConfig,
  WAD,
} from "../helpers/backing";

const LIVE = ethers.encodeBytes32String("LIVE");
const ATTESTED = ethers.encodeBytes32String("ATTESTED");

/**
 * LIVE: a 6-decimal token against one reserve wallet of an approved 6-decimal asset, 100 each.
 * ATTESTED: no token, no reserve asset, nothing posted yet.
 */
async function subjectsFixture() {
  const { admin, owner, auditor, wallet } = await namedSigners("admin", "owner", "auditor", "wallet");
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor");
  const token = await ethers.deployContract("MockERC20", ["Token", "TKN", 6]);
  const reserve = await ethers.deployContract("MockERC20", ["Reserve", "RSV", 6]);
  await approveReserveAssets(registry, admin, reserve);
  await registry.connect(owner).registerSubject(
    LIVE,
    subjectConfig([auditor.address], {
      token: await token.getAddress(),
      reserveAsset: await reserve.getAddress(),
    }),
  );
  await addWallet(registry, owner, LIVE, wallet);
  await reserve.mint(wallet.address, 100n);
  await token.mint(owner.address, 100n);
  await registry.connect(owner).registerSubject(ATTESTED, subjectConfig([auditor.address]));
  const read = (subjectId: string) =>
    readSubjectCollateral(ethers.provider, registryAddress, subjectId).then((r) => r!);
  const registryAddress = await registry.getAddress();
  return { registry, registryAddress, admin, owner, auditor, wallet, reserve, read };
}

describe("collateral (SDK)", function () {
  describe("round ids", function () {
    it("tells live ids (flag | block number) from attested ids, and formats both", function () {
      expect(LIVE_ROUND_FLAG).to.equal(2n ** 64n);
      expect(liveRoundId(120)).to.equal(2n ** 64n + 120n);
      expect(isLiveRoundId(liveRoundId(120))).to.equal(true);
      expect(liveRoundBlock(liveRoundId(120))).to.equal(120n);
      expect(isLiveRoundId(3n)).to.equal(false);
      expect(liveRoundBlock(3n)).to.equal(null);
      expect(formatRoundId(3n)).to.equal("#3");
      expect(formatRoundId(liveRoundId(120))).to.equal("live @ block 120");
      expect(formatRoundId(0n)).to.equal("none");
    });

    it("never takes an attested id (below 2^64) for a live one, and recovers any block number", function () {
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }), (n) => {
          expect(isLiveRoundId(n)).to.equal(false);
          expect(liveRoundBlock(liveRoundId(n))).to.equal(n);
        }),
        { numRuns: process.env.CI ? 100 : 20 },
      );
    });
  });

  describe("readSubjectCollateral", function () {
    it("reports both sides live with the block's live round id and the block time", async function () {
      const { read } = await loadFixture(subjectsFixture);
      const block = (await ethers.provider.getBlock("latest"))!;
      expect(await read(LIVE)).to.deep.include({
        reservesWad: 100n * 10n ** 12n,
        supplyWad: 100n * 10n ** 12n,
        ratioWad: WAD,
        fresh: true,
        reserveSource: "live",
        supplySource: "live",
        reserveAssetApproved: true,
        roundId: liveRoundId(block.number),
        updatedAt: BigInt(block.timestamp),
        ageSeconds: 0n,
        state: "healthy",
      });
    });

    it("keeps the reserves live (and zero) once every reserve wallet is removed", async function () {
      const { registry, owner, wallet, reserve, read } = await loadFixture(subjectsFixture);
      // The custodian moves the funds out first: a wallet that backs the supply cannot be removed.
      await reserve.connect(wallet).transfer(owner.address, 100n);
      await registry.connect(owner).removeReserveWallet(LIVE, wallet.address);
      expect(await read(LIVE)).to.deep.include({
        reservesWad: 0n,
        reserveSource: "live",
        ratioWad: 0n,
        state: "undercollateralized",
      });
    });

    it("counts nothing and reports not fresh once the admin revokes the reserve asset", async function () {
      const { registry, reserve, read } = await loadFixture(subjectsFixture);
      await registry.revokeReserveAsset(await reserve.getAddress());
      expect(await read(LIVE)).to.deep.include({
        reservesWad: 0n,
        fresh: false,
        reserveSource: "live",
        reserveAssetApproved: false,
        state: "undercollateralized",
      });
    });

    it("reports an attested subject as missing (round 0) before its first round, then its round", async function () {
      const { registry, auditor, read } = await loadFixture(subjectsFixture);
      expect(await read(ATTESTED)).to.deep.include({
        roundId: 0n,
        reserveSource: "attested",
        supplySource: "attested",
        reserveAssetApproved: true,
        state: "missing",
      });
      const asOf = (await ethers.provider.getBlock("latest"))!.timestamp;
      await postAttestation(registry, [auditor], {
        subjectId: ATTESTED,
        asOf,
        reserves: 2n,
        liabilities: 1n,
      });
      expect(await read(ATTESTED)).to.deep.include({
        roundId: 1n,
        updatedAt: BigInt(asOf),
        state: "healthy",
      });
    });
  });

  describe("monitor subject check", function () {
    it("says the reserve asset was revoked rather than giving an age", async function () {
      const { registry, registryAddress, reserve } = await loadFixture(subjectsFixture);
      await registry.revokeReserveAsset(await reserve.getAddress());
      const config = parseMonitorConfig(
        {
          format: "por-monitor/1",
          networks: { local: { rpcUrl: "http://in-process.invalid" } },
          checks: [
            { type: "subject", name: "LIVE", network: "local", registry: registryAddress, subject: "LIVE" },
          ],
        },
        "test config",
      );
      const connections = new Connections(config, { local: ethers.provider });
      const [result] = await runChecks(config, connections);
      expect(result!.state).to.equal("undercollateralized");
      expect(result!.detail).to.match(/, stale: the reserve asset was revoked by the registry admin$/);
    });
  });
});
