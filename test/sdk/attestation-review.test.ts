import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import {
  attestationFileDigest,
  attestationFileToJson,
  InvalidFileError,
  parseAttestationFile,
  parseSubjectId,
  reviewAttestation,
  reviewLines,
  subjectFacts,
  VerificationError,
  ZERO_HASH,
} from "../../src";
import type { AttestationFile, Hex32 } from "../../src";

const NOW = 1795652800n;
const REPORT = keccak256(toUtf8Bytes("report")) as Hex32;
const FILE: AttestationFile = {
  chainId: 31337n,
  registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as AttestationFile["registry"],
  attestation: {
    subjectId: parseSubjectId("USDX"),
    asOf: NOW - 11_520n,
    reserves: 1_050_000_250_000n,
    liabilities: 1_000_000_000_000n,
    liabilitiesRoot: keccak256(toUtf8Bytes("root")) as Hex32,
    reportHash: REPORT,
  },
  subject: { name: "USDX / USD", decimals: 6 },
};

describe("attestation review (attest sign)", function () {
  it("lays out every signed field, the EIP-712 domain and the digest", function () {
    const review = reviewAttestation(FILE, subjectFacts(FILE, null), NOW);
    const text = reviewLines(review).join("\n");
    expect(text).to.include(
      'subject           USDX, "USDX / USD", 6 decimals (noted in the file, not checked',
    );
    expect(text).to.include(`subjectId         ${parseSubjectId("USDX")}`);
    expect(text).to.include(`as of             2026-11-25T21:14:40Z (unix ${NOW - 11_520n}, 3h 12m ago)`);
    expect(text).to.include("reserves          1,050,000.25 (1050000250000 base units)");
    expect(text).to.include("liabilities       1,000,000 (1000000000000 base units)");
    expect(text).to.include(`liabilities root  ${FILE.attestation.liabilitiesRoot}\n`);
    expect(text).to.include(`report hash       ${REPORT}\n`);
    expect(text).to.include(
      "name              ReserveRegistry\n  version           1\n  chain id          31337",
    );
    expect(text).to.include(`registry          ${FILE.registry}`);
    expect(text).to.include(`digest              ${attestationFileDigest(FILE)}`);
  });

  it("shows base units only when the decimals are unknown, and marks empty hashes", function () {
    const bare: AttestationFile = {
      ...FILE,
      subject: undefined,
      attestation: { ...FILE.attestation, liabilitiesRoot: ZERO_HASH, reportHash: ZERO_HASH },
    };
    const text = reviewLines(reviewAttestation(bare, subjectFacts(bare, null), NOW)).join("\n");
    expect(text).to.include(
      "USDX (name and decimals unknown: pass --network to read them from the registry)",
    );
    expect(text).to.include("reserves          1050000250000 base units (decimals unknown)");
    expect(text).to.include(`liabilities root  ${ZERO_HASH} (none)`);
  });

  it("prefers the registry's facts and refuses a file whose noted decimals contradict them", function () {
    expect(subjectFacts(FILE, { name: "USDX / USD", decimals: 6 })).to.deep.equal({
      name: "USDX / USD",
      decimals: 6,
      source: "registry",
    });
    expect(() => subjectFacts(FILE, { name: "USDX / USD", decimals: 18 }, "att.json")).to.throw(
      VerificationError,
      "att.json says subject USDX has 6 decimals, the registry says 18",
    );
  });

  it("refuses to review a snapshot of 0, in milliseconds or in the future", function () {
    for (const [asOf, pattern] of [
      [0n, /attestation\.asOf is 0/],
      [NOW * 1000n, /attestation\.asOf \d+ looks like milliseconds/],
      [NOW + 60n, /attestation\.asOf \S+ is in the future \(1m after now/],
    ] as const) {
      const file = { ...FILE, attestation: { ...FILE.attestation, asOf } };
      expect(() => reviewAttestation(file, null, NOW, "att.json"), String(asOf)).to.throw(
        InvalidFileError,
        new RegExp(`^att\\.json: ${pattern.source}`),
      );
    }
  });

  it("round-trips the file's subject note, accepts files without one, and refuses a malformed one", function () {
    const json = attestationFileToJson(FILE);
    expect(json.subject).to.deep.equal({ name: "USDX / USD", decimals: 6 });
    expect(parseAttestationFile(JSON.parse(JSON.stringify(json))).subject).to.deep.equal(FILE.subject);
    const { subject: _omitted, ...without } = json;
    expect(parseAttestationFile(without).subject).to.equal(undefined);
    expect(() =>
      parseAttestationFile({ ...json, subject: { name: "x", decimals: 6.5 } }, "att.json"),
    ).to.throw(InvalidFileError, /^att\.json: subject must be/);
  });
});
