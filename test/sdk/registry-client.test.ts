import { expect } from "chai";
import { Wallet } from "ethers";
import fc from "fast-check";
import {
  attestationDomain,
  buildSubmission,
  compareAddresses,
  computeRatio,
  decodeRevert,
  freshness,
  parseSubjectId,
  registryInterface,
  signAttestation,
  VerificationError,
  ZERO_HASH,
} from "../../src";
import type { AttestationFile, CollectedSignature } from "../../src";

describe("registry client", function () {
  describe("computeRatio", function () {
    it("is reserves / liabilities rounded down to 4 places, n/a without liabilities", function () {
      expect(computeRatio(105n, 100n)).to.equal("1.0500");
      expect(computeRatio(2n, 3n)).to.equal("0.6666");
      expect(computeRatio(1n, 0n)).to.equal("n/a");
      expect(computeRatio(0n, 5n)).to.equal("0.0000");
    });

    it("matches a naive reference on random inputs", function () {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: 10n ** 30n }),
          fc.bigInt({ min: 1n, max: 10n ** 30n }),
          (r, l) => {
            const [whole, fraction] = computeRatio(r, l).split(".");
            expect(BigInt(`${whole}${fraction}`)).to.equal((r * 10_000n) / l);
          },
        ),
      );
    });
  });

  it("freshness follows isFresh: age <= heartbeat", function () {
    expect(freshness(100n, 50n, 150n)).to.deep.equal({ ageSeconds: 50n, fresh: true });
    expect(freshness(100n, 50n, 151n)).to.deep.equal({ ageSeconds: 51n, fresh: false });
  });

  it("decodes custom errors with their arguments", function () {
    expect(decodeRevert(registryInterface.encodeErrorResult("QuorumNotMet", [1, 2]))).to.equal(
      "QuorumNotMet(1, 2)",
    );
    expect(
      decodeRevert(registryInterface.encodeErrorResult("UnknownSubject", [parseSubjectId("USDX")])),
    ).to.equal('UnknownSubject("USDX")');
    expect(decodeRevert("0xdeadbeef")).to.match(/^reverted with unknown error data 0xdeadbeef/);
  });

  it("decodes the reserve-asset, units and amount errors, and those of ReserveGuard and SecureMint", function () {
    const asset = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    const other = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    const usdx = parseSubjectId("USDX");
    const max = 2n ** 128n - 1n;
    const cases: Array<[string, unknown[], string]> = [
      ["ReserveAssetFrozen", [usdx, asset, other], `ReserveAssetFrozen("USDX", ${asset}, ${other})`],
      ["ReserveAssetNotApproved", [asset], `ReserveAssetNotApproved(${asset})`],
      ["ReserveAssetAlreadyApproved", [asset], `ReserveAssetAlreadyApproved(${asset})`],
      ["DecimalsMismatch", [8, 18], "DecimalsMismatch(8, 18)"],
      ["AmountTooLarge", [max + 1n, max], `AmountTooLarge(${max + 1n}, ${max})`],
      ["LiveReservesOverflow", [usdx], 'LiveReservesOverflow("USDX")'],
      ["DecimalScalingOverflow", [2n ** 255n, 0, 36], `DecimalScalingOverflow(${2n ** 255n}, 0, 36)`],
      ["ReservesNotFresh", [usdx], 'ReservesNotFresh("USDX")'],
      ["StaleReserves", [usdx], 'StaleReserves("USDX")'],
    ];
    for (const [name, args, text] of cases) {
      expect(decodeRevert(registryInterface.encodeErrorResult(name, args)), name).to.equal(text);
    }
  });

  it("no longer knows the removed errors ReserveWalletsRegistered and RoundNotAvailable", function () {
    expect(registryInterface.getError("ReserveWalletsRegistered")).to.equal(null);
    expect(registryInterface.getError("RoundNotAvailable")).to.equal(null);
  });

  describe("buildSubmission", function () {
    const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    const file: AttestationFile = {
      chainId: 31337n,
      registry: registry as AttestationFile["registry"],
      attestation: {
        subjectId: parseSubjectId("USDX"),
        asOf: 1n,
        reserves: 2n,
        liabilities: 1n,
        liabilitiesRoot: ZERO_HASH,
        reportHash: ZERO_HASH,
      },
    };
    const wallets = Array.from({ length: 5 }, () => Wallet.createRandom());
    const sign = async (
      w: { signTypedData: Wallet["signTypedData"]; getAddress(): Promise<string> },
      i: number,
    ) => ({
      file: {
        chainId: 31337n,
        registry: file.registry,
        ...(await signAttestation(w, attestationDomain(31337, registry), file.attestation)),
      },
      source: `sig${i}.json`,
      signerIsContract: false,
    });

    it("sorts signers ascending whatever the input order", async function () {
      const collected: CollectedSignature[] = await Promise.all(wallets.map(sign));
      const submission = buildSubmission(file, collected.reverse());
      expect(submission.signers).to.deep.equal([...submission.signers].sort(compareAddresses));
      expect(submission.signers).to.have.members(wallets.map((w) => w.address));
    });

    it("refuses a duplicate signer and a tampered signer field", async function () {
      const one = await sign(wallets[0]!, 0);
      expect(() => buildSubmission(file, [one, { ...one, source: "copy.json" }])).to.throw(
        VerificationError,
        /signed twice \(sig0\.json and copy\.json\)/,
      );
      const tampered = {
        ...one,
        file: { ...one.file, signer: wallets[1]!.address as typeof one.file.signer },
      };
      expect(() => buildSubmission(file, [tampered])).to.throw(
        VerificationError,
        /recovers to .*, not its signer/,
      );
      expect(() => buildSubmission(file, [{ ...tampered, signerIsContract: true }])).to.not.throw();
    });

    it("refuses a signature over a different attestation", async function () {
      const one = await sign(wallets[0]!, 0);
      const other = { ...file, attestation: { ...file.attestation, reserves: 3n } };
      expect(() => buildSubmission(other, [one])).to.throw(
        VerificationError,
        /sig0\.json signs a different attestation/,
      );
    });
  });
});
