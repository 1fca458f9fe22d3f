import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import {
  attestationDomain,
  commonSafePartTarget,
  InvalidFileError,
  parseSafePartFile,
  parseSubjectId,
  readSafePartFile,
  recoverSafePartSigner,
  reserveAddressDigest,
  SAFE_PART_FORMAT,
  safeMessageHash,
  safePartFile,
  safePartToJson,
  signSafeMessage,
  VerificationError,
  writeSafePartFile,
} from "../../src";
import type { Hex32, SafePartFile } from "../../src";

const FIXTURES = path.join(__dirname, "..", "fixtures");
/** Hardhat dev accounts 5 and 6: public test keys, never secrets. */
const OWNER = new Wallet("0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba");
const OTHER = new Wallet("0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e");
const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const SAFE = "0xC7d82960dd13Db79813B38Ebb22CeB44c43f48F7";
const OTHER_SAFE = "0x1111111111111111111111111111111111111111";
const DIGEST = "0x3d62f34340b2c211a9f76bd5eabea62dc8a2c217391e472d5474e15f0eb8ddf7" as Hex32;
const USDO = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

function refused(fn: () => unknown, type: new (...args: never[]) => Error, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail("accepted");
}

async function attestationPart(owner = OWNER, safe = SAFE, digest = DIGEST): Promise<SafePartFile> {
  const part = await signSafeMessage(owner, 31337n, safe, digest);
  return safePartFile({ kind: "attestation", chainId: 31337n, registry: REGISTRY, safe, digest }, part);
}

describe("Safe signature parts (SDK)", function () {
  it("an owner's part is a 65-byte ECDSA signature (v 27/28) of the Safe message hash of the digest", async function () {
    const part = await signSafeMessage(OWNER, 31337n, SAFE, DIGEST);
    expect(part.owner).to.equal(OWNER.address);
    expect(part.signature).to.match(/^0x[0-9a-f]{128}(1b|1c)$/);
    expect(recoverSafePartSigner(safeMessageHash(31337n, SAFE, DIGEST), part.signature)).to.equal(
      OWNER.address,
    );
    // Another chain or Safe is another hash: the part does not carry over.
    expect(recoverSafePartSigner(safeMessageHash(1n, SAFE, DIGEST), part.signature)).to.not.equal(
      OWNER.address,
    );
    refused(
      () => recoverSafePartSigner(DIGEST, `${part.signature.slice(0, 130)}00`),
      VerificationError,
      /^an owner's signature must end in v = 27 or 28 \(plain ECDSA\), not 0$/,
    );
  });

  it("writes and reads a part file; the saved sample (format 1) still loads", async function () {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "por-safe-part-"));
    try {
      const file = await attestationPart();
      await writeSafePartFile(path.join(dir, "part.json"), file);
      expect(await readSafePartFile(path.join(dir, "part.json"))).to.deep.equal(file);
      const json = JSON.parse(await fs.readFile(path.join(dir, "part.json"), "utf8")) as Record<
        string,
        unknown
      >;
      expect(json).to.deep.include({ format: SAFE_PART_FORMAT, kind: "attestation", chainId: 31337 });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    const sample = await readSafePartFile(path.join(FIXTURES, "safe-part-v1.json"));
    expect(sample.kind).to.equal("wallet-consent");
    expect(sample.owner).to.equal(OWNER.address);
  });

  it("a wallet-consent part's digest is ReserveAddress(subject, wallet = the Safe, asset)", async function () {
    const subjectId = parseSubjectId("USDX");
    const digest = reserveAddressDigest(attestationDomain(31337n, REGISTRY), subjectId, SAFE, USDO);
    const part = await signSafeMessage(OWNER, 31337n, SAFE, digest);
    const file = safePartFile(
      {
        kind: "wallet-consent",
        chainId: 31337n,
        registry: REGISTRY,
        safe: SAFE,
        subjectId,
        reserveAsset: USDO,
      },
      part,
    );
    expect(file.digest).to.equal(digest);
    expect(parseSafePartFile(safePartToJson(file))).to.deep.equal(file);
    refused(
      () => parseSafePartFile({ ...safePartToJson(file), reserveAsset: REGISTRY }, "p.json"),
      InvalidFileError,
      /^p\.json: digest is not the ReserveAddress digest of its subject, Safe and asset/,
    );
  });

  it("refuses a part whose signature, owner or hash does not match its fields, and unknown fields", async function () {
    const json = safePartToJson(await attestationPart());
    refused(
      () => parseSafePartFile({ ...json, owner: OTHER.address }, "p.json"),
      InvalidFileError,
      new RegExp(`^p\\.json: signature recovers to ${OWNER.address}, not its owner ${OTHER.address}`),
    );
    refused(
      () => parseSafePartFile({ ...json, safeMessageHash: DIGEST }, "p.json"),
      InvalidFileError,
      /^p\.json: safeMessageHash is not the Safe message hash of its digest/,
    );
    refused(
      () => parseSafePartFile({ ...json, safe: OTHER_SAFE }, "p.json"),
      InvalidFileError,
      /^p\.json: safeMessageHash is not the Safe message hash of its digest/,
    );
    refused(
      () => parseSafePartFile({ ...json, note: "x" }, "p.json"),
      InvalidFileError,
      /^p\.json: unknown field "note"$/,
    );
    refused(
      () => parseSafePartFile({ ...json, kind: "transaction" }, "p.json"),
      InvalidFileError,
      /^p\.json: kind must be "attestation" or "wallet-consent", not "transaction"$/,
    );
    refused(
      () => parseSafePartFile({ ...json, format: "por-signature/1" }, "p.json"),
      InvalidFileError,
      /^p\.json has format "por-signature\/1": expected "por-safe-signature-part\/1"$/,
    );
  });

  it("commonSafePartTarget refuses parts of different Safes, digests or kinds", async function () {
    const a = { file: await attestationPart(), source: "a.json" };
    const b = { file: await attestationPart(OTHER), source: "b.json" };
    expect(commonSafePartTarget([a, b], "attestation")).to.equal(a.file);
    const otherSafe = { file: await attestationPart(OTHER, OTHER_SAFE), source: "c.json" };
    refused(
      () => commonSafePartTarget([a, otherSafe], "attestation"),
      VerificationError,
      /^c\.json is for safe 0x1111111111111111111111111111111111111111, a\.json for 0xC7d8.*: all parts must be of the same Safe signing the same thing$/,
    );
    const otherDigest = {
      file: await attestationPart(OTHER, SAFE, `0x${"ab".repeat(32)}` as Hex32),
      source: "d.json",
    };
    refused(
      () => commonSafePartTarget([a, otherDigest], "attestation"),
      VerificationError,
      /^d\.json is for digest 0xabab/,
    );
    refused(
      () => commonSafePartTarget([a], "wallet-consent"),
      VerificationError,
      /^a\.json is a part of kind "attestation", not "wallet-consent"$/,
    );
    refused(
      () => commonSafePartTarget([], "attestation"),
      VerificationError,
      /^no Safe signature parts given$/,
    );
  });
});
