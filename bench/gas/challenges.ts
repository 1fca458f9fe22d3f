/**
 * Gas of published proofs, customer challenges and solvency() (LiabilityChallenges), and the
 * deployed size of every contract: a section of docs/gas.md (npm run bench:gas).
 *
 * The challenged account sits in a real 24-step path (a tree of up to 16.7M customers) folded with
 * the SDK's node hashing from its leaf and random siblings, as in the verifyLiability section; the
 * root and total are attested, so the answer is a proof the registry accepts.
 */
import hre from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { accountCommitment, toHex } from "../../src/liabilities";
import { fixedRandomBytes, syntheticPath } from "./liabilities";
import { LiabilityChallenges__factory } from "../../typechain-types";
import {
  deployRegistryWithSubject,
  liabilitiesAttestation,
  postAttestation,
} from "../../test/helpers/registry";

const { ethers } = hre;
const SUBJECT = ethers.encodeBytes32String("CHALLENGED");
const DEPTH = 24;
const WINDOW = 7 * 86_400;
const BOND = ethers.parseEther("0.01");
const MAINNET_LIMIT = 24_576;
const CONTRACTS = [
  "ReserveRegistry",
  "LiabilityChallenges",
  "ReserveFeed",
  "ReserveRatioFeed",
  "PoRAddressList",
  "ReserveBackedToken",
];

const STATEMENT_TYPES = {
  BalanceStatement: [
    { name: "subjectId", type: "bytes32" },
    { name: "accountCommitment", type: "bytes32" },
    { name: "balance", type: "uint256" },
    { name: "asOf", type: "uint64" },
  ],
};

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return receipt.gasUsed;
}

function n(value: bigint | number): string {
  return value.toLocaleString("en-US");
}

/** Deployed bytecode sizes against Ethereum's limit: on-chain code where `deployed` has it. */
async function sizeRows(deployed: Record<string, string>): Promise<string[]> {
  return Promise.all(
    CONTRACTS.map(async (name) => {
      const address = deployed[name];
      const code =
        address === undefined
          ? (await hre.artifacts.readArtifact(name)).deployedBytecode
          : await ethers.provider.getCode(address);
      const bytes = (code.length - 2) / 2;
      return `| ${name} | ${n(bytes)} | ${n(MAINNET_LIMIT - bytes)} |`;
    }),
  );
}

/** Gas of the challenge flow and solvency(), and contract sizes, as a markdown section. */
export async function challengesGasSection(): Promise<string> {
  const [owner, , , customer, spammer] = await ethers.getSigners();
  const { registry, auditor } = await deployRegistryWithSubject(SUBJECT);
  const challenges = LiabilityChallenges__factory.connect(await registry.challenges(), owner!);
  await challenges.setChallengeBond(BOND);
  await challenges.setStatementSigner(SUBJECT, owner!.address);
  await challenges.setChallengeWindow(SUBJECT, WINDOW);
  await ethers.provider.send("evm_mine", []);

  const balance = 1234n * 10n ** 18n + 567n;
  const commitment = accountCommitment(fixedRandomBytes("salt 42"), "customer-000000042");
  const { steps, root } = syntheticPath(commitment, balance, DEPTH);
  await postAttestation(registry, auditor, await liabilitiesAttestation(SUBJECT, toHex(root.hash), root.sum));
  const round = await registry.latestRoundId(SUBJECT);
  const [att] = await registry.getAttestation(SUBJECT, round);
  const domain = {
    name: "ReserveRegistry",
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await registry.getAddress(),
  };
  const statement = (account: Uint8Array, amount: bigint) =>
    owner!.signTypedData(domain, STATEMENT_TYPES, {
      subjectId: SUBJECT,
      accountCommitment: toHex(account),
      balance: amount,
      asOf: att.asOf,
    });

  const publish = await gasOf(
    challenges.publishProofs(
      SUBJECT,
      round,
      ethers.id("manifest"),
      "https://proofs.example.com/usdx/round-1/",
    ),
  );
  const open = await gasOf(
    challenges
      .connect(customer!)
      .challenge(SUBJECT, round, toHex(commitment), balance, await statement(commitment, balance), {
        value: BOND,
      }),
  );
  const proof = steps.map((s) => ({ hash: toHex(s.hash), sum: s.sum }));
  const answer = await gasOf(challenges.answerChallenge(1n, proof));

  // An omitted account: nobody can answer, so it is settled after the deadline.
  const omitted = accountCommitment(fixedRandomBytes("salt omitted"), "customer-omitted");
  await challenges
    .connect(spammer!)
    .challenge(SUBJECT, round, toHex(omitted), 5n, await statement(omitted, 5n), { value: BOND });
  await ethers.provider.send("evm_increaseTime", [WINDOW + 1]);
  await ethers.provider.send("evm_mine", []);
  const settle = await gasOf(challenges.settleChallenge(2n));
  const withdraw = await gasOf(challenges.connect(spammer!).withdraw());
  const solvency = await challenges.solvency.estimateGas(SUBJECT);
  const solvencyRead = await challenges.solvency(SUBJECT);
  if (!solvencyRead.disputed || !solvencyRead.proofsPublished) throw new Error("solvency() reads wrong");

  return `## Published proofs, challenges and solvency (LiabilityChallenges)

Receipts (\`gasUsed\`, 21,000 base and calldata included) of the flow in docs/protocol.md, on a
round whose tree is ${DEPTH} levels deep (up to ${n(2 ** DEPTH)} customers); \`solvency\` is
\`eth_estimateGas\` of a direct call.

| operation | gas |
|---|---:|
| publishProofs (manifest hash and a 40-byte URI) | ${n(publish)} |
| challenge (EOA statement signer, bond paid) | ${n(open)} |
| answerChallenge (${DEPTH}-step proof) | ${n(answer)} |
| settleChallenge (round disputed) | ${n(settle)} |
| withdraw (bond returned) | ${n(withdraw)} |
| solvency (estimateGas, direct) | ${n(solvency)} |

- \`challenge\` reads the round (cold registry calls), looks the window and the statement signer up
  in their checkpoints, checks the EIP-712 statement (the registry computes the digest) and writes
  the challenge (5 slots) and the round's open count.
- \`answerChallenge\` is dominated by \`verifyLiability\` (one keccak256 per step, the proof's
  calldata) and the subject read that names who gets the bond.

## Contract sizes

Deployed bytecode against Ethereum's ${n(MAINNET_LIMIT)}-byte limit (EIP-170). ReserveRegistry is
compiled with 200 optimizer runs (size first; every other contract with the runs above), and
creates its LiabilityChallenges in its constructor: the challenges' creation code is in the
registry's init code only (the deployed LiabilityChallenges is compiled in the registry's job, so
its size here is read from the chain, as is the registry's).

| contract | bytes | headroom |
|---|---:|---:|
${(
  await sizeRows({
    ReserveRegistry: await registry.getAddress(),
    LiabilityChallenges: await challenges.getAddress(),
  })
).join("\n")}
`;
}
