import { promises as fs } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { expectJson, expectRefusal, expectSuccess, por, tempDir } from "../helpers/cli";
import { approveReserveAsset, deployRegistry, deployToken } from "../helpers/fixture";
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

  describe("token and reserve asset", function () {
    let token8: string;
    let reserve: string;
    const register = (id: string, decimals: string, extra: string[]) =>
      run([
        "subject",
        "register",
        "--id",
        id,
        "--name",
        `${id} reserves`,
        "--decimals",
        decimals,
        "--heartbeat",
        "1d",
        "--quorum",
        "1",
        "--auditors",
        fixture.auditors[0]!.address,
        ...extra,
      ]);

    before(async function () {
      token8 = await deployToken(fixture, "WBTX", 8);
      reserve = await deployToken(fixture, "RSV", 6);
    });

    it("refuses, before sending, a subject whose decimals are not its token's", async function () {
      expectRefusal(
        await register("WBTX", "6", ["--token", token8]),
        new RegExp(
          `^decimals must be the token's: token ${token8} has 8 decimals, the subject 6 \\(reserves are compared with the token's raw supply\\)$`,
        ),
      );
      await expect(fixture.registry.subject(parseSubjectId("WBTX")))
        .to.be.revertedWithCustomError(fixture.registry, "UnknownSubject")
        .withArgs(parseSubjectId("WBTX"));
    });

    it("refuses, before sending, a reserve asset the admin has not approved", async function () {
      expectRefusal(
        await register("RSVX", "6", ["--reserve-asset", reserve]),
        new RegExp(
          `^reserve asset ${reserve} is not approved in this registry \\(the registry admin approves it with \`por asset approve ${reserve}\`\\)$`,
        ),
      );
    });

    it("registers with the token's decimals and an approved reserve asset, and shows them", async function () {
      await approveReserveAsset(fixture, reserve);
      const out = expectJson(
        await register("WBTX", "8", ["--json", "--token", token8, "--reserve-asset", reserve]),
      );
      expect(out).to.include({ decimals: 8, token: token8, reserveAsset: reserve });
      const [stored] = await fixture.registry.subject(parseSubjectId("WBTX"));
      expect([stored.decimals, stored.token, stored.reserveAsset]).to.deep.equal([8n, token8, reserve]);
      expect(expectSuccess(await run(["subject", "show", "WBTX"]))).to.include(`reserve asset ${reserve}\n`);
    });

    it("shows a reserve asset the admin revoked since", async function () {
      await (await fixture.registry.revokeReserveAsset(reserve)).wait();
      const out = expectSuccess(await run(["subject", "show", "WBTX"]));
      expect(out).to.include(
        `reserve asset ${reserve} (REVOKED by the registry admin: its wallet balances do not count)`,
      );
      const json = expectJson(await run(["--json", "subject", "show", "WBTX"]));
      expect(json).to.include({ reserveAsset: reserve, reserveAssetApproved: false });
    });
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
