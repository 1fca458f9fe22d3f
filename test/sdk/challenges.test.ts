import * as path from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { formatEther, getBytes, parseEther, Wallet, ZeroAddress } from "ethers";
import {
  answerFromPackage,
  answerFromTree,
  attestationDomain,
  ChainError,
  challengesAddress,
  challengesContract,
  checkStatementOnChain,
  DEFAULT_SEND_SETTINGS,
  executeCall,
  findLeaf,
  InvalidArgumentError,
  listChallenges,
  openedChallengeId,
  parseChallengeWindow,
  parseNativeAmount,
  planAnswerChallenge,
  planOpenChallenge,
  planSetChallengeBond,
  planSetChallengeWindow,
  planSetStatementSigner,
  planSettleChallenge,
  planWithdrawBonds,
  readChallenge,
  readChallengeSettings,
  readRoundChallenges,
  signBalanceStatement,
  VerificationError,
} from "../../src";
import type { Address, AnswerTarget, BalanceStatementFile, Hex32, PlannedCall } from "../../src";
import {
  accountCommitment,
  leafHash,
  proofStepsForContract,
  SaltDeriver,
  toHex,
} from "../../src/liabilities";
import { namedSigners, postAttestation, subjectConfig } from "../helpers/backing";
import { buildAccounts, scratchDir } from "../helpers/liabilities-build";

const SECRET = "challenges sdk test secret";
const SUBJECT = ethers.encodeBytes32String("USDX") as Hex32;
const WINDOW = 86_400;
const BOND = parseEther("0.01");
type Account = { accountId: string; balance: bigint };

const ACCOUNTS: Account[] = [
  { accountId: "alice@example.com", balance: 1_250_500_000n },
  { accountId: "bob@example.com", balance: 980_000_000_000n },
  { accountId: "carol@example.com", balance: 18_749_500_000n },
  { accountId: "dave@example.com", balance: 7n },
];
const WITHOUT_BOB = ACCOUNTS.filter((a) => a.accountId !== "bob@example.com");

const commitmentOf = (accountId: string) =>
  toHex(accountCommitment(new SaltDeriver(Buffer.from(SECRET)).derive(accountId), accountId)) as Hex32;

/** Sends `planned` from `from` through the CLI's send pipeline (simulate, estimate, send). */
async function send(from: HardhatEthersSigner, planned: PlannedCall) {
  const outcome = await executeCall(from, planned, DEFAULT_SEND_SETTINGS, "test call");
  if (!outcome.sent) throw new Error("not sent");
  return outcome;
}

/**
 * A registry whose subject USDX names a statement signer, a one-day window and a bond (all set
 * through the planned calls), with round 1 of the full tree and round 2 of a tree omitting bob.
 */
async function challengeFixture() {
  const { admin, owner, auditor, customer, other } = await namedSigners(
    "admin",
    "owner",
    "auditor",
    "customer",
    "other",
  );
  const statementKey = new Wallet(ethers.id("challenges sdk statement key"));
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor");
  await registry.connect(owner).registerSubject(SUBJECT, subjectConfig([auditor.address]));
  const challenges = await challengesContract(registry);
  const to = (await challenges.getAddress()) as Address;
  await send(admin, planSetChallengeBond(to, BOND));
  await send(owner, planSetStatementSigner(to, SUBJECT, statementKey.address as Address));
  await send(owner, planSetChallengeWindow(to, SUBJECT, WINDOW));

  const scratch = scratchDir();
  const full = await buildAccounts(path.join(scratch.dir), ACCOUNTS, { secret: SECRET });
  const omitting = scratchDir();
  const partial = await buildAccounts(omitting.dir, WITHOUT_BOB, { secret: SECRET });
  const rounds: Array<{ roundId: bigint; asOf: bigint; tree: typeof full.tree }> = [];
  for (const tree of [full, partial]) {
    const asOf = BigInt(await time.latest()) - 10n;
    await postAttestation(registry, [auditor], {
      subjectId: SUBJECT,
      asOf,
      reserves: tree.summary.total,
      liabilities: tree.summary.total,
      liabilitiesRoot: tree.summary.root,
    });
    rounds.push({ roundId: BigInt(rounds.length + 1), asOf, tree: tree.tree });
  }
  const { chainId } = await ethers.provider.getNetwork();
  const domain = attestationDomain(chainId, await registry.getAddress());
  /** A statement file of `balance` for `accountId` at round `roundId`, signed by `signer`. */
  const statement = async (
    roundId: bigint,
    accountId: string,
    balance: bigint,
    signer: Wallet = statementKey,
  ): Promise<BalanceStatementFile> => {
    const st = {
      subjectId: SUBJECT,
      accountCommitment: commitmentOf(accountId),
      balance,
      asOf: rounds[Number(roundId) - 1]!.asOf,
    };
    const signed = await signBalanceStatement(signer, domain, st);
    return {
      chainId,
      registry: (await registry.getAddress()) as Address,
      roundId,
      ...st,
      signer: signed.signer,
      signature: signed.signature,
    };
  };
  /** Opens a challenge of `file` from the customer through planOpenChallenge; its id and deadline. */
  const open = async (file: BalanceStatementFile, from = customer) => {
    const outcome = await send(from, planOpenChallenge(to, file, BOND));
    return openedChallengeId(challenges, outcome.transactionHash);
  };
  const target = async (challengeId: bigint): Promise<AnswerTarget> => {
    const c = await readChallenge(challenges, challengeId);
    const [att] = await registry.getAttestation(c.subjectId, c.roundId);
    return {
      ...c,
      liabilitiesRoot: att.liabilitiesRoot.toLowerCase() as Hex32,
      liabilities: att.liabilities,
    };
  };
  return {
    admin,
    owner,
    customer,
    other,
    statementKey,
    registry,
    challenges,
    to,
    rounds,
    statement,
    open,
    target,
    cleanup: () => {
      for (const r of rounds) r.tree.close();
      scratch.cleanup();
      omitting.cleanup();
    },
  };
}

type Fixture = Awaited<ReturnType<typeof challengeFixture>>;

describe("challenges (SDK)", function () {
  let fx: Fixture;

  beforeEach(async function () {
    fx = await loadFixture(challengeFixture);
  });

  describe("settings", function () {
    it("reads what the planned calls set, and a signer set to none as null", async function () {
      expect(await readChallengeSettings(fx.challenges, SUBJECT)).to.deep.equal({
        subjectId: SUBJECT,
        challenges: fx.to,
        statementSigner: fx.statementKey.address,
        windowSeconds: WINDOW,
        bond: BOND,
      });
      await send(fx.owner, planSetStatementSigner(fx.to, SUBJECT, ZeroAddress as Address));
      expect((await readChallengeSettings(fx.challenges, SUBJECT)).statementSigner).to.equal(null);
    });

    it("finds no challenge contract at a registry without challenges()", async function () {
      const token = await ethers.deployContract("MockERC20", ["Not a registry", "NAR", 6]);
      const notRegistry = await ethers.getContractAt("ReserveRegistry", await token.getAddress());
      expect(await challengesAddress(notRegistry)).to.equal(null);
      await expectRejection(challengesContract(notRegistry), ChainError, /has no challenge contract/);
      expect(
        await readRoundChallenges(
          ethers.provider,
          await token.getAddress(),
          SUBJECT,
          await time.latestBlock(),
        ),
      ).to.equal(null);
    });
  });

  describe("checkStatementOnChain", function () {
    it("accepts a statement of the round's snapshot by the statement signer, and reports the window", async function () {
      const file = await fx.statement(2n, "bob@example.com", 980_000_000_000n);
      const round = await checkStatementOnChain(fx.registry, fx.challenges, file, "s.json");
      expect(round).to.include({ roundId: 2n, asOf: fx.rounds[1]!.asOf, windowSeconds: WINDOW, bond: BOND });
      expect(round.closesAt).to.equal(round.postedAt + BigInt(WINDOW));
      expect(round.signers).to.deep.equal({
        atPosting: fx.statementKey.address,
        current: fx.statementKey.address,
      });
      expect(round.signerIsContract).to.equal(false);
    });

    it("keeps accepting the signer in force at posting after a rotation, as the contract does", async function () {
      const file = await fx.statement(2n, "bob@example.com", 980_000_000_000n);
      const next = Wallet.createRandom();
      await send(fx.owner, planSetStatementSigner(fx.to, SUBJECT, next.address as Address));
      const round = await checkStatementOnChain(fx.registry, fx.challenges, file, "s.json");
      expect(round.signers).to.deep.equal({ atPosting: fx.statementKey.address, current: next.address });
      await send(fx.customer, planOpenChallenge(fx.to, file, BOND)); // and the chain agrees
    });

    it("refuses another round's snapshot, another signer, an altered statement, another chain or registry", async function () {
      const good = await fx.statement(2n, "bob@example.com", 980_000_000_000n);
      const roundOne = await fx.statement(1n, "bob@example.com", 980_000_000_000n);
      const check = (file: BalanceStatementFile) =>
        checkStatementOnChain(fx.registry, fx.challenges, file, "s.json");
      await expectRejection(
        check({ ...roundOne, roundId: 2n }),
        VerificationError,
        /^s\.json states a balance at .*, but round 2 of subject USDX is a snapshot at .*: a statement is for one round/,
      );
      await expectRejection(
        check(
          await fx.statement(
            2n,
            "bob@example.com",
            980_000_000_000n,
            new Wallet(ethers.id("not the signer")),
          ),
        ),
        VerificationError,
        new RegExp(
          `^s\\.json is signed by 0x[0-9a-fA-F]{40}, which is not a statement signer of subject USDX for round 2: the challenge contract accepts statements of ${fx.statementKey.address}$`,
        ),
      );
      await expectRejection(
        check({ ...good, balance: good.balance + 1n }),
        VerificationError,
        /^s\.json: the signature is not by its signer/,
      );
      await expectRejection(
        check({ ...good, chainId: 1n }),
        VerificationError,
        /^s\.json is for chain 1, but this network is chain 31337$/,
      );
      const elsewhere = Wallet.createRandom().address as Address;
      await expectRejection(
        check({ ...good, registry: elsewhere }),
        VerificationError,
        /^s\.json is for registry 0x/,
      );
      await expectRejection(check({ ...good, roundId: 3n }), ChainError, /round 3 .*(not|no)/i);
    });
  });

  describe("opening, listing and answering", function () {
    it("opens a challenge through planOpenChallenge, lists it and reports it for the round", async function () {
      const file = await fx.statement(2n, "bob@example.com", 980_000_000_000n);
      const opened = await fx.open(file);
      expect(opened.challengeId).to.equal(1n);
      const challenge = await readChallenge(fx.challenges, 1n);
      expect(challenge).to.deep.equal({
        challengeId: 1n,
        subjectId: SUBJECT,
        roundId: 2n,
        deadline: opened.deadline,
        status: "open",
        challenger: fx.customer.address,
        bond: BOND,
        accountCommitment: commitmentOf("bob@example.com"),
        balance: 980_000_000_000n,
      });
      const listed = await listChallenges(fx.challenges, { subjectId: SUBJECT });
      expect(listed.challenges.map((c) => [c.challengeId, c.status])).to.deep.equal([[1n, "open"]]);
      expect(
        (await listChallenges(fx.challenges, { subjectId: SUBJECT, roundId: 1n })).challenges,
      ).to.deep.equal([]);
      expect(
        (await listChallenges(fx.challenges, { subjectId: ethers.encodeBytes32String("OTHER") as Hex32 }))
          .challenges,
      ).to.deep.equal([]);
      expect(
        await readRoundChallenges(
          ethers.provider,
          await fx.registry.getAddress(),
          SUBJECT,
          await time.latestBlock(),
        ),
      ).to.deep.equal({
        roundId: 2n,
        disputed: false,
        openChallenges: 1,
        nextDeadline: opened.deadline,
      });
    });

    it("answers from the tree without an account id (by its leaf), with one, and from a proof package", async function () {
      const tree = fx.rounds[0]!.tree;
      // One statement, one challenge: three customers' statements, one way of answering each.
      const [alice, bob, carol] = ACCOUNTS as [Account, Account, Account];
      const ids = [];
      for (const account of [alice, bob, carol])
        ids.push((await fx.open(await fx.statement(1n, account.accountId, account.balance))).challengeId);
      const answers = [
        answerFromTree(tree, await fx.target(ids[0]!)),
        answerFromTree(tree, await fx.target(ids[1]!), bob.accountId),
        answerFromPackage(tree.prove(carol.accountId), await fx.target(ids[2]!), "carol.json"),
      ];
      // Each is the account's own proof, as `liabilities prove` gives it.
      for (const [i, account] of [alice, bob, carol].entries())
        expect(answers[i]).to.deep.equal(proofStepsForContract(tree.prove(account.accountId)));
      for (const [i, steps] of answers.entries()) {
        await send(fx.other, planAnswerChallenge(fx.to, ids[i]!, steps));
        expect((await readChallenge(fx.challenges, ids[i]!)).status).to.equal("answered");
      }
      // Answered bonds are the subject owner's to withdraw.
      expect(await fx.challenges.withdrawable(fx.owner.address)).to.equal(3n * BOND);
    });

    it("finds every account's leaf by binary search, for any account of a tree", async function () {
      const tree = fx.rounds[0]!.tree;
      const [att] = await fx.registry.getAttestation(SUBJECT, 1n);
      for (const account of ACCOUNTS) {
        const steps = answerFromTree(tree, {
          challengeId: 1n,
          subjectId: SUBJECT,
          roundId: 1n,
          accountCommitment: commitmentOf(account.accountId),
          balance: account.balance,
          liabilitiesRoot: att.liabilitiesRoot.toLowerCase() as Hex32,
          liabilities: att.liabilities,
        });
        expect(
          await fx.registry.verifyLiability(
            SUBJECT,
            1n,
            commitmentOf(account.accountId),
            account.balance,
            steps,
          ),
        ).to.equal(true);
      }
    });

    it("says a round that omits or shrinks the balance cannot be answered", async function () {
      const omitted = await fx.open(await fx.statement(2n, "bob@example.com", 980_000_000_000n));
      const round2 = fx.rounds[1]!.tree;
      const target = await fx.target(omitted.challengeId);
      expect(() => answerFromTree(round2, target)).to.throw(
        VerificationError,
        /has no leaf of commitment 0x[0-9a-f]{64} with balance 980000000000: round 2 of subject USDX omits or shrinks it, so challenge 1 cannot be answered$/,
      );
      expect(() => answerFromTree(round2, target, "bob@example.com")).to.throw(
        InvalidArgumentError,
        /no account "bob@example\.com"/,
      );
      expect(() => answerFromTree(fx.rounds[0]!.tree, target)).to.throw(
        VerificationError,
        /is not the tree of round 2/,
      );
      expect(() =>
        answerFromPackage(fx.rounds[0]!.tree.prove("bob@example.com"), target, "bob.json"),
      ).to.throw(
        VerificationError,
        /^bob\.json proves root 0x[0-9a-f]{64} with total \d+, but round 2 of subject USDX attests root/,
      );

      const shrunk = await fx.open(await fx.statement(2n, "alice@example.com", 1_250_600_000n));
      expect(() =>
        answerFromPackage(
          round2.prove("alice@example.com"),
          fakeTarget(shrunk.challengeId, target, "alice@example.com", 1_250_600_000n),
          "alice.json",
        ),
      ).to.throw(
        VerificationError,
        /^account "alice@example\.com" holds 1250500000 in alice\.json, but challenge 2 is for exactly 1250600000 \(base units\): only a proof of exactly the stated balance answers it/,
      );
      expect(() =>
        answerFromPackage(
          round2.prove("carol@example.com"),
          fakeTarget(shrunk.challengeId, target, "alice@example.com", 1_250_600_000n),
          "carol.json",
        ),
      ).to.throw(
        VerificationError,
        /^carol\.json proves account "carol@example\.com", whose commitment 0x[0-9a-f]{64} is not the challenged/,
      );
    });
  });

  describe("settling and withdrawing", function () {
    it("settles an unanswered challenge after its deadline: the round is disputed, the bond the challenger's", async function () {
      const opened = await fx.open(await fx.statement(2n, "bob@example.com", 980_000_000_000n));
      await expectRejection(
        executeCall(
          fx.other,
          planSettleChallenge(fx.to, opened.challengeId),
          DEFAULT_SEND_SETTINGS,
          "settling",
        ),
        ChainError,
        /^settling refused: challenge 1 can be settled only after its deadline/,
      );
      await time.increaseTo(opened.deadline + 1n);
      await send(fx.other, planSettleChallenge(fx.to, opened.challengeId));
      expect((await readChallenge(fx.challenges, 1n)).status).to.equal("settled");
      expect(await fx.registry.isDisputed(SUBJECT, 2n)).to.equal(true);
      expect(
        await readRoundChallenges(
          ethers.provider,
          await fx.registry.getAddress(),
          SUBJECT,
          await time.latestBlock(),
        ),
      ).to.deep.equal({ roundId: 2n, disputed: true, openChallenges: 0, nextDeadline: null });

      const before = await ethers.provider.getBalance(fx.customer.address);
      const outcome = await send(fx.customer, planWithdrawBonds(fx.to, BOND));
      const fee = outcome.gasUsed * outcome.effectiveGasPrice;
      expect(await ethers.provider.getBalance(fx.customer.address)).to.equal(before + BOND - fee);
      await expectRejection(
        executeCall(fx.customer, planWithdrawBonds(fx.to, 0n), DEFAULT_SEND_SETTINGS, "withdrawing"),
        ChainError,
        /^withdrawing refused: no bonds are owed to 0x/,
      );
    });
  });

  describe("input", function () {
    it("parses challenge windows up to 30 days, 0 and off meaning none", function () {
      expect(parseChallengeWindow("7d")).to.equal(7 * 86_400);
      expect(parseChallengeWindow("86400")).to.equal(86_400);
      expect(parseChallengeWindow("3600")).to.equal(3600);
      expect(parseChallengeWindow("30d")).to.equal(30 * 86_400);
      expect(parseChallengeWindow("0")).to.equal(0);
      expect(parseChallengeWindow("off")).to.equal(0);
      expect(() => parseChallengeWindow("31d")).to.throw(
        InvalidArgumentError,
        /^--window must be at most 30d, got 31d$/,
      );
      expect(() => parseChallengeWindow("soon")).to.throw(
        InvalidArgumentError,
        /--window must be seconds or a number with s\/m\/h\/d\/w/,
      );
    });

    it("parses native amounts in ETH, gwei or wei exactly, and reads back what formatEther writes", function () {
      expect(parseNativeAmount("0.01")).to.equal(10n ** 16n);
      expect(parseNativeAmount("0.01 ETH")).to.equal(10n ** 16n);
      expect(parseNativeAmount("10gwei")).to.equal(10n ** 10n);
      expect(parseNativeAmount("1000 wei")).to.equal(1000n);
      expect(parseNativeAmount("0")).to.equal(0n);
      expect(() => parseNativeAmount("1.5wei", "--set")).to.throw(
        InvalidArgumentError,
        /^--set has more decimals than wei allows/,
      );
      expect(() => parseNativeAmount("-1", "--set")).to.throw(
        InvalidArgumentError,
        /^--set must be an amount such as 0\.01/,
      );
      expect(() => parseNativeAmount("1 btc", "--set")).to.throw(
        InvalidArgumentError,
        /^--set must be an amount/,
      );
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (wei) => {
          expect(parseNativeAmount(formatEther(wei))).to.equal(wei);
          expect(parseNativeAmount(`${wei}wei`)).to.equal(wei);
        }),
      );
    });
  });

  after(function () {
    fx?.cleanup();
  });
});

/** `target` as a challenge of `accountId` with `balance` (same round). */
function fakeTarget(
  challengeId: bigint,
  target: AnswerTarget,
  accountId: string,
  balance: bigint,
): AnswerTarget {
  return { ...target, challengeId, accountCommitment: commitmentOf(accountId), balance };
}

async function expectRejection(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  pattern: RegExp,
): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(type);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail("accepted");
}

describe("findLeaf (binary search over a tree's sorted leaves)", function () {
  it("finds every account's leaf in any tree, and no leaf for a balance the tree does not hold", async function () {
    const scratch = scratchDir();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(
            fc.record({
              accountId: fc.stringMatching(/^[a-z0-9]{1,12}$/),
              balance: fc.bigInt({ min: 0n, max: 10n ** 24n }),
            }),
            { minLength: 1, maxLength: 40, selector: (a) => a.accountId },
          ),
          async (accounts) => {
            const { tree } = await buildAccounts(scratch.dir, accounts, { secret: SECRET });
            try {
              for (const { accountId, balance } of accounts) {
                const commitment = getBytes(commitmentOf(accountId));
                const position = findLeaf(tree, leafHash(commitment, balance));
                expect(position, accountId).to.not.equal(undefined);
                expect(tree.accountAtLeaf(position!)?.accountId).to.equal(accountId);
                expect(findLeaf(tree, leafHash(commitment, balance + 1n))).to.equal(undefined);
              }
            } finally {
              tree.close();
            }
          },
        ),
        { numRuns: process.env.CI ? 30 : 10 },
      );
    } finally {
      scratch.cleanup();
    }
  });
});
