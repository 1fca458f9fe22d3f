import { expect } from "chai";
import { expectJson, expectRefusal, por } from "../helpers/cli";
import { deployRegistry, deployToken } from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet, freshProvider, hardhatNode } from "../helpers/node";

describe("por --network NAME from POR_RPC_URL_<NAME> (CLI)", function () {
  let fixture: Fixture;
  let url: string;

  before(async function () {
    fixture = await deployRegistry({ accredit: false });
    url = (await hardhatNode()).url;
  });

  const approve = (network: string, asset: string, env: Record<string, string>) =>
    por(["--network", network, "--json", "asset", "approve", asset, "--registry", fixture.address], {
      env: { POR_PRIVATE_KEY: devWallet(0).privateKey, ...env },
    });

  it("sends on a network the environment defines, typed in any case, its chain id checked", async function () {
    const asset = await deployToken(fixture, "ENVN", 6);
    const out = expectJson<{ approved: boolean; transaction: { sent: boolean; gasUsed: string } }>(
      await approve("My-Node", asset, { POR_RPC_URL_MY_NODE: url, POR_CHAIN_ID_MY_NODE: "31337" }),
    );
    expect(out.approved).to.equal(true);
    expect(out.transaction.sent).to.equal(true);
    expect(BigInt(out.transaction.gasUsed)).to.be.greaterThan(21_000n);
    expect(await fixture.registry.isApprovedReserveAsset(asset)).to.equal(true);
  });

  it("refuses a node whose chain id is not POR_CHAIN_ID_<NAME>'s, before sending anything", async function () {
    const asset = await deployToken(fixture, "WRNG", 6);
    const before = await (await freshProvider()).getBlockNumber();
    expectRefusal(
      await approve("SEPOLIA", asset, { POR_RPC_URL_SEPOLIA: url, POR_CHAIN_ID_SEPOLIA: "11155111" }),
      /^network sepolia answers chain id 31337, but POR_CHAIN_ID_SEPOLIA requires 11155111: nothing sent: check POR_RPC_URL_SEPOLIA$/,
    );
    expect(await (await freshProvider()).getBlockNumber()).to.equal(before);
    expect(await fixture.registry.isApprovedReserveAsset(asset)).to.equal(false);
  });

  it("refuses an unknown network in one line saying how to define it, and never prints an RPC URL's path", async function () {
    expectRefusal(
      await approve("base", devWallet(9).address, {}),
      /^unknown network "base": define it with POR_RPC_URL_BASE=<RPC URL> \(and optionally POR_CHAIN_ID_BASE=<chain id>\); defined: hardhat, localhost$/,
    );
    const message = expectRefusal(
      await approve("down", devWallet(9).address, {
        POR_RPC_URL_DOWN: "http://127.0.0.1:9/v3/secret-api-key",
      }),
      /^cannot reach network down at http:\/\/127\.0\.0\.1:9 \(POR_RPC_URL_DOWN\)/,
    );
    expect(message).to.not.include("secret-api-key");
  });
});
