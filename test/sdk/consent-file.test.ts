import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { Signature, Wallet } from "ethers";
import {
  checkConsentSignature,
  checkConsentTarget,
  InvalidArgumentError,
  InvalidFileError,
  parseSubjectId,
  parseWalletConsent,
  readWalletConsentFile,
  reserveAddressDigest,
  signWalletConsent,
  VerificationError,
  walletConsentDigest,
  walletConsentToJson,
  WALLET_CONSENT_FORMAT,
  writeWalletConsentFile,
  attestationDomain,
} from "../../src";
import type { WalletConsent, WalletConsentTarget } from "../../src";

const FIXTURES = path.join(__dirname, "..", "fixtures");
/** Hardhat dev account 7: a public test key, never a secret. */
const WALLET_KEY = "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356";

const TARGET: WalletConsentTarget = {
  chainId: 31337n,
  registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  subjectId: parseSubjectId("USDX"),
  reserveAsset: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
};

async function refused(
  promise: Promise<unknown> | (() => unknown),
  type: new (...args: never[]) => Error,
  pattern: RegExp,
) {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail("accepted");
}

describe("wallet consent files (SDK)", function () {
  const wallet = new Wallet(WALLET_KEY);
  let consent: WalletConsent;
  let dir: string;

  before(async function () {
    consent = await signWalletConsent(wallet, TARGET);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "por-consent-"));
  });

  after(async function () {
    await fs.rm(dir, { recursive: true, force: true });
  });

  describe("signWalletConsent", function () {
    it("signs ReserveAddress(subjectId, wallet, reserveAsset) in the registry's domain", function () {
      expect(consent.wallet).to.equal(wallet.address);
      expect(walletConsentDigest(consent)).to.equal(
        reserveAddressDigest(
          attestationDomain(TARGET.chainId, TARGET.registry),
          TARGET.subjectId,
          wallet.address,
          TARGET.reserveAsset,
        ),
      );
      expect(() => checkConsentSignature(consent)).to.not.throw();
    });

    it("is accepted by the registry's addReserveWallet", async function () {
      const [admin, owner] = await ethers.getSigners();
      const registry = await ethers.deployContract("ReserveRegistry", [admin!.address]);
      const asset = await ethers.deployContract("MockERC20", ["Reserve", "RSV", 6]);
      await registry.approveReserveAsset(await asset.getAddress());
      await registry.accreditAuditor(admin!.address, "A");
      const subjectId = parseSubjectId("CONSENT");
      await registry.connect(owner!).registerSubject(subjectId, {
        name: "Consent",
        decimals: 6,
        token: ethers.ZeroAddress,
        reserveAsset: await asset.getAddress(),
        heartbeat: 3600,
        quorum: 1,
        auditors: [admin!.address],
      });
      const { chainId } = await ethers.provider.getNetwork();
      const signed = await signWalletConsent(wallet, {
        chainId,
        registry: await registry.getAddress(),
        subjectId,
        reserveAsset: await asset.getAddress(),
      });
      const file = path.join(dir, "onchain.json");
      await writeWalletConsentFile(file, signed);
      const read = await readWalletConsentFile(file);
      await expect(registry.connect(owner!).addReserveWallet(read.subjectId, read.wallet, read.signature))
        .to.emit(registry, "ReserveWalletAdded")
        .withArgs(subjectId, wallet.address);
    });
  });

  describe("files", function () {
    it("round-trips through JSON, and the saved v1 sample keeps loading and verifying", async function () {
      expect(parseWalletConsent(JSON.parse(JSON.stringify(walletConsentToJson(consent))))).to.deep.equal(
        consent,
      );
      const sample = await readWalletConsentFile(path.join(FIXTURES, "wallet-consent-v1.json"));
      expect(sample).to.deep.equal(consent);
      expect(() => checkConsentSignature(sample)).to.not.throw();
    });

    it("refuses an unknown format, an unknown field and a malformed field, naming it", function () {
      const json = walletConsentToJson(consent);
      expect(() => parseWalletConsent({ ...json, format: "por-wallet-consent/2" }, "c.json")).to.throw(
        InvalidFileError,
        /^c\.json has format "por-wallet-consent\/2": expected "por-wallet-consent\/1"$/,
      );
      expect(() => parseWalletConsent({ ...json, deadline: 1 }, "c.json")).to.throw(
        InvalidFileError,
        /^c\.json: unknown field "deadline"$/,
      );
      expect(() => parseWalletConsent({ ...json, wallet: "0x1234" }, "c.json")).to.throw(
        InvalidFileError,
        /^c\.json: wallet must be an address/,
      );
      expect(() => parseWalletConsent({ ...json, chainId: 0 }, "c.json")).to.throw(
        InvalidFileError,
        /^c\.json: chainId must be a positive integer/,
      );
      expect(() => parseWalletConsent({ ...json, signature: "signed" }, "c.json")).to.throw(
        InvalidFileError,
        /signature must be 0x-prefixed hex bytes/,
      );
      expect(json.format).to.equal(WALLET_CONSENT_FORMAT);
    });

    it("refuses to replace an existing file without force, leaving it and no temporary", async function () {
      const file = path.join(dir, "consent.json");
      await fs.writeFile(file, "keep me");
      await refused(writeWalletConsentFile(file, consent), InvalidArgumentError, /already exists/);
      expect(await fs.readFile(file, "utf8")).to.equal("keep me");
      await writeWalletConsentFile(file, consent, { force: true });
      expect((await readWalletConsentFile(file)).signature).to.equal(consent.signature);
      expect((await fs.readdir(dir)).filter((f) => f.startsWith("."))).to.deep.equal([]);
    });
  });

  describe("checkConsentSignature", function () {
    it("refuses a consent whose fields were changed after signing", function () {
      for (const altered of [
        { ...consent, reserveAsset: Wallet.createRandom().address },
        { ...consent, subjectId: parseSubjectId("USDY") },
        { ...consent, chainId: 1n },
        { ...consent, registry: Wallet.createRandom().address },
      ] as WalletConsent[]) {
        expect(() => checkConsentSignature(altered)).to.throw(
          VerificationError,
          /^the consent's signature is not by the wallet 0x[0-9a-fA-F]{40}: it was made by another key/,
        );
      }
    });

    it("refuses another key's signature, a high-s signature and bytes that are no signature", async function () {
      const other = await signWalletConsent(Wallet.createRandom(), TARGET);
      expect(() => checkConsentSignature({ ...other, wallet: consent.wallet })).to.throw(
        VerificationError,
        /not by the wallet/,
      );
      const sig = Signature.from(consent.signature);
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const highS = `0x${(n - BigInt(sig.s)).toString(16).padStart(64, "0")}`;
      const malleated = `${sig.r}${highS.slice(2)}${sig.v === 27 ? "1c" : "1b"}`;
      expect(() => checkConsentSignature({ ...consent, signature: malleated })).to.throw(
        VerificationError,
        /high s/,
      );
      expect(() => checkConsentSignature({ ...consent, signature: "0x1234" })).to.throw(
        VerificationError,
        /malformed ECDSA signature/,
      );
    });
  });

  describe("checkConsentTarget", function () {
    it("accepts its own target and names the first field that differs", function () {
      expect(() => checkConsentTarget(consent, TARGET, "c.json")).to.not.throw();
      expect(() => checkConsentTarget(consent, { ...TARGET, chainId: 1n }, "c.json")).to.throw(
        VerificationError,
        /^c\.json is for chain 31337, not 1$/,
      );
      const registry = Wallet.createRandom().address;
      expect(() => checkConsentTarget(consent, { ...TARGET, registry }, "c.json")).to.throw(
        VerificationError,
        new RegExp(`^c\\.json is for registry ${TARGET.registry}, not ${registry}$`),
      );
      expect(() =>
        checkConsentTarget(consent, { ...TARGET, subjectId: parseSubjectId("USDY") }, "c.json"),
      ).to.throw(VerificationError, /^c\.json is for subject USDX, not USDY$/);
      const asset = Wallet.createRandom().address;
      expect(() => checkConsentTarget(consent, { ...TARGET, reserveAsset: asset }, "c.json")).to.throw(
        VerificationError,
        new RegExp(`names reserve asset ${TARGET.reserveAsset}, but the subject's is ${asset}`),
      );
    });
  });
});
