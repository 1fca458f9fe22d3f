import { promises as fs } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { encryptKeystoreJson, keccak256 } from "ethers";
import type { Wallet } from "ethers";
import { expectJson, expectNoFile, expectRefusal, expectSuccess, por, tempDir } from "../helpers/cli";
import { deployRegistry, registerSubject } from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet, freshProvider } from "../helpers/node";
import { compareAddresses, parseSubjectId, registryInterface } from "../../src";

const LOCAL = ["--network", "localhost"];

describe("por attest (CLI)", function () {
  const dir = tempDir("attest");
  const ignitionDir = tempDir("attest-ignition");
  const file = (name: string) => path.join(dir, name);
  const admin = devWallet(0);
  const auditors = [devWallet(1), devWallet(2), devWallet(3)];
  const key = (wallet: Wallet) => ({ POR_PRIVATE_KEY: wallet.privateKey });

  describe("end to end: deploy → accredit ×3 → register → create → sign ×2 → post → status", function () {
    let registry: string;

    it("deploys and records the registry for later commands", async function () {
      const out = expectJson<{ registry: string; admin: string }>(
        await por([...LOCAL, "--json", "deploy"], { env: key(admin), ignitionDir }),
      );
      expect(out.admin).to.equal(admin.address);
      registry = out.registry;
    });

    it("accredits three auditors and registers a subject with quorum 2 (registry found from the record)", async function () {
      for (const [i, auditor] of auditors.entries()) {
        expectSuccess(
          await por([...LOCAL, "auditor", "accredit", auditor.address, `Auditor ${i + 1}`], {
            env: key(admin),
            ignitionDir,
          }),
        );
      }
      const out = expectJson(
        await por(
          [
            ...LOCAL,
            "--json",
            "subject",
            "register",
            "--id",
            "USDX",
            "--name",
            "USDX / USD reserves",
            "--decimals",
            "6",
            "--heartbeat",
            "1d",
            "--quorum",
            "2",
            "--auditors",
            auditors.map((a) => a.address).join(","),
          ],
          { env: key(devWallet(4)), ignitionDir },
        ),
      );
      expect(out).to.include({ quorum: 2, heartbeatSeconds: 86400, owner: devWallet(4).address });
    });

    it("creates an attestation file with amounts converted exactly", async function () {
      await fs.writeFile(file("report.pdf"), "the auditor's report");
      const out = expectJson(
        await por(
          [
            ...LOCAL,
            "--json",
            "attest",
            "create",
            "--subject",
            "USDX",
            "--as-of",
            String(Math.floor(Date.now() / 1000) - 3600),
            "--reserves",
            "1,050,000.25",
            "--liabilities",
            "1000000",
            "--report",
            file("report.pdf"),
            "--out",
            file("att.json"),
          ],
          { ignitionDir },
        ),
      );
      expect(out.digest).to.match(/^0x[0-9a-f]{64}$/);
      const written = JSON.parse(await fs.readFile(file("att.json"), "utf8")) as {
        registry: string;
        attestation: Record<string, string>;
      };
      expect(written.registry).to.equal(registry);
      expect(written.attestation).to.include({ reserves: "1050000250000", liabilities: "1000000000000" });
      expect(written.attestation.reportHash).to.equal(keccak256(Buffer.from("the auditor's report")));
    });

    it("takes liabilities and liabilitiesRoot from a liabilities summary.json, so auditors sign what was built", async function () {
      await fs.writeFile(file("balances.csv"), "account,balance\nalice,100.5\nbob,20\ncarol,0.000001\n");
      const secret = { POR_SALT_SECRET: "demo secret, not for production" };
      for (const [out, decimals] of [
        ["tree6", "6"],
        ["tree2", "2"],
      ] as const) {
        const csv = decimals === "6" ? file("balances.csv") : file("balances2.csv");
        if (decimals === "2") await fs.writeFile(csv, "account,balance\nalice,100.5\n");
        expectSuccess(
          await por(["liabilities", "build", csv, "--decimals", decimals, "--out", file(out)], {
            env: secret,
          }),
        );
      }
      const summary = JSON.parse(await fs.readFile(file("tree6/summary.json"), "utf8")) as Record<
        string,
        unknown
      >;
      expect(summary.total).to.equal("120500001");
      const create = (extra: string[]) =>
        por(
          [
            ...LOCAL,
            "attest",
            "create",
            "--subject",
            "USDX",
            "--as-of",
            "1700000000",
            "--reserves",
            "200",
          ].concat(extra),
          { ignitionDir },
        );
      expectSuccess(
        await create(["--liabilities-summary", file("tree6/summary.json"), "--out", file("att-tree.json")]),
      );
      const written = JSON.parse(await fs.readFile(file("att-tree.json"), "utf8")) as {
        attestation: Record<string, string>;
      };
      expect(written.attestation).to.include({ liabilities: summary.total, liabilitiesRoot: summary.root });

      expectRefusal(
        await create(["--liabilities-summary", file("tree2/summary.json"), "--out", file("att-bad.json")]),
        /was built with 2 decimals, the subject uses 6/,
      );
      expectRefusal(
        await create([
          "--liabilities-summary",
          file("tree6/summary.json"),
          "--liabilities",
          "1",
          "--out",
          file("att-bad.json"),
        ]),
        /pass either --liabilities \[--liabilities-root\] or --liabilities-summary/,
      );
      await expectNoFile(file("att-bad.json"));
    });

    it("shows every signed field and the domain before signing, and needs --yes without a terminal", async function () {
      const sign = (extra: string[], out: string) =>
        por(["attest", "sign", file("att.json"), ...extra, "--out", file(out)], {
          env: key(auditors[2]!),
          ignitionDir,
        });
      const [noTerminal, offline, checked] = await Promise.all([
        sign([], "review0.json"),
        sign(["--yes"], "review1.json"),
        sign([...LOCAL, "--yes"], "review2.json"),
      ]);
      expectRefusal(
        noTerminal,
        /^confirmation needed but stdin is not a terminal: pass --yes to sign without asking$/,
      );
      await expectNoFile(file("review0.json"));
      const reportHash = keccak256(Buffer.from("the auditor's report"));
      for (const result of [offline, checked]) {
        const out = expectSuccess(result);
        expect(out).to.match(/^ {2}subjectId +0x555344580{56}$/m);
        expect(out).to.match(/^ {2}as of +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(unix \d+, 1h( \d+s)? ago\)$/m);
        expect(out).to.match(/^ {2}reserves +1,050,000\.25 \(1050000250000 base units\)$/m);
        expect(out).to.match(/^ {2}liabilities +1,000,000 \(1000000000000 base units\)$/m);
        expect(out).to.match(/^ {2}liabilities root +0x0{64} \(none\)$/m);
        expect(out).to.include(`  report hash       ${reportHash}`);
        expect(out).to.match(/^ {2}name +ReserveRegistry$/m);
        expect(out).to.match(/^ {2}version +1$/m);
        expect(out).to.match(/^ {2}chain id +31337$/m);
        expect(out).to.include(`  registry          ${registry}`);
        expect(out).to.match(/^digest +0x[0-9a-f]{64}$/m);
        expect(out).to.include(`signer              ${auditors[2]!.address}`);
      }
      expect(offline.stdout).to.include(
        '  subject           USDX, "USDX / USD reserves", 6 decimals (noted in the file, not checked',
      );
      expect(checked.stdout).to.include(
        '  subject           USDX, "USDX / USD reserves", 6 decimals (read from the registry)',
      );
    });

    it("with --network, refuses a file whose noted decimals are not the registry's", async function () {
      const json = JSON.parse(await fs.readFile(file("att.json"), "utf8")) as {
        subject: { decimals: number };
      };
      json.subject.decimals = 18;
      await fs.writeFile(file("att-18.json"), JSON.stringify(json));
      expectRefusal(
        await por([...LOCAL, "attest", "sign", "--yes", file("att-18.json"), "--out", file("sig-18.json")], {
          env: key(auditors[0]!),
          ignitionDir,
        }),
        /att-18\.json says subject USDX has 18 decimals, the registry says 6$/,
      );
      await expectNoFile(file("sig-18.json"));
    });

    it("signs with two auditors' keys from POR_PRIVATE_KEY (offline)", async function () {
      for (const i of [0, 1]) {
        const out = expectJson(
          await por(["--json", "attest", "sign", "--yes", file("att.json"), "--out", file(`sig${i}.json`)], {
            env: key(auditors[i]!),
          }),
        );
        expect(out.signer).to.equal(auditors[i]!.address);
      }
    });

    it("refuses to post with one signature: QuorumNotMet decoded", async function () {
      expectRefusal(
        await por([...LOCAL, "attest", "post", file("att.json"), file("sig0.json")], {
          env: key(admin),
          ignitionDir,
        }),
        /^posting refused: not enough auditor signatures: 1 given, the subject's quorum is 2$/,
      );
    });

    it("post --dry-run checks the quorum on chain and prints the call, posting nothing", async function () {
      const out = expectJson<{
        roundId: null;
        transactionHash: null;
        signers: string[];
        transaction: { sent: boolean; from: string; to: string; data: string; estimatedGas: string };
      }>(
        await por(
          [
            ...LOCAL,
            "--json",
            "attest",
            "post",
            file("att.json"),
            file("sig0.json"),
            file("sig1.json"),
            "--dry-run",
          ],
          {
            env: key(devWallet(5)),
            ignitionDir,
          },
        ),
      );
      expect(out).to.include({ roundId: null, transactionHash: null });
      expect(out.signers).to.have.lengthOf(2);
      expect(out.transaction).to.include({ sent: false, from: devWallet(5).address });
      expect(out.transaction.data.slice(0, 10)).to.equal(
        registryInterface.getFunction("postAttestation")!.selector,
      );
      expect(BigInt(out.transaction.estimatedGas)).to.be.greaterThan(21_000n);
      const status = expectJson<{ latestRound: unknown }>(
        await por([...LOCAL, "--json", "status", "USDX"], { ignitionDir }),
      );
      expect(status.latestRound).to.equal(null);
    });

    it("posts signatures given in descending signer order (sorted for the contract)", async function () {
      const files = [file("sig0.json"), file("sig1.json")];
      if (compareAddresses(auditors[0]!.address, auditors[1]!.address) < 0) files.reverse();
      const out = expectJson<{
        roundId: string;
        transactionHash: string;
        signers: string[];
        transaction: { sent: boolean; gasUsed: string };
      }>(
        await por([...LOCAL, "--json", "attest", "post", file("att.json"), ...files], {
          env: key(devWallet(5)),
          ignitionDir,
        }),
      );
      expect(out.roundId).to.equal("1");
      expect(out.transaction).to.include({ sent: true, transactionHash: out.transactionHash });
      expect(BigInt(out.transaction.gasUsed)).to.be.greaterThan(21_000n);
      const sorted = [...out.signers].sort(compareAddresses);
      expect(out.signers).to.deep.equal(sorted);
    });

    it("status --json shows round 1 and the ratio", async function () {
      const out = expectJson<{ latestRound: Record<string, unknown> }>(
        await por([...LOCAL, "--json", "status", "USDX"], { ignitionDir }),
      );
      expect(out.latestRound).to.include({
        roundId: "1",
        reserves: "1050000250000",
        liabilities: "1000000000000",
        ratio: "1.0500",
        fresh: true,
        reservesFormatted: "1050000.25",
      });
    });

    it("refuses to post the same attestation again: StaleAttestation in words, raw in --json", async function () {
      const args = [...LOCAL, "attest", "post", file("att.json"), file("sig0.json"), file("sig1.json")];
      const [human, json] = await Promise.all([
        por(args, { env: key(admin), ignitionDir }),
        por(["--json", ...args], { env: key(admin), ignitionDir }),
      ]);
      expectRefusal(
        human,
        /^posting refused: this round or a newer one is already posted \(asOf \d{4}-\d\d-\d\dT[\d:]+Z \(\d+\) is not after the latest round's asOf .*\)$/,
      );
      expect(json.code).to.equal(1);
      const { error } = JSON.parse(json.stdout) as { error: Record<string, unknown> };
      const asOf = JSON.parse(await fs.readFile(file("att.json"), "utf8")).attestation.asOf as string;
      expect(error).to.deep.equal({
        message: human.stderr.trim().replace(/^error: /, ""),
        name: "StaleAttestation",
        signature: "StaleAttestation(uint64,uint64)",
        args: { asOf, latestAsOf: asOf },
      });
    });
  });

  describe("refusals", function () {
    let fixture: Fixture;
    let other: Fixture;
    let att: string;

    before(async function () {
      fixture = await deployRegistry();
      other = await deployRegistry();
      await registerSubject(fixture, "EURX");
      await registerSubject(other, "EURX");
      att = file("eurx.json");
      const asOf = String((await fixture.now()) - 60n);
      const create = (registry: string, out: string) =>
        por([
          ...LOCAL,
          "attest",
          "create",
          "--registry",
          registry,
          "--subject",
          "EURX",
          "--as-of",
          asOf,
          "--reserves",
          "10",
          "--liabilities",
          "9",
          "--out",
          out,
        ]);
      const [a, b] = await Promise.all([
        create(fixture.address, att),
        create(other.address, file("eurx-other.json")),
      ]);
      expectSuccess(a);
      expectSuccess(b);
    });

    it("refuses a malformed attestation file (not JSON) and writes no signature", async function () {
      await fs.writeFile(file("bad.json"), '{"format": "por-attestation/1", ');
      expectRefusal(
        await por(["attest", "sign", "--yes", file("bad.json"), "--out", file("bad-sig.json")], {
          env: key(auditors[0]!),
        }),
        /bad\.json is not valid JSON/,
      );
      await expectNoFile(file("bad-sig.json"));
    });

    it("refuses a bad field, naming it", async function () {
      const json = JSON.parse(await fs.readFile(att, "utf8")) as { attestation: Record<string, unknown> };
      json.attestation.reserves = "12.5";
      await fs.writeFile(file("field.json"), JSON.stringify(json));
      expectRefusal(
        await por(["attest", "sign", "--yes", file("field.json"), "--out", file("field-sig.json")], {
          env: key(auditors[0]!),
        }),
        /attestation\.reserves must be a non-negative integer/,
      );
      await expectNoFile(file("field-sig.json"));
    });

    it("refuses an unknown format", async function () {
      const json = JSON.parse(await fs.readFile(att, "utf8")) as Record<string, unknown>;
      json.format = "por-attestation/2";
      await fs.writeFile(file("v2.json"), JSON.stringify(json));
      expectRefusal(
        await por(["attest", "sign", "--yes", file("v2.json"), "--out", file("v2-sig.json")], {
          env: key(auditors[0]!),
        }),
        /has format "por-attestation\/2": expected "por-attestation\/1"/,
      );
      await expectNoFile(file("v2-sig.json"));
    });

    it("refuses a malformed POR_PRIVATE_KEY without echoing it", async function () {
      const message = expectRefusal(
        await por(["attest", "sign", "--yes", att, "--out", file("k-sig.json")], {
          env: { POR_PRIVATE_KEY: "0xdeadbeef" },
        }),
        /^POR_PRIVATE_KEY is not a valid private key/,
      );
      expect(message).to.not.include("deadbeef");
      await expectNoFile(file("k-sig.json"));
    });

    it("refuses to sign without any key", async function () {
      expectRefusal(
        await por(["attest", "sign", "--yes", att, "--out", file("n-sig.json")]),
        /^no signing key/,
      );
      await expectNoFile(file("n-sig.json"));
    });

    it("signs with a keystore and refuses a wrong keystore password", async function () {
      const json = await encryptKeystoreJson(
        { address: auditors[0]!.address, privateKey: auditors[0]!.privateKey },
        "correct horse",
        { scrypt: { N: 1 << 10 } },
      );
      await fs.writeFile(file("keystore.json"), json);
      await fs.writeFile(file("password.txt"), "correct horse\n");
      expectRefusal(
        await por(
          ["attest", "sign", "--yes", att, "--keystore", file("keystore.json"), "--out", file("ks-sig.json")],
          {
            env: { POR_KEYSTORE_PASSWORD: "wrong" },
          },
        ),
        /^wrong password for keystore .*keystore\.json$/,
      );
      await expectNoFile(file("ks-sig.json"));
      const out = expectJson(
        await por([
          "--json",
          "attest",
          "sign",
          "--yes",
          att,
          "--keystore",
          file("keystore.json"),
          "--password-file",
          file("password.txt"),
          "--out",
          file("ks-sig.json"),
        ]),
      );
      expect(out.signer).to.equal(auditors[0]!.address);
    });

    it("refuses a signature made for a different registry", async function () {
      expectSuccess(
        await por(["attest", "sign", "--yes", file("eurx-other.json"), "--out", file("other-sig.json")], {
          env: key(auditors[1]!),
        }),
      );
      expectSuccess(
        await por(["attest", "sign", "--yes", att, "--out", file("good-sig.json")], {
          env: key(auditors[0]!),
        }),
      );
      expectRefusal(
        await por([...LOCAL, "attest", "post", att, file("good-sig.json"), file("other-sig.json")], {
          env: key(admin),
        }),
        new RegExp(
          `other-sig\\.json is for registry ${other.address}, the attestation for registry ${fixture.address}`,
        ),
      );
    });

    it("refuses a signature file whose signature is not its signer's", async function () {
      const forged = JSON.parse(await fs.readFile(file("good-sig.json"), "utf8")) as Record<string, string>;
      forged.signer = auditors[2]!.address;
      await fs.writeFile(file("forged-sig.json"), JSON.stringify(forged));
      expectSuccess(
        await por(["attest", "sign", "--yes", att, "--out", file("good2-sig.json")], {
          env: key(auditors[1]!),
        }),
      );
      expectRefusal(
        await por([...LOCAL, "attest", "post", att, file("good2-sig.json"), file("forged-sig.json")], {
          env: key(admin),
        }),
        /forged-sig\.json: signature recovers to 0x[0-9a-fA-F]{40}, not its signer/,
      );
    });

    it("refuses amounts with more decimals than the subject's, writing no file", async function () {
      expectRefusal(
        await por([
          ...LOCAL,
          "attest",
          "create",
          "--registry",
          fixture.address,
          "--subject",
          "EURX",
          "--as-of",
          "1700000000",
          "--reserves",
          "1.0000001",
          "--liabilities",
          "1",
          "--out",
          file("decimals.json"),
        ]),
        /^--reserves has 7 fractional digits: at most 6 allowed/,
      );
      await expectNoFile(file("decimals.json"));
    });

    it("refuses an asOf of 0, in milliseconds or in the future at creation, writing no file", async function () {
      const create = (asOf: string, out: string) =>
        por([
          ...LOCAL,
          "attest",
          "create",
          "--registry",
          fixture.address,
          "--subject",
          "EURX",
          "--as-of",
          asOf,
          "--reserves",
          "1",
          "--liabilities",
          "1",
          "--out",
          file(out),
        ]);
      const inAnHour = (await fixture.now()) + 3600n;
      const [zero, millis, future] = await Promise.all([
        create("0", "t-zero.json"),
        create("1795652800000", "t-ms.json"),
        create(String(inAnHour), "t-future.json"),
      ]);
      expectRefusal(zero, /^--as-of is 0 \(1970-01-01T00:00:00Z\), not a snapshot time: give unix seconds/);
      expectRefusal(
        millis,
        /^--as-of 1795652800000 looks like milliseconds \(as seconds: year 58871\): give unix seconds, e\.g\. 1795652800 \(2026-11-26T00:26:40Z\)$/,
      );
      expectRefusal(future, /^--as-of \S+Z is in the future \(\d+m?.* after now, .*\): the registry refuses/);
      for (const out of ["t-zero.json", "t-ms.json", "t-future.json"]) await expectNoFile(file(out));
    });

    it("refuses to sign a file whose asOf is in the future", async function () {
      const json = JSON.parse(await fs.readFile(att, "utf8")) as { attestation: Record<string, unknown> };
      json.attestation.asOf = String(Math.floor(Date.now() / 1000) + 86_400);
      await fs.writeFile(file("future.json"), JSON.stringify(json));
      expectRefusal(
        await por(["attest", "sign", "--yes", file("future.json"), "--out", file("future-sig.json")], {
          env: key(auditors[0]!),
        }),
        /future\.json: attestation\.asOf \S+ is in the future \((1d|23h 59m) after now/,
      );
      await expectNoFile(file("future-sig.json"));
    });

    it("refuses an unknown subject", async function () {
      expectRefusal(
        await por([
          ...LOCAL,
          "attest",
          "create",
          "--registry",
          fixture.address,
          "--subject",
          "NOPE",
          "--as-of",
          "1700000000",
          "--reserves",
          "1",
          "--liabilities",
          "1",
          "--out",
          file("nope.json"),
        ]),
        /^reading subject: subject NOPE is not registered in this registry$/,
      );
      await expectNoFile(file("nope.json"));
    });

    it("prints --json output that parses, and posts the round", async function () {
      const out = expectJson<{ roundId: string }>(
        await por(
          [...LOCAL, "--json", "attest", "post", att, file("good2-sig.json"), file("good-sig.json")],
          {
            env: key(admin),
          },
        ),
      );
      expect(out.roundId).to.equal("1");
      expect(await fixture.registry.latestRoundId(parseSubjectId("EURX"))).to.equal(1n);
    });
  });

  it("posts a snapshot taken after the latest block, as the next block will accept it (a node mining on demand)", async function () {
    // A local node mines only when sent a transaction: its latest block can be older than a snapshot
    // taken a moment ago, which the block mined for the posting accepts (asOf <= block.timestamp).
    const fixture = await deployRegistry();
    await registerSubject(fixture, "CHFX");
    // Read with a fresh provider: ethers briefly caches the latest block per provider.
    const latestTime = async () => BigInt((await (await freshProvider()).getBlock("latest"))!.timestamp);
    const latest = await latestTime();
    while (Date.now() / 1000 < Number(latest) + 2) await new Promise((r) => setTimeout(r, 100));
    const att = file("chfx.json");
    const asOf = String(latest + 1n);
    expectSuccess(
      await por([
        ...LOCAL,
        "attest",
        "create",
        "--registry",
        fixture.address,
        "--subject",
        "CHFX",
        "--as-of",
        asOf,
        "--reserves",
        "10",
        "--liabilities",
        "9",
        "--out",
        att,
      ]),
    );
    const signatures = [file("chfx-1.sig.json"), file("chfx-2.sig.json")];
    for (const [i, signature] of signatures.entries()) {
      expectSuccess(
        await por(["attest", "sign", "--yes", att, "--out", signature], { env: key(auditors[i]!) }),
      );
    }
    expect(await latestTime(), "no block mined since").to.equal(latest);
    expectSuccess(await por([...LOCAL, "attest", "post", att, ...signatures], { env: key(admin) }));
    expect((await fixture.registry.getAttestation(parseSubjectId("CHFX"), 1n)).att.asOf).to.equal(
      BigInt(asOf),
    );
  });
});
