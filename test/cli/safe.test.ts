import { promises as fs } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { NonceManager, ZeroAddress } from "ethers";
import { MockERC20__factory } from "../../typechain-types/factories/contracts/test/MockERC20__factory";
import { parseSubjectId, readSafePartFile, readSignatureFile, readWalletConsentFile } from "../../src";
import type { Address, Hex32 } from "../../src";
import {
  expectJson,
  expectNoFile,
  expectRefusal,
  expectSuccess,
  por,
  removeTempDir,
  tempDir,
} from "../helpers/cli";
import { approveReserveAsset, deployRegistry, deployToken } from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet, freshProvider, hardhatNode } from "../helpers/node";
import { createSafe, deploySafeContracts } from "../helpers/safe";
import type { SafeDeployment } from "../helpers/safe";

/** The Safe's three owners (2 must sign) and an account that owns nothing: they only sign, no gas. */
const OWNERS = [devWallet(10), devWallet(11), devWallet(12)];
const STRANGER = devWallet(13);
const ISSUER = devWallet(4);

describe("por attest / wallet with a Safe multisig (CLI, Safe 1.4.1 contracts)", function () {
  let fixture: Fixture;
  let safe: Address;
  let deployment: SafeDeployment;
  let usdo: string;
  let dir: string;
  const SAFEX = parseSubjectId("SAFEX");
  const file = (name: string) => path.join(dir, name);
  const run = (args: string[], key: { privateKey: string } = ISSUER) =>
    por(["--network", "localhost", ...args], {
      env: { POR_PRIVATE_KEY: key.privateKey },
      ignitionDir: path.join(dir, "ignition"),
    });

  before(async function () {
    dir = tempDir("safe");
    fixture = await deployRegistry();
    const provider = await freshProvider();
    const admin = new NonceManager(fixture.admin.connect(provider));
    deployment = await deploySafeContracts(admin);
    safe = await createSafe(
      admin,
      deployment,
      OWNERS.map((o) => o.address),
      2,
    );
    await (await fixture.registry.connect(admin).accreditAuditor(safe, "Safe Audit LLP")).wait();
    usdo = await deployToken(fixture, "USDO", 6);
    await approveReserveAsset(fixture, usdo);
    const issuer = fixture.registry.connect(new NonceManager(ISSUER.connect(await freshProvider())));
    await (
      await issuer.registerSubject(SAFEX, {
        name: "SAFEX / USD reserves",
        decimals: 6,
        token: ZeroAddress,
        reserveAsset: usdo,
        heartbeat: 86_400,
        quorum: 2,
        auditors: [safe, fixture.auditors[0]!.address],
      })
    ).wait();
    const minter = new NonceManager(fixture.admin.connect(await freshProvider()));
    await (await MockERC20__factory.connect(usdo, minter).mint(safe, 2_500_000n)).wait();
  });

  after(function () {
    removeTempDir(dir);
  });

  describe("auditor as a Safe: attest sign --safe, attest combine, attest post", function () {
    let digest: Hex32;

    it("writes an owner's part of the Safe's signature (offline), and checks the key owns the Safe with --network", async function () {
      const created = expectJson<{ digest: Hex32 }>(
        await run([
          "--json",
          "attest",
          "create",
          "--registry",
          fixture.address,
          "--subject",
          "SAFEX",
          "--as-of",
          // Before both clocks: the node's runs ahead of the wall clock after a burst of blocks, and
          // the offline `attest sign` below checks the snapshot against the wall clock.
          String(Math.min(Number(await fixture.now()), Math.floor(Date.now() / 1000)) - 60),
          "--reserves",
          "2.5",
          "--liabilities",
          "2",
          "--out",
          file("att.json"),
        ]),
      );
      digest = created.digest;
      const offline = await por(
        ["attest", "sign", file("att.json"), "--safe", safe, "--yes", "--out", file("part0.json")],
        { env: { POR_PRIVATE_KEY: OWNERS[0]!.privateKey } },
      );
      const out = expectSuccess(offline);
      expect(out).to.include(`  safe              ${safe} (owners not checked: pass --network`);
      expect(out).to.include(`signer              ${OWNERS[0]!.address} (an owner of Safe ${safe})`);
      expect(out).to.include(
        `wrote ${file("part0.json")} (part of Safe ${safe}, signed by owner ${OWNERS[0]!.address})`,
      );
      const part = await readSafePartFile(file("part0.json"));
      expect(part).to.include({ kind: "attestation", safe, owner: OWNERS[0]!.address, digest });

      const checked = expectSuccess(
        await run(
          ["attest", "sign", file("att.json"), "--safe", safe, "--yes", "--out", file("part2.json")],
          OWNERS[2]!,
        ),
      );
      expect(checked).to.include(`  safe              ${safe} (3 owners, threshold 2, read from the chain)`);

      expectRefusal(
        await run(
          ["attest", "sign", file("att.json"), "--safe", safe, "--yes", "--out", file("stranger.json")],
          STRANGER,
        ),
        new RegExp(`^${STRANGER.address} is not an owner of Safe ${safe}: its owners are `),
      );
      await expectNoFile(file("stranger.json"));
    });

    it("combine refuses one owner's part alone (below the threshold), a part from a non-owner, and no --network, writing nothing", async function () {
      expectRefusal(
        await run([
          "attest",
          "combine",
          file("att.json"),
          file("part0.json"),
          "--out",
          file("safe.sig.json"),
        ]),
        new RegExp(
          `^1 owner signature of Safe ${safe}, below its threshold of 2: collect 1 more from its owners \\(3 owners\\)$`,
        ),
      );
      for (const command of [
        ["attest", "combine", file("att.json"), file("part0.json"), file("part2.json")],
        ["wallet", "combine", file("part0.json")],
      ]) {
        expectRefusal(
          await por([...command, "--out", file("safe.sig.json")]),
          /^combining reads the Safe's owners and threshold from its chain: pass --network NAME$/,
        );
      }
      // A stranger can write a part offline; combining it is refused.
      expectSuccess(
        await por(
          ["attest", "sign", file("att.json"), "--safe", safe, "--yes", "--out", file("stranger.json")],
          {
            env: { POR_PRIVATE_KEY: STRANGER.privateKey },
          },
        ),
      );
      expectRefusal(
        await run([
          "attest",
          "combine",
          file("att.json"),
          file("part0.json"),
          file("stranger.json"),
          "--out",
          file("safe.sig.json"),
        ]),
        new RegExp(
          `^${file("stranger.json")}: ${STRANGER.address} is not an owner of Safe ${safe}: its owners are `,
        ),
      );
      await expectNoFile(file("safe.sig.json"));
    });

    it("combines two owners' parts into a signature file whose signer is the Safe", async function () {
      const json = expectJson<{ signer: string; safe: { threshold: number; signedBy: string[] } }>(
        await run([
          "--json",
          "attest",
          "combine",
          file("att.json"),
          file("part2.json"),
          file("part0.json"),
          "--out",
          file("safe.sig.json"),
        ]),
      );
      expect(json.signer).to.equal(safe);
      expect(json.safe.threshold).to.equal(2);
      const sig = await readSignatureFile(file("safe.sig.json"));
      expect(sig).to.include({ signer: safe, digest, registry: fixture.address });
      expect(sig.signature).to.have.lengthOf(2 + 2 * 130);
    });

    it("attest post accepts the Safe's signature file beside an EOA auditor's", async function () {
      expectSuccess(
        await run(
          ["attest", "sign", file("att.json"), "--yes", "--out", file("eoa.sig.json")],
          fixture.auditors[0]!,
        ),
      );
      const out = expectSuccess(
        await run(["attest", "post", file("att.json"), file("safe.sig.json"), file("eoa.sig.json")]),
      );
      expect(out).to.match(/^posted round #1 of subject SAFEX$/m);
      expect(out).to.include(safe);
      expect(await fixture.registry.latestRoundId(SAFEX)).to.equal(1n);
    });
  });

  describe("reserve wallet as a Safe: wallet consent --safe, wallet combine, wallet add", function () {
    it("writes owners' parts of the consent, refusing a key that does not own the Safe", async function () {
      for (const [i, owner] of [OWNERS[0]!, OWNERS[1]!].entries()) {
        const out = expectSuccess(
          await run(
            [
              "wallet",
              "consent",
              "--registry",
              fixture.address,
              "--subject",
              "SAFEX",
              "--safe",
              safe,
              "--yes",
              "--out",
              file(`consent${i}.json`),
            ],
            owner,
          ),
        );
        expect(out).to.include(`safe          ${safe}: 3 owners, threshold 2`);
      }
      const part = await readSafePartFile(file("consent0.json"));
      expect(part).to.include({ kind: "wallet-consent", safe, subjectId: SAFEX, reserveAsset: usdo });
      expect(await fixture.registry.reserveAddressDigest(SAFEX, safe, usdo)).to.equal(part.digest);
      expectRefusal(
        await run(
          [
            "wallet",
            "consent",
            "--registry",
            fixture.address,
            "--subject",
            "SAFEX",
            "--safe",
            safe,
            "--yes",
            "--out",
            file("nope.json"),
          ],
          STRANGER,
        ),
        new RegExp(`^${STRANGER.address} is not an owner of Safe ${safe}`),
      );
      await expectNoFile(file("nope.json"));
    });

    it("combine refuses one part alone, then writes the Safe's consent file, which wallet add accepts", async function () {
      expectRefusal(
        await run(["wallet", "combine", file("consent1.json"), "--out", file("safe-consent.json")]),
        new RegExp(`^1 owner signature of Safe ${safe}, below its threshold of 2`),
      );
      expectRefusal(
        await run([
          "wallet",
          "combine",
          file("consent0.json"),
          file("part0.json"),
          "--out",
          file("safe-consent.json"),
        ]),
        /part0\.json is a part of kind "attestation", not "wallet-consent"$/,
      );
      await expectNoFile(file("safe-consent.json"));
      expectSuccess(
        await run([
          "wallet",
          "combine",
          file("consent0.json"),
          file("consent1.json"),
          "--out",
          file("safe-consent.json"),
        ]),
      );
      const consent = await readWalletConsentFile(file("safe-consent.json"));
      expect(consent).to.include({
        wallet: safe,
        subjectId: SAFEX,
        reserveAsset: usdo,
        registry: fixture.address,
      });

      expectSuccess(await run(["wallet", "add", "--subject", "SAFEX", file("safe-consent.json")]));
      expect(await fixture.registry.reserveWallets(SAFEX)).to.deep.equal([safe]);
      expect(await fixture.registry.liveReserves(SAFEX)).to.equal(2_500_000n);
    });
  });

  describe("auditors sharing a key: subject show and monitor warn", function () {
    /** Shares OWNERS[1] with `safe`; a Safe whose owners are disjoint from `safe`'s. */
    let sharing: Address;
    let apart: Address;

    before(async function () {
      const admin = new NonceManager(fixture.admin.connect(await freshProvider()));
      sharing = await createSafe(admin, deployment, [OWNERS[1]!.address, STRANGER.address], 1);
      apart = await createSafe(admin, deployment, [STRANGER.address, ISSUER.address], 1);
      await (await fixture.registry.connect(admin).accreditAuditor(sharing, "Second Safe LLP")).wait();
      await (await fixture.registry.connect(admin).accreditAuditor(apart, "Apart Safe LLP")).wait();
      const issuer = fixture.registry.connect(new NonceManager(ISSUER.connect(await freshProvider())));
      for (const [id, auditors] of [
        ["SHAREX", [safe, fixture.auditors[0]!.address, sharing]],
        ["APARTX", [safe, apart]],
      ] as const) {
        await (
          await issuer.registerSubject(parseSubjectId(id), {
            name: `${id} / USD reserves`,
            decimals: 6,
            token: ZeroAddress,
            reserveAsset: ZeroAddress,
            heartbeat: 86_400,
            quorum: 2,
            auditors: [...auditors],
          })
        ).wait();
      }
    });

    const warning = () =>
      `auditors ${safe} ("Safe Audit LLP") and ${sharing} ("Second Safe LLP") share owner ${OWNERS[1]!.address}: ` +
      "one key counts toward both auditors' signatures, so fewer people than the quorum can meet it";

    it("subject show names the two Safes and the shared owner (text and --json); none for disjoint owners", async function () {
      const shown = expectSuccess(await run(["subject", "show", "SHAREX", "--registry", fixture.address]));
      expect(shown).to.include(`\n  WARNING       ${warning()}\n`);
      expect(shown.match(/WARNING/g)).to.have.lengthOf(1);
      const json = expectJson<{ sharedAuditorOwners: unknown }>(
        await run(["--json", "subject", "show", "SHAREX", "--registry", fixture.address]),
      );
      expect(json.sharedAuditorOwners).to.deep.equal([
        { auditors: [safe, sharing], sharedOwners: [OWNERS[1]!.address] },
      ]);

      const apartShown = expectSuccess(
        await run(["subject", "show", "APARTX", "--registry", fixture.address]),
      );
      expect(apartShown).to.include(`${apart}  Apart Safe LLP`);
      expect(apartShown).to.not.include("WARNING");
      const apartJson = expectJson<{ sharedAuditorOwners: unknown }>(
        await run(["--json", "subject", "show", "APARTX", "--registry", fixture.address]),
      );
      expect(apartJson.sharedAuditorOwners).to.deep.equal([]);
    });

    it("monitor --once prints a WARNING line for the subject with shared owners only, the exit code unchanged", async function () {
      const config = file("monitor.json");
      await fs.writeFile(
        config,
        JSON.stringify({
          format: "por-monitor/1",
          networks: { local: { rpcUrl: (await hardhatNode()).url, chainId: 31337 } },
          checks: ["SHAREX", "APARTX"].map((subject) => ({
            type: "subject",
            name: subject,
            network: "local",
            registry: fixture.address,
            subject,
          })),
        }),
      );
      // Nothing attested yet: both are missing (exit 2), with or without the warning.
      const text = await por(["monitor", "--config", config, "--once"]);
      expect(text.code).to.equal(2);
      expect(text.stderr).to.equal("");
      const lines = text.stdout.trimEnd().split("\n");
      expect(lines.map((l) => l.split(" ").slice(1, 3).join(" "))).to.deep.equal([
        "ALERT missing",
        "ALERT missing",
        "WARNING subject",
      ]);
      expect(lines[2]).to.match(/^\S+Z WARNING subject "SHAREX": /);
      expect(lines[2]!.slice(lines[2]!.indexOf(": ") + 2)).to.equal(warning().replace(/ \("[^"]+"\)/g, ""));

      const json = await por(["--json", "monitor", "--config", config, "--once"]);
      expect(json.code).to.equal(2);
      const warnings = json.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => "warning" in l);
      expect(warnings.map(({ time: _time, detail: _detail, ...rest }) => rest)).to.deep.equal([
        {
          check: "SHAREX",
          type: "subject",
          warning: "auditors-share-owners",
          auditors: [safe, sharing],
          sharedOwners: [OWNERS[1]!.address],
        },
      ]);
    });
  });

  it("documents --safe and the combine commands in --help", async function () {
    const help = async (args: string[]) => expectSuccess(await por([...args, "--help"]));
    expect(await help(["attest"])).to.include("combine [options] <attestation-file> <part-files...>");
    expect(await help(["wallet"])).to.include("combine [options] <part-files...>");
    expect(await help(["attest", "sign"])).to.include("--safe <address>");
    expect(await help(["wallet", "consent"])).to.include("--safe <address>");
    expect(await fs.readFile(path.join(__dirname, "..", "..", "docs", "safe.md"), "utf8")).to.include(
      "attest combine att.json",
    );
  });
});
