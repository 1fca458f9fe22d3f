import { expect } from "chai";
import { expectJson, expectRefusal, expectSuccess, por } from "../helpers/cli";
import { deployRegistry, deployToken } from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet } from "../helpers/node";

interface ListedAsset {
  asset: string;
  symbol: string | null;
  decimals: number | null;
  approvedAtBlock: number;
}

describe("por asset (CLI)", function () {
  let fixture: Fixture;
  let usdo: string;
  let eurc: string;

  before(async function () {
    fixture = await deployRegistry({ accredit: false });
    usdo = await deployToken(fixture, "USDO", 8);
    eurc = await deployToken(fixture, "EURC", 6);
  });

  const run = (args: string[], keyIndex = 0) =>
    por(["--network", "localhost", "--json", "asset", ...args, "--registry", fixture.address], {
      env: { POR_PRIVATE_KEY: devWallet(keyIndex).privateKey },
    });
  const list = async () => expectJson<{ registry: string; assets: ListedAsset[] }>(await run(["list"]));

  it("approves an asset, lists it with its symbol and decimals, then revokes it", async function () {
    expect(expectJson(await run(["approve", usdo]))).to.deep.include({
      asset: usdo,
      symbol: "USDO",
      decimals: 8,
      approved: true,
      registry: fixture.address,
    });
    expect(await fixture.registry.isApprovedReserveAsset(usdo)).to.equal(true);
    const listed = await list();
    expect(listed.registry).to.equal(fixture.address);
    expect(listed.assets.map(({ asset, symbol, decimals }) => ({ asset, symbol, decimals }))).to.deep.equal([
      { asset: usdo, symbol: "USDO", decimals: 8 },
    ]);

    expect(expectJson(await run(["revoke", usdo]))).to.include({ asset: usdo, approved: false });
    expect(await fixture.registry.isApprovedReserveAsset(usdo)).to.equal(false);
    expect((await list()).assets).to.deep.equal([]);
  });

  it("lists only the assets approved now, oldest approval first, also for humans", async function () {
    expectJson(await run(["approve", eurc]));
    expectJson(await run(["approve", usdo])); // approved again after the revocation above
    expect((await list()).assets.map((a) => a.asset)).to.deep.equal([eurc, usdo]);

    const human = expectSuccess(
      await por(["--network", "localhost", "asset", "list", "--registry", fixture.address]),
    );
    const lines = human.trimEnd().split("\n");
    expect(lines[0]).to.equal(`approved reserve assets in ${fixture.address} on localhost (chain 31337)`);
    expect(lines[1]).to.match(new RegExp(`^  ${eurc}  EURC  6 decimals  approved in block \\d+$`));
    expect(lines[2]).to.match(new RegExp(`^  ${usdo}  USDO  8 decimals  approved in block \\d+$`));
    expect(lines).to.have.lengthOf(3);
  });

  it("prints approve and revoke for humans like the auditor commands", async function () {
    const token = await deployToken(fixture, "GBPT", 2);
    const approve = expectSuccess(
      await por(["--network", "localhost", "asset", "approve", token, "--registry", fixture.address], {
        env: { POR_PRIVATE_KEY: devWallet(0).privateKey },
      }),
    );
    expect(approve).to.match(
      new RegExp(
        `^approved   ${token} \\(GBPT, 2 decimals\\)\\nregistry   ${fixture.address} on localhost \\(chain 31337\\)\\ntx         0x[0-9a-f]{64}\\nblock      \\d+, gas used \\d+ at [\\d.]+ gwei\\n$`,
      ),
    );
    const revoke = expectSuccess(
      await por(["--network", "localhost", "asset", "revoke", token, "--registry", fixture.address], {
        env: { POR_PRIVATE_KEY: devWallet(0).privateKey },
      }),
    );
    expect(revoke).to.match(new RegExp(`^revoked    ${token}\\nregistry   ${fixture.address} on `));
  });

  it("--dry-run prints the call it would send (estimated gas included) and approves nothing", async function () {
    const token = await deployToken(fixture, "DRYT", 6);
    const out = expectJson<{
      approved: boolean;
      transactionHash: null;
      transaction: { sent: boolean; from: string; to: string; data: string; estimatedGas: string };
    }>(await run(["approve", token, "--dry-run"]));
    expect(out).to.include({ asset: token, symbol: "DRYT", approved: false, transactionHash: null });
    expect(out.transaction).to.include({
      sent: false,
      from: devWallet(0).address,
      to: fixture.address,
      data: fixture.registry.interface.encodeFunctionData("approveReserveAsset", [token]),
    });
    expect(BigInt(out.transaction.estimatedGas)).to.be.greaterThan(21_000n);
    expect(await fixture.registry.isApprovedReserveAsset(token)).to.equal(false);
    const human = expectSuccess(
      await por(
        ["--network", "localhost", "asset", "approve", token, "--dry-run", "--registry", fixture.address],
        {
          env: { POR_PRIVATE_KEY: devWallet(0).privateKey },
        },
      ),
    );
    expect(human).to.match(
      new RegExp(
        `^registry   ${fixture.address} on localhost \\(chain 31337\\)\\ndry run    nothing sent: approve reserve asset ${token} \\(DRYT, 6 decimals\\)\\n`,
      ),
    );
    expect(human).to.match(/\ngas        \d+ \(estimated\)\n$/);
  });

  it("refuses a non-admin sender with the decoded AccessControl error", async function () {
    expectRefusal(
      await run(["approve", eurc], 6),
      new RegExp(
        `^approval refused: only the registry admin can do this \\(${devWallet(6).address} is not the admin\\)$`,
      ),
    );
    expectRefusal(
      await run(["revoke", eurc], 6),
      new RegExp(
        `^revocation refused: only the registry admin can do this \\(${devWallet(6).address} is not the admin\\)$`,
      ),
    );
  });

  it("refuses to approve an asset twice and to revoke one that is not approved", async function () {
    expectRefusal(
      await run(["approve", eurc]),
      new RegExp(`^approval refused: ${eurc} is already an approved reserve asset$`),
    );
    const never = await deployToken(fixture, "NEVR", 6);
    expectRefusal(
      await run(["revoke", never]),
      new RegExp(`^revocation refused: ${never} is not an approved reserve asset `),
    );
  });

  it("refuses an address without code as a reserve asset", async function () {
    const eoa = devWallet(9).address;
    expectRefusal(await run(["approve", eoa]), new RegExp(`^approval refused: ${eoa} has no contract code`));
  });

  it("refuses a malformed address or block before connecting", async function () {
    expectRefusal(await run(["approve", "0x1234"]), /^asset must be an address: got "0x1234"$/);
    expectRefusal(
      await run(["list", "--from-block", "-1"]),
      /^--from-block must be a block number, got "-1"$/,
    );
  });

  it("documents the three sub-commands in --help", async function () {
    const help = expectSuccess(await por(["asset", "--help"]));
    expect(help).to.match(/approve \[options\] <asset>/);
    expect(help).to.match(/revoke \[options\] <asset>/);
    expect(help).to.match(/list \[options\]/);
  });
});
