import * as path from "node:path";
import { getCreateAddress, keccak256, Transaction } from "ethers";
import type { Provider, TransactionReceipt } from "ethers";
import { ChainError } from "../core/errors";
import { CREATEX_ADDRESS, CREATEX_CODE_HASH, CREATEX_DEPLOYER } from "./create2";

/**
 * The CreateX factory on a chain: whether it is there, and putting it on a development node that
 * lacks it. Public chains have it (deployed by its author from one keyless transaction); Hardhat
 * Ignition installs it by itself only on chain id 31337.
 */

/** A provider that also takes raw JSON-RPC requests (ethers' JsonRpcProvider, Hardhat's provider). */
export type RpcProvider = Provider & { send(method: string, params: unknown[]): Promise<unknown> };

/** "present", "absent", or a contract that is not CreateX (refused: nothing is deployed through it). */
export async function createXState(provider: Provider): Promise<"present" | "absent"> {
  const code = await provider.getCode(CREATEX_ADDRESS);
  if (code === "0x") return "absent";
  if (keccak256(code) !== CREATEX_CODE_HASH) {
    throw new ChainError(`the contract at ${CREATEX_ADDRESS} is not CreateX (its code hash differs)`);
  }
  return "present";
}

/**
 * CreateX's presigned deployment: a pre-EIP-155 transaction (valid on any chain) from
 * CREATEX_DEPLOYER at nonce 0, as shipped with Hardhat Ignition (whose package does not export it,
 * hence the path). Checked to create CreateX's address before it is returned.
 */
export function presignedCreateXDeployment(): Transaction {
  const core = path.dirname(require.resolve("@nomicfoundation/ignition-core"));
  const file = path.join(core, "internal", "execution", "strategy", "createx-artifact.js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { presignedTx } = require(file) as { presignedTx: string };
  const tx = Transaction.from(presignedTx);
  if (tx.from !== CREATEX_DEPLOYER || tx.to !== null || tx.nonce !== 0) {
    throw new Error(`${file}: not CreateX's presigned deployment`);
  }
  if (getCreateAddress({ from: tx.from, nonce: tx.nonce }) !== CREATEX_ADDRESS) {
    throw new Error(`${file}: CreateX's presigned deployment would not create ${CREATEX_ADDRESS}`);
  }
  return tx;
}

/**
 * Puts CreateX at its address on a development node (Hardhat or Anvil) that lacks it: funds its
 * keyless deployer with `hardhat_setBalance` (or `anvil_setBalance`) for the presigned transaction's
 * gas, sends that transaction and checks the code it left. Returns the transaction hash, or null
 * when CreateX was already there. A node without those methods (a real chain) is refused.
 */
export async function installCreateX(provider: RpcProvider): Promise<string | null> {
  if ((await createXState(provider)) === "present") return null;
  const tx = presignedCreateXDeployment();
  const { chainId } = await provider.getNetwork();
  if ((await provider.getTransactionCount(CREATEX_DEPLOYER)) !== 0) {
    throw new ChainError(`CreateX cannot be installed on chain ${chainId}`, {
      details: `its deployer ${CREATEX_DEPLOYER} has already sent a transaction there`,
    });
  }
  const cost = `0x${(tx.gasLimit * (tx.gasPrice ?? 0n)).toString(16)}`;
  await setBalance(provider, chainId, cost);
  const hash = (await provider.send("eth_sendRawTransaction", [tx.serialized])) as string;
  const receipt = await receiptOf(provider, hash);
  if (receipt.status !== 1 || (await createXState(provider)) !== "present") {
    throw new ChainError(`installing CreateX on chain ${chainId} failed`, { details: `transaction ${hash}` });
  }
  return hash;
}

/** Polls for the receipt (a development node mines at once; Hardhat's provider cannot wait). */
async function receiptOf(provider: RpcProvider, hash: string): Promise<TransactionReceipt> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const receipt = await provider.getTransactionReceipt(hash);
    if (receipt !== null) return receipt;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new ChainError(`no receipt for CreateX's deployment ${hash} after a minute`);
}

async function setBalance(provider: RpcProvider, chainId: bigint, wei: string): Promise<void> {
  for (const method of ["hardhat_setBalance", "anvil_setBalance"]) {
    try {
      await provider.send(method, [CREATEX_DEPLOYER, wei]);
      return;
    } catch {
      // not this kind of development node
    }
  }
  throw new ChainError(`CreateX is not deployed on chain ${chainId}, and this node cannot install it`, {
    details: "only a development node (hardhat_setBalance or anvil_setBalance) can: see docs/deploy.md",
  });
}
