import { mkdtempSync, rmSync } from "node:fs";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Contract } from "ethers";
import type { Signer } from "ethers";
import {
  appendSafeBatch,
  assembleSafeSignature,
  attestationDigest,
  attestationDomain,
  combineSafeSignature,
  findSharedAuditorOwners,
  readSafeBatch,
  readSafeState,
  reserveAddressDigest,
  safeMessageHash,
  safeTransactionForBatch,
  signSafeMessage,
  ChainError,
  SafeOperation,
  VerificationError,
} from "../src";
import type { Attestation, Hex32, SafeSignaturePart } from "../src";
import { namedSigners, subjectConfig } from "./helpers/backing";
import {
  createSafe,
  deploySafeContracts,
  execSafeTransaction,
  fallbackHandlerAbi,
  removeOwnerCall,
} from "./helpers/safe";

const USDX = ethers.id("USDX") as Hex32;

/**
 * The registry with a 2-of-3 Safe (the real Safe 1.4.1 contracts) as an auditor beside an EOA
 * auditor, subject USDX with quorum 2 of the two, and a reserve asset the admin approved.
 */
async function deploySafeFixture() {
  const { admin, auditor, issuer, relayer, owner1, owner2, owner3, stranger } = await namedSigners(
    "admin",
    "auditor",
    "issuer",
    "relayer",
    "owner1",
    "owner2",
    "owner3",
    "stranger",
  );
  const deployment = await deploySafeContracts(admin);
  const owners = [owner1, owner2, owner3];
  const safe = await createSafe(
    admin,
    deployment,
    owners.map((o) => o.address),
    2,
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  const registryAddress = await registry.getAddress();
  await registry.accreditAuditor(safe, "Safe Audit LLP");
  await registry.accreditAuditor(auditor.address, "EOA Audit LLP");
  const usdo = await ethers.deployContract("MockERC20", ["USD Ondo", "USDO", 6]);
  const usdoAddress = await usdo.getAddress();
  await registry.approveReserveAsset(usdoAddress);
  await registry
    .connect(issuer)
    .registerSubject(USDX, subjectConfig([safe, auditor.address], { quorum: 2, reserveAsset: usdoAddress }));
  const { chainId } = await ethers.provider.getNetwork();
  return {
    registry,
    registryAddress,
    deployment,
    safe,
    owners,
    admin,
    auditor,
    issuer,
    relayer,
    stranger,
    usdo,
    usdoAddress,
    chainId,
    domain: attestationDomain(chainId, registryAddress),
  };
}

type Fixture = Awaited<ReturnType<typeof deploySafeFixture>>;

async function attestation(asOfAgo = 60): Promise<Attestation> {
  const block = await ethers.provider.getBlock("latest");
  return {
    subjectId: USDX,
    asOf: BigInt(block!.timestamp - asOfAgo),
    reserves: 1_050_000_000_000n,
    liabilities: 1_000_000_000_000n,
    liabilitiesRoot: ethers.ZeroHash as Hex32,
    reportHash: ethers.id("report") as Hex32,
  };
}

/** Owners' parts of the Safe's ERC-1271 signature of `digest`. */
async function parts(f: Fixture, digest: string, signers: Signer[]): Promise<SafeSignaturePart[]> {
  return Promise.all(signers.map((s) => signSafeMessage(s, f.chainId, f.safe, digest)));
}

/** postAttestation with the Safe's signature and the EOA auditor's, signers ascending. */
async function post(f: Fixture, att: Attestation, safeSignature: string) {
  const eoaSignature = await f.auditor.signTypedData(
    f.domain,
    {
      Attestation: [
        { name: "subjectId", type: "bytes32" },
        { name: "asOf", type: "uint64" },
        { name: "reserves", type: "uint256" },
        { name: "liabilities", type: "uint256" },
        { name: "liabilitiesRoot", type: "bytes32" },
        { name: "reportHash", type: "bytes32" },
      ],
    },
    att,
  );
  const pairs = [
    { signer: f.safe as string, signature: safeSignature },
    { signer: f.auditor.address, signature: eoaSignature },
  ].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  return f.registry.connect(f.relayer).postAttestation(
    att,
    pairs.map((p) => p.signer),
    pairs.map((p) => p.signature),
  );
}

/** The error `promise` rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  return expect.fail("accepted");
}

describe("Safe multisigs (Safe 1.4.1 contracts)", function () {
  describe("hashes", function () {
    it("safeMessageHash equals the handler's getMessageHashForSafe and the Safe's getMessageHash", async function () {
      const f = await loadFixture(deploySafeFixture);
      const digest = attestationDigest(f.domain, await attestation());
      const handler = new Contract(f.deployment.fallbackHandler, fallbackHandlerAbi, ethers.provider);
      const throughSafe = new Contract(f.safe, fallbackHandlerAbi, ethers.provider);
      const expected = safeMessageHash(f.chainId, f.safe, digest);
      expect(await handler.getFunction("getMessageHashForSafe")(f.safe, digest)).to.equal(expected);
      expect(await throughSafe.getFunction("getMessageHash")(digest)).to.equal(expected);
      expect(await f.registry.attestationDigest(await attestation())).to.equal(digest);
    });

    it("readSafeState reads owners, threshold, nonce, version and the fallback handler", async function () {
      const f = await loadFixture(deploySafeFixture);
      const state = await readSafeState(ethers.provider, f.safe);
      expect(state).to.deep.include({
        safe: f.safe,
        version: "1.4.1",
        owners: f.owners.map((o) => o.address),
        threshold: 2,
        nonce: 0n,
        fallbackHandler: f.deployment.fallbackHandler,
      });
      expect((await rejection(readSafeState(ethers.provider, f.registryAddress))).message).to.equal(
        `${f.registryAddress} is not a Safe: it does not answer VERSION, getOwners and getThreshold`,
      );
      expect((await rejection(readSafeState(ethers.provider, f.stranger.address))).message).to.equal(
        `${f.stranger.address} is not a Safe: it has no code on chain ${f.chainId}`,
      );
    });
  });

  describe("auditor as a Safe", function () {
    it("postAttestation accepts a 2-of-3 Safe's signature beside an EOA's in a quorum of 2", async function () {
      const f = await loadFixture(deploySafeFixture);
      const att = await attestation();
      const digest = attestationDigest(f.domain, att);
      const combined = await combineSafeSignature(
        ethers.provider,
        { chainId: f.chainId, safe: f.safe, digest },
        await parts(f, digest, [f.owners[2]!, f.owners[0]!]),
      );
      expect(ethers.dataLength(combined.signature)).to.equal(130);
      const tx = await post(f, att, combined.signature);
      await expect(tx).to.emit(f.registry, "AttestationPosted");
      expect((await f.registry.latestAttestation(USDX)).roundId).to.equal(1n);
    });

    it("one owner's part alone is below the threshold: refused by assembly, and by the registry (InvalidSignature)", async function () {
      const f = await loadFixture(deploySafeFixture);
      const att = await attestation();
      const digest = attestationDigest(f.domain, att);
      const [one] = await parts(f, digest, [f.owners[1]!]);
      const state = await readSafeState(ethers.provider, f.safe);
      const hash = safeMessageHash(f.chainId, f.safe, digest);
      expect(() => assembleSafeSignature(hash, [one!], state)).to.throw(
        VerificationError,
        `1 owner signature of Safe ${f.safe}, below its threshold of 2`,
      );
      await expect(post(f, att, one!.signature))
        .to.be.revertedWithCustomError(f.registry, "InvalidSignature")
        .withArgs(f.safe);
    });

    it("refuses a part from an account that is not an owner, and a part of another digest", async function () {
      const f = await loadFixture(deploySafeFixture);
      const att = await attestation();
      const digest = attestationDigest(f.domain, att);
      const [owner, stranger] = await parts(f, digest, [f.owners[0]!, f.stranger]);
      const state = await readSafeState(ethers.provider, f.safe);
      const hash = safeMessageHash(f.chainId, f.safe, digest);
      expect(() =>
        assembleSafeSignature(hash, [owner!, { ...stranger!, source: "stranger.json" }], state),
      ).to.throw(VerificationError, `stranger.json: ${f.stranger.address} is not an owner of Safe ${f.safe}`);
      const [other] = await parts(f, ethers.id("another digest"), [f.owners[1]!]);
      expect(() =>
        assembleSafeSignature(hash, [owner!, { ...other!, source: "other.json" }], state),
      ).to.throw(VerificationError, /^other\.json: signature recovers to 0x[0-9a-fA-F]{40}, not its owner/);
      expect(() => assembleSafeSignature(hash, [owner!, owner!], state)).to.throw(
        VerificationError,
        `owner ${f.owners[0]!.address} signed twice (part 1 and part 2)`,
      );
    });

    it("after an owner is removed (removeOwner through execTransaction), a signature that relied on that owner is refused", async function () {
      const f = await loadFixture(deploySafeFixture);
      const att = await attestation();
      const digest = attestationDigest(f.domain, att);
      const signedBy01 = await parts(f, digest, [f.owners[0]!, f.owners[1]!]);
      const signature = assembleSafeSignature(
        safeMessageHash(f.chainId, f.safe, digest),
        signedBy01,
        await readSafeState(ethers.provider, f.safe),
      );

      const removal = await removeOwnerCall(f.relayer, f.safe, f.owners[0]!.address, 2);
      await execSafeTransaction(f.relayer, f.safe, removal, [f.owners[1]!, f.owners[2]!]);
      const state = await readSafeState(ethers.provider, f.safe);
      expect(state.owners).to.deep.equal([f.owners[1]!.address, f.owners[2]!.address]);
      expect(state.threshold).to.equal(2);

      await expect(post(f, att, signature))
        .to.be.revertedWithCustomError(f.registry, "InvalidSignature")
        .withArgs(f.safe);
      const refused = await rejection(
        combineSafeSignature(ethers.provider, { chainId: f.chainId, safe: f.safe, digest }, signedBy01),
      );
      expect(refused).to.be.instanceOf(VerificationError);
      expect((refused as VerificationError).shortMessage).to.equal(
        `part 1: ${f.owners[0]!.address} is not an owner of Safe ${f.safe}`,
      );

      const signedBy12 = await parts(f, digest, [f.owners[1]!, f.owners[2]!]);
      const fresh = await combineSafeSignature(
        ethers.provider,
        { chainId: f.chainId, safe: f.safe, digest },
        signedBy12,
      );
      await expect(post(f, att, fresh.signature)).to.emit(f.registry, "AttestationPosted");
    });
  });

  describe("reserve wallet as a Safe", function () {
    it("addReserveWallet accepts the Safe's signature over the ReserveAddress consent, and its balance counts", async function () {
      const f = await loadFixture(deploySafeFixture);
      await f.usdo.mint(f.safe, 7_000_000n);
      const digest = reserveAddressDigest(f.domain, USDX, f.safe, f.usdoAddress);
      expect(await f.registry.reserveAddressDigest(USDX, f.safe, f.usdoAddress)).to.equal(digest);
      const { signature } = await combineSafeSignature(
        ethers.provider,
        { chainId: f.chainId, safe: f.safe, digest },
        await parts(f, digest, [f.owners[0]!, f.owners[1]!]),
      );
      await expect(f.registry.connect(f.issuer).addReserveWallet(USDX, f.safe, signature))
        .to.emit(f.registry, "ReserveWalletAdded")
        .withArgs(USDX, f.safe);
      expect(await f.registry.liveReserves(USDX)).to.equal(7_000_000n);
    });

    it("refuses one owner's part alone (InvalidReserveWalletSignature)", async function () {
      const f = await loadFixture(deploySafeFixture);
      const digest = reserveAddressDigest(f.domain, USDX, f.safe, f.usdoAddress);
      const [one] = await parts(f, digest, [f.owners[2]!]);
      await expect(f.registry.connect(f.issuer).addReserveWallet(USDX, f.safe, one!.signature))
        .to.be.revertedWithCustomError(f.registry, "InvalidReserveWalletSignature")
        .withArgs(f.safe);
    });
  });

  describe("admin as a Safe", function () {
    let dir: string;
    before(function () {
      dir = mkdtempSync(path.join(os.tmpdir(), "por-safe-admin-"));
    });
    after(function () {
      rmSync(dir, { recursive: true, force: true });
    });

    it("a Transaction Builder batch (accredit two auditors, approve an asset) executes through the Safe via MultiSendCallOnly", async function () {
      const f = await loadFixture(deploySafeFixture);
      const registry = await ethers.deployContract("ReserveRegistry", [f.safe]);
      const target = (await registry.getAddress()) as `0x${string}`;
      const [alpha, beta] = [f.stranger.address, f.issuer.address];
      const call = (description: string, data: string) => ({ description, to: target as never, data });
      const file = path.join(dir, "admin-batch.json");
      await appendSafeBatch(file, {
        chainId: f.chainId,
        safeAddress: f.safe,
        calls: [
          call("accredit Alpha", registry.interface.encodeFunctionData("accreditAuditor", [alpha, "Alpha"])),
        ],
      });
      await appendSafeBatch(
        file,
        {
          chainId: f.chainId,
          safeAddress: f.safe,
          calls: [
            call("accredit Beta", registry.interface.encodeFunctionData("accreditAuditor", [beta, "Beta"])),
            call(
              "approve USDO",
              registry.interface.encodeFunctionData("approveReserveAsset", [f.usdoAddress]),
            ),
          ],
        },
        { append: true },
      );
      const written = JSON.parse(await fs.readFile(file, "utf8")) as { transactions: unknown[] };
      expect(written.transactions).to.have.lengthOf(3);

      const batch = await readSafeBatch(file);
      const safeTx = safeTransactionForBatch(batch, f.deployment.multiSendCallOnly);
      expect(safeTx).to.include({
        to: f.deployment.multiSendCallOnly,
        operation: SafeOperation.DelegateCall,
      });
      const { receipt } = await execSafeTransaction(f.relayer, f.safe, safeTx, [f.owners[0]!, f.owners[2]!]);

      await expect(receipt.hash).to.emit(registry, "AuditorAccredited").withArgs(alpha, "Alpha");
      await expect(receipt.hash).to.emit(registry, "AuditorAccredited").withArgs(beta, "Beta");
      await expect(receipt.hash).to.emit(registry, "ReserveAssetApproved").withArgs(f.usdoAddress);
      expect(await registry.isAccredited(alpha)).to.equal(true);
      expect(await registry.isAccredited(beta)).to.equal(true);
      expect(await registry.isApprovedReserveAsset(f.usdoAddress)).to.equal(true);
    });

    it("a one-call batch is a plain CALL from the Safe; the same call from an owner directly is refused", async function () {
      const f = await loadFixture(deploySafeFixture);
      const registry = await ethers.deployContract("ReserveRegistry", [f.safe]);
      const data = registry.interface.encodeFunctionData("approveReserveAsset", [f.usdoAddress]);
      await expect(f.owners[0]!.sendTransaction({ to: await registry.getAddress(), data }))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.owners[0]!.address, ethers.ZeroHash);
      const file = path.join(dir, "one-call.json");
      await appendSafeBatch(file, {
        chainId: f.chainId,
        calls: [{ description: "approve USDO", to: (await registry.getAddress()) as never, data }],
      });
      const safeTx = safeTransactionForBatch(await readSafeBatch(file));
      expect(safeTx).to.deep.equal({
        to: await registry.getAddress(),
        value: 0n,
        data,
        operation: SafeOperation.Call,
      });
      const { receipt } = await execSafeTransaction(f.relayer, f.safe, safeTx, [f.owners[1]!, f.owners[2]!]);
      await expect(receipt.hash).to.emit(registry, "ReserveAssetApproved").withArgs(f.usdoAddress);
    });
  });

  describe("findSharedAuditorOwners", function () {
    it("names two Safes sharing an owner and the owner; the EOA auditor and a non-Safe contract are left out", async function () {
      const f = await loadFixture(deploySafeFixture);
      const [owner1, owner2, owner3] = f.owners.map((o) => o.address) as [string, string, string];
      const other = await createSafe(f.admin, f.deployment, [owner2, f.stranger.address], 2);
      const shared = await findSharedAuditorOwners(ethers.provider, [
        f.safe,
        f.auditor.address,
        f.registryAddress,
        other,
      ]);
      expect(shared).to.deep.equal([{ auditors: [f.safe, other], sharedOwners: [owner2] }]);
      // Both common owners are named, sorted as uint160.
      const third = await createSafe(f.admin, f.deployment, [owner3, owner1], 1);
      const both = await findSharedAuditorOwners(ethers.provider, [third, f.safe]);
      expect(both).to.deep.equal([
        {
          auditors: [third, f.safe],
          sharedOwners: [owner1, owner3].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
        },
      ]);
    });

    it("finds nothing for Safes with disjoint owners, EOAs, or one auditor listed twice", async function () {
      const f = await loadFixture(deploySafeFixture);
      const other = await createSafe(f.admin, f.deployment, [f.stranger.address, f.relayer.address], 2);
      expect(
        await findSharedAuditorOwners(ethers.provider, [f.safe, other, f.auditor.address, f.safe]),
      ).to.deep.equal([]);
    });

    it("names an EOA auditor that is an owner of a Safe auditor: its one key signs for both", async function () {
      const f = await loadFixture(deploySafeFixture);
      const owner1 = f.owners[0]!.address;
      expect(await findSharedAuditorOwners(f.relayer, [owner1, f.safe])).to.deep.equal([
        { auditors: [owner1, f.safe], sharedOwners: [owner1] },
      ]);
    });

    it("an RPC that fails is an error, not 'no overlap'", async function () {
      const f = await loadFixture(deploySafeFixture);
      const failing = {
        provider: { getCode: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1")) },
      } as never;
      const err = await rejection(findSharedAuditorOwners(failing, [f.safe, f.auditor.address]));
      expect(err).to.be.instanceOf(ChainError);
      expect(err.message).to.match(/^reading the code of auditor 0x[0-9a-fA-F]{40}: connect ECONNREFUSED/);
    });
  });
});
