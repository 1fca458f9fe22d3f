import { Interface } from "ethers";
import type { TransactionReceipt } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  DeploymentResult,
  ExecutionEventListener,
  IgnitionModule,
  SolidityParameterType,
} from "@nomicfoundation/ignition-core";
import { create2Address, CREATEX_ADDRESS, deployCreate2Data, initCodeOf } from "../src/chain/create2";
import { createXState, installCreateX } from "../src/chain/createx";
import {
  deployedAddressesFile,
  futureIdOf,
  readDeployedAddresses,
  recordState,
} from "../src/chain/deployments";
import { ChainError } from "../src/core/errors";
import type { Address, Hex32 } from "../src/core/hex";
import { executeCall } from "../src/chain/transactions";
import type { DryRun, SentCall } from "../src/chain/transactions";
import { deploymentDir, IN_PROCESS_NETWORK } from "./network";
import { sendSettingsOf } from "./sending";
import type { SendingOptions } from "./sending";

/**
 * Deploying one contract the way every `por … deploy` command does: through CreateX's CREATE2 with
 * Hardhat Ignition's create2 strategy, recorded in the chain's Ignition deployment. The phases:
 * plan (init code → the CREATE2 address), look at the record and the chain, make sure CreateX is
 * there, then dry run, record an existing contract, or deploy.
 */

/** One contract to deploy: its Ignition module and what its address is computed from. */
export interface Create2Spec {
  contractName: string;
  /** The id of `module`, whose one contract future is `contractName` ("ReserveFeed_USDX"). */
  moduleId: string;
  module: IgnitionModule;
  /** The module's parameters: they must give the constructor `constructorArgs`. */
  parameters: Record<string, SolidityParameterType>;
  constructorArgs: readonly unknown[];
  salt: Hex32;
  /** "deploy ReserveFeed for subject USDX", for dry runs. */
  description: string;
}

/** Options of the deploy commands: sending options plus --install-createx. */
export interface Create2Options extends SendingOptions {
  installCreatex?: boolean;
}

/** How CreateX stood: there already, put there now (by `por`, or by Ignition on chain 31337), or missing. */
export type CreateXStatus = "present" | "installed" | "absent";

/** A dry run whose gas cannot be estimated: CreateX is not on the chain yet. */
export type UnestimatedDryRun = Omit<DryRun, "estimatedGas"> & { estimatedGas: null };

export interface Create2Result {
  /** "deployed" now; "already-deployed" (nothing sent); "dry-run" (nothing sent). */
  status: "deployed" | "already-deployed" | "dry-run";
  contractName: string;
  address: Address;
  futureId: string;
  deployer: Address;
  salt: Hex32;
  factory: Address;
  createX: CreateXStatus;
  /** The deployment transaction, or what a dry run would send; null when nothing is (or would be) sent. */
  transaction: SentCall | DryRun | UnestimatedDryRun | null;
  /** The record file, or null on the in-process network (or a dry run that records nothing). */
  recordedIn: string | null;
  /** Whether this run added the contract to the record (already-deployed: it was not recorded). */
  newlyRecorded: boolean;
}

/** Plans, checks and deploys `spec` from `signer` as `options` ask. */
export async function deployThroughCreate2(
  hre: HardhatRuntimeEnvironment,
  signer: HardhatEthersSigner,
  spec: Create2Spec,
  options: Create2Options,
): Promise<Create2Result> {
  const settings = sendSettingsOf(options);
  const plan = await planCreate2(hre, signer, spec);
  const record = await readRecord(hre, plan);
  const base = {
    contractName: spec.contractName,
    address: plan.address,
    futureId: plan.futureId,
    deployer: plan.deployer,
    salt: spec.salt,
    factory: CREATEX_ADDRESS,
  };

  if ((await hre.ethers.provider.getCode(plan.address)) !== "0x") {
    // CREATE2 with this factory, salt and init code can only have put this very contract there:
    // deployed from another machine or account, or before the record was reset. Recorded as is.
    const toRecord = record.dir !== null && record.state === "none" && !settings.dryRun;
    if (toRecord && record.dir !== null) await recordExisting(hre, spec, plan.address, record.dir);
    return {
      ...base,
      status: "already-deployed",
      createX: "present",
      transaction: null,
      recordedIn: record.state === "same" || toRecord ? record.file : null,
      newlyRecorded: toRecord,
    };
  }
  if (record.state === "same") {
    throw new ChainError(`${record.file} records ${plan.futureId} at ${plan.address}, which has no code`, {
      details: "was the node restarted? run `por deploy --reset`",
    });
  }

  const createX = await ensureCreateX(hre, options, settings.dryRun);
  if (settings.dryRun) {
    const transaction = await dryRun(signer, spec, plan, createX);
    return { ...base, status: "dry-run", createX, transaction, recordedIn: null, newlyRecorded: false };
  }
  const sent = await runIgnition(hre, signer, spec, plan, record.dir, options);
  return {
    ...base,
    status: "deployed",
    createX: createX === "absent" ? "installed" : createX,
    transaction: sent,
    recordedIn: record.file,
    newlyRecorded: record.file !== null,
  };
}

// ------------------------------------------------------------------------------------- plan

/** The address `spec` deploys to when `signer` sends it (checks a command makes before deploying). */
export async function create2AddressOf(
  hre: HardhatRuntimeEnvironment,
  signer: HardhatEthersSigner,
  spec: Create2Spec,
): Promise<Address> {
  return (await planCreate2(hre, signer, spec)).address;
}

interface Plan {
  deployer: Address;
  initCode: string;
  address: Address;
  futureId: string;
}

/** The init code from the compiled artifact and constructor arguments, and the CREATE2 address. */
async function planCreate2(
  hre: HardhatRuntimeEnvironment,
  signer: HardhatEthersSigner,
  spec: Create2Spec,
): Promise<Plan> {
  const artifact = await hre.artifacts.readArtifact(spec.contractName);
  const initCode = initCodeOf(artifact.bytecode, new Interface(artifact.abi), spec.constructorArgs);
  const deployer = (await signer.getAddress()) as Address;
  return {
    deployer,
    initCode,
    address: create2Address(spec.salt, initCode, deployer),
    futureId: futureIdOf(spec.moduleId, spec.contractName),
  };
}

// ----------------------------------------------------------------------------------- record

interface RecordView {
  /** The chain's deployment directory; null on the in-process network (nothing is recorded). */
  dir: string | null;
  file: string | null;
  state: "none" | "same";
}

async function readRecord(hre: HardhatRuntimeEnvironment, plan: Plan): Promise<RecordView> {
  if (hre.network.name === IN_PROCESS_NETWORK) return { dir: null, file: null, state: "none" };
  const { chainId } = await hre.ethers.provider.getNetwork();
  const dir = deploymentDir(hre, chainId);
  const state = recordState(await readDeployedAddresses(dir), plan.futureId, plan.address, dir);
  return { dir, file: deployedAddressesFile(dir), state };
}

/** Records a contract the CREATE2 address already holds, without a transaction (m.contractAt). */
async function recordExisting(
  hre: HardhatRuntimeEnvironment,
  spec: Create2Spec,
  address: Address,
  dir: string,
): Promise<void> {
  const { recordedContractModule } = await import("../deploy/subject-module");
  const futureId = futureIdOf(spec.moduleId, spec.contractName);
  await runModule(hre, `recording ${spec.contractName} at ${address}`, futureId, {
    deploymentDir: dir,
    ignitionModule: recordedContractModule(spec.moduleId, spec.contractName, address),
    deploymentParameters: {},
  });
}

// ---------------------------------------------------------------------------------- CreateX

/**
 * CreateX must be on the chain. Missing: the in-process network and --install-createx install it
 * (a dry run with --install-createx only says so); on chain 31337 Ignition installs it itself;
 * anywhere else it is refused.
 */
async function ensureCreateX(
  hre: HardhatRuntimeEnvironment,
  options: Create2Options,
  dryRun: boolean,
): Promise<CreateXStatus> {
  const provider = hre.ethers.provider;
  if ((await createXState(provider)) === "present") return "present";
  const { chainId } = await provider.getNetwork();
  // The in-process network is a throwaway chain: installing there is not sending anything of the user's.
  const inProcess = hre.network.name === IN_PROCESS_NETWORK;
  const install = inProcess || (options.installCreatex === true && !dryRun);
  if (!install && (dryRun || chainId === 31337n)) return "absent";
  if (!install) {
    throw new ChainError(`the CreateX factory (${CREATEX_ADDRESS}) is not deployed on chain ${chainId}`, {
      details:
        "por deploys through it for the same address on every chain; on a development node pass " +
        "--install-createx, on another chain see docs/deploy.md",
    });
  }
  await installCreateX(provider);
  return "installed";
}

// ---------------------------------------------------------------------------------- dry run

async function dryRun(
  signer: HardhatEthersSigner,
  spec: Create2Spec,
  plan: Plan,
  createX: CreateXStatus,
): Promise<DryRun | UnestimatedDryRun> {
  const planned = {
    description: spec.description,
    to: CREATEX_ADDRESS,
    data: deployCreate2Data(spec.salt, plan.initCode),
  };
  if (createX !== "absent") {
    return (await executeCall(
      signer,
      planned,
      { dryRun: true, confirmations: 1 },
      `deploying ${spec.contractName}`,
    )) as DryRun;
  }
  return { sent: false, ...planned, from: plan.deployer, value: 0n, estimatedGas: null };
}

// --------------------------------------------------------------------------------- Ignition

/** Runs the module with the create2 strategy; returns its transaction with the receipt's gas. */
async function runIgnition(
  hre: HardhatRuntimeEnvironment,
  signer: HardhatEthersSigner,
  spec: Create2Spec,
  plan: Plan,
  dir: string | null,
  options: Create2Options,
): Promise<SentCall | null> {
  const settings = sendSettingsOf(options);
  const hashes: string[] = [];
  const contracts = await runModule(
    hre,
    `deploying ${spec.contractName}`,
    plan.futureId,
    {
      config: {
        requiredConfirmations: settings.confirmations,
        // A fee cap the user set is a cap: Ignition must not bump past it.
        ...(settings.maxFeePerGas !== undefined ? { disableFeeBumping: true } : {}),
      },
      deploymentDir: dir ?? undefined,
      ignitionModule: spec.module,
      deploymentParameters: { [spec.moduleId]: spec.parameters },
      defaultSender: plan.deployer,
      strategy: "create2",
      strategyConfig: { salt: spec.salt },
      maxFeePerGas: settings.maxFeePerGas,
      maxFeePerGasLimit: settings.maxFeePerGas,
      maxPriorityFeePerGas: settings.maxPriorityFeePerGas,
    },
    (hash) => {
      hashes.push(hash);
      if (process.stderr.isTTY) {
        const n = settings.confirmations;
        process.stderr.write(`sent ${hash}, waiting for ${n} confirmation${n === 1 ? "" : "s"}\n`);
      }
    },
  );
  const address = contracts[plan.futureId]?.address;
  if (address !== plan.address) {
    throw new Error(
      `Ignition deployed ${plan.futureId} at ${address}, not at its CREATE2 address ${plan.address}`,
    );
  }
  return sentCall(signer, spec, plan, hashes, settings.confirmations);
}

/** The mined one of the transactions Ignition sent for the contract, as the send pipeline reports it. */
async function sentCall(
  signer: HardhatEthersSigner,
  spec: Create2Spec,
  plan: Plan,
  hashes: string[],
  confirmations: number,
): Promise<SentCall | null> {
  const receipts = await Promise.all(hashes.map((hash) => signer.provider.getTransactionReceipt(hash)));
  const mined = receipts.find((r): r is TransactionReceipt => r !== null && r.status === 1);
  if (mined === undefined) return null; // sent by an earlier run that was interrupted, and resumed
  return {
    sent: true,
    description: spec.description,
    from: plan.deployer,
    to: CREATEX_ADDRESS,
    transactionHash: mined.hash,
    blockNumber: mined.blockNumber,
    gasUsed: mined.gasUsed,
    effectiveGasPrice: mined.gasPrice,
    confirmations,
  };
}

/** Ignition, loaded on first use: it is slow to load and only deploy commands need it. */
async function loadIgnition() {
  const core = await import("@nomicfoundation/ignition-core");
  const helpers = await import("@nomicfoundation/hardhat-ignition/helpers");
  return { core, helpers };
}

type Ignition = Awaited<ReturnType<typeof loadIgnition>>;
type DeployArgs = Parameters<Ignition["core"]["deploy"]>[0];

/**
 * Runs an Ignition deployment on the connected network with its accounts, and returns the deployed
 * contracts; a failure (thrown, or a result that is not a success) becomes one ChainError line.
 */
async function runModule(
  hre: HardhatRuntimeEnvironment,
  what: string,
  futureId: string,
  args: Omit<DeployArgs, "provider" | "artifactResolver" | "accounts" | "executionEventListener">,
  onSent: (hash: string) => void = () => undefined,
): Promise<Record<string, { address: string }>> {
  const ignition = await loadIgnition();
  const accounts = (await hre.network.provider.request({ method: "eth_accounts" })) as string[];
  let result: DeploymentResult;
  try {
    result = await ignition.core.deploy({
      ...args,
      provider: hre.network.provider,
      artifactResolver: new ignition.helpers.HardhatArtifactResolver(hre),
      accounts,
      executionEventListener: quietListener(ignition, onSent),
    });
  } catch (err) {
    const message = err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
    throw new ChainError(`${what} failed`, { details: message, cause: err });
  }
  const types = ignition.core.DeploymentResultType;
  if (result.type === types.SUCCESSFUL_DEPLOYMENT) return result.contracts;
  const lines = ignition.helpers
    .errorDeploymentResultToExceptionMessage(result)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  // An earlier, unfinished attempt at the same future with other arguments (salt, name…) stays in the
  // journal: Ignition resumes it with the same arguments, and refuses other ones until it is wiped.
  const stuck = result.type === types.RECONCILIATION_ERROR || result.type === types.PREVIOUS_RUN_ERROR;
  const { chainId } = await hre.ethers.provider.getNetwork();
  const hint = stuck
    ? ` (an earlier attempt is in the record: retry it as it was, or forget it with` +
      ` \`npx hardhat ignition wipe chain-${chainId} ${futureId}\` in the checkout)`
    : "";
  throw new ChainError(`${what} failed`, { details: `${lines.slice(0, 3).join(" ")}${hint}` });
}

/** An Ignition event listener that ignores every event but sent transactions. */
function quietListener(ignition: Ignition, onSent: (hash: string) => void): ExecutionEventListener {
  const ignore = () => undefined;
  const handlers: Record<string, (event: unknown) => void> = {};
  // Every event Ignition emits, as its listener method's name (TRANSACTION_SEND → transactionSend).
  for (const type of Object.values(ignition.core.ExecutionEventType)) {
    handlers[type.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = ignore;
  }
  handlers.transactionSend = (event) => onSent((event as { hash: string }).hash);
  return handlers as unknown as ExecutionEventListener;
}
