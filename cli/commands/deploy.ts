import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { DEFAULT_SALT_LABEL, parseSalt } from "../../src/chain/create2";
import { REGISTRY_MODULE_ID } from "../../src/chain/deployments";
import { InvalidArgumentError } from "../../src/core/errors";
import { parseAddress } from "../../src/core/hex";
import type { KeyOptions } from "../../src/node/keys";
import { action, optionsOf, output } from "../cli-kit";
import { deployThroughCreate2 } from "../ignition";
import type { Create2Options, Create2Result } from "../ignition";
import { deploymentDir, IN_PROCESS_NETWORK, sender } from "../network";
import { outcomeLines, sendingOptions } from "../sending";
import { connectWithKey, keyOptions, networkLabel } from "./common";

interface DeployOptions extends KeyOptions, Create2Options {
  admin?: string;
  reset?: boolean;
  salt?: string;
}

export function registerDeploy(program: Command): void {
  create2Options(
    keyOptions(
      program
        .command("deploy")
        .description(
          "deploy a ReserveRegistry through CREATE2 with Hardhat Ignition (module ReserveRegistryModule) and record its address",
        )
        .option(
          "--admin <address>",
          "account given the admin role, which accredits auditors (default: the deployer)",
        )
        .option(
          "--salt <label>",
          `CREATE2 salt: a text label or a 0x-prefixed 32-byte salt (default: "${DEFAULT_SALT_LABEL}")`,
        )
        .option(
          "--reset",
          "forget this chain's recorded deployment first (e.g. after restarting a local node)",
        )
        .addHelpText(
          "after",
          "\nThe address depends only on the salt and the admin: the same on every chain, whoever deploys." +
            "\nOn a persistent network it is recorded in deploy/deployments/chain-<id>/deployed_addresses.json," +
            "\nwhere later commands find it. The default in-process network disappears when the command exits.",
        ),
      "send",
    ),
  ).action(
    action(async (_opts: DeployOptions, command: Command) => {
      const options = optionsOf<DeployOptions>(command);
      const admin = options.admin === undefined ? undefined : parseAddress(options.admin, "--admin");
      if (options.reset && options.dryRun) {
        throw new InvalidArgumentError("--reset and --dry-run together: a dry run changes nothing");
      }
      const { hre, wallet } = await connectWithKey(options);
      const deployer = await sender(hre, wallet);
      const { chainId } = await hre.ethers.provider.getNetwork();
      const { salt, label } = parseSalt(options.salt ?? DEFAULT_SALT_LABEL, deployer.address);
      if (options.reset && hre.network.name !== IN_PROCESS_NETWORK) {
        await fs.rm(deploymentDir(hre, chainId), { recursive: true, force: true });
      }
      const adminAddress = admin ?? deployer.address;
      // Loaded here: Ignition's module builder is slow to load and other commands don't need it.
      const { default: module } = await import("../../deploy/ReserveRegistry");
      const result = await deployThroughCreate2(
        hre,
        deployer,
        {
          contractName: "ReserveRegistry",
          moduleId: REGISTRY_MODULE_ID,
          module,
          parameters: { admin: adminAddress },
          constructorArgs: [adminAddress],
          salt,
          description: `deploy ReserveRegistry with admin ${adminAddress}`,
        },
        options,
      );
      output(
        options,
        {
          registry: result.address,
          ...create2Json(hre, chainId, result),
          admin: adminAddress,
          saltLabel: label,
        },
        () =>
          [
            headline(hre, chainId, result),
            `admin      ${adminAddress}`,
            `salt       ${label === null ? salt : `${JSON.stringify(label)} (${salt})`}`,
            "           same address on every chain for this admin and salt, whoever sends",
            ...create2Lines(hre, result),
          ].join("\n"),
      );
    }),
  );
}

/** Adds what every CREATE2 deploy command takes: --install-createx and the sending options. */
export function create2Options(command: Command): Command {
  return sendingOptions(
    command.option(
      "--install-createx",
      "on a development node without the CreateX factory (chain id other than 31337), install it first",
    ),
  );
}

/** The JSON fields every deploy command prints, after the contract's own. */
export function create2Json(
  hre: HardhatRuntimeEnvironment,
  chainId: bigint,
  result: Create2Result,
): Record<string, unknown> {
  return {
    contract: result.contractName,
    status: result.status,
    futureId: result.futureId,
    network: hre.network.name,
    chainId,
    deployer: result.deployer,
    factory: result.factory,
    salt: result.salt,
    createX: result.createX,
    recordedIn: result.recordedIn === null ? null : displayPath(result.recordedIn),
    transaction: result.transaction,
  };
}

/** "ReserveFeed deployed at 0x… on localhost (chain 31337)", or already deployed, or would be. */
export function headline(hre: HardhatRuntimeEnvironment, chainId: bigint, result: Create2Result): string {
  const verb = {
    deployed: "deployed at",
    "already-deployed": "already deployed at",
    "dry-run": "would be deployed at",
  }[result.status];
  return `${result.contractName} ${verb} ${result.address} on ${networkLabel(hre, chainId)}`;
}

/** The transaction (or dry run), CreateX and where the address is recorded, for people. */
export function create2Lines(hre: HardhatRuntimeEnvironment, result: Create2Result): string[] {
  const lines: string[] = [];
  const tx = result.transaction;
  if (tx === null) {
    if (result.status === "already-deployed") lines.push("nothing sent: the contract is there already");
  } else if (!tx.sent && tx.estimatedGas === null) {
    lines.push(
      `dry run    nothing sent: ${tx.description}`,
      `from       ${tx.from}`,
      `to         ${tx.to} (CreateX, deployCreate2)`,
      `data       ${tx.data}`,
      "gas        not estimated: CreateX is not on this chain yet (it is installed before deploying)",
    );
  } else {
    lines.push(...outcomeLines(tx));
  }
  if (result.createX === "installed" && result.status === "deployed")
    lines.push(`factory    CreateX installed at ${result.factory} first`);
  if (result.recordedIn !== null) {
    lines.push(`recorded   ${displayPath(result.recordedIn)}${result.newlyRecorded ? "" : " (already)"}`);
  } else if (hre.network.name === IN_PROCESS_NETWORK && result.status !== "dry-run") {
    lines.push(
      "note: the in-process network disappears when this command exits; use --network localhost with a running node to keep it",
    );
  }
  return lines;
}

/** `file` relative to the working directory when it is inside it, else absolute. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
