import { promises as fs } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { NonceManager } from "ethers";
import type { Wallet } from "ethers";
import { LiabilityChallenges__factory } from "../../typechain-types/factories/contracts/LiabilityChallenges__factory";
import {
  attestationDomain,
  checkStatementFileSignature,
  readStatementFile,
  signBalanceStatement,
  writeStatementFile,
} from "../../src";
import type { Hex32 } from "../../src";
import { BALANCES, buildTree, postTreeRound, saltOf, STATEMENT_KEY } from "../helpers/challenge-cli";
import {
  expectJson,
  expectNoFile,
  expectRefusal,
  expectSuccess,
  por,
  removeTempDir,
  tempDir,
} from "../helpers/cli";
import { deployRegistry, postRound, registerSubject } from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet, freshProvider } from "../helpers/node";
import { porInTerminal, terminalAvailable } from "../helpers/terminal";

const ALICE = "alice@example.com";

describe("por statement (CLI)", function () {
  this.timeout(180_000);
  let fixture: Fixture;
  let subjectId: Hex32;
  let dir: string;
  let round: bigint;
  const file = (name: string) => path.join(dir, name);
  const args = (extra: string[]) => ["--network", "localhost", ...extra, "--registry", fixture.address];
  const run = (extra: string[], key: Wallet = STATEMENT_KEY) =>
    por(args(extra), { env: { POR_PRIVATE_KEY: key.privateKey }, ignitionDir: path.join(dir, "ignition") });
  const signArgs = (out: string, overrides: Record<string, string> = {}) => {
    const flags: Record<string, string> = {
      "--subject": "USDX",
      "--round": String(round),
      "--account": ALICE,
      "--salt": saltOf(ALICE),
      "--balance": "1250.5",
      ...overrides,
    };
    return ["statement", "sign", ...Object.entries(flags).flat(), "--out", out];
  };

  before(async function () {
    dir = tempDir("statement");
    fixture = await deployRegistry();
    subjectId = await registerSubject(fixture, "USDX");
    const owner = new NonceManager(fixture.issuer.connect(await freshProvider()));
    const challenges = LiabilityChallenges__factory.connect(await fixture.registry.challenges(), owner);
    await (await challenges.setStatementSigner(subjectId, STATEMENT_KEY.address)).wait();
    await (await challenges.setChallengeWindow(subjectId, 86_400)).wait();
    round = await postTreeRound(fixture, subjectId, await buildTree(file("tree"), BALANCES));
  });

  after(function () {
    removeTempDir(dir);
  });

  describe("sign", function () {
    it("refuses bad input before signing, and writes nothing", async function () {
      const out = file("refused.json");
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{ "--salt": "0x1234" }, /^--salt is not a 0x-prefixed 32-byte hex string$/],
        [
          { "--account": " alice@example.com" },
          /^--account "\s?alice@example\.com" has leading or trailing whitespace/,
        ],
        [{ "--balance": "1250.5000001" }, /^--balance has 7 fractional digits: at most 6 allowed/],
        [{ "--round": "0" }, /^--round must be a round number \(1 or more\), got "0"$/],
        [{ "--round": "9" }, /^reading round 9: subject USDX has no round 9$/],
      ];
      for (const [overrides, pattern] of cases) {
        expectRefusal(await run([...signArgs(out, overrides), "--yes"]), pattern);
      }
      expectRefusal(await run(signArgs(out)), /stdin is not a terminal: pass --yes to sign without asking/);
      await expectNoFile(out);
    });

    it("refuses a key that is not the subject's statement signer", async function () {
      expectRefusal(
        await run([...signArgs(file("other.json")), "--yes"], devWallet(6)),
        new RegExp(
          `^this key \\(${devWallet(6).address}\\) is not the statement signer of subject USDX \\(${STATEMENT_KEY.address} is\\): the chain would refuse its statements$`,
        ),
      );
    });

    it("writes a statement of the round's snapshot that the registry's digest and the signer's key match", async function () {
      const out = file("alice.json");
      const json = expectJson<Record<string, string>>(await run(["--json", ...signArgs(out), "--yes"]));
      const statement = await readStatementFile(out);
      const [att] = await fixture.registry.getAttestation(subjectId, round);
      expect(statement).to.include({
        subjectId,
        roundId: round,
        asOf: att.asOf,
        balance: 1_250_500_000n,
        signer: STATEMENT_KEY.address,
        registry: fixture.address,
      });
      expect(json.digest).to.equal(
        await fixture.registry.balanceStatementDigest(
          subjectId,
          statement.accountCommitment,
          1_250_500_000n,
          att.asOf,
        ),
      );
      expect(() => checkStatementFileSignature(statement)).to.not.throw();
      expectRefusal(await run([...signArgs(out), "--yes"]), /already exists: pass --force to replace it/);
      expectSuccess(await run([...signArgs(out), "--yes", "--force"]));
    });

    it("prints the statement file on stdout without --out", async function () {
      const result = await run([...signArgs(file("unused.json")).slice(0, -2), "--yes"]);
      const printed = JSON.parse(expectSuccess(result)) as Record<string, unknown>;
      expect(printed).to.include({
        format: "por-balance-statement/1",
        balance: "1250500000",
        roundId: String(round),
      });
    });

    it("shows what is signed at a terminal and signs only when confirmed", async function () {
      if (!terminalAvailable()) this.skip();
      const options = {
        env: { POR_PRIVATE_KEY: STATEMENT_KEY.privateKey },
        ignitionDir: path.join(dir, "ignition"),
      };
      const declined = file("declined.json");
      const no = await porInTerminal(args(signArgs(declined)), [{ when: /\[y\/N\] $/, type: "n" }], options);
      expect(no.code, no.screen).to.equal(130);
      expect(no.screen).to.match(/error: not signed: the statement was not confirmed/);
      await expectNoFile(declined);
      const signed = file("confirmed.json");
      const yes = await porInTerminal(args(signArgs(signed)), [{ when: /\[y\/N\] $/, type: "y" }], options);
      expect(yes.code, yes.screen).to.equal(0);
      expect(yes.screen).to.include(`  account             "${ALICE}" (not signed: its commitment is)`);
      expect(yes.screen).to.include("  balance             1,250.5 (1250500000 base units)");
      expect((await readStatementFile(signed)).balance).to.equal(1_250_500_000n);
    });
  });

  describe("verify", function () {
    it("says a statement is valid, whose it is, and until when it can be used", async function () {
      const out = expectSuccess(await run(["statement", "verify", file("alice.json")]));
      expect(out).to.match(
        /^VALID: .*alice\.json states balance 1,250\.5 for account commitment 0x[0-9a-f]{64}$/m,
      );
      expect(out).to.match(
        new RegExp(`^ {2}signer {4}${STATEMENT_KEY.address}, the subject's statement signer$`, "m"),
      );
      expect(out).to.match(/^ {2}window {4}open until .* left\): `por challenge open` takes this file$/m);
      const json = expectJson<{ valid: boolean; challengeWindow: { open: boolean; seconds: number } }>(
        await run([
          "--json",
          "statement",
          "verify",
          file("alice.json"),
          "--account",
          ALICE,
          "--salt",
          saltOf(ALICE),
        ]),
      );
      expect(json.valid).to.equal(true);
      expect(json.challengeWindow).to.include({ open: true, seconds: 86_400 });
    });

    it("refuses a statement about another account, a tampered one, and --account without --salt", async function () {
      expectRefusal(
        await run([
          "statement",
          "verify",
          file("alice.json"),
          "--account",
          "bob@example.com",
          "--salt",
          saltOf("bob@example.com"),
        ]),
        /alice\.json is not about account "bob@example\.com" with this salt: its commitment is 0x[0-9a-f]{64}$/,
      );
      expectRefusal(
        await run(["statement", "verify", file("alice.json"), "--account", ALICE]),
        /^pass --account and --salt together/,
      );
      const tampered = {
        ...JSON.parse(await fs.readFile(file("alice.json"), "utf8")),
        balance: "2250500000",
      };
      await fs.writeFile(file("tampered.json"), JSON.stringify(tampered));
      expectRefusal(
        await run(["statement", "verify", file("tampered.json")]),
        /tampered\.json: the signature is not by its signer 0x[0-9a-fA-F]{40}/,
      );
      await fs.writeFile(file("broken.json"), JSON.stringify({ ...tampered, roundId: "zero" }));
      expectRefusal(
        await run(["statement", "verify", file("broken.json")]),
        /broken\.json: roundId must be a non-negative integer as a decimal string/,
      );
    });
  });

  // Last: it posts a newer round.
  describe("a round without a liabilities tree", function () {
    const noTree = (n: bigint) =>
      new RegExp(
        `round ${n} of subject USDX committed no liabilities tree \\(its liabilities root is 0\\), so no statement` +
          " can be used against it: a challenge of such a round could never be answered",
      );

    it("is refused by sign and by verify, naming why", async function () {
      const treeless = await postRound(fixture, subjectId, {
        reserves: 10n ** 12n,
        liabilities: 10n ** 9n,
        ageSeconds: 0n,
      });
      const treelessRound = await fixture.registry.latestRoundId(subjectId);
      const out = file("treeless.json");
      expectRefusal(
        await run([...signArgs(out, { "--round": String(treelessRound) }), "--yes"]),
        new RegExp(`^${noTree(treelessRound).source}`),
      );
      await expectNoFile(out);

      // A statement for it signed by the key all the same (not by the CLI) is refused by verify.
      const valid = await readStatementFile(file("alice.json"));
      const forged = { ...valid, roundId: treelessRound, asOf: treeless.asOf };
      const domain = attestationDomain(forged.chainId, forged.registry);
      const signed = await signBalanceStatement(STATEMENT_KEY, domain, forged);
      await writeStatementFile(out, { ...forged, signature: signed.signature });
      expectRefusal(await run(["statement", "verify", out]), noTree(treelessRound));
    });
  });
});
