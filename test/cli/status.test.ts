import { expect } from "chai";
import { expectJson, expectRefusal, expectSuccess, por } from "../helpers/cli";
import { NonceManager } from "ethers";
import { attestationDomain, parseSubjectId, signReserveAddress } from "../../src";
import { MockERC20__factory } from "../../typechain-types";
import {
  approveReserveAsset,
  deployRegistry,
  deployToken,
  postRound,
  registerSubject,
} from "../helpers/fixture";
import { devWallet, freshProvider } from "../helpers/node";
import type { Fixture } from "../helpers/fixture";

describe("por status (CLI)", function () {
  let fixture: Fixture;

  before(async function () {
    fixture = await deployRegistry();
    const subjectId = await registerSubject(fixture, "CHFX");
    await postRound(fixture, subjectId, {
      reserves: 2_000_000_000n,
      liabilities: 2_500_000_000n,
      ageSeconds: 90_000n,
    });
    await registerSubject(fixture, "SEKX");

    // NOKX: reserves live in one wallet, a high attested round, then the asset is revoked.
    const asset = await deployToken(fixture, "NOKR", 6);
    await approveReserveAsset(fixture, asset);
    const provider = await freshProvider();
    const issuer = new NonceManager(fixture.issuer.connect(provider));
    const registry = fixture.registry.connect(issuer);
    const nokx = parseSubjectId("NOKX");
    await (
      await registry.registerSubject(nokx, {
        name: "NOKX / NOK reserves",
        decimals: 6,
        token: "0x0000000000000000000000000000000000000000",
        reserveAsset: asset,
        heartbeat: 86_400,
        quorum: 2,
        auditors: fixture.auditors.map((a) => a.address),
      })
    ).wait();
    await postRound(fixture, nokx, { reserves: 9_000_000n, liabilities: 1_000_000n });
    const holder = devWallet(5, provider);
    const { chainId } = await provider.getNetwork();
    const consent = await signReserveAddress(
      holder,
      attestationDomain(chainId, fixture.address),
      nokx,
      asset,
    );
    await (await registry.addReserveWallet(nokx, holder.address, consent)).wait();
    const admin = new NonceManager(fixture.admin.connect(provider));
    await (await MockERC20__factory.connect(asset, admin).mint(holder.address, 2_000_000n)).wait();
    await (await fixture.registry.connect(admin).revokeReserveAsset(asset)).wait();
  });

  const run = (args: string[]) => por(["--network", "localhost", ...args, "--registry", fixture.address]);

  it("prints the latest round for humans: amounts, ratio, staleness, auditors", async function () {
    const out = expectSuccess(await run(["status", "CHFX"]));
    expect(out).to.include("latest round  #1");
    expect(out).to.include("reserves      2,000");
    expect(out).to.include("liabilities   2,500");
    expect(out).to.include("ratio         0.8000");
    expect(out).to.match(/freshness {5}STALE \(heartbeat 1d\)/);
    expect(out).to.include(`${fixture.auditors[0]!.address}  Auditor 1  accredited`);
  });

  it("prints parseable --json with a null latest round before the first attestation", async function () {
    const out = expectJson<{ latestRound: unknown; quorum: number; auditors: unknown[] }>(
      await run(["--json", "status", "SEKX"]),
    );
    expect(out.latestRound).to.equal(null);
    expect(out.quorum).to.equal(2);
    expect(out.auditors).to.have.lengthOf(3);
  });

  it("shows the backing consumers use when reserves are live, not only the attested round", async function () {
    const out = expectSuccess(await run(["status", "NOKX"]));
    // The round says 9 against 1; the registry counts the revoked asset's 2 as nothing.
    expect(out).to.include("ratio         9.0000");
    expect(out).to.match(/backing now/);
    expect(out).to.match(/reserves {4}0\.00 \(live\)/);
    expect(out).to.match(/supply {6}1\.00 \(attested\)/);
    expect(out).to.include("NOT FRESH: the reserve asset was revoked");
    const json = expectJson<{ backing: { reserveSource: string; fresh: boolean; ratio: string } }>(
      await run(["--json", "status", "NOKX"]),
    );
    expect(json.backing).to.include({ reserveSource: "live", fresh: false, ratio: "0.000000" });
    const shown = expectSuccess(await run(["subject", "show", "NOKX"]));
    expect(shown).to.match(/backing now/);
    expect(shown.match(/quorum 2 of 3/g)).to.have.lengthOf(1);
  });

  it("refuses an unknown subject with one line", async function () {
    expectRefusal(
      await run(["status", "NOPE"]),
      /^reading subject: subject NOPE is not registered in this registry$/,
    );
  });
});
