/**
 * Gas benchmark: measures postAttestation (quorum 1, 2, 3, first round vs later round, EOA and
 * ERC-1271 signers) from transaction receipts, and the read path a lending protocol pays for
 * (ReserveFeed.latestRoundData, directly and through LendingPoolConsumer) with estimateGas, then
 * writes docs/gas.md.
 *
 * Run with `npm run bench:gas` (`hardhat run bench/gas.ts`) on the in-process Hardhat network.
 * Numbers are deterministic: accounts, contract addresses, snapshot times and thus signatures
 * (RFC 6979) are fixed, so calldata and gas are the same on every run.
 */
import hre, { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Signer, TypedDataDomain } from "ethers";
import type { ReserveRegistry } from "../../typechain-types";
import { assembleSafeSignature, safeMessageHash, signSafeMessage } from "../../src";
import type { Address } from "../../src";
import { createSafe, deploySafeContracts } from "../../test/helpers/safe";
import {
  ATTESTATION_TYPES,
  type Attestation,
  ascending,
  registryDomain,
  signAttestation,
  subjectIdOf,
} from "../../test/helpers/reserve-registry";
import { reportTarget } from "./targets";

/** First block time, fixed so every snapshot time (and so every signature) is the same each run. */
const START_TIME = 2_000_000_000;
const HOUR = 3600;

interface Auditor {
  address: string;
  /** Its signature of `att` under `domain`: an EOA's or an ERC-1271 wallet's owner's, or a Safe's owners' assembled. */
  sign(domain: TypedDataDomain, att: Attestation): Promise<string>;
}

/** An auditor whose signature is `signer`'s EIP-712 signature (an EOA, or the owner of ERC1271Wallet). */
function signingWith(address: string, signer: Signer): Auditor {
  return { address, sign: (domain, att) => signAttestation(signer, domain, att) };
}

interface Row {
  operation: string;
  quorum: string;
  round: string;
  gas: bigint;
}

/** Gas of the registry write path and the feed read path, as a markdown section. */
export async function registryGasSection(): Promise<string> {
  if (hre.network.name !== "hardhat") throw new Error("run on the in-process hardhat network");
  await hre.network.provider.send("evm_setNextBlockTimestamp", [START_TIME]);
  const [admin, relayer, walletOwner, ...rest] = await ethers.getSigners();
  if (!admin || !relayer || !walletOwner || rest.length < 3) throw new Error("need 6 Hardhat accounts");
  const eoas: Auditor[] = ascending(rest.slice(0, 3)).map((s: HardhatEthersSigner) =>
    signingWith(s.address, s),
  );

  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  const wallet = await ethers.deployContract("ERC1271Wallet", [walletOwner.address]);
  const walletAuditor = signingWith(await wallet.getAddress(), walletOwner);
  for (const a of [...eoas, walletAuditor]) await registry.accreditAuditor(a.address, "Auditor");
  // A 2-of-3 Safe 1.4.1 (the real contracts) with CompatibilityFallbackHandler, signing through ERC-1271.
  const safeOwners = rest.slice(3, 6);
  if (safeOwners.length < 3) throw new Error("need 9 Hardhat accounts");
  const safe = await createSafe(
    admin,
    await deploySafeContracts(admin),
    safeOwners.map((o) => o.address),
    2,
  );
  const { chainId } = await ethers.provider.getNetwork();
  const safeAuditor: Auditor = {
    address: safe,
    sign: async (domain, att) => {
      const digest = ethers.TypedDataEncoder.hash(domain, ATTESTATION_TYPES, att);
      const parts = await Promise.all(
        safeOwners.slice(0, 2).map((o) => signSafeMessage(o, chainId, safe, digest)),
      );
      return assembleSafeSignature(safeMessageHash(chainId, safe, digest), parts, {
        safe,
        owners: safeOwners.map((o) => o.address as Address),
        threshold: 2,
      });
    },
  };
  await registry.accreditAuditor(safe, "Safe auditor");

  const subjects: { label: string; quorum: number; auditors: Auditor[] }[] = [
    { label: "EOA", quorum: 1, auditors: eoas.slice(0, 1) },
    { label: "EOA", quorum: 2, auditors: eoas.slice(0, 2) },
    { label: "EOA", quorum: 3, auditors: eoas.slice(0, 3) },
    { label: "ERC-1271 wallet", quorum: 1, auditors: [walletAuditor] },
    { label: "EOA + ERC-1271 wallet", quorum: 2, auditors: [eoas[0]!, walletAuditor] },
    { label: "EOA + Safe 2-of-3", quorum: 2, auditors: [eoas[0]!, safeAuditor] },
  ];

  const rows: Row[] = [];
  const domain = await registryDomain(registry);
  let feedSubject = "";
  for (const s of subjects) {
    const subjectId = subjectIdOf(`gas bench: ${s.label}, quorum ${s.quorum}`);
    feedSubject ||= subjectId;
    const register = await registry.registerSubject(subjectId, {
      name: `Bench ${s.label} q${s.quorum}`,
      decimals: 6,
      token: ethers.ZeroAddress,
      reserveAsset: ethers.ZeroAddress,
      heartbeat: 24 * HOUR,
      quorum: s.quorum,
      auditors: s.auditors.map((a) => a.address),
    });
    if (s.label === "EOA") {
      rows.push({
        operation: "registerSubject",
        quorum: `${s.quorum} of ${s.quorum}`,
        round: "",
        gas: await gasOf(register),
      });
    }
    for (const [i, round] of ["first", "later"].entries()) {
      const att: Attestation = {
        subjectId,
        asOf: START_TIME - 2 * HOUR + i * HOUR,
        reserves: 1_050_000_000_000n,
        liabilities: 1_000_000_000_000n,
        liabilitiesRoot: ethers.id(`root ${i}`),
        reportHash: ethers.id(`report ${i}`),
      };
      const tx = await post(registry, relayer, domain, att, s.auditors);
      rows.push({
        operation: `postAttestation (${s.label})`,
        quorum: `${s.quorum} of ${s.auditors.length}`,
        round,
        gas: await gasOf(tx),
      });
    }
  }

  reportTarget("postLaterQuorum2", laterEoaPosting(rows, 2));
  reportTarget("extraSigner", Number(perExtraSigner(rows)));

  const feed = await ethers.deployContract("ReserveFeed", [await registry.getAddress(), feedSubject]);
  const consumer = await ethers.deployContract("LendingPoolConsumer", [await feed.getAddress(), 24 * HOUR]);
  const feedRead = await ethers.provider.estimateGas({
    to: await feed.getAddress(),
    data: feed.interface.encodeFunctionData("latestRoundData"),
  });
  const consumerRead = await ethers.provider.estimateGas({
    to: await consumer.getAddress(),
    data: consumer.interface.encodeFunctionData("reserves"),
  });
  rows.push({
    operation: "ReserveFeed.latestRoundData (estimateGas, direct)",
    quorum: "",
    round: "",
    gas: feedRead,
  });
  rows.push({
    operation: "LendingPoolConsumer.reserves → latestRoundData (estimateGas)",
    quorum: "",
    round: "",
    gas: consumerRead,
  });

  return render(rows);
}

async function post(
  registry: ReserveRegistry,
  relayer: HardhatEthersSigner,
  domain: Awaited<ReturnType<typeof registryDomain>>,
  att: Attestation,
  auditors: Auditor[],
) {
  const sorted = ascending(auditors);
  const signatures = await Promise.all(sorted.map((a) => a.sign(domain, att)));
  return registry.connect(relayer).postAttestation(
    att,
    sorted.map((a) => a.address),
    signatures,
  );
}

async function gasOf(tx: { wait(): Promise<{ gasUsed: bigint } | null> }): Promise<bigint> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("transaction not mined");
  return receipt.gasUsed;
}

function laterEoaPosting(rows: Row[], quorum: number): bigint {
  const row = rows.find(
    (r) =>
      r.operation === "postAttestation (EOA)" && r.round === "later" && r.quorum === `${quorum} of ${quorum}`,
  );
  if (!row) throw new Error(`BUG: no later EOA posting of quorum ${quorum}`);
  return row.gas;
}

/** Mean cost of one more EOA signer, quorum 1 → 3, later rounds. */
function perExtraSigner(rows: Row[]): bigint {
  return (laterEoaPosting(rows, 3) - laterEoaPosting(rows, 1)) / 2n;
}

function render(rows: Row[]): string {
  const fmt = (n: bigint) => n.toLocaleString("en-US");
  const lines = [
    "## Registry and reserve feed",
    "",
    "Gas used by the registry's write path (from transaction receipts, so including the 21,000",
    "intrinsic cost and calldata) and by the read path a lending protocol pays for (`eth_estimateGas`,",
    "which also includes the 21,000 intrinsic cost; a contract making the same call inside its own",
    "transaction pays the estimate minus 21,000 and the calldata).",
    "",
    "| operation | quorum (signers of listed) | round | gas |",
    "|---|---|---|---:|",
    ...rows.map((r) => `| ${r.operation} | ${r.quorum} | ${r.round} | ${fmt(r.gas)} |`),
    "",
    "- **first** is a subject's round 1: the subject slot holding its round state (latest round id,",
    "  snapshot time and heartbeat, packed) goes from zero to non-zero (17,100 more than round 2,",
    "  **later**, where it is already set). Every round writes 4 fresh storage slots: asOf, postedAt,",
    "  the signers' bitmap over the subject's auditors and the dispute flag share one, both amounts",
    "  (at most 2^128 - 1) another, then the liabilities root and the report hash. Besides them a",
    "  posting reads the subject's round-state slot and its slot of owner, quorum, heartbeat and",
    "  checked revocation count (both cold), and the registry's revocation count (one cold slot).",
    `- Each further EOA signer costs about ${fmt(perExtraSigner(rows))}: \`ecrecover\` (3,000 and the call to`,
    "  it), one cold storage read (the signer's position in the subject's auditors, 2,100), its",
    "  calldata (address, offset, length and 65-byte signature padded to 96: about 1,800) and its 32",
    "  bytes in the event. Its accreditation is not read per signer: the subject records the",
    "  registry's revocation count when its auditors were last checked (at registration and every",
    "  update), and only after a revocation since then does a posting read each signer's",
    "  accreditation again (2,100 more per signer, until the owner updates the subject).",
    "- The signature is tried as the signer's own key first, so an EOA pays no `EXTCODESIZE`. An",
    "  ERC-1271 wallet with a 65-byte signature pays a first `ecrecover` (which recovers its owner, not",
    "  the wallet), then the cold call to the wallet, which runs its own; a longer signature (a Safe's)",
    "  goes to ERC-1271 at once.",
    "- A Safe signer (Safe 1.4.1 proxy, 2-of-3, CompatibilityFallbackHandler) goes proxy → singleton →",
    "  fallback handler → back to the Safe (`isValidSignature(bytes,bytes)`) → `checkSignatures`: two",
    "  `ecrecover`s, the owners' linked-list reads and 130 bytes of signature calldata; see docs/safe.md.",
    "",
    "",
  ];
  return lines.join("\n");
}
