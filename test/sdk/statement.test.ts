import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { id, Wallet } from "ethers";
import {
  attestationDomain,
  BALANCE_STATEMENT_FORMAT,
  BALANCE_STATEMENT_TYPE,
  balanceStatementDigest,
  checkStatementFileSignature,
  InvalidArgumentError,
  InvalidFileError,
  parseStatementFile,
  parseSubjectId,
  readStatementFile,
  recoverBalanceStatementSigner,
  signBalanceStatement,
  statementFileDigest,
  statementFileToJson,
  VerificationError,
  writeStatementFile,
} from "../../src";
import type { Address, BalanceStatement, BalanceStatementFile, Hex32 } from "../../src";
import { accountCommitment, toHex } from "../../src/liabilities";

const FIXTURES = path.join(__dirname, "..", "fixtures");
const RUNS = process.env.CI ? 100 : 20;
/** The key the saved sample was signed with: a test key derived from a label, never a secret. */
const FIXTURE_SIGNER = new Wallet(id("por balance statement fixture signer"));
const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;

const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b) as Hex32);
const statements = fc.record({
  subjectId: hex32,
  accountCommitment: hex32,
  balance: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
  asOf: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
});

async function registryFixture() {
  const [admin] = await ethers.getSigners();
  const registry = await ethers.deployContract("ReserveRegistry", [admin!.address]);
  const { chainId } = await ethers.provider.getNetwork();
  return { registry, domain: attestationDomain(chainId, await registry.getAddress()) };
}

/** The sample statement of test/fixtures/balance-statement-v1.json, rebuilt from its parts. */
function sampleStatement(): BalanceStatement {
  return {
    subjectId: parseSubjectId("USDX"),
    accountCommitment: toHex(
      accountCommitment(ethers.getBytes(id("salt of bob")), "bob@example.com"),
    ) as Hex32,
    balance: 980_000_000_000n,
    asOf: 1_735_689_600n,
  };
}

async function signedFile(
  statement = sampleStatement(),
  signer = FIXTURE_SIGNER,
): Promise<BalanceStatementFile> {
  const { signer: address, signature } = await signBalanceStatement(
    signer,
    attestationDomain(31337n, REGISTRY),
    statement,
  );
  return { chainId: 31337n, registry: REGISTRY, roundId: 3n, ...statement, signer: address, signature };
}

describe("balance statements (SDK)", function () {
  describe("EIP-712", function () {
    it("uses the registry's type: the type hash is BALANCE_STATEMENT_TYPEHASH", async function () {
      const { registry } = await loadFixture(registryFixture);
      expect(id(BALANCE_STATEMENT_TYPE)).to.equal(await registry.BALANCE_STATEMENT_TYPEHASH());
    });

    it("computes the registry's balanceStatementDigest for any statement", async function () {
      const { registry, domain } = await loadFixture(registryFixture);
      await fc.assert(
        fc.asyncProperty(statements, async (s) => {
          const onChain = await registry.balanceStatementDigest(
            s.subjectId,
            s.accountCommitment,
            s.balance,
            s.asOf,
          );
          expect(balanceStatementDigest(domain, s)).to.equal(onChain);
        }),
        { numRuns: RUNS },
      );
    });

    it("signs statements that recover to the signer, and a changed field recovers to someone else", async function () {
      const { domain } = await loadFixture(registryFixture);
      const signer = Wallet.createRandom();
      await fc.assert(
        fc.asyncProperty(statements, async (s) => {
          const signed = await signBalanceStatement(signer, domain, s);
          expect(signed.signer).to.equal(signer.address);
          expect(signed.digest).to.equal(balanceStatementDigest(domain, s));
          expect(recoverBalanceStatementSigner(domain, s, signed.signature)).to.equal(signer.address);
          // The statement for the next snapshot (another round) is another statement.
          const nextRound = { ...s, asOf: s.asOf === 0n ? 1n : s.asOf - 1n };
          expect(recoverBalanceStatementSigner(domain, nextRound, signed.signature)).to.not.equal(
            signer.address,
          );
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe("files", function () {
    let dir: string;

    before(async function () {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), "por-statement-"));
    });

    after(async function () {
      await fs.rm(dir, { recursive: true, force: true });
    });

    it("round-trips through a file, and the saved v1 sample keeps loading and verifying", async function () {
      const file = await signedFile();
      const written = path.join(dir, "statement.json");
      await writeStatementFile(written, file);
      expect(await readStatementFile(written)).to.deep.equal(file);
      const json = JSON.parse(await fs.readFile(written, "utf8")) as Record<string, unknown>;
      expect(Object.keys(json)).to.deep.equal([
        "format",
        "chainId",
        "registry",
        "subjectId",
        "roundId",
        "asOf",
        "accountCommitment",
        "balance",
        "signer",
        "signature",
      ]);
      expect(json).to.include({
        format: BALANCE_STATEMENT_FORMAT,
        chainId: 31337,
        roundId: "3",
        balance: "980000000000",
      });

      const sample = await readStatementFile(path.join(FIXTURES, "balance-statement-v1.json"));
      expect(sample).to.deep.equal(file);
      expect(() => checkStatementFileSignature(sample)).to.not.throw();
      expect(statementFileDigest(sample)).to.equal(
        "0xded9ca0349eba9570923d85b0e8cb7ee82bb43433c558b7cada006b6b5a40f6e",
      );
    });

    it("refuses to replace an existing file without replace, leaving it and no temporary", async function () {
      const file = path.join(dir, "kept.json");
      await fs.writeFile(file, "keep me");
      await expectRejection(
        writeStatementFile(file, await signedFile()),
        InvalidArgumentError,
        /already exists/,
      );
      expect(await fs.readFile(file, "utf8")).to.equal("keep me");
      await writeStatementFile(file, await signedFile(), { replace: true });
      expect((await readStatementFile(file)).balance).to.equal(980_000_000_000n);
      expect((await fs.readdir(dir)).filter((f) => f.startsWith("."))).to.deep.equal([]);
    });

    it("refuses an unknown format, an unknown field and each malformed field, naming it", async function () {
      const json = statementFileToJson(await signedFile());
      const refusals: Array<[Record<string, unknown>, RegExp]> = [
        [
          { format: "por-balance-statement/2" },
          /^s\.json has format "por-balance-statement\/2": expected "por-balance-statement\/1"$/,
        ],
        [{ memo: "hi" }, /^s\.json: unknown field "memo"$/],
        [{ chainId: 0 }, /^s\.json: chainId must be a positive integer/],
        [{ registry: "0x1234" }, /^s\.json: registry must be an address/],
        [{ subjectId: "USDX" }, /^s\.json: subjectId must be a 0x-prefixed 32-byte hex string/],
        [{ roundId: "0" }, /^s\.json: roundId must be at least 1$/],
        [{ roundId: (1n << 80n).toString() }, /^s\.json: roundId is out of range$/],
        [{ asOf: "-1" }, /^s\.json: asOf must be a non-negative integer as a decimal string/],
        [{ asOf: (1n << 64n).toString() }, /^s\.json: asOf is out of range$/],
        [
          { accountCommitment: undefined },
          /^s\.json: accountCommitment must be a 0x-prefixed 32-byte hex string: got nothing$/,
        ],
        [{ balance: "980000.5" }, /^s\.json: balance must be a non-negative integer as a decimal string/],
        [{ balance: 1e21 }, /^s\.json: balance must be a non-negative integer as a decimal string/],
        [{ signer: "me" }, /^s\.json: signer must be an address/],
        [{ signature: "signed" }, /^s\.json: signature must be 0x-prefixed hex bytes$/],
      ];
      for (const [change, pattern] of refusals) {
        expect(() => parseStatementFile({ ...json, ...change }, "s.json"), JSON.stringify(change)).to.throw(
          InvalidFileError,
          pattern,
        );
      }
      await fs.writeFile(path.join(dir, "broken.json"), "{");
      await expectRejection(
        readStatementFile(path.join(dir, "broken.json")),
        InvalidFileError,
        /is not valid JSON/,
      );
    });
  });

  describe("checkStatementFileSignature", function () {
    it("refuses a file whose statement, registry or chain changed after signing, or another key's", async function () {
      const file = await signedFile();
      for (const altered of [
        { ...file, balance: file.balance + 1n },
        { ...file, asOf: file.asOf + 1n },
        { ...file, subjectId: parseSubjectId("USDY") },
        { ...file, registry: Wallet.createRandom().address as Address },
        { ...file, chainId: 1n },
        { ...file, signer: Wallet.createRandom().address as Address },
      ]) {
        expect(() => checkStatementFileSignature(altered, "s.json")).to.throw(
          VerificationError,
          /^s\.json: the signature is not by its signer 0x[0-9a-fA-F]{40}: it was made by another key/,
        );
      }
      // The round number is not signed: the snapshot time names the round.
      expect(() => checkStatementFileSignature({ ...file, roundId: 4n })).to.not.throw();
      expect(() => checkStatementFileSignature({ ...file, signature: "0x1234" })).to.throw(
        VerificationError,
        /malformed ECDSA signature/,
      );
    });
  });
});

async function expectRejection(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  pattern: RegExp,
): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail("accepted");
}
