import { expect } from "chai";
import hre from "hardhat";
import { getAddress, id, TypedDataEncoder, Wallet } from "ethers";
import {
  attestationDigest,
  attestationDomain,
  ATTESTATION_TYPE,
  parseSubjectId,
  recoverAttestationSigner,
  signAttestation,
  VerificationError,
} from "../../src";
import type { Attestation, Hex32 } from "../../src";
import { ATTESTATION_TYPES as ATTESTATION_TYPES_INDEPENDENT } from "../helpers/eip712";

const att: Attestation = {
  subjectId: parseSubjectId("USDX"),
  asOf: 1_735_689_600n,
  reserves: 1_050_000_250_000n,
  liabilities: 1_000_000_000_000n,
  liabilitiesRoot: id("root") as Hex32,
  reportHash: id("report") as Hex32,
};

describe("attestation (EIP-712)", function () {
  const auditor = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  const rawDomain = { name: "ReserveRegistry", version: "1", chainId: 31337, verifyingContract: registry };

  it("uses the contract's type string", function () {
    expect(TypedDataEncoder.from(ATTESTATION_TYPES_INDEPENDENT).encodeType("Attestation")).to.equal(
      ATTESTATION_TYPE,
    );
  });

  it("computes the same digest as ethers' TypedDataEncoder on a hand-written domain", function () {
    expect(attestationDigest(attestationDomain(31337n, registry), att)).to.equal(
      TypedDataEncoder.hash(rawDomain, ATTESTATION_TYPES_INDEPENDENT, att),
    );
  });

  it("signs exactly what ethers' signTypedData signs, and recovers the signer", async function () {
    const independent = await auditor.signTypedData(rawDomain, ATTESTATION_TYPES_INDEPENDENT, att);
    const signed = await signAttestation(auditor, attestationDomain(31337, registry), att);
    expect(signed.signature).to.equal(independent.toLowerCase());
    expect(signed.signer).to.equal(auditor.address);
    expect(recoverAttestationSigner(attestationDomain(31337, registry), att, independent)).to.equal(
      auditor.address,
    );
  });

  it("recovers a different address for a different registry's domain", async function () {
    const signed = await signAttestation(auditor, attestationDomain(31337, registry), att);
    const elsewhere = attestationDomain(31337, getAddress(`0x${"11".repeat(20)}`));
    expect(recoverAttestationSigner(elsewhere, att, signed.signature)).to.not.equal(auditor.address);
  });

  it("refuses malformed and high-s signatures", async function () {
    const domain = attestationDomain(31337, registry);
    expect(() => recoverAttestationSigner(domain, att, "0x1234")).to.throw(VerificationError, /malformed/);
    const signed = await signAttestation(auditor, domain, att);
    const r = signed.signature.slice(2, 66);
    const s = BigInt(`0x${signed.signature.slice(66, 130)}`);
    const v = parseInt(signed.signature.slice(130, 132), 16);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const highS = `0x${r}${(n - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}`;
    expect(() => recoverAttestationSigner(domain, att, highS)).to.throw(VerificationError, /high s/);
  });

  it("refuses an all-zero signature (r = s = 0) as a VerificationError, not a crash", function () {
    const domain = attestationDomain(31337, registry);
    const zero = `0x${"00".repeat(64)}1b`;
    expect(() => recoverAttestationSigner(domain, att, zero)).to.throw(VerificationError);
  });

  it("equals the contract's attestationDigest", async function () {
    const [admin] = await hre.ethers.getSigners();
    const contract = await hre.ethers.deployContract("ReserveRegistry", [admin!.address]);
    const { chainId } = await hre.ethers.provider.getNetwork();
    const domain = attestationDomain(chainId, await contract.getAddress());
    expect(await contract.attestationDigest(att)).to.equal(attestationDigest(domain, att));
  });
});
