/**
 * Gas of ReserveRegistry.verifyLiability by proof length, on the in-process Hardhat network:
 * a section of docs/gas.md (npm run bench:gas).
 *
 * A tree of 2^20 leaves is not built: for each depth, the proof is a real path through a tree
 * folded with the SDK's node hashing from one customer leaf and random siblings whose sums are
 * those of full subtrees of 18-decimal balances, so the root and total the registry attests are
 * exactly what the proof reproduces (verifyLiability returns true, which is checked).
 */
import hre from "hardhat";
import { accountCommitment, leafHash, processProof, toHex, type SumNode } from "../../src/liabilities";
import {
  deployRegistryWithSubject,
  liabilitiesAttestation,
  postAttestation,
} from "../../test/helpers/registry";
import { calldataGas, calldataFloorGas, reportTarget } from "./targets";

const { ethers } = hre;
const SUBJECT = ethers.encodeBytes32String("GAS");
const DEPTHS = [1, 10, 17, 20, 24];

/** 32 bytes that look random but are the same on every run (keccak256 of `label`), so docs/gas.md is stable. */
export function fixedRandomBytes(label: string): Uint8Array {
  return ethers.getBytes(ethers.id(label));
}

/**
 * A real `depth`-step path from `commitment`'s leaf: random-looking siblings whose sums are those of full
 * subtrees of about 1,000 tokens (18 decimals) per customer, and the root and total they fold to.
 */
export function syntheticPath(
  commitment: Uint8Array,
  balance: bigint,
  depth: number,
): { steps: SumNode[]; root: SumNode } {
  const steps = Array.from({ length: depth }, (_, level) => ({
    hash: fixedRandomBytes(`sibling ${level}`),
    sum: BigInt(2 ** level) * 1000n * 10n ** 18n + 7n,
  }));
  const root = processProof(leafHash(commitment, balance), balance, steps);
  if (root === undefined) throw new Error("synthetic path overflows uint256");
  return { steps, root };
}

/** Gas of verifyLiability by proof depth, as a markdown section. */
export async function liabilitiesGasSection(): Promise<string> {
  const { registry, auditor } = await deployRegistryWithSubject(SUBJECT);
  const meter = await ethers.deployContract("GasMeter");
  const registryAddress = await registry.getAddress();
  const rows: string[] = [];
  let twenty: { tx: bigint; calldata: number; execution: bigint; floor: number } | undefined;
  const fmt = (n: bigint | number) => n.toLocaleString("en-US");
  for (const depth of DEPTHS) {
    const salt = fixedRandomBytes(`salt ${depth}`);
    const balance = 1234n * 10n ** 18n + 567n;
    const commitment = accountCommitment(salt, "customer-000000042");
    const { steps, root: node } = syntheticPath(commitment, balance, depth);
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
    const tx = await registry.verifyLiability.estimateGas(...args);
    const data = registry.interface.encodeFunctionData("verifyLiability", args);
    const calldata = calldataGas(data);
    const floor = calldataFloorGas(data);
    const execution = await meter.gasOf(registryAddress, data);
    if (depth === 20) twenty = { tx, calldata, execution, floor };
    rows.push(
      `| ${depth} | ${2 ** depth >= 1e6 ? `${(2 ** depth / 1e6).toFixed(1)}M` : fmt(2 ** depth)} | ${fmt(calldata)} | ${fmt(execution)} | **${fmt(BigInt(calldata) + execution)}** | ${fmt(floor)} | ${fmt(tx)} |`,
    );
  }
  if (!twenty) throw new Error("BUG: no 20-step proof measured");
  reportTarget("verify20", BigInt(twenty.calldata) + twenty.execution);
  return `## Liabilities: \`verifyLiability\`

A **20-step proof (a tree of about 1M leaves) costs ${fmt(BigInt(twenty.calldata) + twenty.execution)} gas of calldata and execution**
(${fmt(twenty.calldata)} + ${fmt(twenty.execution)}). Sent as its own transaction on a chain with EIP-7623 (Ethereum since
Pectra), a call this calldata-heavy pays the calldata floor instead: 21,000 + ${fmt(twenty.floor)} = ${fmt(21_000 + twenty.floor)}, which is
what \`eth_estimateGas\` answers (${fmt(twenty.tx)}). Called from another contract (a challenge answer, a
consumer), the floor does not apply to the inner call: it pays the execution column, plus its own copy of
the proof.

| proof steps | tree of up to | calldata (4/16 per byte) | execution (from a contract) | calldata + execution | EIP-7623 floor (10/40 per byte) | estimateGas (own tx) |
|---:|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}

- **Execution** is measured by \`contracts/test/GasMeter.sol\` around a \`staticcall\` to the (warm) registry.
- Each step costs one 128-byte keccak256, four memory words, one checked addition and the 64 bytes of
  the step in calldata: the proof is folded straight from calldata in scratch memory
  (\`MerkleSumProof.verifyCalldata\`), not copied into memory first. The fixed part is three cold
  storage reads (the subject's latest round id, then the round's root and its total), the ABI
  decoding of the arguments, and hashing the leaf (two keccak256).
- Proofs are real paths: each depth's root and total are posted in an attestation and the call returns
  true. Sibling sums are those of full subtrees of 18-decimal balances, so calldata is realistic.
`;
}
