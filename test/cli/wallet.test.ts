import { promises as fs } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { NonceManager, ZeroAddress } from "ethers";
import { MockERC20__factory } from "../../typechain-types/factories/contracts/test/MockERC20__factory";
import {
  checkConsentSignature,
  parseSubjectId,
  readWalletConsentFile,
  signWalletConsent,
  writeWalletConsentFile,
} from "../../src";
import type { Hex32 } from "../../src";
import {
  expectJson,
  expectNoFile,
  expectRefusal,
  expectSuccess,
  por,
  removeTempDir,
  tempDir,
} from "../helpers/cli";
import { approveReserveAsset, deployRegistry, deployToken, postRound } from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet, freshProvider } from "../helpers/node";
import { porInTerminal, terminalAvailable } from "../helpers/terminal";

/** The wallet's holder: a key separate from the subject owner's (the fixture's issuer, account 4). */
const HOLDER = devWallet(7);
const OWNER = devWallet(4);
const OTHER_OWNER = devWallet(5);

interface Listing {
  subjectId: string;
  reserveAsset: string;
  symbol: string;
  assetDecimals: number;
  approved: boolean;
  decimals: number;
  wallets: Array<{ wallet: string; balance: string; balanceFormatted: string }>;
  liveReserves: string;
  liveReservesFormatted: string;
}

describe("por wallet (CLI)", function () {
  let fixture: Fixture;
  let usdo: string;
  let dir: string;
  let chainId: bigint;
  const USDX = parseSubjectId("USDX");
  const USDY = parseSubjectId("USDY");

  before(async function () {
    dir = tempDir("wallet");
    fixture = await deployRegistry();
    usdo = await deployToken(fixture, "USDO", 8);
    await approveReserveAsset(fixture, usdo);
    await register(OWNER, USDX);
    await register(OTHER_OWNER, USDY);
    const admin = new NonceManager(fixture.admin.connect(await freshProvider()));
    await (await MockERC20__factory.connect(usdo, admin).mint(HOLDER.address, 123_456_789n)).wait();
    chainId = (await fixture.registry.runner!.provider!.getNetwork()).chainId;
  });

  after(function () {
    removeTempDir(dir);
  });

  /** Registers `id` (6 decimals) with USDO as its reserve asset, owned by `owner`. */
  async function register(owner: typeof OWNER, id: Hex32): Promise<void> {
    const registry = fixture.registry.connect(new NonceManager(owner.connect(await freshProvider())));
    await (
      await registry.registerSubject(id, {
        name: `${id === USDX ? "USDX" : "USDY"} / USD reserves`,
        decimals: 6,
        token: ZeroAddress,
        reserveAsset: usdo,
        heartbeat: 86_400,
        quorum: 2,
        auditors: fixture.auditors.map((a) => a.address),
      })
    ).wait();
  }

  const run = (args: string[], key = OWNER) =>
    por(["--network", "localhost", ...args, "--registry", fixture.address], {
      env: { POR_PRIVATE_KEY: key.privateKey },
      ignitionDir: path.join(dir, "ignition"),
    });
  const file = (name: string) => path.join(dir, name);

  describe("consent", function () {
    it("refuses an unregistered subject, saying why, and writes nothing", async function () {
      const out = file("unregistered.json");
      expectRefusal(
        await run(["wallet", "consent", "--subject", "LATER", "--out", out, "--yes"], HOLDER),
        /^subject LATER is not registered on registry 0x[0-9a-fA-F]{40}: a consent given for an unregistered id can be taken by whoever registers it first \(docs\/protocol\.md, "Known limits"\)/,
      );
      await expectNoFile(out);
    });

    it("refuses to sign without --yes when stdin is not a terminal", async function () {
      const out = file("unconfirmed.json");
      expectRefusal(
        await run(["wallet", "consent", "--subject", "USDX", "--out", out], HOLDER),
        /stdin is not a terminal: pass --yes/,
      );
      await expectNoFile(out);
    });

    it("writes a consent file signed by the wallet's key, and refuses to overwrite it without --force", async function () {
      const out = file("usdx.json");
      const json = expectJson(
        await run(["--json", "wallet", "consent", "--subject", "USDX", "--out", out, "--yes"], HOLDER),
      );
      expect(json).to.include({
        format: "por-wallet-consent/1",
        chainId: Number(chainId),
        registry: fixture.address,
        subjectId: USDX,
        wallet: HOLDER.address,
        reserveAsset: usdo,
      });
      const consent = await readWalletConsentFile(out);
      expect(() => checkConsentSignature(consent)).to.not.throw();
      expect(await fixture.registry.reserveAddressDigest(USDX, HOLDER.address, usdo)).to.equal(json.digest);

      const before = await fs.readFile(out, "utf8");
      expectRefusal(
        await run(["wallet", "consent", "--subject", "USDX", "--out", out, "--yes"], HOLDER),
        /already exists: pass --force to replace it/,
      );
      expect(await fs.readFile(out, "utf8")).to.equal(before);
      expectSuccess(
        await run(["wallet", "consent", "--subject", "USDX", "--out", out, "--yes", "--force"], HOLDER),
      );
    });

    it("shows every signed field at a terminal and signs only when confirmed", async function () {
      if (!terminalAvailable()) this.skip();
      const declined = file("declined.json");
      const args = [
        "--network",
        "localhost",
        "wallet",
        "consent",
        "--subject",
        "USDX",
        "--registry",
        fixture.address,
      ];
      const env = { POR_PRIVATE_KEY: HOLDER.privateKey };
      const ignitionDir = path.join(dir, "ignition");
      const no = await porInTerminal([...args, "--out", declined], [{ when: /\[y\/N\] $/, type: "n" }], {
        env,
        ignitionDir,
      });
      expect(no.code, no.screen).to.not.equal(0);
      expect(no.screen).to.match(/error: not signed/);
      await expectNoFile(declined);

      const signed = file("confirmed.json");
      const yes = await porInTerminal([...args, "--out", signed], [{ when: /\[y\/N\] $/, type: "y" }], {
        env,
        ignitionDir,
      });
      expect(yes.code, yes.screen).to.equal(0);
      for (const line of [
        'subject       USDX  "USDX / USD reserves"',
        `subject id    ${USDX}`,
        `subject owner ${OWNER.address}`,
        `wallet        ${HOLDER.address} (this key)`,
        `reserve asset ${usdo} (USDO, 8 decimals)`,
        `chain id      ${chainId} (localhost)`,
        `registry      ${fixture.address}`,
      ]) {
        expect(yes.screen).to.include(line);
      }
      expect((await readWalletConsentFile(signed)).wallet).to.equal(HOLDER.address);
    });
  });

  describe("add, list and remove", function () {
    it("refuses a sender that is not the owner, another subject, and a tampered file, before sending", async function () {
      const consentFile = file("usdx.json");
      expectRefusal(
        await run(["wallet", "add", "--subject", "USDX", consentFile], OTHER_OWNER),
        new RegExp(`^only the owner of subject USDX \\(${OWNER.address}\\) can add reserve wallets`),
      );
      expectRefusal(
        await run(["wallet", "add", "--subject", "USDY", consentFile], OTHER_OWNER),
        new RegExp(`^${consentFile} is for subject USDX, not USDY$`),
      );
      const tampered = file("tampered.json");
      const json = JSON.parse(await fs.readFile(consentFile, "utf8")) as Record<string, unknown>;
      await fs.writeFile(tampered, JSON.stringify({ ...json, wallet: OWNER.address }));
      expectRefusal(
        await run(["wallet", "add", "--subject", "USDX", tampered]),
        new RegExp(`^the consent's signature is not by the wallet ${OWNER.address}`),
      );
      const future = file("future.json");
      await fs.writeFile(future, JSON.stringify({ ...json, format: "por-wallet-consent/2" }));
      expectRefusal(
        await run(["wallet", "add", "--subject", "USDX", future]),
        /has format "por-wallet-consent\/2": expected "por-wallet-consent\/1"$/,
      );
      expect(await fixture.registry.reserveWallets(USDX)).to.deep.equal([]);
    });

    it("--dry-run checks the addition and prints the call it would send, sending nothing", async function () {
      const consentFile = file("usdx.json");
      const consent = await readWalletConsentFile(consentFile);
      const dry = expectJson<{ added: boolean; transactionHash: null; transaction: Record<string, unknown> }>(
        await run(["--json", "wallet", "add", "--subject", "USDX", consentFile, "--dry-run"]),
      );
      expect(dry).to.include({ added: false, transactionHash: null });
      expect(dry.transaction).to.include({
        sent: false,
        from: OWNER.address,
        to: fixture.address,
        data: fixture.registry.interface.encodeFunctionData("addReserveWallet", [
          USDX,
          HOLDER.address,
          consent.signature,
        ]),
        value: "0",
      });
      expect(BigInt(dry.transaction.estimatedGas as string)).to.be.greaterThan(21_000n);
      expect(await fixture.registry.reserveWallets(USDX)).to.deep.equal([]);
    });

    it("adds the wallet as the owner, reporting the transaction, and refuses to add it again", async function () {
      const consentFile = file("usdx.json");
      const added = expectJson<{
        transactionHash: string;
        transaction: { sent: boolean; transactionHash: string; gasUsed: string };
      }>(await run(["--json", "wallet", "add", "--subject", "USDX", consentFile]));
      expect(added).to.include({ subjectId: USDX, wallet: HOLDER.address, reserveAsset: usdo, added: true });
      expect(added.transaction).to.include({ sent: true, transactionHash: added.transactionHash });
      const receipt = await (await freshProvider()).getTransactionReceipt(added.transactionHash);
      expect(receipt!.gasUsed.toString()).to.equal(added.transaction.gasUsed);
      expect(await fixture.registry.reserveWallets(USDX)).to.deep.equal([HOLDER.address]);
      expectRefusal(
        await run(["wallet", "add", "--subject", "USDX", consentFile]),
        new RegExp(`^wallet ${HOLDER.address} already backs subject USDX$`),
      );
    });

    it("refuses a wallet that already backs another subject with the same asset", async function () {
      const consent = await signWalletConsent(HOLDER, {
        chainId,
        registry: fixture.address,
        subjectId: USDY,
        reserveAsset: usdo,
      });
      const consentFile = file("usdy.json");
      await writeWalletConsentFile(consentFile, consent);
      expectRefusal(
        await run(["wallet", "add", "--subject", "USDY", consentFile], OTHER_OWNER),
        new RegExp(
          `^adding the wallet refused: ${HOLDER.address} already backs .*USDX.* with the same reserve asset`,
        ),
      );
    });

    it("lists the wallets with balances in the asset's decimals and the live total in the subject's", async function () {
      const listing = expectJson<Listing>(await run(["--json", "wallet", "list", "--subject", "USDX"]));
      expect(listing).to.deep.include({
        subjectId: USDX,
        reserveAsset: usdo,
        symbol: "USDO",
        assetDecimals: 8,
        approved: true,
        decimals: 6,
        wallets: [{ wallet: HOLDER.address, balance: "123456789", balanceFormatted: "1.23456789" }],
        liveReserves: "1234567",
        liveReservesFormatted: "1.234567",
      });
      expect(BigInt(listing.liveReserves)).to.equal(await fixture.registry.liveReserves(USDX));

      const human = expectSuccess(await run(["wallet", "list", "--subject", "USDX"]));
      expect(human).to.include(`reserve asset  ${usdo} (USDO, 8 decimals), approved`);
      expect(human).to.include(`  ${HOLDER.address}  1.23456789 USDO`);
      expect(human).to.include("live reserves  1.234567 (subject's 6 decimals)");
    });

    it("removes the wallet as the owner, warning that the reserves stay live", async function () {
      expectRefusal(
        await run(["wallet", "remove", "--subject", "USDX", HOLDER.address], OTHER_OWNER),
        /^only the owner of subject USDX .* can remove reserve wallets/,
      );
      expectRefusal(
        await run(["wallet", "remove", "--subject", "USDX", OTHER_OWNER.address]),
        new RegExp(`^wallet ${OTHER_OWNER.address} does not back subject USDX`),
      );
      // While a round attests liabilities, the wallet's balance backs them: explained before sending.
      await postRound(fixture, USDX, { reserves: 0n, liabilities: 1_000_000n });
      expectRefusal(
        await run(["wallet", "remove", "--subject", "USDX", HOLDER.address]),
        new RegExp(
          `^wallet ${HOLDER.address} holds 1\\.23456789 USDO that back subject USDX: without it its reserves would` +
            " fall from 1\\.234567 to 0, below the 1 it owes \\(attested liabilities\\): a balance that backs" +
            " a subject's liabilities stays until its custodian moves it",
        ),
      );
      expect(await fixture.registry.reserveWallets(USDX)).to.deep.equal([HOLDER.address]);
      await postRound(fixture, USDX, { reserves: 0n, liabilities: 0n, ageSeconds: 0n }); // wound down
      const out = expectSuccess(await run(["wallet", "remove", "--subject", "USDX", HOLDER.address]));
      expect(out).to.include(`removed wallet ${HOLDER.address} from subject USDX`);
      expect(out).to.include("live reserves  0 from 0 wallet(s)");
      expect(out).to.match(/warning: the subject's reserves stay live/);
      expect(await fixture.registry.reserveWallets(USDX)).to.deep.equal([]);
      const [reserves] = await fixture.registry.collateralization(USDX);
      expect(reserves).to.equal(0n);
    });
  });

  it("documents the four sub-commands in --help", async function () {
    const help = expectSuccess(await por(["wallet", "--help"], { ignitionDir: path.join(dir, "ignition") }));
    for (const sub of [
      "consent [options]",
      "add [options] <consent-file>",
      "remove [options] <wallet>",
      "list [options]",
    ]) {
      expect(help).to.include(sub);
    }
  });
});
