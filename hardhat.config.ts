import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";
import { hardhatNetworksFromEnv } from "./src/chain/networks";

// The npm `solc` package is pinned in package.json; this must match it. No compiler
// download is possible on our machines, so Hardhat is pointed at the bundled soljson.
const SOLC_VERSION = "0.8.30";

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

const rpcNetwork = (envVar: string, fallback: string) => ({
  url: process.env[envVar] ?? fallback,
});

const config: HardhatUserConfig = {
  solidity: {
    compilers: [
      {
        version: SOLC_VERSION,
        settings: {
          evmVersion: "cancun",
          optimizer: { enabled: true, runs: 10_000 },
        },
      },
    ],
    overrides: {
      // Near Ethereum's 24,576-byte limit: optimized for size first (docs/gas.md measures the cost).
      "contracts/ReserveRegistry.sol": {
        version: SOLC_VERSION,
        settings: { evmVersion: "cancun", optimizer: { enabled: true, runs: 200 } },
      },
    },
  },
  networks: {
    // A second `hardhat node` with its own chain id stands in for another chain in bridge tests.
    // Prague, not Hardhat's default Osaka: EDR's eth_estimateGas asks ~3x the gas a nested contract
    // creation uses (the registry creates its LiabilityChallenges: 7.2M gas used), above Osaka's
    // 16.7M transaction cap (EIP-7825), and Ignition then refuses to deploy. Real nodes estimate
    // what is used; docs/deploy.md.
    hardhat: { chainId: Number(process.env.POR_HARDHAT_CHAIN_ID ?? 31337), hardfork: "prague" },
    localhost: rpcNetwork("POR_LOCALHOST_RPC", "http://127.0.0.1:8545"),
    // Any other chain: POR_RPC_URL_<NAME> (and POR_CHAIN_ID_<NAME>) define network <name> (docs/networks.md).
    ...hardhatNetworksFromEnv(process.env),
  },
  paths: {
    ignition: "deploy",
  },
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
