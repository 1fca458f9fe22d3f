import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import fc from "fast-check";
import type { ContractTransactionResponse, Signer } from "ethers";
import type { ReserveRegistry } from "../typechain-types";
import {
  ATTESTATION_TYPES,
  type Attestation,
  type SubjectConfig,
  ascending,
  attestationTuple,
  configTuple,
  malleate,
  namedAccounts,
  registryDomain,
  signAttestation,
  subjectIdOf,
} from "./helpers/reserve-registry";

/** An auditor address and the EOA that signs for it (itself, or a contract wallet's owner). */
interface Auditor {
  address: string;
  signer: Signer;
}

const DAY = 24 * 60 * 60;
const HEARTBEAT = DAY;
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
const ATTESTATION_TYPE =
  "Attestation(bytes32 subjectId,uint64 asOf,uint256 reserves,uint256 liabilities,bytes32 liabilitiesRoot,bytes32 reportHash)";
const PROPERTY_RUNS = process.env.CI ? 100 : 20;
/** type(uint128).max: the largest amount an attestation may carry. */
const MAX_AMOUNT = 2n ** 128n - 1n;

const S1 = subjectIdOf("USDX / USD reserves, quorum 1");
const S2 = subjectIdOf("USDX / USD reserves, quorum 2");
const S3 = subjectIdOf("USDX / USD reserves, quorum 3");
const SW = subjectIdOf("USDX / USD reserves, contract-wallet auditor");
const SP = subjectIdOf("property subject, quorum 3 of 6");
const UNKNOWN = subjectIdOf("never registered");

function eoa(signer: HardhatEthersSigner): Auditor {
  return { address: signer.address, signer };
}

function attestation(subjectId: string, asOf: number, overrides: Partial<Attestation> = {}): Attestation {
  return {
    subjectId,
    asOf,
    reserves: 1_050_000n * 10n ** 6n,
    liabilities: 1_000_000n * 10n ** 6n,
    liabilitiesRoot: ethers.id("liabilities root"),
    reportHash: ethers.id("auditor report"),
    ...overrides,
  };
}

async function deployRegistryFixture() {
  const { admin, subjectOwner, newOwner, relayer, stranger, walletOwner, outsider, unaccredited, ...more } =
    await namedAccounts(
      "admin",
      "subjectOwner",
      "newOwner",
      "relayer",
      "stranger",
      "walletOwner",
      // Accredited, but listed for no subject.
      "outsider",
      // Never accredited.
      "unaccredited",
      "auditor0",
      "auditor1",
      "auditor2",
      "auditor3",
    );
  // Four EOA auditors in ascending address order, so [a0, a1] is already a valid signer list.
  const eoaAuditors = ascending([more.auditor0, more.auditor1, more.auditor2, more.auditor3]).map(eoa);
  const [a0, a1, a2, a3] = eoaAuditors as [Auditor, Auditor, Auditor, Auditor];

  const Registry = await ethers.getContractFactory("ReserveRegistry");
  const registry = await Registry.deploy(admin.address);
  const otherRegistry = await Registry.deploy(admin.address);
  const token = await ethers.deployContract("MockERC20", ["USD X", "USDX", 6]);
  const reserveAsset = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
  const wallet = await ethers.deployContract("ERC1271Wallet", [walletOwner.address]);
  const walletAuditor: Auditor = { address: await wallet.getAddress(), signer: walletOwner };

  // Six local wallets for the property test: signing is local, so runs stay fast.
  const propertyAuditors: Auditor[] = ascending(
    Array.from({ length: 6 }, (_, i) => new ethers.Wallet(ethers.id(`property auditor ${i}`))),
  ).map((w) => ({ address: w.address, signer: w }));

  for (const r of [registry, otherRegistry]) {
    await r.approveReserveAsset(await reserveAsset.getAddress());
    for (const [i, a] of eoaAuditors.entries()) await r.accreditAuditor(a.address, `Auditor ${i}`);
    await r.accreditAuditor(outsider.address, "Outsider LLP");
    await r.accreditAuditor(walletAuditor.address, "Multisig Audit Co");
  }
  for (const [i, a] of propertyAuditors.entries()) {
    await registry.accreditAuditor(a.address, `Property auditor ${i}`);
  }

  const tokenAddress = await token.getAddress();
  const reserveAddress = await reserveAsset.getAddress();
  const config = (name: string, quorum: number, auditors: Auditor[]): SubjectConfig => ({
    name,
    decimals: 6,
    token: tokenAddress,
    reserveAsset: reserveAddress,
    heartbeat: HEARTBEAT,
    quorum,
    auditors: auditors.map((a) => a.address),
  });
  const configs = {
    [S1]: config("USDX / USD q1", 1, [a0]),
    [S2]: config("USDX / USD q2", 2, [a0, a1, a2]),
    [S3]: config("USDX / USD q3", 3, [a0, a1, a2, a3]),
    [SW]: config("USDX / USD wallet", 2, [a0, walletAuditor]),
    [SP]: config("Property", 3, propertyAuditors),
  } as Record<string, SubjectConfig>;
  const asOwner = registry.connect(subjectOwner);
  for (const [id, c] of Object.entries(configs)) await asOwner.registerSubject(id, c);
  // The same subject on a second registry, for cross-contract replay.
  await otherRegistry.connect(subjectOwner).registerSubject(S3, configs[S3]!);

  const domain = await registryDomain(registry);

  /** Signs `att` with `auditors` (for `signDomain`), returning ascending signers and their signatures. */
  async function sign(att: Attestation, auditors: Auditor[], signDomain = domain) {
    const sorted = ascending(auditors);
    const signatures = await Promise.all(sorted.map((a) => signAttestation(a.signer, signDomain, att)));
    return { signers: sorted.map((a) => a.address), signatures };
  }

  /** Signs and relays `att` through `target` (default: the registry, from `relayer`). */
  async function post(att: Attestation, auditors: Auditor[], target: ReserveRegistry = registry) {
    const { signers: list, signatures } = await sign(att, auditors, await registryDomain(target));
    return target.connect(relayer).postAttestation(att, list, signatures);
  }

  return {
    registry,
    otherRegistry,
    token,
    reserveAsset,
    wallet,
    admin,
    subjectOwner,
    newOwner,
    relayer,
    stranger,
    walletOwner,
    outsider,
    unaccredited,
    a0,
    a1,
    a2,
    a3,
    walletAuditor,
    propertyAuditors,
    configs,
    config,
    domain,
    sign,
    post,
  };
}

describe("ReserveRegistry", function () {
  describe("constructor", function () {
    it("makes the given account default admin behind a two-day transfer delay", async function () {
      const { registry, admin } = await loadFixture(deployRegistryFixture);
      expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await registry.defaultAdmin()).to.equal(admin.address);
      expect(await registry.defaultAdminDelay()).to.equal(2 * DAY);
      expect(await registry.ADMIN_TRANSFER_DELAY()).to.equal(2 * DAY);
    });

    it("exposes the documented constants", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      expect(await registry.ATTESTATION_TYPEHASH()).to.equal(ethers.id(ATTESTATION_TYPE));
      expect(await registry.MAX_AUDITORS_PER_SUBJECT()).to.equal(32);
      expect(await registry.MAX_DECIMALS()).to.equal(36);
      expect(await registry.MAX_AMOUNT()).to.equal(MAX_AMOUNT);
    });

    it("publishes its EIP-712 domain (ERC-5267) as documented", async function () {
      const { registry, domain } = await loadFixture(deployRegistryFixture);
      const d = await registry.eip712Domain();
      expect(d.name).to.equal("ReserveRegistry");
      expect(d.version).to.equal("1");
      expect(d.chainId).to.equal(domain.chainId);
      expect(d.verifyingContract).to.equal(await registry.getAddress());
    });
  });

  describe("default admin transfer", function () {
    it("hands the admin role over in two steps, only after the two-day delay", async function () {
      const { registry, admin, newOwner, stranger } = await loadFixture(deployRegistryFixture);
      const begunAt = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(begunAt);
      await expect(registry.connect(admin).beginDefaultAdminTransfer(newOwner.address))
        .to.emit(registry, "DefaultAdminTransferScheduled")
        .withArgs(newOwner.address, begunAt + 2 * DAY);
      const [pending, schedule] = await registry.pendingDefaultAdmin();
      expect(pending).to.equal(newOwner.address);
      expect(schedule).to.equal(begunAt + 2 * DAY);

      await expect(registry.connect(stranger).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(registry, "AccessControlInvalidDefaultAdmin")
        .withArgs(stranger.address);
      await time.setNextBlockTimestamp(schedule);
      await expect(registry.connect(newOwner).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(schedule);

      await time.setNextBlockTimestamp(schedule + 1n);
      await expect(registry.connect(newOwner).acceptDefaultAdminTransfer())
        .to.emit(registry, "RoleRevoked")
        .withArgs(DEFAULT_ADMIN_ROLE, admin.address, newOwner.address)
        .and.to.emit(registry, "RoleGranted")
        .withArgs(DEFAULT_ADMIN_ROLE, newOwner.address, newOwner.address);
      expect(await registry.defaultAdmin()).to.equal(newOwner.address);

      await expect(registry.connect(newOwner).accreditAuditor(stranger.address, "New Auditor"))
        .to.emit(registry, "AuditorAccredited")
        .withArgs(stranger.address, "New Auditor");
      await expect(registry.connect(admin).revokeAuditor(stranger.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(admin.address, DEFAULT_ADMIN_ROLE);
    });
  });

  describe("accreditAuditor", function () {
    it("accredits an auditor under a name and emits AuditorAccredited", async function () {
      const { registry, stranger } = await loadFixture(deployRegistryFixture);
      expect(await registry.isAccredited(stranger.address)).to.equal(false);
      await expect(registry.accreditAuditor(stranger.address, "Acme Assurance"))
        .to.emit(registry, "AuditorAccredited")
        .withArgs(stranger.address, "Acme Assurance");
      expect(await registry.isAccredited(stranger.address)).to.equal(true);
      expect(await registry.auditorName(stranger.address)).to.equal("Acme Assurance");
    });

    it("refuses the zero address", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      await expect(registry.accreditAuditor(ethers.ZeroAddress, "Nobody"))
        .to.be.revertedWithCustomError(registry, "InvalidAuditorAddress")
        .withArgs();
    });

    it("refuses an empty name", async function () {
      const { registry, stranger } = await loadFixture(deployRegistryFixture);
      await expect(registry.accreditAuditor(stranger.address, ""))
        .to.be.revertedWithCustomError(registry, "EmptyAuditorName")
        .withArgs();
    });

    it("refuses an auditor that is already accredited", async function () {
      const { registry, a0 } = await loadFixture(deployRegistryFixture);
      await expect(registry.accreditAuditor(a0.address, "Again"))
        .to.be.revertedWithCustomError(registry, "AuditorAlreadyAccredited")
        .withArgs(a0.address);
    });

    it("can only be called by the default admin", async function () {
      const { registry, stranger } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(stranger).accreditAuditor(stranger.address, "Self"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, DEFAULT_ADMIN_ROLE);
    });

    it("re-accredits a revoked auditor, whose signatures then count again", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      await registry.revokeAuditor(a0.address);
      const asOf = await time.latest();
      await expect(post(attestation(S1, asOf), [a0]))
        .to.be.revertedWithCustomError(registry, "AuditorNotAccredited")
        .withArgs(a0.address);

      await expect(registry.accreditAuditor(a0.address, "Auditor 0, renamed"))
        .to.emit(registry, "AuditorAccredited")
        .withArgs(a0.address, "Auditor 0, renamed");
      expect(await registry.isAccredited(a0.address)).to.equal(true);
      expect(await registry.auditorName(a0.address)).to.equal("Auditor 0, renamed");
      await expectPosted(registry, post(attestation(S1, asOf), [a0]), attestation(S1, asOf), 1, [a0]);
    });
  });

  describe("revokeAuditor", function () {
    it("revokes an auditor, keeps its name for the record and emits AuditorRevoked", async function () {
      const { registry, a0 } = await loadFixture(deployRegistryFixture);
      await expect(registry.revokeAuditor(a0.address))
        .to.emit(registry, "AuditorRevoked")
        .withArgs(a0.address);
      expect(await registry.isAccredited(a0.address)).to.equal(false);
      expect(await registry.auditorName(a0.address)).to.equal("Auditor 0");
    });

    it("refuses an address that was never accredited", async function () {
      const { registry, unaccredited } = await loadFixture(deployRegistryFixture);
      await expect(registry.revokeAuditor(unaccredited.address))
        .to.be.revertedWithCustomError(registry, "AuditorNotAccredited")
        .withArgs(unaccredited.address);
    });

    it("refuses an auditor that is already revoked", async function () {
      const { registry, a0 } = await loadFixture(deployRegistryFixture);
      await registry.revokeAuditor(a0.address);
      await expect(registry.revokeAuditor(a0.address))
        .to.be.revertedWithCustomError(registry, "AuditorNotAccredited")
        .withArgs(a0.address);
    });

    it("can only be called by the default admin", async function () {
      const { registry, a0, stranger } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(stranger).revokeAuditor(a0.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, DEFAULT_ADMIN_ROLE);
    });
  });

  describe("accreditation, read again only after a revocation", function () {
    it("lets a subject's auditors post after another auditor, listed nowhere, is revoked", async function () {
      const { registry, a0, outsider, post } = await loadFixture(deployRegistryFixture);
      await registry.revokeAuditor(outsider.address);
      const asOf = await time.latest();
      await expectPosted(registry, post(attestation(S1, asOf), [a0]), attestation(S1, asOf), 1, [a0]);
    });

    it("property: whatever revocations, re-accreditations and updates came before, a posting counts exactly the listed auditors accredited now", async function () {
      const { registry, subjectOwner, outsider, propertyAuditors, config, post } =
        await loadFixture(deployRegistryFixture);
      const n = propertyAuditors.length;
      const subset = fc.uniqueArray(fc.nat({ max: n - 1 }), { minLength: 1, maxLength: n });
      const op = fc.oneof(
        fc.record({ kind: fc.constant("revoke" as const), who: fc.nat({ max: n }) }),
        fc.record({ kind: fc.constant("accredit" as const), who: fc.nat({ max: n }) }),
        fc.record({ kind: fc.constant("update" as const), auditors: subset }),
        fc.record({ kind: fc.constant("post" as const), signers: subset }),
      );
      // A revert consumes its snapshot, so each run takes the next one.
      let base: string = await ethers.provider.send("evm_snapshot", []);
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), async (ops) => {
          await ethers.provider.send("evm_revert", [base]);
          base = await ethers.provider.send("evm_snapshot", []);
          // Index n is the outsider: accredited, listed for no subject.
          const everyone = [...propertyAuditors.map((a) => a.address), outsider.address];
          const accredited = new Set(everyone);
          let listed = propertyAuditors.map((a) => a.address);
          for (const o of ops) {
            if (o.kind === "revoke" || o.kind === "accredit") {
              const who = everyone[o.who]!;
              const revoke = o.kind === "revoke";
              const tx = revoke ? registry.revokeAuditor(who) : registry.accreditAuditor(who, "Auditor");
              if (revoke === accredited.has(who)) {
                await tx;
                if (revoke) accredited.delete(who);
                else accredited.add(who);
              } else {
                await expect(tx).to.be.revertedWithCustomError(
                  registry,
                  revoke ? "AuditorNotAccredited" : "AuditorAlreadyAccredited",
                );
              }
            } else if (o.kind === "update") {
              const chosen = o.auditors.map((i) => propertyAuditors[i]!);
              const tx = registry
                .connect(subjectOwner)
                .updateSubject(SP, config("Property", Math.min(3, chosen.length), chosen));
              const revoked = chosen.find((a) => !accredited.has(a.address));
              if (revoked) {
                await expect(tx)
                  .to.be.revertedWithCustomError(registry, "AuditorNotAccredited")
                  .withArgs(revoked.address);
              } else {
                await tx;
                listed = chosen.map((a) => a.address);
              }
            } else {
              const signers = ascending(o.signers.map((i) => propertyAuditors[i]!));
              const quorum = Math.min(3, listed.length);
              const asOf = await time.latest();
              const tx = post(attestation(SP, asOf), signers);
              const firstBad = signers.find((a) => !listed.includes(a.address) || !accredited.has(a.address));
              if (signers.length < quorum) {
                await expect(tx).to.be.revertedWithCustomError(registry, "QuorumNotMet");
              } else if (firstBad && !listed.includes(firstBad.address)) {
                await expect(tx)
                  .to.be.revertedWithCustomError(registry, "SignerNotSubjectAuditor")
                  .withArgs(SP, firstBad.address);
              } else if (firstBad) {
                await expect(tx)
                  .to.be.revertedWithCustomError(registry, "AuditorNotAccredited")
                  .withArgs(firstBad.address);
              } else {
                await expect(tx).to.emit(registry, "AttestationPosted");
              }
            }
          }
        }),
        { numRuns: PROPERTY_RUNS },
      );
    });
  });

  describe("isAccredited", function () {
    it("is false for an address never accredited", async function () {
      const { registry, unaccredited } = await loadFixture(deployRegistryFixture);
      expect(await registry.isAccredited(unaccredited.address)).to.equal(false);
    });
  });

  describe("auditorName", function () {
    it("is empty for an address never accredited", async function () {
      const { registry, unaccredited } = await loadFixture(deployRegistryFixture);
      expect(await registry.auditorName(unaccredited.address)).to.equal("");
    });
  });

  describe("approveReserveAsset", function () {
    it("approves an ERC20 and emits ReserveAssetApproved", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const wbtc = await ethers.deployContract("MockERC20", ["Wrapped BTC", "WBTC", 8]);
      const asset = await wbtc.getAddress();
      expect(await registry.isApprovedReserveAsset(asset)).to.equal(false);
      await expect(registry.approveReserveAsset(asset))
        .to.emit(registry, "ReserveAssetApproved")
        .withArgs(asset);
      expect(await registry.isApprovedReserveAsset(asset)).to.equal(true);
    });

    it("accepts an asset with exactly MAX_DECIMALS (36) decimals", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const asset36 = await ethers.deployContract("MockERC20", ["Asset 36", "A36", 36]);
      await expect(registry.approveReserveAsset(await asset36.getAddress()))
        .to.emit(registry, "ReserveAssetApproved")
        .withArgs(await asset36.getAddress());
    });

    it("refuses an asset that is already approved", async function () {
      const { registry, reserveAsset } = await loadFixture(deployRegistryFixture);
      const asset = await reserveAsset.getAddress();
      await expect(registry.approveReserveAsset(asset))
        .to.be.revertedWithCustomError(registry, "ReserveAssetAlreadyApproved")
        .withArgs(asset);
    });

    it("refuses an EOA (NotAContract), including the zero address", async function () {
      const { registry, stranger } = await loadFixture(deployRegistryFixture);
      for (const account of [stranger.address, ethers.ZeroAddress]) {
        await expect(registry.approveReserveAsset(account))
          .to.be.revertedWithCustomError(registry, "NotAContract")
          .withArgs(account);
        expect(await registry.isApprovedReserveAsset(account)).to.equal(false);
      }
    });

    it("refuses a contract that does not answer decimals() (NotAToken)", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const notAToken = await registry.getAddress();
      await expect(registry.approveReserveAsset(notAToken))
        .to.be.revertedWithCustomError(registry, "NotAToken")
        .withArgs(notAToken);
    });

    it("refuses an asset with more than MAX_DECIMALS decimals (InvalidDecimals)", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const odd = await ethers.deployContract("MockERC20", ["Odd", "ODD", 37]);
      await expect(registry.approveReserveAsset(await odd.getAddress()))
        .to.be.revertedWithCustomError(registry, "InvalidDecimals")
        .withArgs(37, 36);
    });

    it("can only be called by the default admin, not even by a subject owner", async function () {
      const { registry, subjectOwner, stranger } = await loadFixture(deployRegistryFixture);
      const ownCoin = await ethers.deployContract("MockERC20", ["Owner's coin", "OWN", 6]);
      for (const caller of [subjectOwner, stranger]) {
        await expect(registry.connect(caller).approveReserveAsset(await ownCoin.getAddress()))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, DEFAULT_ADMIN_ROLE);
      }
      expect(await registry.isApprovedReserveAsset(await ownCoin.getAddress())).to.equal(false);
    });
  });

  describe("revokeReserveAsset", function () {
    it("revokes an approved asset and emits ReserveAssetRevoked; it can be approved again", async function () {
      const { registry, reserveAsset } = await loadFixture(deployRegistryFixture);
      const asset = await reserveAsset.getAddress();
      await expect(registry.revokeReserveAsset(asset))
        .to.emit(registry, "ReserveAssetRevoked")
        .withArgs(asset);
      expect(await registry.isApprovedReserveAsset(asset)).to.equal(false);
      await expect(registry.approveReserveAsset(asset))
        .to.emit(registry, "ReserveAssetApproved")
        .withArgs(asset);
      expect(await registry.isApprovedReserveAsset(asset)).to.equal(true);
    });

    it("refuses an asset that was never approved", async function () {
      const { registry, token, stranger } = await loadFixture(deployRegistryFixture);
      for (const asset of [await token.getAddress(), stranger.address, ethers.ZeroAddress]) {
        await expect(registry.revokeReserveAsset(asset))
          .to.be.revertedWithCustomError(registry, "ReserveAssetNotApproved")
          .withArgs(asset);
      }
    });

    it("refuses an asset that is already revoked", async function () {
      const { registry, reserveAsset } = await loadFixture(deployRegistryFixture);
      const asset = await reserveAsset.getAddress();
      await registry.revokeReserveAsset(asset);
      await expect(registry.revokeReserveAsset(asset))
        .to.be.revertedWithCustomError(registry, "ReserveAssetNotApproved")
        .withArgs(asset);
    });

    it("can only be called by the default admin", async function () {
      const { registry, reserveAsset, subjectOwner, stranger } = await loadFixture(deployRegistryFixture);
      const asset = await reserveAsset.getAddress();
      for (const caller of [subjectOwner, stranger]) {
        await expect(registry.connect(caller).revokeReserveAsset(asset))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, DEFAULT_ADMIN_ROLE);
      }
      expect(await registry.isApprovedReserveAsset(asset)).to.equal(true);
    });

    it("is per registry: revoking on one registry leaves the other's approval alone", async function () {
      const { registry, otherRegistry, reserveAsset } = await loadFixture(deployRegistryFixture);
      const asset = await reserveAsset.getAddress();
      await registry.revokeReserveAsset(asset);
      expect(await registry.isApprovedReserveAsset(asset)).to.equal(false);
      expect(await otherRegistry.isApprovedReserveAsset(asset)).to.equal(true);
    });
  });

  describe("isApprovedReserveAsset", function () {
    it("is false for the zero address, an EOA and a token never approved", async function () {
      const { registry, token, stranger } = await loadFixture(deployRegistryFixture);
      for (const account of [ethers.ZeroAddress, stranger.address, await token.getAddress()]) {
        expect(await registry.isApprovedReserveAsset(account)).to.equal(false);
      }
    });
  });

  describe("registerSubject", function () {
    const NEW = subjectIdOf("new subject");

    it("registers a subject, makes the caller its owner and emits SubjectRegistered and SubjectConfigSet", async function () {
      const { registry, stranger, a0, a1, config } = await loadFixture(deployRegistryFixture);
      const c = config("New subject", 2, [a0, a1]);
      await expect(registry.connect(stranger).registerSubject(NEW, c))
        .to.emit(registry, "SubjectRegistered")
        .withArgs(NEW, stranger.address)
        .and.to.emit(registry, "SubjectConfigSet")
        .withArgs(NEW, configTuple(c));
      const [stored, owner] = await registry.subject(NEW);
      expect(stored).to.deep.equal(configTuple(c));
      expect(owner).to.equal(stranger.address);
      expect(await registry.pendingSubjectOwner(NEW)).to.equal(ethers.ZeroAddress);
      expect(await registry.latestRoundId(NEW)).to.equal(0);
    });

    it("accepts off-chain reserves and no on-chain token (both zero)", async function () {
      const { registry, a0, config } = await loadFixture(deployRegistryFixture);
      const c = {
        ...config("Off-chain", 1, [a0]),
        token: ethers.ZeroAddress,
        reserveAsset: ethers.ZeroAddress,
      };
      await expect(registry.registerSubject(NEW, c))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(NEW, configTuple(c));
    });

    it("accepts the bounds: 36 decimals, a one-second heartbeat and a quorum of every auditor", async function () {
      const { registry, a0, a1, a2, config } = await loadFixture(deployRegistryFixture);
      // A token named by the subject must have the subject's decimals.
      const token36 = await ethers.deployContract("MockERC20", ["Token 36", "T36", 36]);
      const c = {
        ...config("Bounds", 3, [a0, a1, a2]),
        decimals: 36,
        heartbeat: 1,
        token: await token36.getAddress(),
      };
      await expect(registry.registerSubject(NEW, c))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(NEW, configTuple(c));
    });

    it("accepts exactly MAX_AUDITORS_PER_SUBJECT (32) auditors", async function () {
      const { registry, config } = await loadFixture(deployRegistryFixture);
      const many = Array.from({ length: 32 }, (_, i) =>
        ethers.getAddress(ethers.dataSlice(ethers.id(`a${i}`), 12)),
      );
      for (const a of many) await registry.accreditAuditor(a, "Many");
      const c = { ...config("Thirty-two", 32, []), auditors: many };
      await expect(registry.registerSubject(NEW, c))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(NEW, configTuple(c));
    });

    it("refuses the zero subject id", async function () {
      const { registry, a0, config } = await loadFixture(deployRegistryFixture);
      await expect(registry.registerSubject(ethers.ZeroHash, config("Zero", 1, [a0])))
        .to.be.revertedWithCustomError(registry, "InvalidSubjectId")
        .withArgs();
    });

    it("refuses a subject id that is already registered, even from its owner", async function () {
      const { registry, subjectOwner, stranger, a0, config } = await loadFixture(deployRegistryFixture);
      for (const caller of [stranger, subjectOwner]) {
        await expect(registry.connect(caller).registerSubject(S1, config("Squat", 1, [a0])))
          .to.be.revertedWithCustomError(registry, "SubjectAlreadyRegistered")
          .withArgs(S1);
      }
    });

    it("refuses an empty name", async function () {
      const { registry, a0, config } = await loadFixture(deployRegistryFixture);
      await expect(registry.registerSubject(NEW, config("", 1, [a0])))
        .to.be.revertedWithCustomError(registry, "EmptySubjectName")
        .withArgs();
    });

    it("refuses decimals above MAX_DECIMALS", async function () {
      const { registry, a0, config } = await loadFixture(deployRegistryFixture);
      await expect(registry.registerSubject(NEW, { ...config("Decimals", 1, [a0]), decimals: 37 }))
        .to.be.revertedWithCustomError(registry, "InvalidDecimals")
        .withArgs(37, 36);
    });

    it("refuses a zero heartbeat", async function () {
      const { registry, a0, config } = await loadFixture(deployRegistryFixture);
      await expect(registry.registerSubject(NEW, { ...config("Heartbeat", 1, [a0]), heartbeat: 0 }))
        .to.be.revertedWithCustomError(registry, "InvalidHeartbeat")
        .withArgs(0, 92 * 86_400);
    });

    it("accepts a heartbeat of exactly MAX_HEARTBEAT and refuses one second more", async function () {
      const { registry, a0, config } = await loadFixture(deployRegistryFixture);
      const max = await registry.MAX_HEARTBEAT();
      expect(max).to.equal(92n * 86_400n);
      await expect(registry.registerSubject(NEW, { ...config("Heartbeat", 1, [a0]), heartbeat: max + 1n }))
        .to.be.revertedWithCustomError(registry, "InvalidHeartbeat")
        .withArgs(max + 1n, max);
      await expect(
        registry.registerSubject(NEW, { ...config("Heartbeat", 1, [a0]), heartbeat: max }),
      ).to.emit(registry, "SubjectRegistered");
    });

    it("refuses a token that is an EOA", async function () {
      const { registry, a0, stranger, config } = await loadFixture(deployRegistryFixture);
      await expect(registry.registerSubject(NEW, { ...config("Token", 1, [a0]), token: stranger.address }))
        .to.be.revertedWithCustomError(registry, "NotAContract")
        .withArgs(stranger.address);
    });

    it("refuses a reserve asset the admin never approved: an EOA, a non-token or a real token", async function () {
      const { registry, a0, stranger, config } = await loadFixture(deployRegistryFixture);
      const unapproved = await ethers.deployContract("MockERC20", ["Owner's coin", "OWN", 6]);
      for (const asset of [stranger.address, await registry.getAddress(), await unapproved.getAddress()]) {
        await expect(registry.registerSubject(NEW, { ...config("Reserve", 1, [a0]), reserveAsset: asset }))
          .to.be.revertedWithCustomError(registry, "ReserveAssetNotApproved")
          .withArgs(asset);
      }
    });

    it("refuses a reserve asset the admin revoked, and accepts it again once re-approved", async function () {
      const { registry, a0, reserveAsset, config } = await loadFixture(deployRegistryFixture);
      const asset = await reserveAsset.getAddress();
      await registry.revokeReserveAsset(asset);
      await expect(registry.registerSubject(NEW, config("Revoked asset", 1, [a0])))
        .to.be.revertedWithCustomError(registry, "ReserveAssetNotApproved")
        .withArgs(asset);
      await registry.approveReserveAsset(asset);
      const c = config("Re-approved asset", 1, [a0]);
      await expect(registry.registerSubject(NEW, c))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(NEW, configTuple(c));
    });

    it("accepts an approved reserve asset whose decimals differ from the subject's (balances are rescaled)", async function () {
      const { registry, a0, config } = await loadFixture(deployRegistryFixture);
      const wbtc = await ethers.deployContract("MockERC20", ["Wrapped BTC", "WBTC", 8]);
      await registry.approveReserveAsset(await wbtc.getAddress());
      const c = { ...config("8-decimal reserves", 1, [a0]), reserveAsset: await wbtc.getAddress() };
      await expect(registry.registerSubject(NEW, c))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(NEW, configTuple(c));
    });

    it("refuses a token whose decimals differ from the subject's (DecimalsMismatch)", async function () {
      const { registry, a0, config } = await loadFixture(deployRegistryFixture);
      const token18 = await ethers.deployContract("MockERC20", ["Token 18", "T18", 18]);
      // The fixture's token has 6 decimals.
      await expect(registry.registerSubject(NEW, { ...config("Mismatch", 1, [a0]), decimals: 8 }))
        .to.be.revertedWithCustomError(registry, "DecimalsMismatch")
        .withArgs(8, 6);
      await expect(
        registry.registerSubject(NEW, { ...config("Mismatch", 1, [a0]), token: await token18.getAddress() }),
      )
        .to.be.revertedWithCustomError(registry, "DecimalsMismatch")
        .withArgs(6, 18);
      const matching = { ...config("Match", 1, [a0]), decimals: 18, token: await token18.getAddress() };
      await expect(registry.registerSubject(NEW, matching))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(NEW, configTuple(matching));
    });

    it("refuses a token that does not answer decimals() (NotAToken)", async function () {
      const { registry, a0, config } = await loadFixture(deployRegistryFixture);
      const notAToken = await registry.getAddress(); // a contract, but no ERC20 decimals()
      await expect(registry.registerSubject(NEW, { ...config("Token", 1, [a0]), token: notAToken }))
        .to.be.revertedWithCustomError(registry, "NotAToken")
        .withArgs(notAToken);
    });

    it("refuses a token with more than MAX_DECIMALS decimals, so normalizing cannot overflow", async function () {
      const { registry, a0, config } = await loadFixture(deployRegistryFixture);
      const odd = await ethers.deployContract("MockERC20", ["Odd", "ODD", 37]);
      await expect(
        registry.registerSubject(NEW, { ...config("Token", 1, [a0]), token: await odd.getAddress() }),
      )
        .to.be.revertedWithCustomError(registry, "InvalidDecimals")
        .withArgs(37, 36);
    });

    it("refuses more than MAX_AUDITORS_PER_SUBJECT (33) auditors", async function () {
      const { registry, config } = await loadFixture(deployRegistryFixture);
      const many = Array.from({ length: 33 }, (_, i) =>
        ethers.getAddress(ethers.dataSlice(ethers.id(`a${i}`), 12)),
      );
      await expect(registry.registerSubject(NEW, { ...config("Too many", 1, []), auditors: many }))
        .to.be.revertedWithCustomError(registry, "TooManyAuditors")
        .withArgs(33, 32);
    });

    it("refuses a zero quorum", async function () {
      const { registry, a0, a1, config } = await loadFixture(deployRegistryFixture);
      await expect(registry.registerSubject(NEW, config("Quorum", 0, [a0, a1])))
        .to.be.revertedWithCustomError(registry, "InvalidQuorum")
        .withArgs(0, 2);
    });

    it("refuses a quorum above the number of auditors, including an empty auditor list", async function () {
      const { registry, a0, a1, config } = await loadFixture(deployRegistryFixture);
      await expect(registry.registerSubject(NEW, config("Quorum", 3, [a0, a1])))
        .to.be.revertedWithCustomError(registry, "InvalidQuorum")
        .withArgs(3, 2);
      await expect(registry.registerSubject(NEW, config("Quorum", 1, [])))
        .to.be.revertedWithCustomError(registry, "InvalidQuorum")
        .withArgs(1, 0);
    });

    it("refuses an auditor listed twice", async function () {
      const { registry, a0, a1, config } = await loadFixture(deployRegistryFixture);
      await expect(registry.registerSubject(NEW, config("Duplicate", 2, [a0, a1, a0])))
        .to.be.revertedWithCustomError(registry, "DuplicateAuditor")
        .withArgs(a0.address);
    });

    it("refuses an auditor that was never accredited", async function () {
      const { registry, a0, unaccredited, config } = await loadFixture(deployRegistryFixture);
      await expect(registry.registerSubject(NEW, config("Unaccredited", 1, [a0, eoa(unaccredited)])))
        .to.be.revertedWithCustomError(registry, "AuditorNotAccredited")
        .withArgs(unaccredited.address);
    });

    it("refuses a revoked auditor", async function () {
      const { registry, a0, a1, config } = await loadFixture(deployRegistryFixture);
      await registry.revokeAuditor(a1.address);
      await expect(registry.registerSubject(NEW, config("Revoked", 1, [a0, a1])))
        .to.be.revertedWithCustomError(registry, "AuditorNotAccredited")
        .withArgs(a1.address);
    });
  });

  describe("updateSubject", function () {
    it("lets the owner replace the config, emits SubjectConfigSet and keeps existing rounds", async function () {
      const { registry, subjectOwner, a0, a1, a2, config, post } = await loadFixture(deployRegistryFixture);
      const asOf = await time.latest();
      await post(attestation(S1, asOf), [a0]);
      const c = { ...config("Renamed", 2, [a1, a2]), heartbeat: 7 * DAY };
      await expect(registry.connect(subjectOwner).updateSubject(S1, c))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(S1, configTuple(c));
      const [stored, owner] = await registry.subject(S1);
      expect(stored).to.deep.equal(configTuple(c));
      expect(owner).to.equal(subjectOwner.address);
      expect(await registry.latestRoundId(S1)).to.equal(1);
      const [att] = await registry.getAttestation(S1, 1);
      expect(att).to.deep.equal(attestationTuple(attestation(S1, asOf)));
    });

    it("refuses to change the decimals even before the first round (signatures in flight)", async function () {
      // Auditors may have signed amounts meant in 6 decimals that are not posted yet.
      const { registry, subjectOwner, configs } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(subjectOwner).updateSubject(S1, { ...configs[S1]!, decimals: 0 }))
        .to.be.revertedWithCustomError(registry, "DecimalsFrozen")
        .withArgs(S1, 6, 0);
    });

    it("changes the token while nothing backs the subject yet, and refuses once a round exists", async function () {
      const { registry, subjectOwner, a0, configs, post } = await loadFixture(deployRegistryFixture);
      const other = await ethers.deployContract("MockERC20", ["Other", "OTH", 6]);
      const swapped = { ...configs[S1]!, token: await other.getAddress() };
      await expect(registry.connect(subjectOwner).updateSubject(S1, swapped))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(S1, configTuple(swapped));
      await post(attestation(S1, await time.latest()), [a0]);
      // Swapping in an empty token would make the ratio infinite without any auditor.
      await expect(
        registry.connect(subjectOwner).updateSubject(S1, { ...swapped, token: ethers.ZeroAddress }),
      )
        .to.be.revertedWithCustomError(registry, "TokenFrozen")
        .withArgs(S1, await other.getAddress(), ethers.ZeroAddress);
    });

    it("refuses to change the decimals once a round exists, so signed amounts cannot be rescaled", async function () {
      const { registry, subjectOwner, a0, configs, post } = await loadFixture(deployRegistryFixture);
      await post(attestation(S1, await time.latest()), [a0]);
      // From 6 to 0 decimals would show the signed reserves a million times larger.
      for (const decimals of [0, 18]) {
        await expect(registry.connect(subjectOwner).updateSubject(S1, { ...configs[S1]!, decimals }))
          .to.be.revertedWithCustomError(registry, "DecimalsFrozen")
          .withArgs(S1, 6, decimals);
      }
      const renamed = { ...configs[S1]!, name: "Renamed" };
      await expect(registry.connect(subjectOwner).updateSubject(S1, renamed))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(S1, configTuple(renamed));
    });

    it("freezes the token and the reserve asset once a round exists, whichever way the change goes", async function () {
      const { registry, subjectOwner, a0, token, reserveAsset, configs, config, post } =
        await loadFixture(deployRegistryFixture);
      const otherToken = await ethers.deployContract("MockERC20", ["Other", "OTH", 6]);
      const otherAsset = await ethers.deployContract("MockERC20", ["Other reserve", "ORS", 6]);
      await registry.approveReserveAsset(await otherAsset.getAddress());
      const [tokenAddress, assetAddress] = [await token.getAddress(), await reserveAsset.getAddress()];
      const asOwner = registry.connect(subjectOwner);
      await post(attestation(S1, await time.latest()), [a0]);
      // Non-zero to another non-zero, and non-zero to zero.
      for (const changed of [await otherToken.getAddress(), ethers.ZeroAddress]) {
        await expect(asOwner.updateSubject(S1, { ...configs[S1]!, token: changed }))
          .to.be.revertedWithCustomError(registry, "TokenFrozen")
          .withArgs(S1, tokenAddress, changed);
      }
      for (const changed of [await otherAsset.getAddress(), ethers.ZeroAddress]) {
        await expect(asOwner.updateSubject(S1, { ...configs[S1]!, reserveAsset: changed }))
          .to.be.revertedWithCustomError(registry, "ReserveAssetFrozen")
          .withArgs(S1, assetAddress, changed);
      }

      // Zero to non-zero: a subject without token or reserve asset cannot gain one after a round.
      const bare = subjectIdOf("bare subject");
      const bareConfig = {
        ...config("Bare", 1, [a0]),
        token: ethers.ZeroAddress,
        reserveAsset: ethers.ZeroAddress,
      };
      await asOwner.registerSubject(bare, bareConfig);
      await post(attestation(bare, await time.latest()), [a0]);
      await expect(asOwner.updateSubject(bare, { ...bareConfig, token: tokenAddress }))
        .to.be.revertedWithCustomError(registry, "TokenFrozen")
        .withArgs(bare, ethers.ZeroAddress, tokenAddress);
      await expect(asOwner.updateSubject(bare, { ...bareConfig, reserveAsset: assetAddress }))
        .to.be.revertedWithCustomError(registry, "ReserveAssetFrozen")
        .withArgs(bare, ethers.ZeroAddress, assetAddress);

      // Everything else still updates.
      const renamed = { ...configs[S1]!, name: "Renamed", heartbeat: 2 * DAY };
      await expect(asOwner.updateSubject(S1, renamed))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(S1, configTuple(renamed));
    });

    it("changes the reserve asset to another approved one while nothing backs the subject yet", async function () {
      const { registry, subjectOwner, configs } = await loadFixture(deployRegistryFixture);
      const otherAsset = await ethers.deployContract("MockERC20", ["Other reserve", "ORS", 18]);
      await registry.approveReserveAsset(await otherAsset.getAddress());
      for (const asset of [await otherAsset.getAddress(), ethers.ZeroAddress]) {
        const changed = { ...configs[S1]!, reserveAsset: asset };
        await expect(registry.connect(subjectOwner).updateSubject(S1, changed))
          .to.emit(registry, "SubjectConfigSet")
          .withArgs(S1, configTuple(changed));
      }
    });

    it("refuses a new reserve asset the admin has not approved (ReserveAssetNotApproved)", async function () {
      const { registry, subjectOwner, configs } = await loadFixture(deployRegistryFixture);
      const ownCoin = await ethers.deployContract("MockERC20", ["Owner's coin", "OWN", 6]);
      const asset = await ownCoin.getAddress();
      await expect(registry.connect(subjectOwner).updateSubject(S1, { ...configs[S1]!, reserveAsset: asset }))
        .to.be.revertedWithCustomError(registry, "ReserveAssetNotApproved")
        .withArgs(asset);
    });

    it("keeps a reserve asset revoked since, so the owner can still change auditors and heartbeat", async function () {
      const { registry, subjectOwner, a0, a1, a2, reserveAsset, config, post } =
        await loadFixture(deployRegistryFixture);
      const asset = await reserveAsset.getAddress();
      await post(attestation(S1, await time.latest()), [a0]);
      await registry.revokeReserveAsset(asset);
      const rotated = { ...config("Rotated auditors", 2, [a1, a2]), heartbeat: 3 * DAY };
      expect(rotated.reserveAsset).to.equal(asset);
      await expect(registry.connect(subjectOwner).updateSubject(S1, rotated))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(S1, configTuple(rotated));
      const [stored] = await registry.subject(S1);
      expect(stored).to.deep.equal(configTuple(rotated));
      const next = attestation(S1, await time.latest());
      await expectPosted(registry, post(next, [a1, a2]), next, 2, [a1, a2]);
      expect(await registry.isApprovedReserveAsset(asset)).to.equal(false);
    });

    it("refuses a revoked reserve asset once the subject has moved away from it", async function () {
      const { registry, subjectOwner, reserveAsset, configs } = await loadFixture(deployRegistryFixture);
      const asset = await reserveAsset.getAddress();
      await registry.revokeReserveAsset(asset);
      const asOwner = registry.connect(subjectOwner);
      await asOwner.updateSubject(S1, { ...configs[S1]!, reserveAsset: ethers.ZeroAddress });
      await expect(asOwner.updateSubject(S1, configs[S1]!))
        .to.be.revertedWithCustomError(registry, "ReserveAssetNotApproved")
        .withArgs(asset);
    });

    it("refuses a token whose decimals differ from the subject's (DecimalsMismatch)", async function () {
      const { registry, subjectOwner, configs } = await loadFixture(deployRegistryFixture);
      const token18 = await ethers.deployContract("MockERC20", ["Token 18", "T18", 18]);
      await expect(
        registry
          .connect(subjectOwner)
          .updateSubject(S1, { ...configs[S1]!, token: await token18.getAddress() }),
      )
        .to.be.revertedWithCustomError(registry, "DecimalsMismatch")
        .withArgs(6, 18);
    });

    it("keeps accepting updates when the named token changes its decimals() later", async function () {
      const { registry, subjectOwner, a0, a1 } = await loadFixture(deployRegistryFixture);
      const token = await ethers.deployContract("SettableERC20", [6]);
      const subjectId = subjectIdOf("decimals-changing token");
      const config: SubjectConfig = {
        name: "Changing token",
        decimals: 6,
        token: await token.getAddress(),
        reserveAsset: ethers.ZeroAddress,
        heartbeat: HEARTBEAT,
        quorum: 1,
        auditors: [a0.address],
      };
      await registry.connect(subjectOwner).registerSubject(subjectId, config);
      await token.setDecimals(18);
      // Checked when the token is named, so its owner cannot lock the auditors in place by changing it.
      const rotated = { ...config, name: "Changing token v2", auditors: [a1.address] };
      await expect(registry.connect(subjectOwner).updateSubject(subjectId, rotated))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(subjectId, configTuple(rotated));
    });

    it("accepts the same auditors again (the previous list is cleared first)", async function () {
      const { registry, subjectOwner, configs } = await loadFixture(deployRegistryFixture);
      const c = configs[S3]!;
      await expect(registry.connect(subjectOwner).updateSubject(S3, c))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(S3, configTuple(c));
    });

    it("makes the new auditors' signatures count and the dropped ones' stop counting", async function () {
      const { registry, subjectOwner, a0, a1, config, post } = await loadFixture(deployRegistryFixture);
      await registry.connect(subjectOwner).updateSubject(S1, config("Swapped", 1, [a1]));
      const asOf = await time.latest();
      await expect(post(attestation(S1, asOf), [a0]))
        .to.be.revertedWithCustomError(registry, "SignerNotSubjectAuditor")
        .withArgs(S1, a0.address);
      await expectPosted(registry, post(attestation(S1, asOf), [a1]), attestation(S1, asOf), 1, [a1]);
    });

    it("shrinks and regrows the auditor list, with only the listed auditors counting each time", async function () {
      const { registry, subjectOwner, a0, a1, a2, a3, configs, config, post } =
        await loadFixture(deployRegistryFixture);
      const asOwner = registry.connect(subjectOwner);
      const shrunk = config("Shrunk", 1, [a3]);
      await asOwner.updateSubject(S3, shrunk);
      const [stored] = await registry.subject(S3);
      expect(stored.auditors).to.deep.equal([a3.address]);
      const now = await time.latest();
      await expect(post(attestation(S3, now - 10), [a0, a3]))
        .to.be.revertedWithCustomError(registry, "SignerNotSubjectAuditor")
        .withArgs(S3, a0.address);
      const first = attestation(S3, now - 10);
      await expectPosted(registry, post(first, [a3]), first, 1, [a3]);

      await asOwner.updateSubject(S3, configs[S3]!);
      const [regrown] = await registry.subject(S3);
      expect(regrown.auditors).to.deep.equal([a0, a1, a2, a3].map((a) => a.address));
      const second = attestation(S3, now);
      await expectPosted(registry, post(second, [a0, a1, a2]), second, 2, [a0, a1, a2]);
    });

    it("validates the new config like registerSubject", async function () {
      const { registry, subjectOwner, a0, a1, config } = await loadFixture(deployRegistryFixture);
      const asOwner = registry.connect(subjectOwner);
      await expect(asOwner.updateSubject(S1, config("Quorum", 3, [a0, a1])))
        .to.be.revertedWithCustomError(registry, "InvalidQuorum")
        .withArgs(3, 2);
      await expect(asOwner.updateSubject(S1, config("Duplicate", 1, [a1, a1])))
        .to.be.revertedWithCustomError(registry, "DuplicateAuditor")
        .withArgs(a1.address);
      await expect(asOwner.updateSubject(S1, config("", 1, [a0])))
        .to.be.revertedWithCustomError(registry, "EmptySubjectName")
        .withArgs();
    });

    it("refuses a caller that is not the subject owner", async function () {
      const { registry, stranger, admin, a0, config } = await loadFixture(deployRegistryFixture);
      for (const caller of [stranger, admin]) {
        await expect(registry.connect(caller).updateSubject(S1, config("Hijack", 1, [a0])))
          .to.be.revertedWithCustomError(registry, "NotSubjectOwner")
          .withArgs(S1, caller.address);
      }
    });

    it("refuses an unknown subject", async function () {
      const { registry, subjectOwner, a0, config } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(subjectOwner).updateSubject(UNKNOWN, config("Unknown", 1, [a0])))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("transferSubjectOwnership", function () {
    it("offers ownership to a new owner without handing it over yet", async function () {
      const { registry, subjectOwner, newOwner } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(subjectOwner).transferSubjectOwnership(S1, newOwner.address))
        .to.emit(registry, "SubjectOwnershipTransferStarted")
        .withArgs(S1, subjectOwner.address, newOwner.address);
      expect(await registry.pendingSubjectOwner(S1)).to.equal(newOwner.address);
      const [, owner] = await registry.subject(S1);
      expect(owner).to.equal(subjectOwner.address);
    });

    it("cancels a pending offer when transferring to the zero address", async function () {
      const { registry, subjectOwner, newOwner } = await loadFixture(deployRegistryFixture);
      const asOwner = registry.connect(subjectOwner);
      await asOwner.transferSubjectOwnership(S1, newOwner.address);
      await expect(asOwner.transferSubjectOwnership(S1, ethers.ZeroAddress))
        .to.emit(registry, "SubjectOwnershipTransferStarted")
        .withArgs(S1, subjectOwner.address, ethers.ZeroAddress);
      expect(await registry.pendingSubjectOwner(S1)).to.equal(ethers.ZeroAddress);
      await expect(registry.connect(newOwner).acceptSubjectOwnership(S1))
        .to.be.revertedWithCustomError(registry, "NotPendingSubjectOwner")
        .withArgs(S1, newOwner.address);
    });

    it("refuses a caller that is not the subject owner", async function () {
      const { registry, stranger } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(stranger).transferSubjectOwnership(S1, stranger.address))
        .to.be.revertedWithCustomError(registry, "NotSubjectOwner")
        .withArgs(S1, stranger.address);
    });

    it("refuses an unknown subject", async function () {
      const { registry, subjectOwner, newOwner } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(subjectOwner).transferSubjectOwnership(UNKNOWN, newOwner.address))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("acceptSubjectOwnership", function () {
    it("hands ownership to the pending owner, clears the offer and emits SubjectOwnershipTransferred", async function () {
      const { registry, subjectOwner, newOwner, a0, config } = await loadFixture(deployRegistryFixture);
      await registry.connect(subjectOwner).transferSubjectOwnership(S1, newOwner.address);
      await expect(registry.connect(newOwner).acceptSubjectOwnership(S1))
        .to.emit(registry, "SubjectOwnershipTransferred")
        .withArgs(S1, subjectOwner.address, newOwner.address);
      const [, owner] = await registry.subject(S1);
      expect(owner).to.equal(newOwner.address);
      expect(await registry.pendingSubjectOwner(S1)).to.equal(ethers.ZeroAddress);

      await expect(registry.connect(subjectOwner).updateSubject(S1, config("Old owner", 1, [a0])))
        .to.be.revertedWithCustomError(registry, "NotSubjectOwner")
        .withArgs(S1, subjectOwner.address);
      const byNewOwner = config("New owner", 1, [a0]);
      await expect(registry.connect(newOwner).updateSubject(S1, byNewOwner))
        .to.emit(registry, "SubjectConfigSet")
        .withArgs(S1, configTuple(byNewOwner));
    });

    it("refuses anyone but the pending owner", async function () {
      const { registry, subjectOwner, newOwner, stranger } = await loadFixture(deployRegistryFixture);
      await registry.connect(subjectOwner).transferSubjectOwnership(S1, newOwner.address);
      for (const caller of [stranger, subjectOwner]) {
        await expect(registry.connect(caller).acceptSubjectOwnership(S1))
          .to.be.revertedWithCustomError(registry, "NotPendingSubjectOwner")
          .withArgs(S1, caller.address);
      }
    });

    it("refuses when no offer is pending", async function () {
      const { registry, subjectOwner } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(subjectOwner).acceptSubjectOwnership(S1))
        .to.be.revertedWithCustomError(registry, "NotPendingSubjectOwner")
        .withArgs(S1, subjectOwner.address);
    });

    it("refuses an unknown subject", async function () {
      const { registry, newOwner } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(newOwner).acceptSubjectOwnership(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("subject", function () {
    it("returns the config and the owner", async function () {
      const { registry, subjectOwner, configs } = await loadFixture(deployRegistryFixture);
      const [config, owner] = await registry.subject(SW);
      expect(config).to.deep.equal(configTuple(configs[SW]!));
      expect(config.name).to.equal("USDX / USD wallet");
      expect(config.quorum).to.equal(2);
      expect(owner).to.equal(subjectOwner.address);
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      await expect(registry.subject(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("subjectToken", function () {
    it("is the configured token, or zero for a subject without one", async function () {
      const { registry, a0, config, token } = await loadFixture(deployRegistryFixture);
      expect(await registry.subjectToken(S1)).to.equal(await token.getAddress());
      const offChain = subjectIdOf("off-chain");
      await registry.registerSubject(offChain, {
        ...config("Off-chain", 1, [a0]),
        token: ethers.ZeroAddress,
      });
      expect(await registry.subjectToken(offChain)).to.equal(ethers.ZeroAddress);
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      await expect(registry.subjectToken(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("pendingSubjectOwner", function () {
    it("is zero when no offer is pending", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      expect(await registry.pendingSubjectOwner(S1)).to.equal(ethers.ZeroAddress);
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      await expect(registry.pendingSubjectOwner(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("attestationDigest", function () {
    it("equals the EIP-712 hash of the documented Attestation type in the registry's domain", async function () {
      const { registry, domain } = await loadFixture(deployRegistryFixture);
      const att = attestation(S2, 1_700_000_000);
      expect(await registry.attestationDigest(att)).to.equal(
        ethers.TypedDataEncoder.hash(domain, ATTESTATION_TYPES, att),
      );
    });

    it("is what signTypedData signs: the signature recovers to the auditor", async function () {
      const { registry, a0, domain } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, 1_700_000_000);
      const signature = await signAttestation(a0.signer, domain, att);
      expect(ethers.recoverAddress(await registry.attestationDigest(att), signature)).to.equal(a0.address);
    });

    it("differs between registries and for any change of a field", async function () {
      const { registry, otherRegistry } = await loadFixture(deployRegistryFixture);
      const att = attestation(S3, 1_700_000_000);
      const digest = await registry.attestationDigest(att);
      expect(await otherRegistry.attestationDigest(att)).to.not.equal(digest);
      const changes: Partial<Attestation>[] = [
        { subjectId: S2 },
        { asOf: 1_700_000_001 },
        { reserves: 1n },
        { liabilities: 1n },
        { liabilitiesRoot: ethers.ZeroHash },
        { reportHash: ethers.ZeroHash },
      ];
      for (const change of changes) {
        expect(await registry.attestationDigest({ ...att, ...change })).to.not.equal(digest);
      }
    });
  });

  describe("postAttestation", function () {
    it("posts round 1 with quorum 1 and emits AttestationPosted with the signers", async function () {
      const { registry, a0, sign, relayer } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest());
      const { signers, signatures } = await sign(att, [a0]);
      expect(await registry.connect(relayer).postAttestation.staticCall(att, signers, signatures)).to.equal(
        1,
      );
      await expect(registry.connect(relayer).postAttestation(att, signers, signatures))
        .to.emit(registry, "AttestationPosted")
        .withArgs(S1, 1, att.asOf, att.reserves, att.liabilities, att.liabilitiesRoot, att.reportHash, [
          a0.address,
        ]);
      expect(await registry.latestRoundId(S1)).to.equal(1);
    });

    it("posts with quorum 2 from two of three auditors, and from all three", async function () {
      const { registry, a0, a1, a2, post } = await loadFixture(deployRegistryFixture);
      const now = await time.latest();
      const first = attestation(S2, now - 10);
      const second = attestation(S2, now - 5);
      await expectPosted(registry, post(first, [a0, a2]), first, 1, [a0, a2]);
      await expectPosted(registry, post(second, [a2, a1, a0]), second, 2, [a0, a1, a2]);
    });

    it("posts with quorum 3 from three of four auditors", async function () {
      const { registry, a1, a2, a3, post } = await loadFixture(deployRegistryFixture);
      const att = attestation(S3, await time.latest());
      await expect(post(att, [a1, a2, a3]))
        .to.emit(registry, "AttestationPosted")
        .withArgs(S3, 1, att.asOf, att.reserves, att.liabilities, att.liabilitiesRoot, att.reportHash, [
          a1.address,
          a2.address,
          a3.address,
        ]);
    });

    it("numbers rounds 1, 2, 3 per subject, independently of other subjects", async function () {
      const { registry, a0, a1, post } = await loadFixture(deployRegistryFixture);
      const now = await time.latest();
      await post(attestation(S1, now - 30), [a0]);
      await post(attestation(S2, now - 30), [a0, a1]);
      await post(attestation(S1, now - 20), [a0]);
      await post(attestation(S1, now - 10), [a0]);
      await post(attestation(S2, now - 10), [a0, a1]);
      expect(await registry.latestRoundId(S1)).to.equal(3);
      expect(await registry.latestRoundId(S2)).to.equal(2);
      expect(await registry.latestRoundId(S3)).to.equal(0);
      for (const [round, asOf] of [
        [1, now - 30],
        [2, now - 20],
        [3, now - 10],
      ] as const) {
        const [att] = await registry.getAttestation(S1, round);
        expect(att.asOf).to.equal(asOf);
      }
    });

    it("can be relayed by anyone, including an account with no role", async function () {
      const { registry, a0, sign, stranger } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest());
      const { signers, signatures } = await sign(att, [a0]);
      await expectPosted(
        registry,
        registry.connect(stranger).postAttestation(att, signers, signatures),
        att,
        1,
        [a0],
      );
    });

    it("accepts a snapshot taken in the posting block's own second", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      const next = (await time.latest()) + 100;
      await time.setNextBlockTimestamp(next);
      await expectPosted(registry, post(attestation(S1, next), [a0]), attestation(S1, next), 1, [a0]);
    });

    it("accepts an ERC-1271 contract-wallet auditor whose owner signed", async function () {
      const { registry, a0, walletAuditor, post } = await loadFixture(deployRegistryFixture);
      const att = attestation(SW, await time.latest());
      const expected = ascending([a0, walletAuditor]).map((a) => a.address);
      await expect(post(att, [a0, walletAuditor]))
        .to.emit(registry, "AttestationPosted")
        .withArgs(
          SW,
          1,
          att.asOf,
          att.reserves,
          att.liabilities,
          att.liabilitiesRoot,
          att.reportHash,
          expected,
        );
    });

    it("refuses an ERC-1271 contract-wallet auditor whose owner did not sign", async function () {
      const { registry, a0, walletAuditor, stranger, post } = await loadFixture(deployRegistryFixture);
      const att = attestation(SW, await time.latest());
      const impostor: Auditor = { address: walletAuditor.address, signer: stranger };
      await expect(post(att, [a0, impostor]))
        .to.be.revertedWithCustomError(registry, "InvalidSignature")
        .withArgs(walletAuditor.address);
    });

    it("refuses an unknown subject", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      await expect(post(attestation(UNKNOWN, await time.latest()), [a0]))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });

    it("refuses fewer signers than the quorum", async function () {
      const { registry, a0, a1, post } = await loadFixture(deployRegistryFixture);
      const now = await time.latest();
      await expect(post(attestation(S2, now), [a0]))
        .to.be.revertedWithCustomError(registry, "QuorumNotMet")
        .withArgs(1, 2);
      await expect(post(attestation(S3, now), [a0, a1]))
        .to.be.revertedWithCustomError(registry, "QuorumNotMet")
        .withArgs(2, 3);
      await expect(post(attestation(S1, now), []))
        .to.be.revertedWithCustomError(registry, "QuorumNotMet")
        .withArgs(0, 1);
    });

    it("refuses signer and signature lists of different lengths", async function () {
      const { registry, a0, a1, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(S2, await time.latest());
      const { signers, signatures } = await sign(att, [a0, a1]);
      await expect(registry.postAttestation(att, signers, signatures.slice(0, 1)))
        .to.be.revertedWithCustomError(registry, "SignatureCountMismatch")
        .withArgs(2, 1);
      await expect(registry.postAttestation(att, signers.slice(0, 1), signatures))
        .to.be.revertedWithCustomError(registry, "SignatureCountMismatch")
        .withArgs(1, 2);
    });

    it("refuses signers in descending order", async function () {
      const { registry, a0, a1, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(S2, await time.latest());
      const { signers, signatures } = await sign(att, [a0, a1]);
      await expect(registry.postAttestation(att, [...signers].reverse(), [...signatures].reverse()))
        .to.be.revertedWithCustomError(registry, "SignersNotAscending")
        .withArgs(1, a0.address);
    });

    it("refuses the same signer twice, so one auditor cannot fill a quorum alone", async function () {
      const { registry, a0, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(S2, await time.latest());
      const { signatures } = await sign(att, [a0]);
      await expect(registry.postAttestation(att, [a0.address, a0.address], [signatures[0]!, signatures[0]!]))
        .to.be.revertedWithCustomError(registry, "SignersNotAscending")
        .withArgs(1, a0.address);
    });

    it("refuses the zero address as a signer", async function () {
      const { registry, a0, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest());
      const { signatures } = await sign(att, [a0]);
      await expect(registry.postAttestation(att, [ethers.ZeroAddress], signatures))
        .to.be.revertedWithCustomError(registry, "SignersNotAscending")
        .withArgs(0, ethers.ZeroAddress);
    });

    it("refuses an accredited auditor that is not listed for the subject", async function () {
      const { registry, outsider, post } = await loadFixture(deployRegistryFixture);
      await expect(post(attestation(S1, await time.latest()), [eoa(outsider)]))
        .to.be.revertedWithCustomError(registry, "SignerNotSubjectAuditor")
        .withArgs(S1, outsider.address);
    });

    it("refuses a signature by another auditor than the claimed signer", async function () {
      const { registry, a0, a1, domain } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest());
      const signature = await signAttestation(a1.signer, domain, att);
      await expect(registry.postAttestation(att, [a0.address], [signature]))
        .to.be.revertedWithCustomError(registry, "InvalidSignature")
        .withArgs(a0.address);
    });

    it("refuses a signature that is not 65 bytes", async function () {
      const { registry, a0 } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest());
      for (const bad of [
        "0x",
        ethers.hexlify(ethers.randomBytes(64)),
        ethers.hexlify(ethers.randomBytes(66)),
      ]) {
        await expect(registry.postAttestation(att, [a0.address], [bad]))
          .to.be.revertedWithCustomError(registry, "InvalidSignature")
          .withArgs(a0.address);
      }
    });

    it("counts the key's signature of an auditor account that has code (an EIP-7702 account)", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      // Code that reverts on any call: ERC-1271 cannot answer for it, only the key can.
      await ethers.provider.send("hardhat_setCode", [a0.address, "0x60006000fd"]);
      const att = attestation(S1, await time.latest());
      await expectPosted(registry, post(att, [a0]), att, 1, [a0]);
    });

    it("refuses a signature whose v is not 27 or 28, which recovers to no one", async function () {
      const { registry, a0, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest());
      const { signers, signatures } = await sign(att, [a0]);
      for (const v of [0, 1, 29, 255]) {
        const bad = ethers.concat([ethers.dataSlice(signatures[0]!, 0, 64), ethers.toBeHex(v, 1)]);
        await expect(registry.postAttestation(att, signers, [bad]))
          .to.be.revertedWithCustomError(registry, "InvalidSignature")
          .withArgs(a0.address);
      }
      await expectPosted(registry, registry.postAttestation(att, signers, signatures), att, 1, [a0]);
    });

    it("refuses, without a reason as the ABI decoder does, a signer word with high bits set and a signature offset past the end", async function () {
      const { registry, a0, relayer, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest());
      const { signers, signatures } = await sign(att, [a0]);
      const data = registry.interface.encodeFunctionData("postAttestation", [att, signers, signatures]);
      const to = await registry.getAddress();
      // The signer's word: 12 zero bytes then the address; set one of the zero bytes.
      const word = ethers.zeroPadValue(a0.address, 32).slice(2).toLowerCase();
      const at = data.toLowerCase().indexOf(word);
      expect(at).to.be.greaterThan(0);
      const dirty = `${data.slice(0, at)}01${data.slice(at + 2)}`;
      await expect(relayer.sendTransaction({ to, data: dirty })).to.be.revertedWithoutReason();
      // signatures[0]'s offset (the word after the signatures array's length) pointed far past the end.
      const sigsHead = data.length - 2 * (32 * 5); // length, offset, signature length, 96 bytes of signature
      const pastEnd = `${data.slice(0, sigsHead + 64)}${ethers.toBeHex(1n << 40n, 32).slice(2)}${data.slice(sigsHead + 128)}`;
      await expect(relayer.sendTransaction({ to, data: pastEnd })).to.be.revertedWithoutReason();
      // The untouched calldata posts, and the event carries exactly the signers.
      await expect(relayer.sendTransaction({ to, data }))
        .to.emit(registry, "AttestationPosted")
        .withArgs(
          S1,
          1,
          att.asOf,
          att.reserves,
          att.liabilities,
          att.liabilitiesRoot,
          att.reportHash,
          signers,
        );
    });

    it("accepts reserves and liabilities of exactly MAX_AMOUNT (2^128 - 1)", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest(), { reserves: MAX_AMOUNT, liabilities: MAX_AMOUNT });
      await expectPosted(registry, post(att, [a0]), att, 1, [a0]);
      const [, stored] = await registry.latestAttestation(S1);
      expect([stored.reserves, stored.liabilities]).to.deep.equal([MAX_AMOUNT, MAX_AMOUNT]);
    });

    it("refuses reserves above MAX_AMOUNT (AmountTooLarge), even when quorately signed", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      const now = await time.latest();
      for (const reserves of [MAX_AMOUNT + 1n, ethers.MaxUint256]) {
        await expect(post(attestation(S1, now, { reserves }), [a0]))
          .to.be.revertedWithCustomError(registry, "AmountTooLarge")
          .withArgs(reserves, MAX_AMOUNT);
      }
      expect(await registry.latestRoundId(S1)).to.equal(0);
    });

    it("refuses liabilities above MAX_AMOUNT (AmountTooLarge)", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      const now = await time.latest();
      for (const liabilities of [MAX_AMOUNT + 1n, ethers.MaxUint256]) {
        await expect(post(attestation(S1, now, { liabilities }), [a0]))
          .to.be.revertedWithCustomError(registry, "AmountTooLarge")
          .withArgs(liabilities, MAX_AMOUNT);
      }
      expect(await registry.latestRoundId(S1)).to.equal(0);
    });

    it("reports the reserves first when both amounts are too large", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest(), {
        reserves: MAX_AMOUNT + 2n,
        liabilities: MAX_AMOUNT + 1n,
      });
      await expect(post(att, [a0]))
        .to.be.revertedWithCustomError(registry, "AmountTooLarge")
        .withArgs(MAX_AMOUNT + 2n, MAX_AMOUNT);
    });

    it("does not change any state when it reverts", async function () {
      const { registry, a0, a1, post } = await loadFixture(deployRegistryFixture);
      await expect(post(attestation(S2, await time.latest()), [a0]))
        .to.be.revertedWithCustomError(registry, "QuorumNotMet")
        .withArgs(1, 2);
      expect(await registry.latestRoundId(S2)).to.equal(0);
      expect(await registry.isFresh(S2)).to.equal(false);
      const att = attestation(S2, await time.latest());
      await expectPosted(registry, post(att, [a0, a1]), att, 1, [a0, a1]);
    });
  });

  describe("postAttestation attacks", function () {
    it("refuses a replay of the same attestation (StaleAttestation)", async function () {
      const { registry, a0, sign, relayer, stranger } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest());
      const { signers, signatures } = await sign(att, [a0]);
      await registry.connect(relayer).postAttestation(att, signers, signatures);
      await expect(registry.connect(stranger).postAttestation(att, signers, signatures))
        .to.be.revertedWithCustomError(registry, "StaleAttestation")
        .withArgs(att.asOf, att.asOf);
    });

    it("refuses an older snapshot relayed after a newer one (reorder)", async function () {
      const { registry, a0, sign, post } = await loadFixture(deployRegistryFixture);
      const now = await time.latest();
      const older = attestation(S1, now - 60, { reserves: 1n });
      const newer = attestation(S1, now - 30, { reserves: 2n });
      const olderSigned = await sign(older, [a0]);
      await post(newer, [a0]);
      await expect(registry.postAttestation(older, olderSigned.signers, olderSigned.signatures))
        .to.be.revertedWithCustomError(registry, "StaleAttestation")
        .withArgs(now - 60, now - 30);
    });

    it("refuses a snapshot time of zero before the first round", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      await expect(post(attestation(S1, 0), [a0]))
        .to.be.revertedWithCustomError(registry, "StaleAttestation")
        .withArgs(0, 0);
    });

    it("refuses a signature made for the same registry on another chain (cross-chain replay)", async function () {
      const { registry, a0, sign, domain } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest());
      const { signers, signatures } = await sign(att, [a0], { ...domain, chainId: 1 });
      await expect(registry.postAttestation(att, signers, signatures))
        .to.be.revertedWithCustomError(registry, "InvalidSignature")
        .withArgs(a0.address);
    });

    it("refuses a signature made for another registry (cross-contract replay)", async function () {
      const { registry, otherRegistry, a0, a1, a2, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(S3, await time.latest());
      const forA = await sign(att, [a0, a1, a2], await registryDomain(registry));
      await registry.postAttestation(att, forA.signers, forA.signatures);
      await expect(otherRegistry.postAttestation(att, forA.signers, forA.signatures))
        .to.be.revertedWithCustomError(otherRegistry, "InvalidSignature")
        .withArgs(a0.address);
    });

    it("refuses signatures for one subject relayed for another subject", async function () {
      const { registry, a0, a1, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(S3, await time.latest());
      const { signers, signatures } = await sign(att, [a0, a1]);
      await expect(registry.postAttestation({ ...att, subjectId: S2 }, signers, signatures))
        .to.be.revertedWithCustomError(registry, "InvalidSignature")
        .withArgs(a0.address);
    });

    it("refuses a relayer's change to the signed figures", async function () {
      const { registry, a0, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest());
      const { signers, signatures } = await sign(att, [a0]);
      const inflated = { ...att, reserves: BigInt(att.reserves) * 2n };
      await expect(registry.postAttestation(inflated, signers, signatures))
        .to.be.revertedWithCustomError(registry, "InvalidSignature")
        .withArgs(a0.address);
    });

    it("refuses the malleated high-s twin of a valid signature", async function () {
      const { registry, a0, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(S1, await time.latest());
      const { signers, signatures } = await sign(att, [a0]);
      const twin = malleate(signatures[0]!);
      // The twin is a valid secp256k1 signature by the same key: only the low-s rule refuses it.
      const digest = await registry.attestationDigest(att);
      const sig = ethers.Signature.from(signatures[0]!);
      expect(BigInt(ethers.dataSlice(twin, 32, 64))).to.be.greaterThan(BigInt(sig.s));
      expect(() => ethers.recoverAddress(digest, twin)).to.throw();
      await expect(registry.postAttestation(att, signers, [twin]))
        .to.be.revertedWithCustomError(registry, "InvalidSignature")
        .withArgs(a0.address);
      await expectPosted(registry, registry.postAttestation(att, signers, signatures), att, 1, [a0]);
    });

    it("refuses a snapshot time in the future (FutureAttestation)", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      const now = await time.latest();
      const blockTime = now + 10;
      await time.setNextBlockTimestamp(blockTime);
      await expect(post(attestation(S1, blockTime + 1), [a0]))
        .to.be.revertedWithCustomError(registry, "FutureAttestation")
        .withArgs(blockTime + 1, blockTime);
    });

    it("stops counting a revoked auditor's signature at once, even one made before revocation", async function () {
      const { registry, a0, a1, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(S2, await time.latest());
      const { signers, signatures } = await sign(att, [a0, a1]);
      await expect(registry.revokeAuditor(a1.address))
        .to.emit(registry, "AuditorRevoked")
        .withArgs(a1.address);
      await expect(registry.postAttestation(att, signers, signatures))
        .to.be.revertedWithCustomError(registry, "AuditorNotAccredited")
        .withArgs(a1.address);
    });

    it("refuses an auditor the subject owner removed from the list, even with a signature made before", async function () {
      const { registry, subjectOwner, a0, a1, a2, config, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(S2, await time.latest());
      const { signers, signatures } = await sign(att, [a0, a1]);
      await registry.connect(subjectOwner).updateSubject(S2, config("a1 removed", 2, [a0, a2]));
      await expect(registry.postAttestation(att, signers, signatures))
        .to.be.revertedWithCustomError(registry, "SignerNotSubjectAuditor")
        .withArgs(S2, a1.address);
    });

    it("refuses a contract wallet whose owner signed for another domain", async function () {
      const { registry, a0, walletAuditor, domain, sign } = await loadFixture(deployRegistryFixture);
      const att = attestation(SW, await time.latest());
      const good = await sign(att, [a0], domain);
      const crossChain = await signAttestation(walletAuditor.signer, { ...domain, chainId: 1 }, att);
      const entries = ascending([
        { address: a0.address, sig: good.signatures[0]! },
        { address: walletAuditor.address, sig: crossChain },
      ]);
      await expect(
        registry.postAttestation(
          att,
          entries.map((e) => e.address),
          entries.map((e) => e.sig),
        ),
      )
        .to.be.revertedWithCustomError(registry, "InvalidSignature")
        .withArgs(walletAuditor.address);
    });
  });

  describe("postAttestation property", function () {
    it("succeeds for any ascending subset of at least quorum auditors and amounts up to MAX_AMOUNT, and reverts otherwise", async function () {
      const { propertyAuditors } = await loadFixture(deployRegistryFixture);
      await fc.assert(
        fc.asyncProperty(
          fc.subarray(propertyAuditors),
          // Both sides of MAX_AMOUNT, which a uniform draw over uint256 would almost never reach.
          fc.oneof(
            fc.bigInt({ min: 0n, max: MAX_AMOUNT }),
            fc.bigInt({ min: MAX_AMOUNT + 1n, max: ethers.MaxUint256 }),
          ),
          async (chosen, reserves) => {
            const { registry, post } = await loadFixture(deployRegistryFixture);
            const att = attestation(SP, await time.latest(), { reserves });
            if (reserves > MAX_AMOUNT) {
              await expect(post(att, chosen))
                .to.be.revertedWithCustomError(registry, "AmountTooLarge")
                .withArgs(reserves, MAX_AMOUNT);
              expect(await registry.latestRoundId(SP)).to.equal(0);
            } else if (chosen.length >= 3) {
              await expect(post(att, chosen))
                .to.emit(registry, "AttestationPosted")
                .withArgs(
                  SP,
                  1,
                  att.asOf,
                  reserves,
                  att.liabilities,
                  att.liabilitiesRoot,
                  att.reportHash,
                  ascending(chosen).map((a) => a.address),
                );
              expect(await registry.latestRoundId(SP)).to.equal(1);
              const [, stored] = await registry.latestAttestation(SP);
              expect(stored.reserves).to.equal(reserves);
            } else {
              await expect(post(att, chosen))
                .to.be.revertedWithCustomError(registry, "QuorumNotMet")
                .withArgs(chosen.length, 3);
              expect(await registry.latestRoundId(SP)).to.equal(0);
            }
          },
        ),
        { numRuns: PROPERTY_RUNS },
      );
    });
  });

  describe("postAttestation sequence property", function () {
    it("numbers rounds by the count of successful posts, whatever the mix of quorate and short signer sets", async function () {
      const { propertyAuditors } = await loadFixture(deployRegistryFixture);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.subarray(propertyAuditors), { minLength: 1, maxLength: 4 }),
          async (signerSets) => {
            const { registry, post } = await loadFixture(deployRegistryFixture);
            const start = (await time.latest()) - signerSets.length;
            let expectedRound = 0;
            for (const [i, chosen] of signerSets.entries()) {
              const att = attestation(SP, start + i, { reserves: BigInt(i) });
              if (chosen.length >= 3) {
                expectedRound += 1;
                await expectPosted(registry, post(att, chosen), att, expectedRound, chosen);
              } else {
                await expect(post(att, chosen))
                  .to.be.revertedWithCustomError(registry, "QuorumNotMet")
                  .withArgs(chosen.length, 3);
              }
              expect(await registry.latestRoundId(SP)).to.equal(expectedRound);
            }
            expect(await registry.isFresh(SP)).to.equal(expectedRound > 0);
          },
        ),
        { numRuns: PROPERTY_RUNS },
      );
    });
  });

  describe("latestRoundId", function () {
    it("is 0 before the first round and counts posted rounds", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      expect(await registry.latestRoundId(S1)).to.equal(0);
      const now = await time.latest();
      await post(attestation(S1, now - 1), [a0]);
      expect(await registry.latestRoundId(S1)).to.equal(1);
      await post(attestation(S1, now), [a0]);
      expect(await registry.latestRoundId(S1)).to.equal(2);
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      await expect(registry.latestRoundId(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("getAttestation", function () {
    it("returns every posted round with the block time it was posted", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      const now = await time.latest();
      const first = attestation(S1, now - 100, { reserves: 111n, liabilities: 100n });
      const second = attestation(S1, now - 50, {
        reserves: 222n,
        liabilities: 200n,
        liabilitiesRoot: ethers.ZeroHash,
        reportHash: ethers.id("second report"),
      });
      const firstPostedAt = (await time.latest()) + 7;
      await time.setNextBlockTimestamp(firstPostedAt);
      await post(first, [a0]);
      const secondPostedAt = (await time.latest()) + 1000;
      await time.setNextBlockTimestamp(secondPostedAt);
      const receipt = await (await post(second, [a0])).wait();
      const block = await ethers.provider.getBlock(receipt!.blockNumber);
      expect(block!.timestamp).to.equal(secondPostedAt);

      const [att1, postedAt1] = await registry.getAttestation(S1, 1);
      expect(att1).to.deep.equal(attestationTuple(first));
      expect(postedAt1).to.equal(firstPostedAt);
      const [att2, postedAt2] = await registry.getAttestation(S1, 2);
      expect(att2).to.deep.equal(attestationTuple(second));
      expect(postedAt2).to.equal(secondPostedAt);
    });

    it("reverts RoundNotFound for round 0 and for the round after the latest", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      await expect(registry.getAttestation(S1, 0))
        .to.be.revertedWithCustomError(registry, "RoundNotFound")
        .withArgs(S1, 0);
      await expect(registry.getAttestation(S1, 1))
        .to.be.revertedWithCustomError(registry, "RoundNotFound")
        .withArgs(S1, 1);
      await post(attestation(S1, await time.latest()), [a0]);
      await expect(registry.getAttestation(S1, 0))
        .to.be.revertedWithCustomError(registry, "RoundNotFound")
        .withArgs(S1, 0);
      await expect(registry.getAttestation(S1, 2))
        .to.be.revertedWithCustomError(registry, "RoundNotFound")
        .withArgs(S1, 2);
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      await expect(registry.getAttestation(UNKNOWN, 1))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("latestAttestation", function () {
    it("returns the latest round, its attestation and posting time", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      const now = await time.latest();
      await post(attestation(S1, now - 10, { reserves: 1n }), [a0]);
      const latest = attestation(S1, now - 5, { reserves: 2n });
      const postedAtExpected = (await time.latest()) + 3;
      await time.setNextBlockTimestamp(postedAtExpected);
      await post(latest, [a0]);
      const [roundId, att, postedAt] = await registry.latestAttestation(S1);
      expect(roundId).to.equal(2);
      expect(att).to.deep.equal(attestationTuple(latest));
      expect(postedAt).to.equal(postedAtExpected);
    });

    it("reverts RoundNotFound (round 0) before the first round", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      await expect(registry.latestAttestation(S1))
        .to.be.revertedWithCustomError(registry, "RoundNotFound")
        .withArgs(S1, 0);
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      await expect(registry.latestAttestation(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });

  describe("isFresh", function () {
    it("is false before the first round", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      expect(await registry.isFresh(S1)).to.equal(false);
    });

    it("is true within the heartbeat, true exactly at it and false one second past it", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      const asOf = (await time.latest()) - 60;
      await post(attestation(S1, asOf), [a0]);
      expect(await registry.isFresh(S1)).to.equal(true);
      await time.increaseTo(asOf + HEARTBEAT - 1);
      expect(await registry.isFresh(S1)).to.equal(true);
      await time.increaseTo(asOf + HEARTBEAT);
      expect(await registry.isFresh(S1)).to.equal(true);
      await time.increaseTo(asOf + HEARTBEAT + 1);
      expect(await registry.isFresh(S1)).to.equal(false);
    });

    it("measures the age of the snapshot, not of the posting", async function () {
      const { registry, a0, post } = await loadFixture(deployRegistryFixture);
      const now = await time.latest();
      await post(attestation(S1, now - HEARTBEAT - 1), [a0]);
      expect(await registry.isFresh(S1)).to.equal(false);
    });

    it("does not let a raised heartbeat make an old round fresh again (attack)", async function () {
      const { registry, subjectOwner, a0, configs, post } = await loadFixture(deployRegistryFixture);
      const asOf = await time.latest();
      await post(attestation(S1, asOf), [a0]);
      await time.increaseTo(asOf + HEARTBEAT + 1);
      expect(await registry.isFresh(S1)).to.equal(false);
      await registry.connect(subjectOwner).updateSubject(S1, { ...configs[S1]!, heartbeat: 2 * HEARTBEAT });
      expect(await registry.isFresh(S1)).to.equal(false);
      // The raised heartbeat applies to the next round.
      const next = await time.latest();
      await post(attestation(S1, next), [a0]);
      await time.increaseTo(next + HEARTBEAT + 1);
      expect(await registry.isFresh(S1)).to.equal(true);
    });

    it("applies a lowered heartbeat at once", async function () {
      const { registry, subjectOwner, a0, configs, post } = await loadFixture(deployRegistryFixture);
      const asOf = await time.latest();
      await post(attestation(S1, asOf), [a0]);
      await time.increaseTo(asOf + 100);
      expect(await registry.isFresh(S1)).to.equal(true);
      await registry.connect(subjectOwner).updateSubject(S1, { ...configs[S1]!, heartbeat: 50 });
      expect(await registry.isFresh(S1)).to.equal(false);
    });

    it("reverts for an unknown subject", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      await expect(registry.isFresh(UNKNOWN))
        .to.be.revertedWithCustomError(registry, "UnknownSubject")
        .withArgs(UNKNOWN);
    });
  });
});

/** Asserts `tx` posted `att` as round `roundId` with `signers` listed in ascending order. */
async function expectPosted(
  registry: ReserveRegistry,
  tx: Promise<ContractTransactionResponse>,
  att: Attestation,
  roundId: number,
  signers: readonly { address: string }[],
): Promise<void> {
  await expect(tx)
    .to.emit(registry, "AttestationPosted")
    .withArgs(
      att.subjectId,
      roundId,
      att.asOf,
      att.reserves,
      att.liabilities,
      att.liabilitiesRoot,
      att.reportHash,
      ascending(signers).map((a) => a.address),
    );
}
