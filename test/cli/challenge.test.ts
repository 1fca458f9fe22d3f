import { promises as fs } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { parseEther } from "ethers";
import type { Wallet } from "ethers";
import { LiabilityChallenges__factory } from "../../typechain-types/factories/contracts/LiabilityChallenges__factory";
import { parseSubjectId, readStatementFile } from "../../src";
import type { Hex32 } from "../../src";
import {
  BALANCES,
  buildTree,
  CUSTOMER,
  postTreeRound,
  saltOf,
  STATEMENT_KEY,
} from "../helpers/challenge-cli";
import {
  expectJson,
  expectRefusal,
  expectSuccess,
  por,
  removeTempDir,
  runPor,
  tempDir,
} from "../helpers/cli";
import { deployRegistry, registerSubject } from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet, freshProvider, hardhatNode } from "../helpers/node";
import { porInTerminal, terminalAvailable } from "../helpers/terminal";

const WINDOW_SECONDS = 86_400;
const BOND = parseEther("0.01");

interface Listed {
  list: Array<{ challengeId: string; roundId: string; status: string; overdue: boolean; challenger: string }>;
}

describe("por challenge (CLI)", function () {
  this.timeout(180_000);
  let fixture: Fixture;
  let subjectId: Hex32;
  let dir: string;
  const issuer = devWallet(4);
  const file = (name: string) => path.join(dir, name);
  const run = (args: string[], key: Wallet = issuer) =>
    por(["--network", "localhost", ...args, "--registry", fixture.address], {
      env: { POR_PRIVATE_KEY: key.privateKey },
      ignitionDir: path.join(dir, "ignition"),
    });
  const sign = (round: bigint, account: string, balance: string, out: string) =>
    run(
      [
        "statement",
        "sign",
        "--subject",
        "USDX",
        "--round",
        String(round),
        "--account",
        account,
        "--salt",
        saltOf(account),
        "--balance",
        balance,
        "--out",
        out,
        "--yes",
      ],
      STATEMENT_KEY,
    );
  let honestRound: bigint;
  let omittingRound: bigint;
  // This file moves the shared node's clock past a challenge deadline: everything it did, the clock
  // included, is reverted at the end, so later files' snapshots are not in the wall clock's future.
  let snapshot: string;

  before(async function () {
    snapshot = (await (await hardhatNode()).provider.send("evm_snapshot", [])) as string;
    dir = tempDir("challenge");
    fixture = await deployRegistry();
    subjectId = await registerSubject(fixture, "USDX");
  });

  after(async function () {
    removeTempDir(dir);
    await (await hardhatNode()).provider.send("evm_revert", [snapshot]);
  });

  describe("settings and bond", function () {
    it("shows a new subject's settings: no signer, no window, no bond", async function () {
      const out = expectSuccess(await run(["challenge", "settings", "--subject", "USDX"]));
      expect(out).to.match(/statement signer {2}none \(no statements can be used\)/);
      expect(out).to.match(/window {12}0 \(rounds cannot be challenged\)/);
      expect(out).to.match(/bond {14}0\.0 ETH \(0 wei\)/);
    });

    it("lets only the registry admin set the bond, in ETH", async function () {
      expectRefusal(
        await run(["challenge", "bond", "--set", "0.01"], issuer),
        /^setting the bond refused: only the registry admin can do this \(0x[0-9a-fA-F]{40} is not the admin\)$/,
      );
      expectRefusal(
        await run(["challenge", "bond", "--set", "a lot"], fixture.admin),
        /^--set must be an amount/,
      );
      const set = expectJson(await run(["--json", "challenge", "bond", "--set", "0.01"], fixture.admin));
      expect(set).to.include({ bond: BOND.toString(), set: true });
      expect(expectSuccess(await run(["challenge", "bond"]))).to.match(
        /^challenge bond 0\.01 ETH \(10000000000000000 wei\)/,
      );
    });

    it("lets only the subject owner name the statement signer and the window, sending only changes", async function () {
      const args = [
        "challenge",
        "settings",
        "--subject",
        "USDX",
        "--statement-signer",
        STATEMENT_KEY.address,
      ];
      expectRefusal(
        await run([...args, "--window", "1d"], devWallet(6)),
        /^setting the statement signer refused: only the owner of subject USDX can do this/,
      );
      expectRefusal(await run([...args, "--window", "31d"]), /^--window must be at most 30d, got 31d$/);
      const dry = expectSuccess(await run([...args, "--window", "1d", "--dry-run"]));
      expect(dry)
        .to.match(/^not changed yet:/m)
        .and.match(/dry run {4}nothing sent: set the challenge window of subject USDX to 1d/);
      const json = expectJson<{
        statementSigner: string;
        windowSeconds: number;
        changed: boolean;
        transactions: unknown[];
      }>(await run(["--json", ...args, "--window", "1d"]));
      expect(json).to.include({
        statementSigner: STATEMENT_KEY.address,
        windowSeconds: WINDOW_SECONDS,
        changed: true,
      });
      expect(json.transactions).to.have.lengthOf(2);
      expect(expectSuccess(await run([...args, "--window", "86400"]))).to.match(
        /^no change: subject USDX already has these settings; nothing sent$/m,
      );
    });
  });

  describe("a customer catches an omission", function () {
    before(async function () {
      // Round 1 counts every customer; round 2, posted by the same custodian, leaves bob out.
      honestRound = await postTreeRound(fixture, subjectId, await buildTree(file("honest"), BALANCES));
      omittingRound = await postTreeRound(
        fixture,
        subjectId,
        await buildTree(
          file("omitting"),
          BALANCES.filter(([account]) => account !== "bob@example.com"),
        ),
      );
    });

    it("refuses to open without --yes when stdin is not a terminal, and opens with it, paying the bond", async function () {
      expectSuccess(await sign(omittingRound, "bob@example.com", "980000", file("bob-2.json")));
      expectRefusal(
        await run(["challenge", "open", file("bob-2.json")], CUSTOMER),
        /stdin is not a terminal: pass --yes to pay the bond without asking/,
      );
      if (terminalAvailable()) {
        const declined = await porInTerminal(
          ["--network", "localhost", "challenge", "open", file("bob-2.json"), "--registry", fixture.address],
          [{ when: /\[y\/N\] $/, type: "n" }],
          { env: { POR_PRIVATE_KEY: CUSTOMER.privateKey }, ignitionDir: path.join(dir, "ignition") },
        );
        expect(declined.code, declined.screen).to.equal(130);
        expect(declined.screen).to.match(/^bond {7}0\.01 ETH \(10000000000000000 wei\): back to you/m);
        expect(declined.screen).to.match(/open this challenge and pay 0\.01 ETH\? \[y\/N\]/);
        expect(declined.screen).to.match(/error: not opened: the challenge was not confirmed/);
      }
      const dry = expectSuccess(await run(["challenge", "open", file("bob-2.json"), "--dry-run"], CUSTOMER));
      expect(dry).to.match(
        /^bond {7}0\.01 ETH \(10000000000000000 wei\): back to you if nobody proves the balance/m,
      );
      expect(dry).to.match(/^value {6}10000000000000000 wei$/m);

      const provider = await freshProvider();
      const before = await provider.getBalance(CUSTOMER.address);
      const opened = expectJson<{ challengeId: string; deadline: string; bond: string }>(
        await run(["--json", "challenge", "open", file("bob-2.json"), "--yes"], CUSTOMER),
      );
      expect(opened).to.include({ challengeId: "1", bond: BOND.toString() });
      expect(await provider.getBalance(CUSTOMER.address)).to.be.below(before - BOND);
    });

    it("refuses a statement for another round's snapshot before paying", async function () {
      expectSuccess(await sign(honestRound, "bob@example.com", "980000", file("bob-1.json")));
      const moved = {
        ...JSON.parse(await fs.readFile(file("bob-1.json"), "utf8")),
        roundId: String(omittingRound),
      };
      await fs.writeFile(file("moved.json"), JSON.stringify(moved));
      expectRefusal(
        await run(["challenge", "open", file("moved.json"), "--yes"], CUSTOMER),
        /moved\.json states a balance at .*, but round 2 of subject USDX is a snapshot at .*: a statement is for one round/,
      );
    });

    it("answers challenges of the honest round from its tree or a proof package, and says the omitting round cannot be answered", async function () {
      const opened = expectJson<{ challengeId: string }>(
        await run(["--json", "challenge", "open", file("bob-1.json"), "--yes"], CUSTOMER),
      );
      expect(opened.challengeId).to.equal("2");
      expectRefusal(
        await run(["challenge", "answer", "1", "--tree", file("omitting")]),
        /tree\.bin has no leaf of commitment 0x[0-9a-f]{64} with balance 980000000000: round 2 of subject USDX omits or shrinks it, so challenge 1 cannot be answered$/,
      );
      expectRefusal(
        await run(["challenge", "answer", "1", "--tree", file("omitting"), "--account", "bob@example.com"]),
        /no account "bob@example\.com" in .*tree\.bin/,
      );
      expectRefusal(
        await run(["challenge", "answer", "2"]),
        /^pass --tree DIR \(the round's tree\) or --proof FILE/,
      );
      const out = expectSuccess(await run(["challenge", "answer", "2", "--tree", file("honest")]));
      expect(out).to.match(/^answered challenge 2: the balance is in round 1 of subject USDX$/m);
      expect(out).to.match(
        /^bond {7}0\.01 ETH \(10000000000000000 wei\) now owed to the subject's owner 0x/m,
      );
      expectRefusal(
        await run(["challenge", "answer", "2", "--tree", file("honest")]),
        /^the answer refused: challenge 2 is no longer open \(answered\)$/,
      );

      // From a customer's proof package instead of the tree.
      expectSuccess(await sign(honestRound, "alice@example.com", "1250.5", file("alice-1.json")));
      const third = expectJson<{ challengeId: string }>(
        await run(["--json", "challenge", "open", file("alice-1.json"), "--yes"], CUSTOMER),
      );
      expectSuccess(
        await por([
          "liabilities",
          "prove",
          file("honest"),
          "alice@example.com",
          "--out",
          file("alice-proof.json"),
        ]),
      );
      expectRefusal(
        await run(["challenge", "answer", "1", "--proof", file("alice-proof.json")]),
        /alice-proof\.json proves account "alice@example\.com", whose commitment 0x[0-9a-f]{64} is not the challenged/,
      );
      expect(
        expectSuccess(
          await run(["challenge", "answer", third.challengeId, "--proof", file("alice-proof.json")]),
        ),
      ).to.match(/^answered challenge 3: the balance is in round 1 of subject USDX$/m);
    });

    it("lists challenges from their events, all or only the open ones", async function () {
      const all = expectJson<Listed>(await run(["--json", "challenge", "list", "--subject", "USDX"]));
      expect(all.list.map((c) => [c.challengeId, c.roundId, c.status])).to.deep.equal([
        ["1", "2", "open"],
        ["2", "1", "answered"],
        ["3", "1", "answered"],
      ]);
      const open = expectSuccess(await run(["challenge", "list", "--open"]));
      expect(open).to.match(/^ {2}#1 {2}USDX round 2 {2}open, answer due by .* left\) {2}balance 980,000 /m);
      expect(open).to.not.match(/#[23]/);
      expect(expectSuccess(await run(["challenge", "list", "--subject", "OTHER"]))).to.match(/^ {2}none$/m);
    });

    it("settles the unanswered challenge only after its deadline, disputing the round; the monitor alerts", async function () {
      expectRefusal(
        await run(["challenge", "settle", "1"], devWallet(6)),
        /^settling refused: challenge 1 can be settled only after its deadline, \d{4}-.*Z \(\d+\)$/,
      );
      const { provider } = await hardhatNode();
      await provider.send("evm_increaseTime", [WINDOW_SECONDS + 1]);
      await provider.send("evm_mine", []);
      const out = expectSuccess(await run(["challenge", "settle", "1"], devWallet(6)));
      expect(out).to.match(/^settled challenge 1: round 2 of subject USDX is disputed/m);
      expect(await fixture.registry.isDisputed(subjectId, omittingRound)).to.equal(true);
      expect(await fixture.registry.isFresh(subjectId)).to.equal(false);

      const config = file("monitor.json");
      await fs.writeFile(
        config,
        JSON.stringify({
          format: "por-monitor/1",
          retry: { attempts: 1, baseDelayMs: 10, timeoutMs: 5_000 },
          networks: { local: { rpcUrl: (await hardhatNode()).url, chainId: 31337 } },
          checks: [
            { type: "subject", name: "USDX", network: "local", registry: fixture.address, subject: "USDX" },
          ],
        }),
      );
      const monitor = await runPor(["monitor", "--config", config, "--once"], { ...process.env });
      expect(monitor.code, monitor.stderr).to.equal(1);
      expect(monitor.stdout).to.match(
        /ALERT disputed subject "USDX": .*; round 2 is disputed: challenge 1 of round 2 went unanswered \(settled in block \d+\), so its figures do not count/,
      );
    });

    it("pays the bonds: the settled one back to the customer, the answered ones to the subject owner", async function () {
      const customer = expectJson<{ amount: string; withdrawn: boolean }>(
        await run(["--json", "challenge", "withdraw"], CUSTOMER),
      );
      expect(customer).to.include({ amount: BOND.toString(), withdrawn: true });
      expect(expectSuccess(await run(["challenge", "withdraw"], issuer))).to.match(
        /^withdrew 0\.02 ETH \(20000000000000000 wei\) of bonds to 0x/,
      );
      expectRefusal(
        await run(["challenge", "withdraw"], CUSTOMER),
        /^withdrawing refused: no bonds are owed to 0x/,
      );
      const challenges = LiabilityChallenges__factory.connect(
        await fixture.registry.challenges(),
        await freshProvider(),
      );
      expect(await challenges.withdrawable(issuer.address)).to.equal(0n);
    });

    it("refuses a challenge after the round's window closed", async function () {
      expectSuccess(await sign(omittingRound, "alice@example.com", "1250.5", file("alice-2.json")));
      expectRefusal(
        await run(["challenge", "open", file("alice-2.json"), "--yes"], CUSTOMER),
        /^opening the challenge refused: the challenge window of round 2 of subject USDX closed at /,
      );
      expect((await readStatementFile(file("alice-2.json"))).subjectId).to.equal(parseSubjectId("USDX"));
    });
  });
});
