/**
 * Runs the walkthrough of docs/cli.md ("Walkthrough: every role on a local node") as written: its
 * `sh` blocks, in order, in one bash shell (as a user pasting them into one terminal), against a
 * `hardhat node`, with the key files, password and reserve asset the doc tells the user to provide.
 */
import { spawn } from "node:child_process";
import { promises as fs, readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import type { Command } from "commander";
import { encodeBytes32String, getAddress, JsonRpcProvider, NonceManager } from "ethers";
import {
  LiabilityChallenges__factory,
  MockERC20__factory,
  ReserveRegistry__factory,
} from "../../typechain-types";
import { buildProgram } from "../../cli/por";
import { removeTempDir, tempDir } from "../helpers/cli";
import { devWallet, type HardhatNode, REPO_ROOT, startHardhatNode } from "../helpers/hardhat-node";
import { createSafe, deploySafeContracts } from "../helpers/safe";

const DOC = path.join(REPO_ROOT, "docs", "cli.md");
const SECTION = "## Walkthrough: every role on a local node";

/** The key files the doc asks for, each from a `hardhat node` development account. */
const KEY_FILES: Record<string, number> = {
  "admin.key": 0,
  "alpha.key": 1,
  "issuer.key": 2,
  "holder.key": 3,
  "newowner.key": 4,
  "gamma5.key": 5,
  "gamma6.key": 6,
};

/** The owners of auditor Gamma's 2-of-3 Safe: accounts #5, #6 and #7 (the doc lists their addresses). */
const SAFE_OWNERS = [5, 6, 7].map((i) => devWallet(i).address);

interface Block {
  /** The bold role name of the paragraph above the block, e.g. "Registry admin". */
  role: string;
  code: string;
}

interface BlockRun {
  stdout: string;
  stderr: string;
}

/** The section's ```sh blocks, in order, each with the role its paragraph names. */
function walkthroughBlocks(markdown: string): Block[] {
  const start = markdown.indexOf(`\n${SECTION}\n`);
  expect(start, `docs/cli.md has a section "${SECTION}"`).to.be.greaterThan(-1);
  const rest = markdown.slice(start + SECTION.length + 2);
  const end = rest.search(/^## /m);
  const section = end === -1 ? rest : rest.slice(0, end);
  const blocks: Block[] = [];
  let previousEnd = 0;
  for (const match of section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const prose = section.slice(previousEnd, match.index);
    const roles = [...prose.matchAll(/\*\*([^*]+)\*\*/g)].map((m) => m[1]);
    blocks.push({ role: roles[0] ?? "?", code: match[1] ?? "" });
    previousEnd = (match.index ?? 0) + match[0].length;
  }
  return blocks;
}

/** `usdc.mint("0x…", 1_250_000_000000n)` calls of the doc's console snippet: who gets what. */
function docMints(markdown: string): Array<{ to: string; amount: bigint }> {
  return [...markdown.matchAll(/usdc\.mint\("(0x[0-9a-fA-F]{40})", ([\d_]+)n\)/g)].map((m) => ({
    to: m[1]!,
    amount: BigInt(m[2]!.replace(/_/g, "")),
  }));
}

/** Every command a user can run, as typed after `por` ("asset approve", "subjects"…). */
function leafCommands(command: Command, prefix = ""): string[] {
  return command.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    return sub.commands.length === 0 ? [name] : leafCommands(sub, `${name} `);
  });
}

/**
 * Runs the blocks in one `bash -euo pipefail` (variables carry over from block to block), with a
 * marker line before each block on stdout and stderr to split the output per block. Resolves with
 * each block's output and, on failure, the index of the block that failed and the exit code.
 */
function runBlocks(
  blocks: Block[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ runs: BlockRun[]; code: number | null; failedAt: number; stderr: string }> {
  const marker = "@@walkthrough-block";
  const script = [
    `__block() { printf '\\n${marker} %s\\n' "$1"; printf '\\n${marker} %s\\n' "$1" >&2; }`,
    ...blocks.map((block, i) => `__block ${i}\n${block.code}`),
  ].join("\n");
  return new Promise((resolve, reject) => {
    // stdin is /dev/null, as for a script: a command that would ask (a prompt, a key on stdin) refuses.
    const child = spawn("bash", ["-euo", "pipefail", "-c", script], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      const split = (text: string) => {
        const parts = text.split(new RegExp(`\\n${marker} (\\d+)\\n`));
        const byBlock: string[] = blocks.map(() => "");
        for (let i = 1; i < parts.length; i += 2) byBlock[Number(parts[i])] = parts[i + 1] ?? "";
        return { byBlock, last: parts.length >= 2 ? Number(parts[parts.length - 2]) : -1 };
      };
      const out = split(stdout);
      const err = split(stderr);
      resolve({
        runs: blocks.map((_, i) => ({ stdout: out.byBlock[i] ?? "", stderr: err.byBlock[i] ?? "" })),
        code,
        failedAt: code === 0 ? -1 : Math.max(out.last, err.last),
        stderr,
      });
    });
  });
}

describe("docs/cli.md walkthrough, every role on a local node (e2e)", function () {
  this.timeout(600_000);

  let node: HardhatNode | undefined;
  let dir: string | undefined;
  let provider: JsonRpcProvider | undefined;
  let blocks: Block[];
  let runs: BlockRun[];
  let usdc: string;
  let safe: string;
  /** The output of the first block whose code contains `text`. */
  const outputOf = (text: string): BlockRun => {
    const index = blocks.findIndex((block) => block.code.includes(text));
    expect(index, `a block runs ${text}`).to.be.greaterThan(-1);
    return runs[index]!;
  };

  before(async function () {
    const markdown = readFileSync(DOC, "utf8");
    blocks = walkthroughBlocks(markdown);
    node = await startHardhatNode(31337);
    dir = tempDir("walkthrough");
    provider = new JsonRpcProvider(node.url);

    // What the doc asks the user to provide: the test token as $USDC (deployed by account #0, as
    // `npx hardhat console` does) with the doc's balances, the key files and a password.
    const deployer = new NonceManager(devWallet(0, provider));
    const token = await new MockERC20__factory(deployer).deploy("USD Coin", "USDC", 6);
    await token.waitForDeployment();
    usdc = await token.getAddress();
    const mints = docMints(markdown);
    expect(mints, "the doc's console snippet mints USDC").to.have.length.greaterThan(0);
    for (const { to, amount } of mints) await (await token.mint(to, amount)).wait();
    // Gamma's Safe, from the real Safe 1.4.1 contracts, as the doc's console snippet creates it.
    for (const owner of SAFE_OWNERS) expect(markdown, "the doc names the Safe's owners").to.include(owner);
    const safeContracts = await deploySafeContracts(deployer);
    safe = await createSafe(deployer, safeContracts, SAFE_OWNERS, 2);
    for (const [file, account] of Object.entries(KEY_FILES)) {
      await fs.writeFile(path.join(dir, file), devWallet(account).privateKey, { mode: 0o600 });
    }
    await fs.writeFile(path.join(dir, "pw.txt"), "walkthrough password\n", { mode: 0o600 });

    // `por` on the PATH is this checkout's, as after `npm link`.
    await fs.mkdir(path.join(dir, ".bin"));
    await fs.symlink(path.join(REPO_ROOT, "bin", "por.js"), path.join(dir, ".bin", "por"));
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (!key.startsWith("POR_") && key !== "HARDHAT_NETWORK") env[key] = value;
    }
    env.PATH = `${path.join(dir, ".bin")}${path.delimiter}${process.env.PATH ?? ""}`;
    env.POR_LOCALHOST_RPC = node.url;
    env.POR_IGNITION_DIR = path.join(dir, "deployments"); // not the checkout's deploy/deployments
    env.USDC = usdc;
    env.SAFE = safe;

    const result = await runBlocks(blocks, dir, env);
    runs = result.runs;
    if (result.code !== 0) {
      const block = blocks[result.failedAt];
      const run = runs[result.failedAt];
      expect.fail(
        `walkthrough block #${result.failedAt + 1} (${block?.role ?? "before any block"}) exited ${result.code}:\n` +
          `${block?.code ?? ""}\n--- stdout\n${run?.stdout ?? ""}\n--- stderr\n${run?.stderr ?? result.stderr}`,
      );
    }
  });

  after(async function () {
    provider?.destroy();
    await node?.stop();
    if (dir) removeTempDir(dir);
  });

  it("shows every command of `por`, each role acting with its own key", function () {
    const code = blocks.map((block) => block.code).join("\n");
    const missing = leafCommands(buildProgram()).filter(
      (command) => !new RegExp(`\\bpor (?:--network \\S+ |--json )*${command}(?: |$)`, "m").test(code),
    );
    expect(missing, "commands the walkthrough does not run").to.deep.equal([]);
    const roles = new Set(blocks.map((block) => block.role));
    for (const role of ["Registry admin", "Issuer", "Wallet holder", "Customer", "Integrator"]) {
      expect([...roles], `a step of the ${role}`).to.include(role);
    }
    expect([...roles].some((role) => /^Auditor /.test(role))).to.equal(true);
    for (const keystore of ["admin", "alpha", "beta", "issuer", "holder", "newowner"]) {
      expect(code).to.include(`--keystore ${keystore}.json --password-file pw.txt`);
    }
  });

  it("leaves on chain what each role did", async function () {
    const deployment = JSON.parse(await fs.readFile(path.join(dir!, "registry.json"), "utf8")) as {
      registry: string;
    };
    const registry = ReserveRegistry__factory.connect(deployment.registry, provider!);
    const usdx = encodeBytes32String("USDX");
    const summary = JSON.parse(await fs.readFile(path.join(dir!, "tree", "summary.json"), "utf8")) as {
      root: string;
      total: string;
    };

    // Issuer: the subject as updated, handed over to the new owner, backed by the new owner's wallet.
    const [config, owner] = await registry.subject(usdx);
    expect(config.heartbeat).to.equal(43_200n);
    expect(config.reserveAsset).to.equal(usdc);
    expect(owner).to.equal(devWallet(4).address);
    expect([...(await registry.reserveWallets(usdx))]).to.have.members([devWallet(4).address, safe]);
    expect([...config.auditors]).to.include(safe);
    // Auditors: round 1 by hand with the liabilities tree, round 2 by the reporter, same tree (round 3:
    // the new owner's tree without Bob, checked with the challenges below).
    expect(await registry.latestRoundId(usdx)).to.equal(3n);
    for (const round of [1n, 2n]) {
      const { att } = await registry.getAttestation(usdx, round);
      expect(att.liabilitiesRoot).to.equal(summary.root);
      expect(att.liabilities).to.equal(BigInt(summary.total));
    }
    // Customers: Bob's challenge of round 3 went unanswered and disputed it; Alice's was answered. Every
    // bond was withdrawn: Bob's back to him, Alice's to the new owner.
    const summary3 = JSON.parse(await fs.readFile(path.join(dir!, "tree-3", "summary.json"), "utf8")) as {
      root: string;
    };
    expect((await registry.getAttestation(usdx, 3n)).att.liabilitiesRoot).to.equal(summary3.root);
    expect(await registry.isDisputed(usdx, 3n)).to.equal(true);
    const challenges = LiabilityChallenges__factory.connect(await registry.challenges(), provider!);
    expect((await challenges.getChallenge(1n)).status).to.equal(3n); // Settled
    expect((await challenges.getChallenge(2n)).status).to.equal(2n); // Answered
    for (const account of [devWallet(9).address, devWallet(4).address]) {
      expect(await challenges.withdrawable(account)).to.equal(0n);
    }
    // Registry admin: trust withdrawn at the end, from Beta (a new key) and from USDC.
    const beta = JSON.parse(await fs.readFile(path.join(dir!, "beta.json"), "utf8")) as { address: string };
    expect(await registry.isAccredited(getAddress(`0x${beta.address}`))).to.equal(false);
    expect(await registry.isAccredited(devWallet(1).address)).to.equal(true);
    expect(await registry.isApprovedReserveAsset(usdc)).to.equal(false);
  });

  it("prints what each role must see", function () {
    // Customer: both verdicts, off-chain and on-chain.
    const verify = outputOf("liabilities verify alice.json").stdout;
    expect(verify).to.match(/^VALID: account "alice@example\.com" with balance 1250\.5 /m);
    expect(verify).to.match(/^VALID on-chain: verifyLiability is true for subject USDX round 1 /m);
    // Customer: found in the published proofs committed for round 1, from the one shard her leaf is in.
    const check = outputOf("liabilities check").stdout;
    expect(check).to.match(
      /^VALID: account "alice@example\.com" with balance 1250\.5 is in the published proofs of subject USDX round 1 /m,
    );
    expect(check).to.match(/^ {2}manifest \S*\/publication\/manifest\.json is the one committed on-chain/m);
    expect(outputOf("liabilities commit").stdout).to.match(
      /^committed the published proofs of subject USDX round 1 /m,
    );
    // Issuer: the live reserves of each wallet it added.
    expect(outputOf("holder-consent.json --keystore issuer.json").stdout).to.include(
      "live reserves  1,250,000 (subject's 6 decimals)",
    );
    expect(outputOf("wallet remove").stdout).to.include("live reserves  1,100,000 (subject's 6 decimals)");
    // Integrator: healthy, then the alert once the admin withdrew trust.
    const healthy = outputOf("cat > monitor.json").stdout;
    expect(healthy).to.match(
      /^USDX +1,100,000\.00 \(live\) +1,000,000\.00 \(attested\) +1\.1000 .* healthy$/m,
    );
    expect(healthy).to.match(/ OK all 1 check healthy, lowest ratio 1\.1000 \(subject "USDX"\)$/m);
    const alert = outputOf("asset revoke").stdout;
    expect(alert).to.match(/ ALERT undercollateralized subject "USDX": reserves 0 /);
    expect(alert).to.match(/^monitor exit code 1$/m);
    // Customers: Bob's statement checks out against the chain; the new owner answers Alice's challenge
    // only; Bob's, settled, disputes round 3, which the integrator's monitor reports.
    expect(outputOf("statement verify bob-statement.json").stdout).to.match(
      /^VALID: bob-statement\.json states balance 980,000 for account commitment 0x[0-9a-f]{64}$/m,
    );
    expect(outputOf("challenge answer 2").stdout).to.match(
      /^answered challenge 2: the balance is in round 3 of subject USDX$/m,
    );
    const disputed = outputOf("challenge settle 1").stdout;
    expect(disputed).to.match(/^settled challenge 1: round 3 of subject USDX is disputed /m);
    expect(disputed).to.match(
      /^ {2}freshness {5}DISPUTED: round 3 is disputed: challenge 1 of round 3 went unanswered \(settled in block \d+\); /m,
    );
    expect(disputed).to.match(
      / ALERT disputed subject "USDX": .*; round 3 is disputed: challenge 1 of round 3 went unanswered \(settled in block \d+\)/,
    );
    expect(disputed).to.match(/^monitor exit code 1$/m);
  });

  it("leaves no plain key file behind", async function () {
    const files = await fs.readdir(dir!);
    expect(files.filter((file) => file.endsWith(".key"))).to.deep.equal([]);
    expect(files).to.include.members(["admin.json", "alpha.json", "beta.json", "issuer.json", "holder.json"]);
  });

  it("leaves the confidential files owner-only: keystores, the salt secret, tree files, a proof package", async function () {
    const confidential = [
      ...["admin", "alpha", "beta", "issuer", "holder", "newowner"].map((name) => `${name}.json`),
      "salt.secret",
      "alice.json", // her proof package: her account id and salt
      path.join("tree", "tree.bin"),
      path.join("tree-3", "tree.bin"),
    ];
    for (const file of confidential) {
      expect((await fs.stat(path.join(dir!, file))).mode & 0o777, file).to.equal(0o600);
    }
  });
});
