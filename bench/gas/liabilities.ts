/**
 * Gas of ReserveRegistry.verifyLiability by proof length, on the in-process Hardhat network:
 * a section of docs/gas.md (npm run bench:gas).
 *
 * A tree of 2^20 leaves is not built: for each depth, the proof is a real path through a tree
 * folded with the SDK's node hashing from one customer leaf and random siblings whose sums are
 * those of full subtrees of 18-decimal balances, so the root and total the registry attests are
 * exactly what the proof reproduces (verifyLiability returns true, which is checked).
 */
import { randomBytes } from "node:crypto";
import hre from "hardhat";
import { accountCommitment, leafHash, parentNode, toHex, type SumNode } from "../../src/liabilities";
import {
  deployRegistryWithSubject,
  liabilitiesAttestation,
  postAttestation,
} from "../../test/helpers/registry";

const { ethers } = hre;
const SUBJECT = ethers.encodeBytes32String("GAS");
const DEPTHS = [1, 10, 17, 20, 24];

function calldataGas(data: string): number {
  let gas = 0;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4 : 16;
  return gas;
}

/** Gas of verifyLiability by proof depth, as a markdown section. */
export async function liabilitiesGasSection(): Promise<string> {
  const { registry, auditor } = await deployRegistryWithSubject(SUBJECT);
  const rows: string[] = [];
  let twenty: bigint | undefined;
  for (const depth of DEPTHS) {
    const salt = randomBytes(32);
    const balance = 1234n * 10n ** 18n + 567n;
    const commitment = accountCommitment(salt, "customer-000000042");
    let node: SumNode = { hash: leafHash(commitment, balance), sum: balance };
    const steps: SumNode[] = [];
    for (let level = 0; level < depth; level++) {
      // A full subtree of 2^level customers holding about 1,000 tokens each.
      const sibling = {
        hash: Uint8Array.from(randomBytes(32)),
        sum: BigInt(2 ** level) * 1000n * 10n ** 18n + 7n,
      };
      steps.push(sibling);
      node = parentNode(node, sibling) as SumNode;
    }
    await postAttestation(
      registry,
      auditor,
      await liabilitiesAttestation(SUBJECT, toHex(node.hash), node.sum, depth),
    );
    const round = await registry.latestRoundId(SUBJECT);
    const proof = steps.map((s) => ({ hash: toHex(s.hash), sum: s.sum }));
    const args: [string, bigint, string, bigint, typeof proof] = [
      SUBJECT,
      round,
      toHex(commitment),
      balance,
      proof,
    ];
    if (!(await registry.verifyLiability(...args)))
      throw new Error(`proof of depth ${depth} does not verify`);
    const gas = await registry.verifyLiability.estimateGas(...args);
    const data = registry.interface.encodeFunctionData("verifyLiability", args);
    const calldata = calldataGas(data);
    const execution = gas - 21_000n - BigInt(calldata);
    if (depth === 20) twenty = gas;
    rows.push(
      `| ${depth} | ${2 ** depth >= 1e6 ? `${(2 ** depth / 1e6).toFixed(1)}M` : (2 ** depth).toLocaleString("en-US")} | ${gas.toLocaleString("en-US")} | ${calldata.toLocaleString("en-US")} | ${execution.toLocaleString("en-US")} |`,
    );
  }
  return `## Liabilities: \`verifyLiability\`

A **20-step proof (a tree of about 1M leaves) costs ${twenty?.toLocaleString("en-US")} gas** when \`verifyLiability\` is sent
as a transaction (\`eth_estimateGas\`), most of it the 21,000 base cost and the calldata; called from
another contract the cost is the execution column plus that contract's own calldata copying.

| proof steps | tree of up to | estimateGas (tx) | calldata (4/16 per byte) | execution ≈ tx − 21,000 − calldata |
|---:|---:|---:|---:|---:|
${rows.join("\n")}

Each step costs one 128-byte keccak256, one checked addition and the 64 bytes of the step in
calldata; the fixed part is reading the subject and the round from storage (cold slots), the ABI decoding
of the proof array, and hashing the leaf (two keccak256).
Proofs are real paths: each depth's root and total are posted in an attestation and the call returns
true. Sibling sums are those of full subtrees of 18-decimal balances, so calldata is realistic.
`;
}
