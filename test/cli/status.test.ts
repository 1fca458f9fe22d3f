import { expect } from "chai";
import { expectJson, expectRefusal, expectSuccess, por } from "../helpers/cli";
import { deployRegistry, postRound, registerSubject } from "../helpers/fixture";
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

  it("refuses an unknown subject with one line", async function () {
    expectRefusal(
      await run(["status", "NOPE"]),
      /^reading subject: subject NOPE is not registered in this registry$/,
    );
  });
});
