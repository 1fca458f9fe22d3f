import { spawn } from "node:child_process";
import { expect } from "chai";
import { JsonRpcProvider, NonceManager } from "ethers";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LockVault__factory, MockERC20__factory } from "../../typechain-types";
import { runCli } from "../helpers/cli";
import { devWallet, type HardhatNode, REPO_ROOT, startHardhatNode } from "../helpers/hardhat-node";

const PAIR = "USDO home->remote";

describe("por monitor on a two-chain bridge (e2e)", function () {
  this.timeout(180_000);

  let home: HardhatNode | undefined;
  let remote: HardhatNode | undefined;
  let dir: string;
  let configFile: string;
  let config: Record<string, unknown>;
  let mintWrapped: (amount: bigint) => Promise<void>;

  before(async function () {
    [home, remote] = await Promise.all([startHardhatNode(31337), startHardhatNode(31338)]);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "por-bridge-"));

    const homeSigner = new NonceManager(devWallet(0, new JsonRpcProvider(home.url)));
    const remoteSigner = new NonceManager(devWallet(0, new JsonRpcProvider(remote.url)));
    const user = await homeSigner.getAddress();

    // Home chain: the original token (8 decimals) and the bridge's lock vault.
    const original = await new MockERC20__factory(homeSigner).deploy("USD Original", "USDO", 8);
    const vault = await new LockVault__factory(homeSigner).deploy(await original.getAddress());
    await (await original.mint(user, 1_000n * 10n ** 8n)).wait();
    await (await original.approve(await vault.getAddress(), 600n * 10n ** 8n)).wait();
    await (await vault.lock(user, 600n * 10n ** 8n)).wait();

    // Remote chain: the wrapped token (18 decimals), minted 1:1 for what was locked.
    const wrapped = await new MockERC20__factory(remoteSigner).deploy("Wrapped USDO", "wUSDO", 18);
    mintWrapped = async (amount) => void (await (await wrapped.mint(user, amount)).wait());
    await mintWrapped(600n * 10n ** 18n);

    configFile = path.join(dir, "monitor.json");
    config = {
      format: "por-monitor/1",
      retry: { attempts: 2, baseDelayMs: 50, timeoutMs: 5_000 },
      networks: {
        home: { rpcUrl: home.url, chainId: 31337 },
        remote: { rpcUrl: remote.url, chainId: 31338 },
      },
      checks: [
        {
          type: "bridge",
          name: PAIR,
          wrapped: { network: "remote", token: await wrapped.getAddress() },
          locked: {
            network: "home",
            token: await original.getAddress(),
            holders: [await vault.getAddress()],
          },
        },
      ],
    };
    await fs.writeFile(configFile, JSON.stringify(config));
  });

  /** `config` with `edit` applied, written to `name` in the test directory. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document, edited freely
  const variant = async (name: string, edit: (c: Record<string, any>) => void) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    const copy = JSON.parse(JSON.stringify(config)) as Record<string, any>;
    edit(copy);
    const file = path.join(dir, name);
    await fs.writeFile(file, JSON.stringify(copy));
    return file;
  };

  after(async function () {
    await Promise.all([home?.stop(), remote?.stop()]);
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("exits 0 with one OK line (and no JSON line) while the wrapped supply is fully locked", async function () {
    const [human, json] = await Promise.all([
      runCli(["monitor", "--config", configFile, "--once"]),
      runCli(["--json", "monitor", "--config", configFile, "--once"]),
    ]);
    expect(human.stderr).to.equal("");
    expect(human.stdout).to.match(
      new RegExp(`^\\S+Z OK all 1 check healthy, lowest ratio 1\\.0000 \\(bridge "${PAIR}"\\)\\n$`),
    );
    expect(human.code).to.equal(0);
    expect(json.stdout).to.equal("");
    expect(json.code).to.equal(0);
  });

  it("reports a bridge whose token address has no contract as missing (exit 2), not unreachable", async function () {
    const noToken = devWallet(7).address;
    const file = await variant("no-token.json", (c) => (c.checks[0].wrapped.token = noToken));
    const result = await runCli(["monitor", "--config", file, "--once"]);
    expect(result.code).to.equal(2);
    expect(result.stdout).to.match(
      new RegExp(`ALERT missing bridge "${PAIR}": no contract at wrapped token ${noToken} on remote\\n$`),
    );
  });

  it("refuses a config with a misspelt key, naming its path", async function () {
    const file = await variant("typo.json", (c) => (c.checks[0].minratio = "0.5"));
    const result = await runCli(["monitor", "--config", file, "--once"]);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.equal("");
    expect(result.stderr).to.equal(
      `error: ${file}: checks[0].minratio is not a known key: did you mean "minRatio"?\n`,
    );
  });

  it("exits 1 with a JSON alert naming the pair once the wrapped token is over-minted", async function () {
    await mintWrapped(1n); // one wei of wrapped supply more than is locked
    const result = await runCli(["--json", "monitor", "--config", configFile, "--once"]);
    expect(result.code).to.equal(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines).to.have.length(1);
    const alert = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(alert).to.include({ check: PAIR, type: "bridge", state: "undercollateralized" });
    expect(alert.reservesWad).to.equal((600n * 10n ** 18n).toString());
    expect(alert.supplyWad).to.equal((600n * 10n ** 18n + 1n).toString());
  });

  it("watching, prints the alert and ends with exit 0 on Ctrl-C (SIGINT)", async function () {
    const file = await variant("watch.json", (c) => (c.intervalSeconds = 1));
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, "bin", "por.js"), "monitor", "--config", file],
      {
        cwd: REPO_ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<[number | null, string | null]>((resolve) =>
      child.once("exit", (code, signal) => resolve([code, signal])),
    );
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("\n")) resolve();
      }),
    );
    expect(stdout).to.match(new RegExp(`ALERT undercollateralized bridge "${PAIR}"`));
    child.kill("SIGINT");
    expect(await exited).to.deep.equal([0, null]);
    expect(stderr).to.equal("");
  });

  it("exits 2 and reports the pair unreachable when one chain stops answering", async function () {
    await remote!.stop();
    const result = await runCli(["monitor", "--config", configFile, "--once"]);
    expect(result.code).to.equal(2);
    expect(result.stdout).to.match(
      new RegExp(
        `ALERT unreachable bridge "${PAIR}": remote \\(${remote!.url}\\) unreachable after 2 attempts`,
      ),
    );
  });
});
