/**
 * Gas of the backing features: collateralization, liveReserves with 1, 10 and 50 wallets, the feeds
 * on attested and wallet-backed subjects, a secure mint, a ReserveGuard-protected borrow and
 * addReserveWallet (EOA vs ERC-1271). Writes a section of docs/gas.md (npm run bench:gas).
 */
import { ethers } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import {
  addWallet,
  approveReserveAssets,
  namedSigners,
  offlineWallets,
  postAttestation,
  signReserveAddress,
  subjectConfig,
} from "../../test/helpers/backing";
import { calldataGas, reportTarget } from "./targets";

interface Row {
  operation: string;
  setup: string;
  gas: bigint;
  method: "estimateGas" | "receipt";
}

async function gasUsed(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt.gasUsed;
}

/** Gas of reserve wallets, collateralization, secure mint and the guard, as a markdown section. */
export async function backingGasSection(): Promise<string> {
  const rows: Row[] = [];
  const { admin, owner, auditor, minter, alice, walletOwner } = await namedSigners(
    "admin",
    "owner",
    "auditor",
    "minter",
    "alice",
    "walletOwner",
  );
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await (await registry.accreditAuditor(auditor.address, "Auditor A")).wait();
  const registryAddress = await registry.getAddress();
  const auditors = [auditor.address];
  const now = async () => (await ethers.provider.getBlock("latest"))!.timestamp;

  // Chainlink's L2 sequencer uptime feed (test double), up since the grace period ago, before any
  // attestation so that the attestations stay fresh.
  const SEQUENCER_GRACE_SECONDS = 3600;
  const sequencer = await ethers.deployContract("SequencerUptimeFeedMock");
  await (await sequencer.initialize(false)).wait();
  await ethers.provider.send("evm_increaseTime", [SEQUENCER_GRACE_SECONDS]);
  await ethers.provider.send("evm_mine", []);

  // Attested only: no token, no reserve wallets.
  const ATTESTED = ethers.id("bench-attested");
  await (await registry.connect(owner).registerSubject(ATTESTED, subjectConfig(auditors))).wait();
  await postAttestation(registry, [auditor], {
    subjectId: ATTESTED,
    asOf: await now(),
    reserves: 10n ** 12n,
    liabilities: 10n ** 12n,
  });
  rows.push({
    operation: "collateralization",
    setup: "attested reserves and liabilities",
    gas: await registry.collateralization.estimateGas(ATTESTED),
    method: "estimateGas",
  });

  // Live reserves (N wallets of a 6-decimal asset, approved by the admin) + a token.
  const reserve = await ethers.deployContract("MockERC20", ["Reserve", "R6", 6]);
  await approveReserveAssets(registry, admin, reserve);
  const wallets = offlineWallets(50, "bench");
  for (const count of [1, 10, 50]) {
    const subjectId = ethers.id(`bench-live-${count}`);
    const token = await ethers.deployContract("MockERC20", ["Token", "T6", 6]);
    await (await token.mint(alice.address, 10n ** 12n)).wait();
    const config = subjectConfig(auditors, {
      name: `live ${count}`,
      token: await token.getAddress(),
      reserveAsset: await reserve.getAddress(),
    });
    await (await registry.connect(owner).registerSubject(subjectId, config)).wait();
    for (const wallet of wallets.slice(0, count)) await addWallet(registry, owner, subjectId, wallet);
    rows.push({
      operation: "liveReserves",
      setup: `${count} wallet${count === 1 ? "" : "s"}`,
      gas: await registry.liveReserves.estimateGas(subjectId),
      method: "estimateGas",
    });
    if (count === 1 || count === 50) {
      rows.push({
        operation: "collateralization",
        setup: `live reserves (${count} wallet${count === 1 ? "" : "s"}) + token supply`,
        gas: await registry.collateralization.estimateGas(subjectId),
        method: "estimateGas",
      });
    }
    // Free the wallets for the next subject with the same reserve asset.
    for (const wallet of wallets.slice(0, count)) {
      await (await registry.connect(owner).removeReserveWallet(subjectId, wallet.address)).wait();
    }
  }

  // Secure mint: attested reserves, and live reserves (one wallet).
  const minterRole = ethers.id("MINTER_ROLE");
  const MINT_ATTESTED = ethers.id("bench-mint-attested");
  const attestedToken = await ethers.deployContract("ReserveBackedToken", [
    "USD A",
    "USDA",
    6,
    registryAddress,
    MINT_ATTESTED,
    admin.address,
    ethers.ZeroAddress, // no sequencer uptime feed: an L1 token
    0,
  ]);
  await (await attestedToken.grantRole(minterRole, minter.address)).wait();
  await (
    await registry
      .connect(owner)
      .registerSubject(MINT_ATTESTED, subjectConfig(auditors, { token: await attestedToken.getAddress() }))
  ).wait();
  await postAttestation(registry, [auditor], {
    subjectId: MINT_ATTESTED,
    asOf: await now(),
    reserves: 10n ** 15n,
    liabilities: 0n,
  });

  // The same, on an L2: the token also checks the sequencer uptime feed before minting.
  const MINT_L2 = ethers.id("bench-mint-l2");
  const l2Token = await ethers.deployContract("ReserveBackedToken", [
    "USD R",
    "USDR",
    6,
    registryAddress,
    MINT_L2,
    admin.address,
    await sequencer.getAddress(),
    SEQUENCER_GRACE_SECONDS,
  ]);
  await (await l2Token.grantRole(minterRole, minter.address)).wait();
  await (
    await registry
      .connect(owner)
      .registerSubject(
        MINT_L2,
        subjectConfig(auditors, { name: "L2 mint", token: await l2Token.getAddress() }),
      )
  ).wait();
  await postAttestation(registry, [auditor], {
    subjectId: MINT_L2,
    asOf: await now(),
    reserves: 10n ** 15n,
    liabilities: 0n,
  });

  const MINT_LIVE = ethers.id("bench-mint-live");
  const liveToken = await ethers.deployContract("ReserveBackedToken", [
    "USD L",
    "USDL",
    6,
    registryAddress,
    MINT_LIVE,
    admin.address,
    ethers.ZeroAddress, // no sequencer uptime feed: an L1 token
    0,
  ]);
  await (await liveToken.grantRole(minterRole, minter.address)).wait();
  const liveReserve = await ethers.deployContract("MockERC20", ["Reserve L", "RL", 6]);
  await approveReserveAssets(registry, admin, liveReserve);
  await (
    await registry.connect(owner).registerSubject(
      MINT_LIVE,
      subjectConfig(auditors, {
        name: "live mint",
        token: await liveToken.getAddress(),
        reserveAsset: await liveReserve.getAddress(),
      }),
    )
  ).wait();
  await addWallet(registry, owner, MINT_LIVE, wallets[0]!);
  await (await liveReserve.mint(wallets[0]!.address, 10n ** 15n)).wait();

  for (const [label, token] of [
    ["attested reserves", attestedToken],
    ["attested reserves, L2 sequencer feed", l2Token],
    ["live reserves (1 wallet)", liveToken],
  ] as const) {
    const first = await gasUsed(token.connect(minter).mint(alice.address, 10n ** 6n));
    const next = await gasUsed(token.connect(minter).mint(alice.address, 10n ** 6n));
    rows.push({
      operation: "ReserveBackedToken.mint",
      setup: `${label}, new holder`,
      gas: first,
      method: "receipt",
    });
    rows.push({
      operation: "ReserveBackedToken.mint",
      setup: `${label}, existing holder`,
      gas: next,
      method: "receipt",
    });
  }

  // The feeds a lending protocol reads (after the mints: supply is not 0), attested vs one wallet.
  for (const [label, subjectId] of [
    ["attested reserves", MINT_ATTESTED],
    ["live reserves (1 wallet)", MINT_LIVE],
  ] as const) {
    for (const feedName of ["ReserveFeed", "ReserveRatioFeed"] as const) {
      const feed = await ethers.deployContract(feedName, [registryAddress, subjectId]);
      const data = feed.interface.encodeFunctionData("latestRoundData");
      const gas = await ethers.provider.estimateGas({ to: await feed.getAddress(), data });
      rows.push({
        operation: `${feedName}.latestRoundData`,
        setup: feedName === "ReserveFeed" ? label : `${label} + token supply`,
        gas,
        method: "estimateGas",
      });
      if (feedName === "ReserveFeed") {
        const execution = gas - 21_000n - BigInt(calldataGas(data));
        reportTarget(subjectId === MINT_LIVE ? "feedLive1" : "feedAttested", execution);
      }
    }
  }

  // ReserveGuard inline: borrow in the test pool (after a deposit), attested and live.
  for (const [label, token, subjectId] of [
    ["attested reserves", attestedToken, MINT_ATTESTED],
    ["live reserves (1 wallet)", liveToken, MINT_LIVE],
  ] as const) {
    const pool = await ethers.deployContract("GuardedLendingPool", [
      await token.getAddress(),
      registryAddress,
      subjectId,
      10n ** 18n,
      3600,
    ]);
    await (await token.connect(alice).approve(await pool.getAddress(), ethers.MaxUint256)).wait();
    const deposit = await gasUsed(pool.connect(alice).deposit(10n ** 6n));
    await gasUsed(pool.connect(alice).borrow(1n));
    const borrow = await gasUsed(pool.connect(alice).borrow(1n));
    rows.push({ operation: "GuardedLendingPool.deposit", setup: label, gas: deposit, method: "receipt" });
    rows.push({
      operation: "GuardedLendingPool.borrow",
      setup: `${label}, existing debt`,
      gas: borrow,
      method: "receipt",
    });
  }

  // ReserveGuard's L2 variant: the same borrow, after the sequencer uptime feed check.
  const l2Pool = await ethers.deployContract("L2GuardedLendingPool", [
    await attestedToken.getAddress(),
    registryAddress,
    MINT_ATTESTED,
    10n ** 18n,
    3600,
    await sequencer.getAddress(),
    SEQUENCER_GRACE_SECONDS,
  ]);
  await (await attestedToken.connect(alice).approve(await l2Pool.getAddress(), ethers.MaxUint256)).wait();
  await gasUsed(l2Pool.connect(alice).deposit(10n ** 6n));
  await gasUsed(l2Pool.connect(alice).borrow(1n));
  rows.push({
    operation: "L2GuardedLendingPool.borrow",
    setup: "attested reserves, existing debt, L2 sequencer feed",
    gas: await gasUsed(l2Pool.connect(alice).borrow(1n)),
    method: "receipt",
  });

  // addReserveWallet: EOA (ECDSA) vs contract wallet (ERC-1271), both the subject's first wallet.
  const ADD_EOA = ethers.id("bench-add-eoa");
  const ADD_1271 = ethers.id("bench-add-1271");
  for (const subjectId of [ADD_EOA, ADD_1271]) {
    await (
      await registry
        .connect(owner)
        .registerSubject(subjectId, subjectConfig(auditors, { reserveAsset: await reserve.getAddress() }))
    ).wait();
  }
  const eoa = wallets[1]!;
  rows.push({
    operation: "addReserveWallet",
    setup: "EOA wallet (ECDSA)",
    gas: await gasUsed(
      registry
        .connect(owner)
        .addReserveWallet(ADD_EOA, eoa.address, await signReserveAddress(eoa, registry, ADD_EOA)),
    ),
    method: "receipt",
  });
  const contractWallet = await ethers.deployContract("ERC1271Wallet", [walletOwner.address]);
  const contractWalletAddress = await contractWallet.getAddress();
  rows.push({
    operation: "addReserveWallet",
    setup: "contract wallet (ERC-1271)",
    gas: await gasUsed(
      registry
        .connect(owner)
        .addReserveWallet(
          ADD_1271,
          contractWalletAddress,
          await signReserveAddress(walletOwner, registry, ADD_1271, contractWalletAddress),
        ),
    ),
    method: "receipt",
  });

  // removeReserveWallet: a removal reads what it takes away only when the subject owes something
  // (the token's supply) and the wallet holds a balance; then every wallet, to compare the rest.
  const removal = ethers.id("bench-remove");
  const removalToken = await ethers.deployContract("MockERC20", ["Token", "T6", 6]);
  await (
    await registry.connect(owner).registerSubject(
      removal,
      subjectConfig(auditors, {
        name: "removal",
        token: await removalToken.getAddress(),
        reserveAsset: await reserve.getAddress(),
      }),
    )
  ).wait();
  const removalWallets = offlineWallets(10, "bench-remove");
  for (const wallet of removalWallets) {
    await addWallet(registry, owner, removal, wallet);
    await (await reserve.mint(wallet.address, 10n ** 6n)).wait();
  }
  const removeRow = async (setup: string, wallet: string) =>
    rows.push({
      operation: "removeReserveWallet",
      setup,
      gas: await gasUsed(registry.connect(owner).removeReserveWallet(removal, wallet)),
      method: "receipt",
    });
  await removeRow("nothing owed (token supply 0), 10 wallets", removalWallets[9]!.address);
  await (await removalToken.mint(alice.address, 10n ** 6n)).wait(); // one wallet's worth owed
  const emptied = offlineWallets(1, "bench-remove-empty")[0]!;
  await addWallet(registry, owner, removal, emptied);
  await removeRow("zero-balance wallet, 10 wallets", emptied.address);
  await removeRow("surplus wallet of a backed token, 9 wallets", removalWallets[8]!.address);
  // Down to two wallets (each removal leaves enough), then the row's.
  for (const wallet of removalWallets.slice(2, 8)) {
    await (await registry.connect(owner).removeReserveWallet(removal, wallet.address)).wait();
  }
  await removeRow("surplus wallet of a backed token, 2 wallets", removalWallets[1]!.address);

  const order = [
    "collateralization",
    "liveReserves",
    "ReserveFeed.latestRoundData",
    "ReserveRatioFeed.latestRoundData",
    "ReserveBackedToken.mint",
    "GuardedLendingPool.deposit",
    "GuardedLendingPool.borrow",
    "L2GuardedLendingPool.borrow",
    "addReserveWallet",
    "removeReserveWallet",
  ];
  rows.sort((a, b) => order.indexOf(a.operation) - order.indexOf(b.operation)); // stable: keeps setup order
  const table = [
    "| Operation | Setup | Gas | Measured by |",
    "| --- | --- | ---: | --- |",
    ...rows.map(
      (r) => `| \`${r.operation}\` | ${r.setup} | ${r.gas.toLocaleString("en-US")} | ${r.method} |`,
    ),
  ].join("\n");
  return `## Backing: reserve wallets, collateralization, secure mint

- **estimateGas** rows are \`eth_estimateGas\` of a direct call to the view: they include the
  21,000 base transaction cost and calldata, so the cost of the same read made by a contract
  (\`CALL\` from another contract) is roughly the figure minus 21,000 and minus ~16 gas per
  calldata byte, plus the caller's \`CALL\` overhead (a few hundred gas, or ~2,600 more for a cold
  registry address).
- **receipt** rows are \`gasUsed\` of a mined transaction (base cost included). Reserve wallets hold
  a 6-decimal MockERC20 the admin approved; each wallet costs a cold storage read of its address
  in the registry, a cold \`CALL\` to the token and the token's own balance read (about 5.3k), which is
  why MAX_RESERVE_WALLETS (50) bounds them.
- Feed rows read through the registry: a wallet-backed subject's \`ReserveFeed\` answers the live
  balances (round id \`LIVE_FLAG | block.number\`), an attested one the latest round. A live reading
  reads the subject's round-state slot (is it live?), one slot holding its reserve asset, decimals and
  wallet count, the asset's approval, then each wallet (a fixed array: no length read); an attested
  one reads the round-state slot and the round's amounts.
- \`addReserveWallet\` rows add a subject's first wallet, which also marks its reserves live for
  good (a zero-to-non-zero write in the subject's round-state slot when no round was posted yet),
  after checking that the reserve asset is approved.
- \`removeReserveWallet\` rows (issue 18): a removal may not lower what backs the subject's outstanding
  liabilities, so it reads the token's supply, then (only when something is owed) the wallet's balance,
  then (only when that is not 0) every listed wallet's balance and the asset's decimals. Before issue 18
  the same rows cost 53,253, 53,265, 50,998 and 35,784.
- Secure-mint rows call \`collateralization\` inline (and the token's own \`totalSupply\` through the
  registry); "new holder" pays the zero-to-non-zero balance write.

${table}
`;
}
