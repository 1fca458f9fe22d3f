import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-ethers";
import { sharedConfig } from "../hardhat.shared";

// The Hardhat runtime `por` loads: the project's networks, compiler settings and paths (rooted at the
// repository, where the artifacts and deployments are), with hardhat-ethers only. The toolbox's test,
// coverage and verification plugins cost about half a second at every command and serve none.
const config: HardhatUserConfig = {
  ...sharedConfig,
  paths: { ...sharedConfig.paths, root: ".." },
};

export default config;
