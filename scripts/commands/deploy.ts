import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { ChainError } from "../../src/errors";
import { parseAddress } from "../../src/hex";
import type { KeyOptions } from "../../src/keys";
import { action, optionsOf, output } from "../cli-kit";
import { deploymentDir, IN_PROCESS_NETWORK, REGISTRY_FUTURE_ID, sender } from "../network";
import { connectWithKey, keyOptions, networkLabel } from "./common";

interface DeployOptions extends KeyOptions {
  admin?: string;
  reset?: boolean;
}

export function registerDeploy(program: Command): void {
  keyOptions(
    program
      .command("deploy")
      .description(
        "deploy a ReserveRegistry with Hardhat Ignition (module ReserveRegistryModule) and record its address",
      )
      .option(
        "--admin <address>",
        "account given the admin role, which accredits auditors (default: the deployer)",
      )
      .option("--reset", "forget this chain's recorded deployment first (e.g. after restarting a local node)")
      .addHelpText(
        "after",
        "\nOn a persistent network the address is recorded in deploy/deployments/chain-<id>/deployed_addresses.json," +
          "\nwhere later commands find it. The default in-process network disappears when the command exits.",
      ),
    "send",
  ).action(
    action(async (_opts: DeployOptions, command: Command) => {
      const options = optionsOf<DeployOptions>(command);
      const admin = options.admin === undefined ? undefined : parseAddress(options.admin, "--admin");
      const { hre, wallet } = await connectWithKey(options);
      const deployer = await sender(hre, wallet);
      const { chainId } = await hre.ethers.provider.getNetwork();
      const persistent = hre.network.name !== IN_PROCESS_NETWORK;
      const dir = deploymentDir(hre, chainId);
      if (options.reset && persistent) await fs.rm(dir, { recursive: true, force: true });

      // Loaded here: Ignition's module builder is slow to load and other commands don't need it.
      const { default: ReserveRegistryModule } = await import("../../deploy/ReserveRegistry");
      let address: string;
      try {
        const { registry } = await hre.ignition.deploy(ReserveRegistryModule, {
          parameters: { ReserveRegistryModule: { admin: admin ?? deployer.address } },
          defaultSender: deployer.address,
        });
        address = await registry.getAddress();
      } catch (err) {
        const message = err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
        throw new ChainError("deployment failed", { details: message, cause: err });
      }
      if ((await hre.ethers.provider.getCode(address)) === "0x") {
        throw new ChainError(`the deployment recorded in ${dir} points to ${address}, which has no code`, {
          details: "was the node restarted? run `por deploy --reset`",
        });
      }
      const recordedIn = persistent ? displayPath(path.join(dir, "deployed_addresses.json")) : null;
      output(
        options,
        {
          registry: address,
          futureId: REGISTRY_FUTURE_ID,
          network: hre.network.name,
          chainId,
          admin: admin ?? deployer.address,
          deployer: deployer.address,
          recordedIn,
        },
        () =>
          [
            `ReserveRegistry deployed at ${address} on ${networkLabel(hre, chainId)}`,
            `admin     ${admin ?? deployer.address}`,
            recordedIn === null
              ? "note: the in-process network disappears when this command exits; use --network localhost with a running node to keep it"
              : `recorded  ${recordedIn}`,
          ].join("\n"),
      );
    }),
  );
}

/** `file` relative to the working directory when it is inside it, else absolute. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
