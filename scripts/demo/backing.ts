/**
 * Demo scenes for live backing: a wrapped token whose reserves are an on-chain lock wallet, kept
 * honest by secure mint, the ratio feed and the monitor, in a reserve asset the registry admin
 * approved (and can revoke). Staged here; the logic is in src/.
 */
import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { MockERC20, ReserveBackedToken, ReserveRatioFeed, ReserveRegistry } from "../../typechain-types";
import {
  attestationDomain,
  formatAmount,
  formatRatio,
  formatRoundId,
  parseSubjectId,
  signReserveAddress,
  toChainError,
} from "../../src";
import { alertText, parseMonitorConfig, watch } from "../../src/monitor";
import type { Scene } from "./output";
import { line } from "./output";

/** What the backing scenes need from the demo's set-up. */
export interface BackingContext {
  registry: ReserveRegistry;
  admin: HardhatEthersSigner;
  registryAddress: string;
  chainId: bigint;
  issuer: HardhatEthersSigner;
  relayer: HardhatEthersSigner;
  auditors: Array<{ signer: HardhatEthersSigner; name: string }>;
}

interface WrappedState {
  original: MockERC20;
  wrapped: ReserveBackedToken;
  ratioFeed: ReserveRatioFeed;
  custodian: HardhatEthersSigner;
  user: HardhatEthersSigner;
}

const WRAPPED_SUBJECT = parseSubjectId("wUSDO");
const ORIGINAL_DECIMALS = 8;
/** The subject's decimals are the wrapped token's: the registry compares reserves with its raw supply. */
const WRAPPED_DECIMALS = 18;

const usdo = (value: bigint) => `${formatAmount(value, ORIGINAL_DECIMALS, { grouping: true })} USDO`;
const wusdo = (value: bigint) => `${formatAmount(value, WRAPPED_DECIMALS, { grouping: true })} wUSDO`;
const units = (whole: bigint, decimals: number) => whole * 10n ** BigInt(decimals);

export function backingScenes(ctx: BackingContext): Scene[] {
  let state: WrappedState;

  /** Runs the monitor's subject check once, exactly as `por monitor --once` would. */
  const monitorOnce = async (): Promise<string> => {
    const config = parseMonitorConfig(
      {
        format: "por-monitor/1",
        networks: { demo: { rpcUrl: "http://in-process.invalid" } },
        checks: [
          {
            type: "subject",
            name: "wUSDO backing",
            network: "demo",
            registry: ctx.registryAddress,
            subject: "wUSDO",
          },
        ],
      },
      "demo monitor config",
    );
    const lines: string[] = [];
    const code = await watch(config, {
      once: true,
      providers: { demo: hre.ethers.provider },
      report: (results) => lines.push(...results.map((r) => alertText(r, new Date()))),
    });
    return `exit ${code}${lines.length > 0 ? `: ${lines.join("; ")}` : " (healthy, no alert)"}`;
  };

  const showBacking = async () => {
    const [reserves, supply, ratioWad, fresh] = await ctx.registry.collateralization(WRAPPED_SUBJECT);
    const [roundId, answer] = await state.ratioFeed.latestRoundData();
    line("locked", usdo(await state.original.balanceOf(state.custodian.address)));
    line("wrapped supply", wusdo(await state.wrapped.totalSupply()));
    line(
      "ratio",
      `${formatRatio(ratioWad)} (reserves ${formatAmount(reserves, 18)} / supply ${formatAmount(supply, 18)}, ${fresh ? "live" : "stale"})`,
    );
    line(
      "ratio feed",
      `latestRoundData answer ${formatRatio(answer)} (18 decimals), round ${formatRoundId(roundId)}`,
    );
    line("monitor", await monitorOnce());
  };

  /** The decoded registry error `fn` fails with. */
  const refusal = async (fn: () => Promise<unknown>): Promise<string> => {
    try {
      await fn();
    } catch (err) {
      return toChainError("refused", err).message.replace(/^refused: /, "");
    }
    throw new Error("the registry accepted what it should refuse");
  };

  const tryMint = async (amount: bigint) => {
    try {
      await (await state.wrapped.connect(ctx.relayer).mint(state.user.address, amount)).wait();
      return `minted ${wusdo(amount)}`;
    } catch (err) {
      return `REFUSED ${toChainError("mint", err, state.wrapped.interface).message.replace(/^mint: /, "")}`;
    }
  };

  return [
    {
      title: "Wrapped token: reserves are a lock wallet on this chain (live backing)",
      run: async () => {
        const [, , , , , , custodian, user] = await hre.ethers.getSigners();
        if (!custodian || !user) throw new Error("need eight accounts");
        const original = (await hre.ethers.deployContract("MockERC20", [
          "USD Original",
          "USDO",
          ORIGINAL_DECIMALS,
        ])) as unknown as MockERC20;
        const wrapped = (await hre.ethers.deployContract("ReserveBackedToken", [
          "Wrapped USDO",
          "wUSDO",
          WRAPPED_DECIMALS,
          ctx.registryAddress,
          WRAPPED_SUBJECT,
          ctx.issuer.address,
          hre.ethers.ZeroAddress, // no sequencer uptime feed: an L1 token
          0,
        ])) as unknown as ReserveBackedToken;
        await (
          await wrapped.connect(ctx.issuer).grantRole(await wrapped.MINTER_ROLE(), ctx.relayer.address)
        ).wait();
        const originalAddress = await original.getAddress();
        const config = {
          name: "wUSDO / locked USDO",
          decimals: WRAPPED_DECIMALS,
          token: await wrapped.getAddress(),
          reserveAsset: originalAddress,
          heartbeat: 86_400,
          quorum: 1,
          auditors: [ctx.auditors[0]!.signer.address],
        };
        const register = async () =>
          (await ctx.registry.connect(ctx.issuer).registerSubject(WRAPPED_SUBJECT, config)).wait();
        // The issuer cannot pick a reserve asset whose balances it might control: the admin approves it.
        line("before approval", `REFUSED ${await refusal(register)}`);
        await (await ctx.registry.connect(ctx.admin).approveReserveAsset(originalAddress)).wait();
        line("reserve asset", `USDO approved by the registry admin (approveReserveAsset)`);
        await register();
        // The lock wallet consents to back this subject with its USDO, then the issuer registers it.
        const signature = await signReserveAddress(
          custodian,
          attestationDomain(ctx.chainId, ctx.registryAddress),
          WRAPPED_SUBJECT,
          originalAddress,
        );
        await (
          await ctx.registry
            .connect(ctx.issuer)
            .addReserveWallet(WRAPPED_SUBJECT, custodian.address, signature)
        ).wait();
        const ratioFeed = (await hre.ethers.deployContract("ReserveRatioFeed", [
          ctx.registryAddress,
          WRAPPED_SUBJECT,
        ])) as unknown as ReserveRatioFeed;
        state = { original, wrapped, ratioFeed, custodian, user };
        line("original", `${originalAddress} (USDO, ${ORIGINAL_DECIMALS} decimals)`);
        line("wrapped", `${await wrapped.getAddress()} (wUSDO, ${WRAPPED_DECIMALS} decimals, secure mint)`);
        line("subject", `wUSDO in ${WRAPPED_DECIMALS} decimals, the wrapped token's; USDO balances rescaled`);
        line("lock wallet", `${custodian.address} (signed ReserveAddress for wUSDO and USDO, registered)`);
        line("ratio feed", `${await ratioFeed.getAddress()} "${await ratioFeed.description()}"`);
      },
    },
    {
      title: "Backed: 1,000 USDO locked, 1,000 wUSDO minted",
      run: async () => {
        await (await state.original.mint(state.custodian.address, units(1_000n, ORIGINAL_DECIMALS))).wait();
        line("mint 1,000", await tryMint(units(1_000n, WRAPPED_DECIMALS)));
        await showBacking();
      },
    },
    {
      title: "Over-minted: the bridge mints without a lock, then the lock wallet is drained",
      run: async () => {
        line("mint 300", await tryMint(units(300n, WRAPPED_DECIMALS)));
        // An exploit moves 300 USDO out of the lock wallet: the wrapped supply is now over-minted.
        await (
          await state.original
            .connect(state.custodian)
            .transfer(state.user.address, units(300n, ORIGINAL_DECIMALS))
        ).wait();
        line("drained", `300 USDO left the lock wallet`);
        await showBacking();
        line("mint 1", await tryMint(units(1n, WRAPPED_DECIMALS)));
      },
    },
    {
      title: "Re-backed: the issuer restores the lock wallet",
      run: async () => {
        await (await state.original.mint(state.custodian.address, units(300n, ORIGINAL_DECIMALS))).wait();
        line("restored", "300 USDO back in the lock wallet");
        await showBacking();
        await (await state.original.mint(state.custodian.address, units(100n, ORIGINAL_DECIMALS))).wait();
        line("lock 100", "a user locks 100 USDO");
        line("mint 100", await tryMint(units(100n, WRAPPED_DECIMALS)));
      },
    },
    {
      title: "One balance backs one subject: the issuer cannot take the lock wallet away",
      run: async () => {
        // With the wallet gone the issuer could register it (its consent never expires) for a second
        // token and mint that against the same USDO: the registry refuses the removal itself.
        const remove = async () =>
          (
            await ctx.registry
              .connect(ctx.issuer)
              .removeReserveWallet(WRAPPED_SUBJECT, state.custodian.address)
          ).wait();
        line("remove wallet", `REFUSED ${await refusal(remove)}`);
      },
    },
    {
      title: "The admin revokes USDO as a reserve asset: its balances stop counting",
      run: async () => {
        await (
          await ctx.registry.connect(ctx.admin).revokeReserveAsset(await state.original.getAddress())
        ).wait();
        line("revoked", "USDO (revokeReserveAsset): live reserves read 0, not fresh");
        await showBacking();
        line("mint 1", await tryMint(units(1n, WRAPPED_DECIMALS)));
      },
    },
  ];
}
