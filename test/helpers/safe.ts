/**
 * The real Safe 1.4.1 contracts (npm `@safe-global/safe-contracts`, its compiled artifacts), deployed
 * on whatever chain the signer is connected to: the in-process network or a `hardhat node`. Never
 * a mock: the singleton, proxy factory, CompatibilityFallbackHandler and MultiSendCallOnly are the
 * bytecode Safe ships, and Safes are proxies created by the factory with `setup`, as the Safe web app
 * creates them.
 */
import * as path from "node:path";
import { Contract, ContractFactory, Interface, ZeroAddress } from "ethers";
import type { ContractTransactionReceipt, InterfaceAbi, Signer, TransactionReceipt } from "ethers";
import {
  assembleSafeSignature,
  encodeExecTransaction,
  readSafeState,
  safeTransaction,
  safeTransactionHash,
  signSafeTransaction,
} from "../../src";
import type { Address, SafeTransaction, SafeTransactionData, TypedDataSigner } from "../../src";

const ARTIFACTS = path.join(
  path.dirname(require.resolve("@safe-global/safe-contracts/package.json")),
  "build",
  "artifacts",
  "contracts",
);

interface Artifact {
  contractName: string;
  abi: InterfaceAbi;
  bytecode: string;
}

/** A Safe 1.4.1 artifact, e.g. `safeArtifact("Safe.sol/Safe.json")`. */
export function safeArtifact(relativePath: string): Artifact {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(ARTIFACTS, relativePath)) as Artifact;
}

const SAFE = safeArtifact("Safe.sol/Safe.json");
const FACTORY = safeArtifact("proxies/SafeProxyFactory.sol/SafeProxyFactory.json");
const HANDLER = safeArtifact("handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json");
const MULTI_SEND_CALL_ONLY = safeArtifact("libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json");

/** Safe 1.4.1's full ABI (setup, addOwnerWithThreshold, removeOwner…). */
export const safeAbi = new Interface(SAFE.abi);
/** CompatibilityFallbackHandler 1.4.1's full ABI. */
export const fallbackHandlerAbi = new Interface(HANDLER.abi);

/** Addresses of the Safe contracts deployed on one chain. */
export interface SafeDeployment {
  singleton: Address;
  factory: Address;
  fallbackHandler: Address;
  multiSendCallOnly: Address;
}

/** Deploys the Safe singleton, proxy factory, fallback handler and MultiSendCallOnly from `deployer`. */
export async function deploySafeContracts(deployer: Signer): Promise<SafeDeployment> {
  const deploy = async (artifact: Artifact): Promise<Address> => {
    const contract = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy();
    await contract.waitForDeployment();
    return (await contract.getAddress()) as Address;
  };
  // One after the other: a NonceManager or a dev account must not race its own nonces.
  const singleton = await deploy(SAFE);
  const factory = await deploy(FACTORY);
  const fallbackHandler = await deploy(HANDLER);
  const multiSendCallOnly = await deploy(MULTI_SEND_CALL_ONLY);
  return { singleton, factory, fallbackHandler, multiSendCallOnly };
}

/** Salt of the next Safe this process creates: a counter, so addresses (and gas figures) repeat run to run. */
let saltNonce = 0n;

/**
 * Creates a Safe proxy with `owners` and `threshold` through the factory, set up as the Safe web app
 * does: `setup(owners, threshold, 0x0, 0x, fallbackHandler, 0x0, 0, 0x0)`. Returns its address.
 */
export async function createSafe(
  deployer: Signer,
  deployment: SafeDeployment,
  owners: readonly string[],
  threshold: number,
): Promise<Address> {
  const initializer = safeAbi.encodeFunctionData("setup", [
    owners,
    threshold,
    ZeroAddress,
    "0x",
    deployment.fallbackHandler,
    ZeroAddress,
    0,
    ZeroAddress,
  ]);
  const factory = new Contract(deployment.factory, FACTORY.abi, deployer);
  saltNonce += 1n;
  const tx = (await factory.getFunction("createProxyWithNonce")(
    deployment.singleton,
    initializer,
    saltNonce,
  )) as { wait(): Promise<ContractTransactionReceipt | null> };
  const receipt = await tx.wait();
  const created = receipt?.logs
    .map((log) => factory.interface.parseLog(log))
    .find((event) => event?.name === "ProxyCreation");
  if (!created) throw new Error("no ProxyCreation event");
  return created.args[0] as Address;
}

/**
 * Has the Safe execute `data`: reads its nonce, has `owners` sign the Safe transaction hash (the
 * SDK's signSafeTransaction, checked against the Safe's own getTransactionHash), assembles their
 * signatures and sends execTransaction from `executor`. Throws if the Safe reports ExecutionFailure.
 */
export async function execSafeTransaction(
  executor: Signer,
  safe: string,
  data: SafeTransactionData,
  owners: readonly TypedDataSigner[],
): Promise<{ receipt: TransactionReceipt; tx: SafeTransaction; hash: string }> {
  const provider = executor.provider;
  if (!provider) throw new Error("executor has no provider");
  const state = await readSafeState(provider, safe);
  const { chainId } = await provider.getNetwork();
  const tx = safeTransaction(data, state.nonce);
  const hash = safeTransactionHash(chainId, safe, tx);
  const onChain = (await new Contract(safe, SAFE.abi, provider).getFunction("getTransactionHash")(
    tx.to,
    tx.value,
    tx.data,
    tx.operation,
    tx.safeTxGas,
    tx.baseGas,
    tx.gasPrice,
    tx.gasToken,
    tx.refundReceiver,
    tx.nonce,
  )) as string;
  if (onChain !== hash)
    throw new Error(`SDK Safe tx hash ${hash} differs from getTransactionHash ${onChain}`);
  const parts = [];
  for (const owner of owners) parts.push(await signSafeTransaction(owner, chainId, safe, tx));
  const signatures = assembleSafeSignature(hash, parts, state);
  const sent = await executor.sendTransaction({ to: safe, data: encodeExecTransaction(tx, signatures) });
  const receipt = await sent.wait();
  if (receipt === null) throw new Error("execTransaction not mined");
  const events = receipt.logs.flatMap((log) => {
    const parsed = safeAbi.parseLog(log);
    return parsed ? [parsed.name] : [];
  });
  if (!events.includes("ExecutionSuccess")) throw new Error(`Safe transaction failed: ${events.join(", ")}`);
  return { receipt, tx, hash };
}

/** Calldata of the Safe's own removeOwner(prevOwner, owner, threshold), finding prevOwner in its list. */
export async function removeOwnerCall(
  signer: Signer,
  safe: string,
  owner: string,
  threshold: number,
): Promise<SafeTransactionData> {
  const owners = (await new Contract(safe, SAFE.abi, signer).getFunction("getOwners")()) as string[];
  const index = owners.findIndex((o) => o.toLowerCase() === owner.toLowerCase());
  if (index < 0) throw new Error(`${owner} is not an owner`);
  const SENTINEL = "0x0000000000000000000000000000000000000001";
  const prevOwner = index === 0 ? SENTINEL : owners[index - 1]!;
  return {
    to: safe as Address,
    value: 0n,
    data: safeAbi.encodeFunctionData("removeOwner", [prevOwner, owner, threshold]),
    operation: 0,
  };
}
