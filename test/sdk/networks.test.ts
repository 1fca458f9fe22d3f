import { expect } from "chai";
import {
  ChainError,
  checkChainId,
  envNetworkNames,
  findEnvNetwork,
  hardhatNetworksFromEnv,
  InvalidArgumentError,
  networkVariableSuffix,
  resolveNetworkName,
} from "../../src";

const SEPOLIA_URL = "https://sepolia.example/v3/not-a-real-key";

describe("networks from the environment", function () {
  const env = {
    POR_RPC_URL_SEPOLIA: SEPOLIA_URL,
    POR_CHAIN_ID_SEPOLIA: "11155111",
    POR_RPC_URL_BASE: "https://base.example",
    POR_CHAIN_ID_BASE: "8453",
    POR_RPC_URL_ARBITRUM_ONE: " https://arb.example ",
    POR_RPC_URL_EMPTY: "",
    POR_RPC_URL_LOCALHOST: "http://127.0.0.1:9999",
    POR_LOCALHOST_RPC: "http://127.0.0.1:8545",
    PATH: "/usr/bin",
  };

  describe("envNetworkNames", function () {
    it("lists one network per non-empty POR_RPC_URL_<NAME>, in lower case, built-in names excepted", function () {
      expect(envNetworkNames(env)).to.deep.equal(["arbitrum_one", "base", "sepolia"]);
      expect(envNetworkNames({})).to.deep.equal([]);
    });
  });

  describe("resolveNetworkName", function () {
    it("finds a network typed in any case, with - for _", function () {
      for (const typed of ["sepolia", "SEPOLIA", "SePoLiA"])
        expect(resolveNetworkName(typed, env)).to.equal("sepolia");
      expect(resolveNetworkName("Arbitrum-One", env)).to.equal("arbitrum_one");
      expect(resolveNetworkName("arbitrum_one", env)).to.equal("arbitrum_one");
    });

    it("keeps hardhat and localhost built in, in any case", function () {
      expect(resolveNetworkName("hardhat", {})).to.equal("hardhat");
      expect(resolveNetworkName("LocalHost", { POR_LOCALHOST_RPC: "http://x" })).to.equal("localhost");
    });

    it("refuses POR_RPC_URL_LOCALHOST and POR_RPC_URL_HARDHAT instead of ignoring them", function () {
      expect(() => resolveNetworkName("localhost", env)).to.throw(
        InvalidArgumentError,
        /^POR_RPC_URL_LOCALHOST is not used: localhost is built in: its URL is \$POR_LOCALHOST_RPC/,
      );
      expect(() => resolveNetworkName("hardhat", { POR_RPC_URL_HARDHAT: "http://x" })).to.throw(
        /^POR_RPC_URL_HARDHAT is not used: hardhat is built in/,
      );
    });

    it("refuses an unknown network in one line saying how to define it and listing those defined", function () {
      expect(() => resolveNetworkName("optimism", env)).to.throw(
        InvalidArgumentError,
        'unknown network "optimism": define it with POR_RPC_URL_OPTIMISM=<RPC URL> (and optionally ' +
          "POR_CHAIN_ID_OPTIMISM=<chain id>); defined: hardhat, localhost, arbitrum_one, base, sepolia",
      );
      expect(() => resolveNetworkName("empty", env)).to.throw(/^unknown network "empty"/);
      expect(() => resolveNetworkName("my net!", env)).to.throw(
        /^unknown network "my net!": define it with POR_RPC_URL_NAME=<RPC URL>/,
      );
    });
  });

  describe("findEnvNetwork", function () {
    it("gives the URL, the variables and the required chain id", function () {
      expect(findEnvNetwork("sepolia", env)).to.deep.equal({
        name: "sepolia",
        url: SEPOLIA_URL,
        urlVariable: "POR_RPC_URL_SEPOLIA",
        chainId: 11155111n,
        chainIdVariable: "POR_CHAIN_ID_SEPOLIA",
      });
      expect(findEnvNetwork("arbitrum_one", env)).to.deep.include({
        url: "https://arb.example",
        chainId: undefined,
      });
      expect(findEnvNetwork("localhost", env)).to.equal(undefined);
    });

    it("refuses a chain id that is not a positive whole number, naming the variable", function () {
      for (const bad of ["0", "-1", "0x1", "1.5", "sepolia"]) {
        expect(() => findEnvNetwork("sepolia", { ...env, POR_CHAIN_ID_SEPOLIA: bad })).to.throw(
          InvalidArgumentError,
          `POR_CHAIN_ID_SEPOLIA must be a chain id (a positive whole number), got ${JSON.stringify(bad)}`,
        );
      }
    });
  });

  describe("checkChainId", function () {
    it("accepts the node's chain id when it is the required one, or when none is required", function () {
      expect(() => checkChainId(findEnvNetwork("sepolia", env)!, 11155111n)).to.not.throw();
      expect(() => checkChainId(findEnvNetwork("arbitrum_one", env)!, 42161n)).to.not.throw();
    });

    it("refuses another chain id, naming both ids", function () {
      expect(() => checkChainId(findEnvNetwork("base", env)!, 84532n)).to.throw(
        ChainError,
        "network base answers chain id 84532, but POR_CHAIN_ID_BASE requires 8453: nothing sent: check POR_RPC_URL_BASE",
      );
    });
  });

  describe("hardhatNetworksFromEnv", function () {
    it("declares each network to Hardhat with its URL and, when well-formed, its chain id", function () {
      expect(hardhatNetworksFromEnv({ ...env, POR_CHAIN_ID_BASE: "base" })).to.deep.equal({
        arbitrum_one: { url: "https://arb.example" },
        base: { url: "https://base.example" },
        sepolia: { url: SEPOLIA_URL, chainId: 11155111 },
      });
    });
  });

  describe("networkVariableSuffix", function () {
    it("upper-cases and turns - into _", function () {
      expect(networkVariableSuffix(" base-sepolia ")).to.equal("BASE_SEPOLIA");
    });
  });
});
