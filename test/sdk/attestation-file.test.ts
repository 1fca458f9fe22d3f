import * as path from "node:path";
import { expect } from "chai";
import {
  attestationFileDigest,
  attestationFileToJson,
  InvalidFileError,
  parseAttestationFile,
  parseSignatureFile,
  readAttestationFile,
  readSignatureFile,
  recoverAttestationSigner,
  attestationDomain,
} from "../../src";

const FIXTURES = path.join(__dirname, "..", "fixtures");

describe("attestation and signature files", function () {
  it("keeps loading the saved por-attestation/1 and por-signature/1 samples", async function () {
    const att = await readAttestationFile(path.join(FIXTURES, "attestation-v1.json"));
    const sig = await readSignatureFile(path.join(FIXTURES, "signature-v1.json"));
    expect(att.attestation.reserves).to.equal(1_050_000_250_000n);
    expect(sig.digest).to.equal(attestationFileDigest(att));
    expect(
      recoverAttestationSigner(attestationDomain(att.chainId, att.registry), att.attestation, sig.signature),
    ).to.equal(sig.signer);
  });

  it("round-trips through its JSON form", async function () {
    const att = await readAttestationFile(path.join(FIXTURES, "attestation-v1.json"));
    expect(parseAttestationFile(JSON.parse(JSON.stringify(attestationFileToJson(att))))).to.deep.equal(att);
  });

  describe("refuses, naming the field", function () {
    let sample: Record<string, unknown>;
    beforeEach(async function () {
      sample = attestationFileToJson(await readAttestationFile(path.join(FIXTURES, "attestation-v1.json")));
    });
    const inner = () => sample.attestation as Record<string, unknown>;

    const cases: Array<[string, () => void, RegExp]> = [
      ["unknown format", () => (sample.format = "por-attestation/9"), /has format "por-attestation\/9"/],
      ["missing format", () => delete sample.format, /has format undefined/],
      ["bad chainId", () => (sample.chainId = -1), /chainId must be a non-negative integer/],
      ["bad registry", () => (sample.registry = "0x12"), /registry must be an address/],
      ["missing attestation", () => delete sample.attestation, /attestation must be an object/],
      [
        "bad subjectId",
        () => (inner().subjectId = "USDX"),
        /attestation\.subjectId must be a 0x-prefixed 32-byte/,
      ],
      [
        "float reserves",
        () => (inner().reserves = "1.5"),
        /attestation\.reserves must be a non-negative integer/,
      ],
      ["leading zero", () => (inner().liabilities = "01"), /attestation\.liabilities must be/],
      [
        "asOf above uint64",
        () => (inner().asOf = (1n << 64n).toString()),
        /attestation\.asOf is out of range/,
      ],
      ["short root", () => (inner().liabilitiesRoot = "0x00"), /attestation\.liabilitiesRoot/],
      ["missing reportHash", () => delete inner().reportHash, /attestation\.reportHash/],
    ];
    for (const [name, mutate, pattern] of cases) {
      it(name, function () {
        mutate();
        expect(() => parseAttestationFile(sample, "att.json")).to.throw(InvalidFileError, pattern);
      });
    }

    it("a signature file with non-hex signature", function () {
      const sig = {
        format: "por-signature/1",
        chainId: 1,
        registry: `0x${"11".repeat(20)}`,
        digest: `0x${"00".repeat(32)}`,
      };
      expect(() =>
        parseSignatureFile({ ...sig, signer: `0x${"22".repeat(20)}`, signature: "zz" }, "s.json"),
      ).to.throw(InvalidFileError, /^s\.json: signature must be 0x-prefixed hex bytes/);
    });
  });
});
