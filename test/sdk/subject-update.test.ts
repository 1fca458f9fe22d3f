import { expect } from "chai";
import { getAddress, ZeroAddress } from "ethers";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  checkOwnershipAcceptance,
  checkOwnershipOffer,
  checkSubjectUpdate,
  diffSubjectConfig,
  findUpdateProblems,
  hasConfigFields,
  hasHadReserveWallet,
  InvalidArgumentError,
  listSubjects,
  mergeSubjectConfig,
  parseSubjectId,
  readSubject,
  readSubjectUpdateFacts,
  subjectConfigOf,
} from "../../src";
import type { Address, SubjectConfig, SubjectOwnership, SubjectUpdateFacts } from "../../src";
import {
  addWallet,
  approveReserveAssets,
  namedSigners,
  postAttestation,
  subjectConfig,
} from "../helpers/backing";

const addr = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "0")}`) as Address;
const [A1, A2, A3, A4, OWNER, OTHER, TOKEN, ASSET, ASSET2] = [1, 2, 3, 4, 10, 11, 20, 30, 31].map(addr) as [
  Address,
  Address,
  Address,
  Address,
  Address,
  Address,
  Address,
  Address,
  Address,
];
const USDX = parseSubjectId("USDX");
const NONE = ZeroAddress as Address;

const CURRENT: SubjectConfig = {
  name: "USDX / USD reserves",
  decimals: 6,
  token: NONE,
  reserveAsset: NONE,
  heartbeatSeconds: 86_400,
  quorum: 2,
  auditors: [A1, A2, A3],
};

/** Facts of a subject never backed, every auditor accredited, within the registry's limits. */
function facts(overrides: Partial<SubjectUpdateFacts> = {}): SubjectUpdateFacts {
  return {
    subjectId: USDX,
    owner: OWNER,
    current: CURRENT,
    latestRoundId: 0n,
    reservesLive: false,
    auditors: new Map(
      [A1, A2, A3, A4].map((a, i) => [a, { name: `Auditor ${i + 1}`, accredited: true }] as const),
    ),
    reserveAssetApproved: true,
    newTokenDecimals: null,
    maxHeartbeatSeconds: 92 * 86_400,
    maxAuditors: 32,
    ...overrides,
  };
}

const errors = (f: SubjectUpdateFacts, next: SubjectConfig, sender: string = OWNER) =>
  findUpdateProblems(f, next, sender).map((p) => p.error);

describe("subject update (SDK)", function () {
  describe("mergeSubjectConfig", function () {
    it("keeps every field not given, replaces those given", function () {
      const next = mergeSubjectConfig(CURRENT, { heartbeat: "12h", quorum: "3" });
      expect(next).to.deep.equal({ ...CURRENT, heartbeatSeconds: 43_200, quorum: 3 });
    });

    it("validates given fields as registration does", function () {
      expect(() => mergeSubjectConfig(CURRENT, { heartbeat: "1y" })).to.throw(
        InvalidArgumentError,
        /heartbeat/,
      );
      expect(() => mergeSubjectConfig(CURRENT, { name: "  " })).to.throw(InvalidArgumentError, /name/);
      expect(() => mergeSubjectConfig(CURRENT, { auditors: "0x12" })).to.throw(
        InvalidArgumentError,
        /auditor 1/,
      );
    });

    it("takes the zero address as removing a token or reserve asset", function () {
      const withToken = { ...CURRENT, token: TOKEN, reserveAsset: ASSET };
      const next = mergeSubjectConfig(withToken, { token: ZeroAddress, reserveAsset: ZeroAddress });
      expect([next.token, next.reserveAsset]).to.deep.equal([NONE, NONE]);
    });

    it("keeps the current order of the same auditors, and a stored name byte for byte", function () {
      const padded = { ...CURRENT, name: " spaced name " };
      const next = mergeSubjectConfig(padded, { auditors: [A3, A1, A2].join(",") });
      expect(next.auditors).to.deep.equal([A1, A2, A3]);
      expect(next.name).to.equal(" spaced name ");
      expect(diffSubjectConfig(padded, next)).to.deep.equal([]);
    });
  });

  describe("diffSubjectConfig", function () {
    it("is empty for no change", function () {
      expect(diffSubjectConfig(CURRENT, { ...CURRENT })).to.deep.equal([]);
    });

    it("lists each changed field in config order, auditors as added and removed", function () {
      const next: SubjectConfig = {
        name: "USDX reserves",
        decimals: 6,
        token: TOKEN,
        reserveAsset: ASSET,
        heartbeatSeconds: 3600,
        quorum: 1,
        auditors: [A2, A3, A4],
      };
      expect(diffSubjectConfig(CURRENT, next)).to.deep.equal([
        { field: "name", from: "USDX / USD reserves", to: "USDX reserves" },
        { field: "token", from: NONE, to: TOKEN },
        { field: "reserveAsset", from: NONE, to: ASSET },
        { field: "heartbeatSeconds", from: 86_400, to: 3600 },
        { field: "quorum", from: 2, to: 1 },
        { field: "auditors", added: [A4], removed: [A1] },
      ]);
    });

    it("reports a new order of the same auditors as a change with nothing added or removed", function () {
      expect(diffSubjectConfig(CURRENT, { ...CURRENT, auditors: [A3, A2, A1] })).to.deep.equal([
        { field: "auditors", added: [], removed: [] },
      ]);
    });
  });

  it("hasConfigFields tells an update with no field from one with a field", function () {
    expect(hasConfigFields({})).to.equal(false);
    expect(hasConfigFields({ quorum: "1" })).to.equal(true);
  });

  describe("findUpdateProblems", function () {
    it("accepts a valid change by the owner", function () {
      const next = { ...CURRENT, heartbeatSeconds: 3600, auditors: [A1, A2, A3, A4], quorum: 3 };
      expect(findUpdateProblems(facts(), next, OWNER.toLowerCase())).to.deep.equal([]);
      expect(() => checkSubjectUpdate(facts(), next, OWNER)).to.not.throw();
    });

    it("refuses a sender that is not the owner (NotSubjectOwner)", function () {
      const [problem] = findUpdateProblems(facts(), CURRENT, OTHER);
      expect(problem).to.deep.equal({
        error: "NotSubjectOwner",
        message: `${OTHER} is not the owner of subject USDX: only its owner ${OWNER} can update it`,
      });
    });

    it("refuses any change of decimals (DecimalsFrozen)", function () {
      const [problem] = findUpdateProblems(facts(), { ...CURRENT, decimals: 8 }, OWNER);
      expect(problem?.error).to.equal("DecimalsFrozen");
      expect(problem?.message).to.match(/^decimals cannot change \(6 → 8\)/);
    });

    it("lets the token and reserve asset change while nothing backed the subject", function () {
      const next = { ...CURRENT, token: TOKEN, reserveAsset: ASSET };
      expect(errors(facts({ newTokenDecimals: 6 }), next)).to.deep.equal([]);
    });

    it("freezes token and reserve asset once a round was posted (TokenFrozen, ReserveAssetFrozen)", function () {
      const current = { ...CURRENT, token: TOKEN, reserveAsset: ASSET };
      const f = facts({ current, latestRoundId: 3n });
      const problems = findUpdateProblems(f, { ...current, token: NONE, reserveAsset: ASSET2 }, OWNER);
      expect(problems.map((p) => p.error)).to.deep.equal(["TokenFrozen", "ReserveAssetFrozen"]);
      expect(problems[0]?.message).to.equal(
        `the token cannot change (${TOKEN} → none) since round #3 was posted: it would change every ratio` +
          " without an auditor; register a new subject instead",
      );
    });

    it("freezes them once a reserve wallet was ever added, even with no round", function () {
      const current = { ...CURRENT, reserveAsset: ASSET };
      const [problem] = findUpdateProblems(
        facts({ current, reservesLive: true }),
        { ...current, reserveAsset: ASSET2 },
        OWNER,
      );
      expect(problem?.error).to.equal("ReserveAssetFrozen");
      expect(problem?.message).to.include("since a reserve wallet was added");
    });

    it("refuses a new token with other decimals, without code, or not a token", function () {
      const next = { ...CURRENT, token: TOKEN };
      expect(errors(facts({ newTokenDecimals: 8 }), next)).to.deep.equal(["DecimalsMismatch"]);
      expect(errors(facts({ newTokenDecimals: "no-code" }), next)).to.deep.equal(["NotAContract"]);
      expect(errors(facts({ newTokenDecimals: "not-a-token" }), next)).to.deep.equal(["NotAToken"]);
      expect(findUpdateProblems(facts({ newTokenDecimals: 8 }), next, OWNER)[0]?.message).to.equal(
        `token ${TOKEN} has 8 decimals, the subject 6: a subject's token must use its decimals, which never change`,
      );
    });

    it("refuses a new reserve asset not approved, but keeps an unchanged one revoked since", function () {
      expect(
        errors(facts({ reserveAssetApproved: false }), { ...CURRENT, reserveAsset: ASSET }),
      ).to.deep.equal(["ReserveAssetNotApproved"]);
      const current = { ...CURRENT, reserveAsset: ASSET };
      expect(
        errors(facts({ current, reserveAssetApproved: false, latestRoundId: 1n }), { ...current, quorum: 1 }),
      ).to.deep.equal([]);
    });

    it("refuses auditors not accredited: a new one, and a listed one revoked since", function () {
      const auditors = facts().auditors;
      auditors.set(A1, { name: "Auditor 1", accredited: false });
      auditors.set(A4, { name: "", accredited: false });
      const problems = findUpdateProblems(
        facts({ auditors }),
        { ...CURRENT, auditors: [A1, A2, A3, A4] },
        OWNER,
      );
      expect(problems).to.deep.equal([
        {
          error: "AuditorNotAccredited",
          message: `auditor ${A1} (Auditor 1) was revoked by the registry admin: remove it from the auditors`,
        },
        {
          error: "AuditorNotAccredited",
          message: `auditor ${A4} is not accredited in this registry (the registry admin accredits it with \`por auditor accredit\`)`,
        },
      ]);
    });

    it("refuses a quorum above the auditors, duplicates, too many auditors, a heartbeat above the maximum", function () {
      expect(errors(facts(), { ...CURRENT, quorum: 4 })).to.deep.equal(["InvalidQuorum"]);
      expect(errors(facts(), { ...CURRENT, auditors: [A1, A2, A1] })).to.deep.equal(["DuplicateAuditor"]);
      expect(errors(facts({ maxAuditors: 2 }), CURRENT)).to.deep.equal(["TooManyAuditors"]);
      expect(errors(facts(), { ...CURRENT, heartbeatSeconds: 93 * 86_400 })).to.deep.equal([
        "InvalidHeartbeat",
      ]);
    });

    it("lists problems in the registry's order; checkSubjectUpdate throws the first and counts the rest", function () {
      const f = facts({ latestRoundId: 1n, reserveAssetApproved: false });
      const next = { ...CURRENT, decimals: 8, reserveAsset: ASSET, quorum: 5 };
      expect(errors(f, next, OTHER)).to.deep.equal([
        "NotSubjectOwner",
        "DecimalsFrozen",
        "ReserveAssetFrozen",
        "ReserveAssetNotApproved",
        "InvalidQuorum",
      ]);
      expect(() => checkSubjectUpdate(f, next, OTHER)).to.throw(
        InvalidArgumentError,
        /^0x.* is not the owner of subject USDX: only its owner 0x.* can update it \(and 4 more problems\)$/,
      );
    });
  });

  describe("ownership checks", function () {
    const ownership = (pendingOwner: Address | null): SubjectOwnership => ({
      subjectId: USDX,
      owner: OWNER,
      pendingOwner,
    });

    it("lets the owner offer, cancel a pending offer, and says when there is nothing to cancel", function () {
      expect(checkOwnershipOffer(ownership(null), OWNER, OTHER)).to.equal("offer");
      expect(checkOwnershipOffer(ownership(OTHER), OWNER, NONE)).to.equal("cancel");
      expect(checkOwnershipOffer(ownership(null), OWNER, NONE)).to.equal("nothing-to-cancel");
    });

    it("refuses an offer by anyone but the owner (NotSubjectOwner), or to the owner itself", function () {
      expect(() => checkOwnershipOffer(ownership(null), OTHER, A1)).to.throw(
        InvalidArgumentError,
        `${OTHER} is not the owner of subject USDX: only its owner ${OWNER} can transfer it`,
      );
      expect(() => checkOwnershipOffer(ownership(null), OWNER, OWNER)).to.throw(/already owns subject USDX/);
    });

    it("lets only the pending owner accept (NotPendingSubjectOwner)", function () {
      expect(() => checkOwnershipAcceptance(ownership(OTHER), OTHER.toLowerCase())).to.not.throw();
      expect(() => checkOwnershipAcceptance(ownership(OTHER), A1)).to.throw(
        InvalidArgumentError,
        `ownership of subject USDX is offered to ${OTHER}, not to ${A1}: accept with that account's key`,
      );
      expect(() => checkOwnershipAcceptance(ownership(null), OTHER)).to.throw(
        /^no ownership offer is pending for subject USDX: its owner 0x.* offers it first with `por subject transfer`$/,
      );
    });
  });

  describe("reading the chain (in-process network)", function () {
    async function deployed() {
      const { admin, auditor, owner, wallet } = await namedSigners("admin", "auditor", "owner", "wallet");
      const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
      await registry.accreditAuditor(auditor.address, "Auditor LLP");
      const asset = await ethers.deployContract("MockERC20", ["Reserve", "RSV", 6]);
      await approveReserveAssets(registry, admin, asset);
      const ids = ["AAA", "BBB", "CCC"].map(parseSubjectId);
      for (const id of ids) {
        await registry
          .connect(owner)
          .registerSubject(id, subjectConfig([auditor.address], { reserveAsset: await asset.getAddress() }));
      }
      const now = BigInt(await time.latest());
      await postAttestation(registry, [auditor], {
        subjectId: ids[0]!,
        asOf: now - 60n,
        reserves: 1n,
        liabilities: 1n,
      });
      await postAttestation(registry, [auditor], {
        subjectId: ids[1]!,
        asOf: now - 2n * 86_400n,
        reserves: 1n,
        liabilities: 1n,
      });
      await addWallet(registry, owner, ids[2]!, wallet);
      return { registry, ids, auditor, owner, asset };
    }

    it("listSubjects lists every subject in registration order with owner, round and freshness", async function () {
      const { registry, ids, owner } = await loadFixture(deployed);
      const { subjects, timestamp } = await listSubjects(registry);
      expect(subjects.map((s) => [s.label, s.owner, s.latestRoundId, s.freshness])).to.deep.equal([
        ["AAA", owner.address, 1n, "fresh"],
        ["BBB", owner.address, 1n, "stale"],
        ["CCC", owner.address, 0n, "never-attested"],
      ]);
      expect(subjects[0]?.subjectId).to.equal(ids[0]);
      expect(subjects[0]?.ageSeconds).to.equal(timestamp - subjects[0]!.asOf!);
      expect(subjects[2]).to.include({ asOf: null, ageSeconds: null, name: "USDX / USD reserves" });
      const latest = await ethers.provider.getBlockNumber();
      expect(
        (await listSubjects(registry, { fromBlock: latest + 1, toBlock: latest })).subjects,
      ).to.deep.equal([]);
    });

    it("hasHadReserveWallet is true from the first wallet on, also after it is removed", async function () {
      const { registry, ids, owner } = await loadFixture(deployed);
      expect(await hasHadReserveWallet(registry, ids[0]!)).to.equal(false);
      expect(await hasHadReserveWallet(registry, ids[2]!)).to.equal(true);
      const [wallet] = await registry.reserveWallets(ids[2]!);
      await registry.connect(owner).removeReserveWallet(ids[2]!, wallet!);
      expect(await hasHadReserveWallet(registry, ids[2]!)).to.equal(true);
    });

    it("hasHadReserveWallet falls back to the events when reservesRound reverts", async function () {
      const { admin, auditor, owner, wallet, other } = await namedSigners(
        "admin",
        "auditor",
        "owner",
        "wallet",
        "other",
      );
      const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
      await registry.accreditAuditor(auditor.address, "Auditor LLP");
      const asset = await ethers.deployContract("SettableERC20", [6]);
      await approveReserveAssets(registry, admin, asset);
      const id = parseSubjectId("OVF");
      await registry
        .connect(owner)
        .registerSubject(id, subjectConfig([auditor.address], { reserveAsset: await asset.getAddress() }));
      for (const holder of [wallet, other]) {
        await addWallet(registry, owner, id, holder);
        await asset.setBalance(holder.address, 2n ** 255n);
      }
      await expect(registry.reservesRound(id)).to.be.revertedWithCustomError(
        registry,
        "LiveReservesOverflow",
      );
      expect(await hasHadReserveWallet(registry, id)).to.equal(true);
    });

    it("readSubjectUpdateFacts reads what the registry decides with, and agrees with its refusal", async function () {
      const { registry, ids, owner, asset } = await loadFixture(deployed);
      const info = await readSubject(registry, ids[2]!);
      const current = subjectConfigOf(info);
      const next = {
        ...current,
        token: (await asset.getAddress()) as Address,
        reserveAsset: addr(0xdead),
        auditors: [...current.auditors, A4],
      };
      const f = await readSubjectUpdateFacts(registry, info, next);
      expect(f).to.include({
        owner: owner.address,
        latestRoundId: 0n,
        reservesLive: true,
        newTokenDecimals: 6,
        reserveAssetApproved: false,
        maxHeartbeatSeconds: 92 * 86_400,
        maxAuditors: 32,
      });
      expect(f.current).to.deep.equal(current);
      expect(f.auditors.get(A4)).to.deep.equal({ name: "", accredited: false });
      expect(findUpdateProblems(f, next, owner.address).map((p) => p.error)).to.deep.equal([
        "TokenFrozen",
        "ReserveAssetFrozen",
        "ReserveAssetNotApproved",
        "AuditorNotAccredited",
      ]);
      await expect(
        registry.connect(owner).updateSubject(ids[2]!, { ...next, heartbeat: next.heartbeatSeconds }),
      ).to.be.revertedWithCustomError(registry, "TokenFrozen");
    });

    it("readSubjectUpdateFacts tells a new token without code from a contract that is not a token", async function () {
      const { registry, ids } = await loadFixture(deployed);
      const info = await readSubject(registry, ids[0]!);
      const current = subjectConfigOf(info);
      const read = async (token: string) =>
        (await readSubjectUpdateFacts(registry, info, { ...current, token: token as Address }))
          .newTokenDecimals;
      expect(await read(addr(0xdead))).to.equal("no-code");
      expect(await read(await registry.getAddress())).to.equal("not-a-token");
      expect(await read(current.token)).to.equal(null);
    });
  });
});
