import { mkdirSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { NonceManager, ZeroAddress } from "ethers";
import { expectJson, expectRefusal, expectSuccess, por, removeTempDir, tempDir } from "../helpers/cli";
import {
  approveReserveAsset,
  deployRegistry,
  deployToken,
  ISSUER,
  OUTSIDER,
  postRound,
  registerSubject,
} from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet, freshProvider } from "../helpers/node";
import { attestationDomain, parseSubjectId, signReserveAddress } from "../../src";

describe("por subject (CLI)", function () {
  let fixture: Fixture;
  const dir = tempDir("subject");
  const ignitionDir = path.join(dir, "ignition");
  mkdirSync(ignitionDir);
  const issuer = devWallet(ISSUER);
  const outsider = devWallet(OUTSIDER);
  /** A fourth accredited auditor, and an account never accredited. */
  const auditor4 = devWallet(5);
  const stranger = devWallet(7);

  before(async function () {
    fixture = await deployRegistry();
    await (await (await asAdmin()).accreditAuditor(auditor4.address, "Auditor 4")).wait();
  });

  after(function () {
    removeTempDir(dir);
  });

  const runAs = (key: string, args: string[]) =>
    por(["--network", "localhost", ...args, "--registry", fixture.address], {
      env: { POR_PRIVATE_KEY: key },
      ignitionDir,
    });
  const run = (args: string[]) => runAs(issuer.privateKey, args);
  const blockNumber = async () => (await freshProvider()).getBlockNumber();
  /** The registry as `wallet`, with a fresh provider and nonce manager (CLI processes send too). */
  const as = async (wallet: typeof issuer) =>
    fixture.registry.connect(new NonceManager(wallet.connect(await freshProvider())));
  const asIssuer = () => as(issuer);
  const asAdmin = () => as(fixture.admin);

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

  it("refuses a quorum above the auditor count: InvalidQuorum decoded into a sentence", async function () {
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
      /^registration refused: a quorum of 2 is more than the 1 auditors listed$/,
    );
  });

  it("register --dry-run prints the registration call and registers nothing", async function () {
    const auditors = fixture.auditors.map((a) => a.address);
    const out = expectJson<{
      registered: boolean;
      owner: string;
      transactionHash: null;
      transaction: { sent: boolean; from: string; to: string; data: string; estimatedGas: string };
    }>(
      await run([
        "--json",
        "subject",
        "register",
        "--id",
        "DRYX",
        "--name",
        "DRYX reserves",
        "--decimals",
        "6",
        "--heartbeat",
        "1d",
        "--quorum",
        "2",
        "--auditors",
        auditors.join(","),
        "--dry-run",
      ]),
    );
    expect(out).to.include({ registered: false, owner: issuer.address, transactionHash: null });
    expect(out.transaction).to.include({
      sent: false,
      from: issuer.address,
      to: fixture.address,
      data: fixture.registry.interface.encodeFunctionData("registerSubject", [
        parseSubjectId("DRYX"),
        {
          name: "DRYX reserves",
          decimals: 6,
          token: ZeroAddress,
          reserveAsset: ZeroAddress,
          heartbeat: 86_400,
          quorum: 2,
          auditors,
        },
      ]),
    });
    expect(BigInt(out.transaction.estimatedGas)).to.be.greaterThan(21_000n);
    await expect(fixture.registry.subject(parseSubjectId("DRYX")))
      .to.be.revertedWithCustomError(fixture.registry, "UnknownSubject")
      .withArgs(parseSubjectId("DRYX"));
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

  describe("update", function () {
    let updx: string;
    let token8: string;
    let unapproved: string;
    const [a1, a2, a3] = [0, 1, 2].map((i) => devWallet(i + 1).address) as [string, string, string];

    before(async function () {
      updx = await registerSubject(fixture, "UPDX");
      token8 = await deployToken(fixture, "TOK8", 8);
      unapproved = await deployToken(fixture, "UNAP", 6);
    });

    it("shows the diff field by field and sends it with --yes, fields not given kept", async function () {
      const config = path.join(dir, "updx.json");
      await fs.writeFile(
        config,
        JSON.stringify({
          format: "por-subject/1",
          id: "UPDX",
          heartbeat: "12h",
          auditors: [a2, a3, auditor4.address],
        }),
      );
      const out = expectSuccess(
        await run(["subject", "update", "UPDX", "--config", config, "--name", "UPDX reserves", "--yes"]),
      );
      expect(out).to.include(
        `update of subject UPDX (${updx}) in ${fixture.address} on localhost (chain 31337)\n`,
      );
      expect(out).to.include('  name          "UPDX / USD reserves" → "UPDX reserves"\n');
      expect(out).to.include("  heartbeat     1d → 12h (43200s)\n");
      expect(out).to.include(
        `  auditors      + ${auditor4.address}  Auditor 4\n                - ${a1}  Auditor 1\n`,
      );
      expect(out).to.not.match(/quorum|decimals|token|reserve asset/);
      expect(out).to.match(
        /\nupdated subject UPDX\ntx         0x[0-9a-f]{64}\nblock      \d+, gas used \d+ at [\d.]+ gwei\n$/,
      );
      const [stored] = await fixture.registry.subject(updx);
      expect([stored.name, stored.heartbeat, stored.quorum, stored.decimals]).to.deep.equal([
        "UPDX reserves",
        43_200n,
        2n,
        6n,
      ]);
      expect([...stored.auditors]).to.deep.equal([a2, a3, auditor4.address]);
    });

    it("--json prints the diff and the transaction hash", async function () {
      const out = expectJson<{ changes: unknown[]; sent: boolean; transactionHash: string; label: string }>(
        await run(["--json", "subject", "update", "UPDX", "--quorum", "3", "--yes"]),
      );
      expect(out.changes).to.deep.equal([{ field: "quorum", from: 2, to: 3 }]);
      expect(out).to.include({ label: "UPDX", sent: true });
      const receipt = await (await freshProvider()).getTransactionReceipt(out.transactionHash);
      expect(receipt?.status).to.equal(1);
      expect((await fixture.registry.subject(updx))[0].quorum).to.equal(3n);
    });

    it("says so and sends nothing when nothing changes (no --yes needed)", async function () {
      const before = await blockNumber();
      const out = expectSuccess(
        await run(["subject", "update", "UPDX", "--heartbeat", "43200", "--quorum", "3"]),
      );
      expect(out).to.equal("no change: subject UPDX already has this config; nothing sent\n");
      expect(await blockNumber()).to.equal(before);
    });

    it("without --yes and no terminal refuses rather than hang; --dry-run checks and sends nothing", async function () {
      const before = await blockNumber();
      expectRefusal(
        await run(["subject", "update", "UPDX", "--quorum", "2"]),
        /^confirmation needed but stdin is not a terminal: pass --yes to send without asking$/,
      );
      const out = expectSuccess(await run(["subject", "update", "UPDX", "--quorum", "2", "--dry-run"]));
      expect(out).to.include("  quorum        3 → 2\n");
      expect(out).to.include("dry run: the registry would accept this update; nothing sent\n");
      expect(out).to.match(
        /\ndry run    nothing sent: update subject UPDX: quorum\n[^]*\ngas        \d+ \(estimated\)\n$/,
      );
      expect(await blockNumber()).to.equal(before);
      expect((await fixture.registry.subject(updx))[0].quorum).to.equal(3n);
    });

    it("refuses, before sending, each update the registry would refuse", async function () {
      const before = await blockNumber();
      const update = (...args: string[]) => run(["subject", "update", "UPDX", ...args, "--yes"]);
      expectRefusal(
        await runAs(outsider.privateKey, ["subject", "update", "UPDX", "--quorum", "1", "--yes"]),
        new RegExp(
          `^${outsider.address} is not the owner of subject UPDX: only its owner ${issuer.address} can update it$`,
        ),
      );
      expectRefusal(
        await update("--decimals", "8"),
        /^decimals cannot change \(6 → 8\): auditors sign amounts/,
      );
      expectRefusal(
        await update("--token", token8),
        new RegExp(`^token ${token8} has 8 decimals, the subject 6: a subject's token must use its decimals`),
      );
      expectRefusal(
        await update("--reserve-asset", unapproved),
        new RegExp(
          `^reserve asset ${unapproved} is not approved in this registry \\(the registry admin approves it`,
        ),
      );
      expectRefusal(
        await update("--auditors", `${a2},${stranger.address}`, "--quorum", "3"),
        new RegExp(`^a quorum of 3 is more than the 2 auditors listed \\(and 1 more problem\\)$`),
      );
      expectRefusal(
        await update("--auditors", `${a2},${stranger.address}`, "--quorum", "1"),
        new RegExp(`^auditor ${stranger.address} is not accredited in this registry`),
      );
      const other = path.join(dir, "other.json");
      await fs.writeFile(other, JSON.stringify({ format: "por-subject/1", id: "GBPX", quorum: 1 }));
      expectRefusal(
        await update("--config", other),
        new RegExp(
          `^${other.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is the config of subject "GBPX", not of UPDX$`,
        ),
      );
      expect(await blockNumber()).to.equal(before);
    });

    it("refuses a revoked auditor kept in the list, and sends once it is removed", async function () {
      await (await (await asAdmin()).revokeAuditor(auditor4.address)).wait();
      expectRefusal(
        await run(["subject", "update", "UPDX", "--heartbeat", "6h", "--yes"]),
        new RegExp(
          `^auditor ${auditor4.address} \\(Auditor 4\\) was revoked by the registry admin: remove it from the auditors$`,
        ),
      );
      expectSuccess(
        await run(["subject", "update", "UPDX", "--auditors", `${a2},${a3}`, "--quorum", "2", "--yes"]),
      );
      expect([...(await fixture.registry.subject(updx))[0].auditors]).to.deep.equal([a2, a3]);
    });

    it("refuses a token or reserve asset change once a round was posted or a reserve wallet added", async function () {
      const posted = await registerSubject(fixture, "FRZ");
      await postRound(fixture, posted, { reserves: 1n, liabilities: 1n });
      expectRefusal(
        await run(["subject", "update", "FRZ", "--token", token8, "--yes"]),
        new RegExp(`^the token cannot change \\(none → ${token8}\\) since round #1 was posted: `),
      );

      const asset = await deployToken(fixture, "RSV2", 6);
      await approveReserveAsset(fixture, asset);
      const live = parseSubjectId("LIVE");
      const registry = await asIssuer();
      await (
        await registry.registerSubject(live, {
          name: "LIVE reserves",
          decimals: 6,
          token: ZeroAddress,
          reserveAsset: asset,
          heartbeat: 86_400,
          quorum: 1,
          auditors: [a1],
        })
      ).wait();
      const domain = attestationDomain(31337n, fixture.address);
      const wallet = devWallet(8);
      await (
        await registry.addReserveWallet(
          live,
          wallet.address,
          await signReserveAddress(wallet, domain, live, asset),
        )
      ).wait();
      await (await registry.removeReserveWallet(live, wallet.address)).wait();
      expectRefusal(
        await run(["subject", "update", "LIVE", "--reserve-asset", ZeroAddress, "--yes"]),
        new RegExp(
          `^the reserve asset cannot change \\(${asset} → none\\) since a reserve wallet was added: `,
        ),
      );
      // An unchanged reserve asset revoked since is kept: the owner can still manage the subject.
      await (await (await asAdmin()).revokeReserveAsset(asset)).wait();
      expectSuccess(await run(["subject", "update", "LIVE", "--heartbeat", "2d", "--yes"]));
      expect((await fixture.registry.subject(live))[0].heartbeat).to.equal(172_800n);
    });
  });

  describe("transfer and accept", function () {
    before(async function () {
      await registerSubject(fixture, "OWNX");
    });

    it("refuses a transfer by anyone but the owner, and says when there is no offer to cancel", async function () {
      expectRefusal(
        await runAs(outsider.privateKey, ["subject", "transfer", "OWNX", outsider.address]),
        new RegExp(
          `^${outsider.address} is not the owner of subject OWNX: only its owner ${issuer.address} can transfer it$`,
        ),
      );
      expect(expectSuccess(await run(["subject", "transfer", "OWNX", ZeroAddress]))).to.equal(
        "no ownership offer is pending for subject OWNX: nothing to cancel, nothing sent\n",
      );
    });

    it("offers, cancels with the zero address, offers again; only the pending owner accepts", async function () {
      const id = parseSubjectId("OWNX");
      expect(expectSuccess(await run(["subject", "transfer", "OWNX", stranger.address]))).to.match(
        new RegExp(
          `^offered subject OWNX to ${stranger.address}: it becomes the owner once it runs \`por subject accept OWNX\`\ntx `,
        ),
      );
      expect(await fixture.registry.pendingSubjectOwner(id)).to.equal(stranger.address);
      expect(expectSuccess(await run(["subject", "transfer", "OWNX", ZeroAddress]))).to.match(
        new RegExp(
          `^cancelled the offer of subject OWNX to ${stranger.address}; ${issuer.address} stays its owner\n`,
        ),
      );
      expect(await fixture.registry.pendingSubjectOwner(id)).to.equal(ZeroAddress);

      const offer = expectJson(await run(["--json", "subject", "transfer", "OWNX", outsider.address]));
      expect(offer).to.include({ owner: issuer.address, pendingOwner: outsider.address, sent: true });
      expectRefusal(
        await run(["subject", "accept", "OWNX"]),
        new RegExp(
          `^ownership of subject OWNX is offered to ${outsider.address}, not to ${issuer.address}: accept with that account's key$`,
        ),
      );
      expect(expectSuccess(await runAs(outsider.privateKey, ["subject", "accept", "OWNX"]))).to.match(
        new RegExp(`^${outsider.address} now owns subject OWNX \\(previous owner ${issuer.address}\\)\ntx `),
      );
      const [, owner] = await fixture.registry.subject(id);
      expect(owner).to.equal(outsider.address);
      expectRefusal(
        await runAs(outsider.privateKey, ["subject", "accept", "OWNX"]),
        /^no ownership offer is pending for subject OWNX: its owner 0x[0-9a-fA-F]{40} offers it first with `por subject transfer`$/,
      );
    });
  });

  describe("subjects", function () {
    it("lists every subject with name, owner, latest round and freshness", async function () {
      const out = expectSuccess(await run(["subjects"]));
      const lines = out.trimEnd().split("\n");
      expect(lines[0]).to.match(
        new RegExp(`^subjects in ${fixture.address} on localhost \\(chain 31337\\) at block \\d+$`),
      );
      const row = (label: string) => lines.find((l) => l.startsWith(`  ${label} `)) ?? "";
      expect(row("GBPX")).to.match(
        new RegExp(`^  GBPX +GBPX / GBP reserves +owner ${issuer.address} +no round +never attested$`),
      );
      expect(row("FRZ")).to.match(/ round #1 +fresh, age \d+s \(heartbeat 1d\)$/);
      expect(row("OWNX")).to.include(`owner ${outsider.address}`);
      expect(lines.slice(1).map((l) => l.trim().split(" ")[0])).to.deep.equal([
        "GBPX",
        "WBTX",
        "UPDX",
        "FRZ",
        "LIVE",
        "OWNX",
      ]);
    });

    it("--json lists the same, and --from-block must be a block number", async function () {
      const out = expectJson<{ registry: string; subjects: Array<Record<string, unknown>> }>(
        await run(["--json", "subjects", "--from-block", "0"]),
      );
      expect(out.registry).to.equal(fixture.address);
      const frz = out.subjects.find((s) => s.label === "FRZ");
      expect(frz).to.include({
        latestRoundId: "1",
        freshness: "fresh",
        owner: issuer.address,
        heartbeatSeconds: 86_400,
      });
      expect(out.subjects.find((s) => s.label === "GBPX")).to.include({
        freshness: "never-attested",
        asOf: null,
      });
      expectRefusal(
        await run(["subjects", "--from-block", "-1"]),
        /^--from-block must be a block number, got "-1"$/,
      );
    });
  });
});
