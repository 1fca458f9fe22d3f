import { promises as fs } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { expectJson, expectRefusal, expectSuccess, por, tempDir } from "../helpers/cli";
import { deployRegistry } from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet } from "../helpers/node";
import { parseSubjectId } from "../../src";

describe("por subject (CLI)", function () {
  let fixture: Fixture;
  const dir = tempDir("subject");
  const issuer = devWallet(4);

  before(async function () {
    fixture = await deployRegistry();
  });

  const run = (args: string[]) =>
    por(["--network", "localhost", ...args, "--registry", fixture.address], {
      env: { POR_PRIVATE_KEY: issuer.privateKey },
    });

  it("registers from a --config file, a flag overriding its quorum", async function () {
    const config = path.join(dir, "gbpx.json");
    await fs.writeFile(
      config,
      JSON.stringify({
        format: "por-subject/1",
        id: "GBPX",
        name: "GBPX / GBP reserves",
        decimals: 2,
        heartbeat: "12h",
        quorum: 3,
        auditors: fixture.auditors.map((a) => a.address),
      }),
    );
    expectJson(await run(["--json", "subject", "register", "--config", config, "--quorum", "2"]));
    const [stored, owner] = await fixture.registry.subject(parseSubjectId("GBPX"));
    expect(owner).to.equal(issuer.address);
    expect(stored.quorum).to.equal(2n);
    expect(stored.heartbeat).to.equal(43_200n);
    expect(stored.decimals).to.equal(2n);
  });

  it("shows config, owner and the absence of rounds", async function () {
    const out = expectSuccess(await run(["subject", "show", "GBPX"]));
    expect(out).to.include("GBPX / GBP reserves");
    expect(out).to.include(`owner         ${issuer.address}`);
    expect(out).to.include("heartbeat     12h (43200s)");
    expect(out).to.include("latest round  none yet");
  });

  it("refuses a quorum above the auditor count: InvalidQuorum decoded", async function () {
    expectRefusal(
      await run([
        "subject",
        "register",
        "--id",
        "JPYX",
        "--name",
        "JPYX",
        "--decimals",
        "0",
        "--heartbeat",
        "1d",
        "--quorum",
        "2",
        "--auditors",
        fixture.auditors[0]!.address,
      ]),
      /^registration refused: InvalidQuorum\(2, 1\)$/,
    );
  });

  it("refuses a malformed heartbeat before connecting", async function () {
    expectRefusal(
      await run([
        "subject",
        "register",
        "--id",
        "JPYX",
        "--name",
        "JPYX",
        "--decimals",
        "0",
        "--heartbeat",
        "1y",
        "--quorum",
        "1",
        "--auditors",
        fixture.auditors[0]!.address,
      ]),
      /^heartbeat must be seconds or a number with s\/m\/h\/d\/w/,
    );
  });
});
