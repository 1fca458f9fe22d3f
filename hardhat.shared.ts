import type { HardhatUserConfig } from "hardhat/config";
import { hardhatNetworksFromEnv } from "./src/chain/networks";

/**
 * What every Hardhat runtime of the project shares: the compiler settings, the networks and the paths.
 * hardhat.config.ts adds the development plugins (the toolbox) for compiling and testing; the por CLI
 * loads cli/hardhat.config.ts, which adds only hardhat-ethers, so a command starts without them.
 */

// The npm `solc` package is pinned in package.json; this must match it. No compiler
// download is possible on our machines, so Hardhat is pointed at the bundled soljson.
export const SOLC_VERSION = "0.8.30";

const rpcNetwork = (envVar: string, fallback: string) => ({
  url: process.env[envVar] ?? fallback,
});

export const sharedConfig: HardhatUserConfig = {
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
};
