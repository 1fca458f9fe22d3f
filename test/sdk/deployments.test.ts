import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Contract, getAddress, keccak256, toUtf8Bytes, ZeroAddress } from "ethers";
import { MockERC20__factory } from "../../typechain-types";
import {
  checkTokenForSubject,
  create2Address,
  CREATEX_ADDRESS,
  CREATEX_CODE_HASH,
  CREATEX_DEPLOYER,
  createXInterface,
  createXState,
  deployCreate2Data,
  FEED_KINDS,
  guardedSalt,
  initCodeOf,
  installCreateX,
  InvalidArgumentError,
  InvalidFileError,
  ChainError,
  parseFeedKind,
  parseSalt,
  parseSubjectId,
  readDeployedAddresses,
  recordState,
  saltGuard,
  saltOfLabel,
  subjectModuleId,
} from "../../src";
import type { Address, Hex32, SubjectTokenState } from "../../src";

const ZERO_PREFIX_SALT = `0x${"00".repeat(21)}${"ab".repeat(11)}` as Hex32;

describe("CREATE2 deployments (SDK)", function () {
  describe("saltOfLabel", function () {
    it("is 20 zero bytes (anyone), a zero flag byte (every chain), then 11 bytes of keccak256(label)", function () {
      const salt = saltOfLabel("por-registry/v1");
      expect(salt).to.match(/^0x0{42}[0-9a-f]{22}$/);
      expect(salt.slice(44)).to.equal(keccak256(toUtf8Bytes("por-registry/v1")).slice(2, 24));
      expect(saltOfLabel("staging")).to.not.equal(salt);
      expect(saltGuard(salt, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")).to.deep.equal({ kind: "anyone" });
    });

    it("refuses an empty label", function () {
      expect(() => saltOfLabel("  ")).to.throw(InvalidArgumentError, "must not be empty");
    });
  });

  describe("parseSalt", function () {
    const sender = getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");

    it("takes text as a label and a 32-byte hex salt as is", function () {
      expect(parseSalt("staging", sender)).to.deep.equal({ salt: saltOfLabel("staging"), label: "staging" });
      expect(parseSalt(ZERO_PREFIX_SALT, sender)).to.deep.equal({ salt: ZERO_PREFIX_SALT, label: null });
    });

    it("accepts the sender's own address as prefix (a salt only that sender gets the address of)", function () {
      const salt = `${sender.toLowerCase()}00${"11".repeat(11)}` as Hex32;
      expect(saltGuard(parseSalt(salt, sender).salt, sender)).to.deep.equal({ kind: "sender", sender });
    });

    it("refuses another account's prefix, cross-chain redeploy protection, and hex of another length", function () {
      const other = `0x${"22".repeat(20)}00${"11".repeat(11)}`;
      expect(() => parseSalt(other, sender)).to.throw(InvalidArgumentError, "which is not the sender");
      const perChain = `0x${"00".repeat(20)}01${"11".repeat(11)}`;
      expect(() => parseSalt(perChain, sender)).to.throw(InvalidArgumentError, "0x01 as its 21st byte");
      expect(() => parseSalt("0x1234", sender)).to.throw(InvalidArgumentError, "not 32 bytes");
    });
  });

  describe("create2Address against CreateX", function () {
    async function createXFixture() {
      const [a, b] = await ethers.getSigners();
      await installCreateX(ethers.provider); // a no-op if an earlier test file installed it
      expect(await createXState(ethers.provider)).to.equal("present");
      const factory = new Contract(CREATEX_ADDRESS, createXInterface, ethers.provider);
      const artifact = MockERC20__factory;
      const initCode = initCodeOf(artifact.bytecode, new ethers.Interface(artifact.abi), ["Test", "TST", 6]);
      return { a: a!, b: b!, factory, initCode };
    }

    it("is where CreateX computes and deploys, and the same whoever sends a zero-prefix salt", async function () {
      const { a, b, factory, initCode } = await loadFixture(createXFixture);
      const predicted = create2Address(ZERO_PREFIX_SALT, initCode, a.address);
      expect(create2Address(ZERO_PREFIX_SALT, initCode, b.address)).to.equal(predicted);
      expect(
        await factory.getFunction("computeCreate2Address(bytes32,bytes32)")(
          guardedSalt(ZERO_PREFIX_SALT, a.address),
          keccak256(initCode),
        ),
      ).to.equal(predicted);

      await (
        await b.sendTransaction({ to: CREATEX_ADDRESS, data: deployCreate2Data(ZERO_PREFIX_SALT, initCode) })
      ).wait();
      expect(await ethers.provider.getCode(predicted)).to.not.equal("0x");
      // The address is taken: the same deployment from anyone else is refused by the factory.
      await expect(
        a.sendTransaction({ to: CREATEX_ADDRESS, data: deployCreate2Data(ZERO_PREFIX_SALT, initCode) }),
      )
        .to.be.revertedWithCustomError(factory, "FailedContractCreation")
        .withArgs(CREATEX_ADDRESS);
    });

    it("depends on the sender for a salt prefixed with the sender's address", async function () {
      const { a, b, initCode } = await loadFixture(createXFixture);
      const salt = `${a.address.toLowerCase()}00${"11".repeat(11)}` as Hex32;
      const predicted = create2Address(salt, initCode, a.address);
      await (
        await a.sendTransaction({ to: CREATEX_ADDRESS, data: deployCreate2Data(salt, initCode) })
      ).wait();
      expect(await ethers.provider.getCode(predicted)).to.not.equal("0x");
      // Another sender of the same salt is not "the sender": saltGuard refuses to predict for it.
      expect(() => create2Address(salt, initCode, b.address)).to.throw(InvalidArgumentError);
    });
  });

  // Installing on a chain without CreateX is exercised on a fresh node by test/e2e/same-address.test.ts
  // (the in-process chain cannot go back to a deployer nonce of 0 once any test installed it).
  describe("installCreateX", function () {
    it("leaves CreateX in place when it is there", async function () {
      await installCreateX(ethers.provider);
      expect(await installCreateX(ethers.provider)).to.equal(null);
      expect(keccak256(await ethers.provider.getCode(CREATEX_ADDRESS))).to.equal(CREATEX_CODE_HASH);
    });

    it("refuses another contract at CreateX's address", async function () {
      await loadFixture(async function foreignCode() {
        await ethers.provider.send("hardhat_setCode", [CREATEX_ADDRESS, "0x6000"]);
      });
      await expectRejection(createXState(ethers.provider), ChainError, "is not CreateX");
      await expectRejection(installCreateX(ethers.provider), ChainError, "is not CreateX");
    });

    it("refuses when CreateX's deployer already used its nonce on the chain", async function () {
      await loadFixture(async function deployerUsed() {
        await ethers.provider.send("hardhat_setCode", [CREATEX_ADDRESS, "0x"]);
        if ((await ethers.provider.getTransactionCount(CREATEX_DEPLOYER)) === 0) {
          await ethers.provider.send("hardhat_setNonce", [CREATEX_DEPLOYER, "0x1"]);
        }
      });
      await expectRejection(installCreateX(ethers.provider), ChainError, "has already sent a transaction");
    });
  });

  describe("subjectModuleId", function () {
    it("names the module after the contract and a text subject id, else the hex id", function () {
      expect(subjectModuleId("ReserveFeed", parseSubjectId("USDX"))).to.equal("ReserveFeed_USDX");
      const spaced = parseSubjectId("USD X");
      expect(subjectModuleId("PoRAddressList", spaced)).to.equal(`PoRAddressList_${spaced}`);
    });
  });

  describe("parseFeedKind", function () {
    it("accepts the three kinds and lists them otherwise", function () {
      for (const kind of FEED_KINDS) expect(parseFeedKind(kind)).to.equal(kind);
      expect(() => parseFeedKind("price")).to.throw(InvalidArgumentError, "reserves, ratio, address-list");
    });
  });

  describe("records", function () {
    const address = getAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3") as Address;
    let dir: string;
    beforeEach(async function () {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), "por-records-"));
    });
    afterEach(async function () {
      await fs.rm(dir, { recursive: true, force: true });
    });

    it("reads nothing from a chain with no record, and checksums what is recorded", async function () {
      expect(await readDeployedAddresses(dir)).to.deep.equal({});
      await fs.writeFile(
        path.join(dir, "deployed_addresses.json"),
        JSON.stringify({ "M#C": address.toLowerCase() }),
      );
      expect(await readDeployedAddresses(dir)).to.deep.equal({ "M#C": address });
    });

    it("refuses a record that is not future id → address", async function () {
      await fs.writeFile(path.join(dir, "deployed_addresses.json"), JSON.stringify({ "M#C": 7 }));
      await expectRejection(readDeployedAddresses(dir), InvalidFileError, "not an address");
    });

    it("says whether a future is recorded, and refuses another address for it", function () {
      expect(recordState({}, "M#C", address, dir)).to.equal("none");
      expect(recordState({ "M#C": address }, "M#C", address, dir)).to.equal("same");
      const other = getAddress(`0x${"12".repeat(20)}`) as Address;
      expect(() =>
        recordState(
          { "ReserveRegistryModule#ReserveRegistry": other },
          "ReserveRegistryModule#ReserveRegistry",
          address,
          dir,
        ),
      ).to.throw(InvalidArgumentError, "pass --reset");
      expect(() => recordState({ "M#C": other }, "M#C", address, dir)).to.throw(
        InvalidArgumentError,
        "another registry",
      );
    });
  });

  describe("checkTokenForSubject", function () {
    const token = getAddress(`0x${"34".repeat(20)}`) as Address;
    const subject: SubjectTokenState = {
      subjectId: parseSubjectId("USDX"),
      decimals: 6,
      token: ZeroAddress as Address,
      frozen: false,
    };

    it("wants the subject's decimals", function () {
      expect(() => checkTokenForSubject(subject, 18, token, "x")).to.throw(
        InvalidArgumentError,
        "x: subject USDX uses 6 decimals, the token would have 18",
      );
    });

    it("says whether the subject names the token yet", function () {
      expect(checkTokenForSubject(subject, 6, token, "x")).to.equal("to-name");
      expect(checkTokenForSubject({ ...subject, token, frozen: true }, 6, token, "x")).to.equal("named");
    });

    it("refuses a token the subject can no longer name", function () {
      expect(() => checkTokenForSubject({ ...subject, frozen: true }, 6, token, "x")).to.throw(
        ChainError,
        "x: subject USDX can no longer name a token (it names none)",
      );
    });
  });
});

async function expectRejection(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  text: string,
) {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught).to.be.instanceOf(type);
  expect((caught as Error).message).to.include(text);
}
