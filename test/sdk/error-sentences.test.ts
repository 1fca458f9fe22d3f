import { expect } from "chai";
import { artifacts } from "hardhat";
import { encodeBytes32String, ErrorFragment, id, Interface, ZeroHash } from "ethers";
import type { Fragment, ParamType } from "ethers";
import { ChainError, explainError, explainRevert, registryInterface, toChainError } from "../../src";

/** Every custom error in the ABIs of our own contracts (not the test mocks), with where it is. */
async function contractErrors(): Promise<Array<{ contract: string; fragment: ErrorFragment }>> {
  const names = (await artifacts.getAllFullyQualifiedNames()).filter(
    (name) => name.startsWith("contracts/") && !name.startsWith("contracts/test/"),
  );
  const found = new Map<string, { contract: string; fragment: ErrorFragment }>();
  for (const name of names) {
    const { abi } = await artifacts.readArtifact(name);
    new Interface(abi as Fragment[]).forEachError((fragment) => {
      const signature = fragment.format("sighash");
      if (!found.has(signature)) found.set(signature, { contract: name, fragment });
    });
  }
  return [...found.values()];
}

/** A plausible value for a parameter (non-zero, so sentences take their general branch too). */
function sample(param: ParamType): unknown {
  if (param.type === "address") return "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  if (param.type === "bytes32") return encodeBytes32String("USDX");
  if (param.type === "string") return "a very long name that does not fit";
  if (param.type === "bool") return true;
  if (param.type.startsWith("bytes")) return "0x1234";
  const bits = /^u?int(\d*)$/.exec(param.type)?.[1];
  if (bits !== undefined) return Number(bits || 256) > 32 ? 1795652800n : 7n;
  throw new Error(`no sample for ${param.type}`);
}

/** The call failure ethers raises for a revert with `data`. */
function revertWith(data: string) {
  return Object.assign(new Error("execution reverted"), { code: "CALL_EXCEPTION", data });
}

describe("error sentences", function () {
  it("gives every custom error of our contracts' ABIs a sentence, and the registry client decodes each", async function () {
    const errors = await contractErrors();
    // The registry's own errors, OpenZeppelin's AccessControl ones, the libraries', SecureMint's…
    for (const expected of ["StaleAttestation", "AccessControlUnauthorizedAccount", "MerkleSumOverflow"]) {
      expect(errors.map((e) => e.fragment.name)).to.include(expected);
    }
    expect(errors.length).to.be.greaterThan(60);
    for (const { contract, fragment } of errors) {
      const where = `${fragment.format("sighash")} in ${contract}`;
      const iface = new Interface([fragment]);
      const data = iface.encodeErrorResult(fragment, fragment.inputs.map(sample));
      const { sentence, revert } = explainRevert(data, iface);
      expect(revert?.name, where).to.equal(fragment.name);
      expect(sentence, where).to.not.include(`${fragment.name}(`);
      expect(sentence, where).to.not.match(/undefined|NaN|\[object/);
      expect(sentence.length, where).to.be.greaterThan(15);
      // The client's own interface knows it too, so a real revert decodes to the same sentence.
      expect(explainRevert(data).sentence, `${where} (registry client)`).to.equal(sentence);
    }
  });

  it("says what StaleAttestation and AccessControlUnauthorizedAccount mean, with times and addresses", function () {
    const account = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    expect(explainError("StaleAttestation", { asOf: 1795652800n, latestAsOf: 1795652800n })).to.equal(
      "this round or a newer one is already posted (asOf 2026-11-26T00:26:40Z (1795652800) is not after" +
        " the latest round's asOf 2026-11-26T00:26:40Z (1795652800))",
    );
    expect(explainError("AccessControlUnauthorizedAccount", { account, neededRole: ZeroHash })).to.equal(
      `only the registry admin can do this (${account} is not the admin)`,
    );
    expect(
      explainError(
        "AccessControlUnauthorizedAccount",
        { account, neededRole: id("MINTER_ROLE") },
        { contract: "token" },
      ),
    ).to.match(/only an account with the MINTER_ROLE role on the token can do this/);
  });

  it("humanises durations, ratios and 18-decimal amounts, and names the zero cases", function () {
    expect(explainError("ReservesTooOld", { age: 11_520n, maxAgeSeconds: 3600n })).to.match(
      /are 3h 12m old, older than the 1h allowed/,
    );
    expect(
      explainError("Undercollateralized", { ratioWad: 999_900_000_000_000_000n, minRatioWad: 10n ** 18n }),
    ).to.match(/ratio of 0\.9999 of the supply, below the required 1\.0000/);
    expect(
      explainError("InsufficientReserves", {
        supplyAfterMintWad: 1_000_001n * 10n ** 18n,
        reservesWad: 10n ** 24n,
      }),
    ).to.match(/supply to 1,000,001, above the reserves of 1,000,000/);
    expect(explainError("InvalidQuorum", { quorum: 0n, auditorCount: 3n })).to.equal(
      "the quorum must be at least 1",
    );
    expect(explainError("InvalidQuorum", { quorum: 4n, auditorCount: 3n })).to.match(
      /quorum of 4 is more than the 3/,
    );
    expect(
      explainError("FutureAttestation", { asOf: 1795652800n + 3600n, blockTimestamp: 1795652800n }),
    ).to.match(/is in the future: 1h after the chain's time/);
  });

  it("falls back to Name(args) for an error it does not know, or one whose arguments do not fit", function () {
    expect(explainError("SomethingNew", { a: 1n, b: "x" })).to.equal("SomethingNew(1, x)");
    expect(explainError("StaleAttestation", { other: 1n })).to.equal("StaleAttestation(1)");
  });

  it("toChainError keeps the decoded error for --json and puts the sentence in the message", function () {
    const data = registryInterface.encodeErrorResult("QuorumNotMet", [1, 2]);
    const err = toChainError("posting refused", revertWith(data));
    expect(err).to.be.instanceOf(ChainError);
    expect(err.message).to.equal(
      "posting refused: not enough auditor signatures: 1 given, the subject's quorum is 2",
    );
    expect(err.revert).to.deep.equal({
      name: "QuorumNotMet",
      signature: "QuorumNotMet(uint256,uint8)",
      args: { signerCount: "1", quorum: "2" },
    });
  });

  it("explains Error(string) and Panic(uint256) reverts", function () {
    const builtins = new Interface(["error Error(string)", "error Panic(uint256)"]);
    const error = builtins.encodeErrorResult("Error", ["boom"]);
    expect(explainRevert(error).sentence).to.equal("reverted: boom");
    const panic = builtins.encodeErrorResult("Panic", [0x11]);
    expect(explainRevert(panic)).to.deep.include({
      sentence: "the contract failed an internal check (arithmetic overflow or underflow)",
    });
    expect(explainRevert(panic).revert).to.deep.equal({
      name: "Panic",
      signature: "Panic(uint256)",
      args: { code: "17" },
    });
  });
});
