/**
 * Same address on every chain: two `hardhat node`s with different chain ids, where the deployer has
 * sent a different number of transactions, get the registry and a subject's three feeds at the same
 * addresses from `por deploy` and `por feed deploy` (CREATE2 through CreateX). Chain 31337 gets
 * CreateX from Ignition; the other chain from `--install-createx`.
 */
import { expect } from "chai";
import { JsonRpcProvider, NonceManager } from "ethers";
import { ReserveRegistry__factory } from "../../typechain-types";
import { CREATEX_ADDRESS, parseSubjectId } from "../../src";
import { expectJson, expectRefusal, removeTempDir, runPor, tempDir } from "../helpers/cli";
import type { CliResult } from "../helpers/cli";
import { devWallet, type HardhatNode, startHardhatNode } from "../helpers/hardhat-node";

const DEPLOYER = 2;
const AUDITOR = 3;
const KINDS = ["reserves", "ratio", "address-list"] as const;

interface Chain {
  node: HardhatNode;
  provider: JsonRpcProvider;
  ignitionDir: string;
  por(args: string[]): Promise<CliResult>;
}

async function startChain(chainId: number): Promise<Chain> {
  const node = await startHardhatNode(chainId);
  const ignitionDir = tempDir(`same-address-${chainId}`);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("POR_") && name !== "HARDHAT_NETWORK") env[name] = value;
  }
  Object.assign(env, {
    POR_LOCALHOST_RPC: node.url,
    POR_IGNITION_DIR: ignitionDir,
    POR_PRIVATE_KEY: devWallet(DEPLOYER).privateKey,
  });
  return {
    node,
    provider: new JsonRpcProvider(node.url, chainId, { staticNetwork: true, pollingInterval: 50 }),
    ignitionDir,
    por: (args) => runPor(["--network", "localhost", "--json", ...args], env),
  };
}

describe("same address on every chain (e2e, two hardhat nodes)", function () {
  this.timeout(600_000);
  const chains: Chain[] = [];
  const addresses: Array<Record<string, string>> = [{}, {}];

  before(async function () {
    chains.push(await startChain(31337), await startChain(8453));
    // The deployer has a history on the second chain only: a CREATE address would differ.
    const busy = new NonceManager(devWallet(DEPLOYER, chains[1]!.provider));
    for (let i = 0; i < 3; i++)
      await (await busy.sendTransaction({ to: devWallet(9).address, value: 1n })).wait();
  });

  after(async function () {
    for (const chain of chains) {
      chain.provider.destroy();
      await chain.node.stop();
      removeTempDir(chain.ignitionDir);
    }
  });

  it("refuses to deploy where CreateX is missing, unless asked to install it on a development node", async function () {
    expectRefusal(
      await chains[1]!.por(["deploy"]),
      /^the CreateX factory \(0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed\) is not deployed on chain 8453: .*--install-createx/,
    );
    expect(await chains[1]!.provider.getCode(CREATEX_ADDRESS)).to.equal("0x");
  });

  it("deploys the registry at one address although the deployer's nonces differ", async function () {
    const nonces = await Promise.all(
      chains.map((c) => c.provider.getTransactionCount(devWallet(DEPLOYER).address)),
    );
    expect(nonces[0]).to.not.equal(nonces[1]);
    for (const [i, chain] of chains.entries()) {
      const out = expectJson<{ registry: string; status: string; createX: string }>(
        await chain.por(i === 0 ? ["deploy"] : ["deploy", "--install-createx"]),
      );
      expect(out).to.include({ status: "deployed", createX: "installed" });
      addresses[i]!.registry = out.registry;
    }
    expect(addresses[1]!.registry).to.equal(addresses[0]!.registry);
  });

  it("deploys a subject's three feeds at the same addresses on both chains", async function () {
    const subjectId = parseSubjectId("USDX");
    for (const chain of chains) {
      // The same subject on both chains (registered directly: this test is about addresses).
      const admin = new NonceManager(devWallet(DEPLOYER, chain.provider));
      const registry = ReserveRegistry__factory.connect(addresses[0]!.registry!, admin);
      await (await registry.accreditAuditor(devWallet(AUDITOR).address, "Auditor")).wait();
      await (
        await registry.registerSubject(subjectId, {
          name: "USDX / USD",
          decimals: 6,
          token: "0x0000000000000000000000000000000000000000",
          reserveAsset: "0x0000000000000000000000000000000000000000",
          heartbeat: 86_400,
          quorum: 1,
          auditors: [devWallet(AUDITOR).address],
        })
      ).wait();
    }
    for (const [i, chain] of chains.entries()) {
      for (const kind of KINDS) {
        const out = expectJson<{ feed: string; status: string }>(
          await chain.por(["feed", "deploy", "--subject", "USDX", "--kind", kind]),
        );
        expect(out.status).to.equal("deployed");
        addresses[i]![kind] = out.feed;
      }
    }
    expect(addresses[1]).to.deep.equal(addresses[0]);
    expect(new Set(Object.values(addresses[0]!)).size).to.equal(4);
  });

  it("lists the same contracts at the same addresses with `por deployments` on both chains", async function () {
    const listed = await Promise.all(
      chains.map(
        async (chain) =>
          expectJson<{ contracts: Array<{ futureId: string; address: string; code: boolean }> }>(
            await chain.por(["deployments"]),
          ).contracts,
      ),
    );
    // The registry, the LiabilityChallenges it created, and the subject's three feeds.
    expect(listed[0]!.map((c) => c.futureId)).to.include("ReserveRegistryModule#LiabilityChallenges");
    expect(listed[0]).to.have.lengthOf(5);
    expect(listed[1]).to.deep.equal(listed[0]);
    expect(listed[0]!.every((c) => c.code)).to.equal(true);
  });
});
