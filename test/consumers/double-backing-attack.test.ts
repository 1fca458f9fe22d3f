/**
 * Issue 18, point 1: one balance backing two subjects. A custodian wallet W signs ReserveAddress
 * consent for two subjects X and Y of the same issuer and asset, then never acts again. The issuer
 * (a contract batching its owner calls: OwnerBatch) adds W to X and mints X against it, then tries
 * to move W to Y and mint Y too: in one transaction, back and forth to borrow from two guarded
 * pools, or in separate transactions days apart; and the same for subjects without a token, whose
 * outstanding liabilities are the latest round's attested figure. Each attempt stops at the
 * removal (ReserveWalletBacksLiabilities). The honest operations (rotating the balance to a new
 * wallet, removing an empty wallet from an under-backed subject, winding a subject down) go through.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import {
  WAD,
  addWallet,
  approveReserveAssets,
  namedSigners,
  postAttestation,
  signReserveAddress,
  subjectConfig,
} from "../helpers/backing";
import { batchCall, batchFailure, deployBackedToken } from "../helpers/consumers";

const X = ethers.id("X");
const Y = ethers.id("Y");
/** Subjects without a token: their liabilities are attested. */
const P = ethers.id("P");
const Q = ethers.id("Q");

const UNIT = 10n ** 6n;
const BALANCE = 1_000n * UNIT;
const DAY = 86_400;

async function deployDoubleBackingFixture() {
  const { admin, auditor, attacker, custodian, custodian2, lender } = await namedSigners(
    "admin",
    "auditor",
    "attacker",
    "custodian",
    "custodian2",
    "lender",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor A");
  const usdc = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
  await approveReserveAssets(registry, admin, usdc);
  const usdcAddress = await usdc.getAddress();

  const batch = (await ethers.deployContract("OwnerBatch")).connect(attacker);
  const batchAddress = await batch.getAddress();
  const execute = async (...calls: ReturnType<typeof batchCall>[]) =>
    (await batch.execute(await Promise.all(calls))).wait();

  const xToken = await deployBackedToken(registry, X, "XUSD", attacker, batch);
  const yToken = await deployBackedToken(registry, Y, "YUSD", attacker, batch);
  const auditors = [auditor.address];
  // A long heartbeat, so the attested subjects stay fresh across the "days apart" tests.
  const heartbeat = 30 * DAY;
  for (const [id, token] of [
    [X, await xToken.getAddress()],
    [Y, await yToken.getAddress()],
    [P, ethers.ZeroAddress],
    [Q, ethers.ZeroAddress],
  ] as const) {
    const config = subjectConfig(auditors, {
      name: id.slice(0, 10),
      token,
      reserveAsset: usdcAddress,
      heartbeat,
    });
    await execute(batchCall(registry, "registerSubject", [id, config]));
  }
  // The custodian consents once for each subject, then never acts again.
  const consent = Object.fromEntries(
    await Promise.all(
      [X, Y, P, Q].map(async (id) => [id, await signReserveAddress(custodian, registry, id)]),
    ),
  ) as Record<string, string>;
  await usdc.mint(custodian.address, BALANCE);
  await execute(batchCall(registry, "addReserveWallet", [X, custodian.address, consent[X]]));
  await execute(batchCall(xToken, "mint", [batchAddress, BALANCE]));

  const pool = async (token: typeof xToken, subjectId: string) => {
    const p = await ethers.deployContract("GuardedLendingPool", [
      await token.getAddress(),
      await registry.getAddress(),
      subjectId,
      WAD,
      3600,
    ]);
    return p;
  };
  const xPool = await pool(xToken, X);
  const yPool = await pool(yToken, Y);
  return {
    registry,
    usdc,
    batch,
    batchAddress,
    execute,
    xToken,
    yToken,
    xPool,
    yPool,
    consent,
    admin,
    auditor,
    custodian,
    custodian2,
    lender,
  };
}

type Fixture = Awaited<ReturnType<typeof deployDoubleBackingFixture>>;

function backsLiabilities(
  f: Fixture,
  subjectId: string,
  wallet: string,
  after: bigint,
  owed: bigint,
): string {
  return f.registry.interface.encodeErrorResult("ReserveWalletBacksLiabilities", [
    subjectId,
    wallet,
    after,
    owed,
  ]);
}

/** Moves W from `from` to `to` with its old consent. */
function moveCalls(f: Fixture, from: string, to: string) {
  return [
    batchCall(f.registry, "removeReserveWallet", [from, f.custodian.address]),
    batchCall(f.registry, "addReserveWallet", [to, f.custodian.address, f.consent[to]]),
  ];
}

/** A subject without a token whose round attests `liabilities` and whose wallet is W. */
async function attestedSubjectBackedByW(f: Fixture, subjectId: string, liabilities: bigint): Promise<void> {
  await f.execute(
    batchCall(f.registry, "addReserveWallet", [subjectId, f.custodian.address, f.consent[subjectId]]),
  );
  await postAttestation(f.registry, [f.auditor], {
    subjectId,
    asOf: await time.latest(),
    reserves: 0n, // reserves are live from the wallet on
    liabilities,
  });
}

describe("One balance cannot back two subjects (issue 18)", function () {
  describe("subjects with a token: outstanding liabilities are its supply", function () {
    it("the one-transaction move of W from X to Y and a mint of Y fails at the removal", async function () {
      const f = await loadFixture(deployDoubleBackingFixture);
      const calls = await Promise.all([
        ...moveCalls(f, X, Y),
        batchCall(f.yToken, "mint", [f.batchAddress, BALANCE]),
      ]);
      const { index, reason } = await batchFailure(f.batch, calls, f.registry.interface);
      expect(index).to.equal(0n);
      expect(reason).to.equal(backsLiabilities(f, X, f.custodian.address, 0n, BALANCE));
      await expect(f.batch.execute(calls))
        .to.be.revertedWithCustomError(f.batch, "CallFailed")
        .withArgs(0, backsLiabilities(f, X, f.custodian.address, 0n, BALANCE));
      expect(await f.registry.reserveWallets(X)).to.deep.equal([f.custodian.address]);
      expect(await f.yToken.totalSupply()).to.equal(0n);
      expect((await f.registry.collateralization(X)).ratioWad).to.equal(WAD);
    });

    it("the back-and-forth move that would borrow from both guarded pools in one transaction fails", async function () {
      const f = await loadFixture(deployDoubleBackingFixture);
      const borrowFrom = (token: typeof f.xToken, pool: typeof f.xPool) => [
        pool.getAddress().then((address) => batchCall(token, "approve", [address, BALANCE])),
        batchCall(pool, "deposit", [BALANCE]),
        batchCall(pool, "borrow", [BALANCE]),
      ];
      const calls = await Promise.all([
        ...borrowFrom(f.xToken, f.xPool),
        ...moveCalls(f, X, Y),
        batchCall(f.yToken, "mint", [f.batchAddress, BALANCE]),
        ...borrowFrom(f.yToken, f.yPool),
        ...moveCalls(f, Y, X),
      ]);
      const { index, reason } = await batchFailure(f.batch, calls, f.registry.interface);
      expect(index).to.equal(3n); // the first removal, right after the honest borrow from X's pool
      expect(reason).to.equal(backsLiabilities(f, X, f.custodian.address, 0n, BALANCE));
      expect(await f.xPool.debtOf(f.batchAddress)).to.equal(0n);
      expect(await f.yPool.debtOf(f.batchAddress)).to.equal(0n);
    });

    it("the same steps in separate transactions days apart are refused at every attempt", async function () {
      const f = await loadFixture(deployDoubleBackingFixture);
      for (const days of [0, 1, 7, 29]) {
        if (days > 0) await time.increase(days * DAY);
        const { index, reason } = await batchFailure(
          f.batch,
          [await batchCall(f.registry, "removeReserveWallet", [X, f.custodian.address])],
          f.registry.interface,
        );
        expect(index).to.equal(0n);
        expect(reason).to.equal(backsLiabilities(f, X, f.custodian.address, 0n, BALANCE));
      }
      // Y cannot take W while X holds it, and cannot mint without it.
      const add = [await batchCall(f.registry, "addReserveWallet", [Y, f.custodian.address, f.consent[Y]])];
      const { error } = await batchFailure(f.batch, add, f.registry.interface);
      expect(error.name).to.equal("ReserveWalletInUse");
      const mint = [await batchCall(f.yToken, "mint", [f.batchAddress, 1n])];
      const minted = await batchFailure(f.batch, mint, f.yToken.interface);
      expect(minted.error.name).to.equal("StaleReserves"); // no wallet, no round: nothing backs Y
    });

    it("holds while the admin has revoked the asset: balances are read all the same", async function () {
      const f = await loadFixture(deployDoubleBackingFixture);
      await f.registry.connect(f.admin).revokeReserveAsset(await f.usdc.getAddress());
      await expect(
        f.batch.execute([await batchCall(f.registry, "removeReserveWallet", [X, f.custodian.address])]),
      )
        .to.be.revertedWithCustomError(f.batch, "CallFailed")
        .withArgs(0, backsLiabilities(f, X, f.custodian.address, 0n, BALANCE));
    });

    it("a second wallet that covers only part of the supply does not free W", async function () {
      const f = await loadFixture(deployDoubleBackingFixture);
      const consent2 = await signReserveAddress(f.custodian2, f.registry, X);
      await f.usdc.mint(f.custodian2.address, 400n * UNIT);
      await f.execute(batchCall(f.registry, "addReserveWallet", [X, f.custodian2.address, consent2]));
      await expect(
        f.batch.execute([await batchCall(f.registry, "removeReserveWallet", [X, f.custodian.address])]),
      )
        .to.be.revertedWithCustomError(f.batch, "CallFailed")
        .withArgs(0, backsLiabilities(f, X, f.custodian.address, 400n * UNIT, BALANCE));
      // The surplus wallet may go: what is left still covers the supply.
      await f.usdc.mint(f.custodian.address, 400n * UNIT);
      await expect(f.execute(batchCall(f.registry, "removeReserveWallet", [X, f.custodian2.address]))).to.not
        .be.reverted;
    });
  });

  describe("subjects without a token: outstanding liabilities are the latest attested round's", function () {
    it("W cannot leave P while P's round attests liabilities, in one transaction or days later", async function () {
      const f = await loadFixture(deployDoubleBackingFixture);
      // X's tokens are burned first so that W is free, then W backs P.
      await f.execute(
        batchCall(f.xToken, "burn", [BALANCE]),
        batchCall(f.registry, "removeReserveWallet", [X, f.custodian.address]),
      );
      await attestedSubjectBackedByW(f, P, BALANCE);
      const moveAndAttest = await Promise.all(moveCalls(f, P, Q));
      for (const days of [0, 3, 20]) {
        if (days > 0) await time.increase(days * DAY);
        const { index, reason } = await batchFailure(f.batch, moveAndAttest, f.registry.interface);
        expect(index).to.equal(0n);
        expect(reason).to.equal(backsLiabilities(f, P, f.custodian.address, 0n, BALANCE));
      }
      // A round attesting less liabilities frees what it no longer needs: here everything.
      await postAttestation(f.registry, [f.auditor], {
        subjectId: P,
        asOf: await time.latest(),
        reserves: 0n,
        liabilities: 0n,
      });
      await expect(f.batch.execute(moveAndAttest))
        .to.emit(f.registry, "ReserveWalletAdded")
        .withArgs(Q, f.custodian.address);
    });

    it("before the first round nothing is owed, so W may move", async function () {
      const f = await loadFixture(deployDoubleBackingFixture);
      await f.execute(
        batchCall(f.xToken, "burn", [BALANCE]),
        batchCall(f.registry, "removeReserveWallet", [X, f.custodian.address]),
      );
      await f.execute(batchCall(f.registry, "addReserveWallet", [P, f.custodian.address, f.consent[P]]));
      await expect(f.batch.execute(await Promise.all(moveCalls(f, P, Q)))).to.emit(
        f.registry,
        "ReserveWalletRemoved",
      );
    });
  });

  describe("honest operations keep working", function () {
    it("rotation: add the new wallet, the custodian moves the funds, remove the old one", async function () {
      const f = await loadFixture(deployDoubleBackingFixture);
      const consent2 = await signReserveAddress(f.custodian2, f.registry, X);
      await f.execute(batchCall(f.registry, "addReserveWallet", [X, f.custodian2.address, consent2]));
      // Before the move, the old wallet still backs the supply.
      await expect(f.execute(batchCall(f.registry, "removeReserveWallet", [X, f.custodian.address]))).to.be
        .reverted;
      await f.usdc.connect(f.custodian).transfer(f.custodian2.address, BALANCE);
      await expect(f.execute(batchCall(f.registry, "removeReserveWallet", [X, f.custodian.address])))
        .to.emit(f.registry, "ReserveWalletRemoved")
        .withArgs(X, f.custodian.address);
      expect(await f.registry.reserveWallets(X)).to.deep.equal([f.custodian2.address]);
      expect((await f.registry.collateralization(X)).ratioWad).to.equal(WAD);
    });

    it("an empty wallet leaves an under-backed subject", async function () {
      const f = await loadFixture(deployDoubleBackingFixture);
      const consent2 = await signReserveAddress(f.custodian2, f.registry, X);
      await f.execute(batchCall(f.registry, "addReserveWallet", [X, f.custodian2.address, consent2]));
      await f.usdc.connect(f.custodian).transfer(f.lender.address, 600n * UNIT); // now under-backed
      expect((await f.registry.collateralization(X)).ratioWad).to.equal((WAD * 4n) / 10n);
      await expect(f.execute(batchCall(f.registry, "removeReserveWallet", [X, f.custodian2.address])))
        .to.emit(f.registry, "ReserveWalletRemoved")
        .withArgs(X, f.custodian2.address);
      // The wallet that still holds something stays: its 400 back part of the supply.
      await expect(
        f.batch.execute([await batchCall(f.registry, "removeReserveWallet", [X, f.custodian.address])]),
      )
        .to.be.revertedWithCustomError(f.batch, "CallFailed")
        .withArgs(0, backsLiabilities(f, X, f.custodian.address, 0n, BALANCE));
    });

    it("winding down: burn the tokens, then remove every wallet", async function () {
      const f = await loadFixture(deployDoubleBackingFixture);
      await expect(
        f.execute(
          batchCall(f.xToken, "burn", [BALANCE]),
          batchCall(f.registry, "removeReserveWallet", [X, f.custodian.address]),
        ),
      ).to.emit(f.registry, "ReserveWalletRemoved");
      expect(await f.registry.reserveWallets(X)).to.deep.equal([]);
    });

    it("an empty wallet goes even when the token's totalSupply reverts (the balance is read first)", async function () {
      const f = await loadFixture(deployDoubleBackingFixture);
      const consent2 = await signReserveAddress(f.custodian2, f.registry, X);
      await f.execute(batchCall(f.registry, "addReserveWallet", [X, f.custodian2.address, consent2]));
      // PUSH1 0 PUSH1 0 REVERT: every call to the token now reverts.
      await ethers.provider.send("hardhat_setCode", [await f.xToken.getAddress(), "0x60006000fd"]);
      await expect(f.execute(batchCall(f.registry, "removeReserveWallet", [X, f.custodian2.address])))
        .to.emit(f.registry, "ReserveWalletRemoved")
        .withArgs(X, f.custodian2.address);
      // A wallet that holds something needs the supply to be judged: refused while the token is broken.
      await expect(f.execute(batchCall(f.registry, "removeReserveWallet", [X, f.custodian.address]))).to.be
        .reverted;
    });

    it("judges in the subject's decimals: dust below one subject unit leaves an under-backed subject", async function () {
      const { admin, owner, auditor, walletA, walletB } = await namedSigners(
        "admin",
        "owner",
        "auditor",
        "walletA",
        "walletB",
      );
      const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
      await registry.accreditAuditor(auditor.address, "Auditor A");
      const asset8 = await ethers.deployContract("MockERC20", ["Asset", "A8", 8]);
      const token6 = await ethers.deployContract("MockERC20", ["Token", "T6", 6]);
      await approveReserveAssets(registry, admin, asset8);
      const config = subjectConfig([auditor.address], {
        token: await token6.getAddress(),
        reserveAsset: await asset8.getAddress(),
      });
      await registry.connect(owner).registerSubject(X, config);
      await addWallet(registry, owner, X, walletA);
      await addWallet(registry, owner, X, walletB);
      await token6.mint(owner.address, 200n * UNIT); // 200 owed
      await asset8.mint(walletA.address, 100n * 10n ** 8n); // 100 held
      await asset8.mint(walletB.address, 50n); // 0.0000005: rounds to nothing in 6 decimals
      expect(await registry.liveReserves(X)).to.equal(100n * UNIT);
      await expect(registry.connect(owner).removeReserveWallet(X, walletB.address))
        .to.emit(registry, "ReserveWalletRemoved")
        .withArgs(X, walletB.address);
      // One more base unit of the subject's is taken away by walletA's removal: refused.
      await expect(registry.connect(owner).removeReserveWallet(X, walletA.address))
        .to.be.revertedWithCustomError(registry, "ReserveWalletBacksLiabilities")
        .withArgs(X, walletA.address, 0n, 200n * UNIT);
    });

    it("a partial burn frees exactly the surplus", async function () {
      const f = await loadFixture(deployDoubleBackingFixture);
      const consent2 = await signReserveAddress(f.custodian2, f.registry, X);
      await f.usdc.mint(f.custodian2.address, 300n * UNIT);
      await f.execute(batchCall(f.registry, "addReserveWallet", [X, f.custodian2.address, consent2]));
      await f.execute(batchCall(f.xToken, "burn", [300n * UNIT])); // 700 owed, 1,300 held
      await expect(
        f.batch.execute([await batchCall(f.registry, "removeReserveWallet", [X, f.custodian.address])]),
      )
        .to.be.revertedWithCustomError(f.batch, "CallFailed")
        .withArgs(0, backsLiabilities(f, X, f.custodian.address, 300n * UNIT, 700n * UNIT));
      await expect(
        f.execute(batchCall(f.registry, "removeReserveWallet", [X, f.custodian2.address])),
      ).to.emit(f.registry, "ReserveWalletRemoved");
    });
  });
});

/**
 * The model: subjects X and Y (tokens minted by secure mint, owner = OwnerBatch), three custodian
 * wallets that consented to both. Owner transactions are batches of adds, removals, mints and burns;
 * custodians move funds between themselves and out; time passes. The chain must accept or refuse
 * each transaction exactly as the model says, and the invariant holds: an owner transaction never
 * lowers what backs a subject's outstanding liabilities, min(reserves, supply), except by burning
 * that subject's own tokens. So no subject's backed supply can be handed to another subject's.
 * The reserve asset has 8 decimals and the subjects 6, and custodians move amounts below one
 * subject unit too, so the rule's rounding (both sides in the subject's decimals) is exercised.
 */
describe("One balance, one subject: model of any owner sequence (issue 18)", function () {
  type WalletOp =
    { kind: "add"; subject: 0 | 1; wallet: number } | { kind: "remove"; subject: 0 | 1; wallet: number };
  type SupplyOp =
    { kind: "mint"; subject: 0 | 1; amount: bigint } | { kind: "burn"; subject: 0 | 1; amount: bigint };
  type OwnerOp = WalletOp | SupplyOp;
  type Step =
    | { kind: "owner"; ops: OwnerOp[] }
    | { kind: "move"; from: number; to: number | "out"; amount: bigint }
    | { kind: "wait"; days: number };

  interface Model {
    walletOf: (0 | 1 | null)[]; // which subject each wallet backs
    balances: bigint[];
    supply: [bigint, bigint];
    held: [bigint, bigint]; // tokens the batch holds (it mints to itself, burns its own)
    live: [boolean, boolean];
  }

  /** Asset base units (8 decimals) per subject base unit (6 decimals). */
  const SCALE = 100n;
  const rawReserves = (m: Model, s: 0 | 1) =>
    m.walletOf.reduce((sum, owner, w) => (owner === s ? sum + m.balances[w]! : sum), 0n);
  /** In the subject's decimals, rounded down, as the registry reads them. */
  const reserves = (m: Model, s: 0 | 1) => rawReserves(m, s) / SCALE;
  const backed = (m: Model, s: 0 | 1) => {
    const r = reserves(m, s);
    return r < m.supply[s] ? r : m.supply[s];
  };

  /** Applies `op` to `m`; returns the error name the registry or token must refuse it with, if any. */
  function apply(m: Model, op: OwnerOp): string | null {
    const s = op.subject;
    if (op.kind === "add") {
      if (m.walletOf[op.wallet] === s) return "ReserveWalletAlreadyAdded";
      if (m.walletOf[op.wallet] !== null) return "ReserveWalletInUse";
      m.walletOf[op.wallet] = s;
      m.live[s] = true;
    } else if (op.kind === "remove") {
      if (m.walletOf[op.wallet] !== s) return "ReserveWalletNotFound";
      const after = (rawReserves(m, s) - m.balances[op.wallet]!) / SCALE;
      const needed = after < m.supply[s] && after < reserves(m, s);
      if (m.supply[s] > 0n && m.balances[op.wallet]! > 0n && needed) {
        return "ReserveWalletBacksLiabilities";
      }
      m.walletOf[op.wallet] = null;
    } else if (op.kind === "mint") {
      if (!m.live[s]) return "StaleReserves";
      if (m.supply[s] + op.amount > reserves(m, s)) return "InsufficientReserves";
      m.supply[s] += op.amount;
      m.held[s] += op.amount;
    } else {
      if (op.amount > m.held[s]) return "ERC20InsufficientBalance";
      m.supply[s] -= op.amount;
      m.held[s] -= op.amount;
    }
    return null;
  }

  const clone = (m: Model): Model => ({
    walletOf: [...m.walletOf],
    balances: [...m.balances],
    supply: [...m.supply],
    held: [...m.held],
    live: [...m.live],
  });

  const amount = fc.bigInt({ min: 1n, max: 600n }).map((n) => n * UNIT);
  /** Asset amounts to move: whole units, or any number of base units (below one subject unit too). */
  const moved = fc.oneof(
    amount.map((a) => a * SCALE),
    fc.bigInt({ min: 1n, max: 600n * UNIT * SCALE }),
    fc.bigInt({ min: 1n, max: 2n * SCALE }),
  );
  const subject = fc.constantFrom(0 as const, 1 as const);
  const wallet = fc.nat({ max: 2 });
  const ownerOp: fc.Arbitrary<OwnerOp> = fc.oneof(
    fc.record({ kind: fc.constantFrom("add" as const, "remove" as const), subject, wallet }),
    fc.record({ kind: fc.constantFrom("mint" as const, "burn" as const), subject, amount }),
  );
  // The attack's shape: move a wallet from one subject to the other, then mint there.
  const moveAndMint: fc.Arbitrary<OwnerOp[]> = fc.tuple(subject, wallet, amount).map(([from, w, minted]) => {
    const to = from === 0 ? 1 : 0;
    return [
      { kind: "remove", subject: from, wallet: w },
      { kind: "add", subject: to, wallet: w },
      { kind: "mint", subject: to, amount: minted },
    ];
  });
  const ownerOps = fc.oneof(
    { weight: 3, arbitrary: fc.array(ownerOp, { minLength: 1, maxLength: 2 }) },
    { weight: 1, arbitrary: moveAndMint },
  );
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("owner" as const), ops: ownerOps }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("move" as const),
        from: fc.nat({ max: 2 }),
        to: fc.oneof(fc.nat({ max: 2 }), fc.constant("out" as const)),
        amount: moved,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("wait" as const), days: fc.integer({ min: 1, max: 40 }) }),
    },
  );

  it("property: the chain refuses exactly what the model refuses, and owner calls never lower min(reserves, supply)", async function () {
    const { admin, attacker, c0, c1, c2, sink } = await namedSigners(
      "admin",
      "attacker",
      "c0",
      "c1",
      "c2",
      "sink",
    );
    const custodians = [c0, c1, c2];
    const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
    await registry.accreditAuditor(admin.address, "Auditor");
    const usdc = await ethers.deployContract("MockERC20", ["USD Coin (8)", "USDC8", 8]);
    await approveReserveAssets(registry, admin, usdc);
    const batch = (await ethers.deployContract("OwnerBatch")).connect(attacker);
    const batchAddress = await batch.getAddress();
    const subjects = [X, Y] as const;
    const tokens = [
      await deployBackedToken(registry, X, "XUSD", attacker, batch),
      await deployBackedToken(registry, Y, "YUSD", attacker, batch),
    ] as const;
    for (const [i, id] of subjects.entries()) {
      const config = subjectConfig([admin.address], {
        name: `S${i}`,
        token: await tokens[i]!.getAddress(),
        reserveAsset: await usdc.getAddress(),
      });
      await (await batch.execute([await batchCall(registry, "registerSubject", [id, config])])).wait();
    }
    const consents = await Promise.all(
      custodians.map((c) => Promise.all(subjects.map((id) => signReserveAddress(c, registry, id)))),
    );
    const initialBalances = [1_000n * UNIT * SCALE, 500n * UNIT * SCALE, 0n];
    for (const [w, c] of custodians.entries()) await usdc.mint(c.address, initialBalances[w]!);
    const interfaces = [registry.interface, tokens[0].interface];
    // Start where the attack starts: X backed by c0 and minted, Y by c1.
    const setup: OwnerOp[] = [
      { kind: "add", subject: 0, wallet: 0 },
      { kind: "add", subject: 1, wallet: 1 },
      { kind: "mint", subject: 0, amount: 800n * UNIT },
      { kind: "mint", subject: 1, amount: 500n * UNIT },
    ];

    const call = (op: OwnerOp) => {
      const id = subjects[op.subject];
      if (op.kind === "add") {
        return batchCall(registry, "addReserveWallet", [
          id,
          custodians[op.wallet]!.address,
          consents[op.wallet]![op.subject],
        ]);
      }
      if (op.kind === "remove")
        return batchCall(registry, "removeReserveWallet", [id, custodians[op.wallet]!.address]);
      if (op.kind === "mint") return batchCall(tokens[op.subject], "mint", [batchAddress, op.amount]);
      return batchCall(tokens[op.subject], "burn", [op.amount]);
    };
    const initial: Model = {
      walletOf: [null, null, null],
      balances: [...initialBalances],
      supply: [0n, 0n],
      held: [0n, 0n],
      live: [false, false],
    };
    for (const op of setup) expect(apply(initial, op)).to.equal(null);
    await (await batch.execute(await Promise.all(setup.map(call)))).wait();

    let base: string = await ethers.provider.send("evm_snapshot", []);
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 16 }), async (steps) => {
        await ethers.provider.send("evm_revert", [base]);
        base = await ethers.provider.send("evm_snapshot", []);
        let m = clone(initial);
        for (const st of steps) {
          if (st.kind === "wait") {
            await time.increase(st.days * DAY);
            continue;
          }
          if (st.kind === "move") {
            const amountMoved = st.amount > m.balances[st.from]! ? m.balances[st.from]! : st.amount;
            const to = st.to === "out" ? sink.address : custodians[st.to]!.address;
            await (await usdc.connect(custodians[st.from]!).transfer(to, amountMoved)).wait();
            m.balances[st.from]! -= amountMoved;
            if (st.to !== "out") m.balances[st.to]! += amountMoved;
            continue;
          }
          const next = clone(m);
          let failing: { index: number; error: string } | null = null;
          for (const [index, op] of st.ops.entries()) {
            const error = apply(next, op);
            if (error !== null) {
              failing = { index, error };
              break;
            }
          }
          const calls = await Promise.all(st.ops.map(call));
          if (failing === null) {
            await (await batch.execute(calls)).wait();
            for (const s of [0, 1] as const) {
              // The invariant: only a burn of s's own tokens lowers what backs s.
              const burned = st.ops.some((op) => op.kind === "burn" && op.subject === s);
              if (!burned) expect(backed(next, s)).to.be.at.least(backed(m, s));
            }
            m = next;
          } else {
            const { index, error } = await batchFailure(batch, calls, ...interfaces);
            expect([Number(index), error.name]).to.deep.equal([failing.index, failing.error]);
          }
          for (const [s, id] of subjects.entries()) {
            expect(await registry.liveReserves(id)).to.equal(reserves(m, s as 0 | 1));
            expect(await tokens[s]!.totalSupply()).to.equal(m.supply[s]);
          }
        }
      }),
      { numRuns: process.env.CI ? 80 : 40 },
    );
  });
});
