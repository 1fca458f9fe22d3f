import { promises as fs } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { expectJson, expectRefusal, expectSuccess, por, tempDir } from "../helpers/cli";
import { devWallet } from "../helpers/node";

describe("por deploy (CLI)", function () {
  const ignitionDir = tempDir("deploy-ignition");
  const admin = devWallet(0);

  it("deploys on the in-process network and says the chain disappears", async function () {
    const out = expectSuccess(await por(["deploy"]));
    expect(out).to.match(/^ReserveRegistry deployed at 0x[0-9a-fA-F]{40} on hardhat \(chain 31337\)/);
    expect(out).to.include("disappears when this command exits");
  });

  it("records a localhost deployment where Ignition writes it, with --admin", async function () {
    const other = devWallet(7).address;
    const out = expectJson<{ registry: string; admin: string; recordedIn: string }>(
      await por(["--network", "localhost", "--json", "deploy", "--admin", other], {
        env: { POR_PRIVATE_KEY: admin.privateKey },
        ignitionDir,
      }),
    );
    expect(out.admin).to.equal(other);
    const recorded = JSON.parse(
      await fs.readFile(
        path.join(ignitionDir, "deployments", "chain-31337", "deployed_addresses.json"),
        "utf8",
      ),
    ) as Record<string, string>;
    expect(recorded["ReserveRegistryModule#ReserveRegistry"]).to.equal(out.registry);
  });

  it("refuses a stale record (no code at the address) with a hint to --reset", async function () {
    const stale = tempDir("deploy-stale");
    await fs.mkdir(path.join(stale, "deployments", "chain-31337"), { recursive: true });
    await fs.writeFile(
      path.join(stale, "deployments", "chain-31337", "deployed_addresses.json"),
      JSON.stringify({ "ReserveRegistryModule#ReserveRegistry": devWallet(9).address }),
    );
    expectRefusal(
      await por(["--network", "localhost", "status", "USDX"], { ignitionDir: stale }),
      /por deploy --reset/,
    );
  });

  it("refuses to send on localhost without a key", async function () {
    expectRefusal(
      await por(["--network", "localhost", "deploy"]),
      /^no key to send transactions on localhost/,
    );
  });
});
