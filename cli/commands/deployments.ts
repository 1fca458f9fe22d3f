import type { Command } from "commander";
import { deployedAddressesFile, readDeployedAddresses } from "../../src/chain/deployments";
import { action, optionsOf, output } from "../cli-kit";
import type { GlobalOptions } from "../cli-kit";
import { connect, deploymentDir, IN_PROCESS_NETWORK } from "../network";
import { networkLabel } from "./common";
import { displayPath } from "./deploy";

/** One contract of the record. */
interface RecordedContract {
  module: string;
  contract: string;
  futureId: string;
  address: string;
  /** Whether the connected chain has code at the address (false: a stale record, e.g. a restarted node). */
  code: boolean;
}

export function registerDeployments(program: Command): void {
  program
    .command("deployments")
    .description(
      "list the contracts recorded for the connected chain (module, contract, address, code there?)",
    )
    .addHelpText(
      "after",
      "\nReads the chain's Ignition deployment, deploy/deployments/chain-<id>/deployed_addresses.json" +
        "\n($POR_IGNITION_DIR replaces deploy/), written by `por deploy`, `por feed deploy` and `por token deploy`.",
    )
    .action(
      action(async (_opts: GlobalOptions, command: Command) => {
        const options = optionsOf<GlobalOptions>(command);
        const hre = await connect(options);
        const { chainId } = await hre.ethers.provider.getNetwork();
        const inProcess = hre.network.name === IN_PROCESS_NETWORK;
        const dir = deploymentDir(hre, chainId);
        const recorded = inProcess ? {} : await readDeployedAddresses(dir);
        const contracts: RecordedContract[] = await Promise.all(
          Object.entries(recorded).map(async ([futureId, address]) => {
            const [module = futureId, contract = futureId] = futureId.split("#");
            const code = (await hre.ethers.provider.getCode(address)) !== "0x";
            return { module, contract, futureId, address, code };
          }),
        );
        const file = inProcess ? null : displayPath(deployedAddressesFile(dir));
        output(options, { network: hre.network.name, chainId, recordedIn: file, contracts }, () => {
          if (file === null) {
            return "nothing recorded: the in-process network starts empty for every command; pass --network";
          }
          if (contracts.length === 0) return `nothing recorded for ${networkLabel(hre, chainId)} in ${file}`;
          const stale = contracts.filter((c) => !c.code).length;
          return [
            `${contracts.length} contract${contracts.length === 1 ? "" : "s"} recorded for ${networkLabel(hre, chainId)} in ${file}`,
            ...table(contracts),
            ...(stale === 0
              ? []
              : [
                  `note: ${stale} without code on this chain: was the node restarted? run \`por deploy --reset\``,
                ]),
          ].join("\n");
        });
      }),
    );
}

function table(contracts: RecordedContract[]): string[] {
  const rows = [
    ["MODULE", "CONTRACT", "ADDRESS", "CODE"],
    ...contracts.map((c) => [c.module, c.contract, c.address, c.code ? "yes" : "NONE"]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  "));
}
