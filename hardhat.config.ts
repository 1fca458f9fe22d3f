import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";
import { SOLC_VERSION, sharedConfig } from "./hardhat.shared";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: args.solcVersion,
    longVersion: solc.version(),
  };
});

const config: HardhatUserConfig = {
  ...sharedConfig,
  // Source verification (`npx hardhat verify`, `npx hardhat ignition verify chain-<id>`; docs/deploy.md).
  // One Etherscan API key serves every chain Etherscan's v2 API covers (Ethereum, Sepolia, Base,
  // Arbitrum…); Sourcify needs none. Never exercised here: these machines have no network.
  etherscan: {
    apiKey: process.env.POR_ETHERSCAN_API_KEY ?? "",
  },
  sourcify: {
    enabled: process.env.POR_SOURCIFY === "true",
  },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    outputFile: process.env.REPORT_GAS_FILE,
    noColors: process.env.REPORT_GAS_FILE !== undefined,
    reportPureAndViewMethods: true,
    offline: true,
  },
  mocha: {
    timeout: 120_000,
  },
};

export default config;
