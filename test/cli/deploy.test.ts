import { promises as fs } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { Interface, NonceManager } from "ethers";
import { expectJson, expectRefusal, expectSuccess, por, tempDir } from "../helpers/cli";
import { deployRegistry, postRound, registerSubject } from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet, freshProvider } from "../helpers/node";
import {
  PoRAddressList__factory,
  ReserveBackedToken__factory,
  ReserveFeed__factory,
  ReserveRatioFeed__factory,
} from "../../typechain-types";
import {
  create2Address,
  CREATEX_ADDRESS,
  deployCreate2Data,
  initCodeOf,
  parseSubjectId,
  saltOfLabel,
} from "../../src";

const LOCAL = ["--network", "localhost"];
const key = (index: number) => ({ POR_PRIVATE_KEY: devWallet(index).privateKey });

/** What every deploy command prints with --json. */
interface DeployJson {
  contract: string;
  status: "deployed" | "already-deployed" | "dry-run";
  futureId: string;
  deployer: string;
  salt: string;
  factory: string;
  recordedIn: string | null;
  transaction: {
    sent: boolean;
    transactionHash?: string;
    gasUsed?: string;
    to: string;
    data?: string;
    estimatedGas?: string | null;
  } | null;
}

async function recorded(ignitionDir: string): Promise<Record<string, string>> {
  const file = path.join(ignitionDir, "deployments", "chain-31337", "deployed_addresses.json");
  return JSON.parse(await fs.readFile(file, "utf8")) as Record<string, string>;
}

describe("por deploy (CLI)", function () {
  const ignitionDir = tempDir("deploy-ignition");
  const admin = devWallet(0);

  it("deploys on the in-process network and says the chain disappears", async function () {
    const out = expectSuccess(await por(["deploy"]));
    expect(out).to.match(/^ReserveRegistry deployed at 0x[0-9a-fA-F]{40} on hardhat \(chain 31337\)/);
    expect(out).to.include("disappears when this command exits");
    expect(out).to.match(/\ntx {9}0x[0-9a-f]{64}\nblock {6}\d+, gas used \d+ at /);
  });

  it("records a localhost deployment where Ignition writes it, with --admin", async function () {
    const other = devWallet(7).address;
    const out = expectJson<{ registry: string; admin: string; recordedIn: string }>(
      await por([...LOCAL, "--json", "deploy", "--admin", other], {
        env: { POR_PRIVATE_KEY: admin.privateKey },
        ignitionDir,
      }),
    );
    expect(out.admin).to.equal(other);
    expect((await recorded(ignitionDir))["ReserveRegistryModule#ReserveRegistry"]).to.equal(out.registry);
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

  describe("through CREATE2", function () {
    // Salts of this file's own: the shared node outlives one test, and an address is taken once.
    const salt = `deploy.test ${process.pid}`;
    const deployer = devWallet(11);
    const ignitionDir = tempDir("deploy-create2");
    let registry: string;

    it("--dry-run prints the CREATE2 address, the factory call and its gas, and sends nothing", async function () {
      const provider = await freshProvider();
      const nonce = await provider.getTransactionCount(deployer.address);
      const out = expectJson<DeployJson & { registry: string }>(
        await por([...LOCAL, "--json", "deploy", "--salt", `${salt} dry`, "--dry-run"], {
          env: key(11),
          ignitionDir: tempDir("deploy-dry"),
        }),
      );
      expect(out.status).to.equal("dry-run");
      expect(out.salt).to.equal(saltOfLabel(`${salt} dry`));
      expect(out.transaction).to.include({ sent: false, to: CREATEX_ADDRESS });
      expect(
        out.transaction!.data!.startsWith(deployCreate2Data(out.salt as never, "0x").slice(0, 74)),
      ).to.equal(true);
      expect(Number(out.transaction!.estimatedGas)).to.be.greaterThan(1_000_000);
      expect(await provider.getCode(out.registry)).to.equal("0x");
      expect(await provider.getTransactionCount(deployer.address)).to.equal(nonce);
      expect(out.recordedIn).to.equal(null);
    });

    it("deploys at the dry run's address and reports the transaction's gas", async function () {
      const dry = expectJson<{ registry: string }>(
        await por([...LOCAL, "--json", "deploy", "--salt", salt, "--dry-run"], { env: key(11), ignitionDir }),
      );
      const out = expectJson<DeployJson & { registry: string; saltLabel: string }>(
        await por(
          [...LOCAL, "--json", "deploy", "--salt", salt].concat([
            "--max-fee-gwei",
            "50",
            "--priority-fee-gwei",
            "1.5",
            "--confirmations",
            "1",
          ]),
          { env: key(11), ignitionDir },
        ),
      );
      expect(out).to.include({ registry: dry.registry, status: "deployed", saltLabel: salt });
      const provider = await freshProvider();
      const receipt = await provider.getTransactionReceipt(out.transaction!.transactionHash!);
      expect(receipt!.to).to.equal(CREATEX_ADDRESS);
      expect(receipt!.gasUsed.toString()).to.equal(out.transaction!.gasUsed);
      // The fee options reach Ignition: an EIP-1559 transaction with exactly those caps.
      const tx = await provider.getTransaction(out.transaction!.transactionHash!);
      expect([tx!.type, tx!.maxFeePerGas, tx!.maxPriorityFeePerGas]).to.deep.equal([
        2,
        50n * 10n ** 9n,
        15n * 10n ** 8n,
      ]);
      expect((await recorded(ignitionDir))["ReserveRegistryModule#ReserveRegistry"]).to.equal(out.registry);
      registry = out.registry;
    });

    it("sends nothing when the registry is there already, and records it for another account", async function () {
      const again = expectJson<DeployJson & { registry: string }>(
        await por([...LOCAL, "--json", "deploy", "--salt", salt], { env: key(11), ignitionDir }),
      );
      expect(again).to.include({ registry, status: "already-deployed", transaction: null });
      // Another account, another machine (a record of its own): the same address for the same admin.
      const elsewhere = tempDir("deploy-elsewhere");
      const other = expectSuccess(
        await por([...LOCAL, "deploy", "--salt", salt, "--admin", deployer.address], {
          env: key(12),
          ignitionDir: elsewhere,
        }),
      );
      expect(other).to.include(`ReserveRegistry already deployed at ${registry}`);
      expect(other).to.include("nothing sent");
      expect((await recorded(elsewhere))["ReserveRegistryModule#ReserveRegistry"]).to.equal(registry);
    });

    it("refuses a record of another registry for the chain, a salt of another account, and --reset --dry-run", async function () {
      expectRefusal(
        await por([...LOCAL, "deploy", "--salt", `${salt} other`], { env: key(11), ignitionDir }),
        /already records ReserveRegistryModule#ReserveRegistry at 0x[0-9a-fA-F]{40}, not 0x[0-9a-fA-F]{40}: pass --reset/,
      );
      const foreign = `${devWallet(3).address.toLowerCase()}00${"11".repeat(11)}`;
      expectRefusal(
        await por([...LOCAL, "deploy", "--salt", foreign], { env: key(11), ignitionDir }),
        /which is not the sender/,
      );
      expectRefusal(
        await por([...LOCAL, "deploy", "--reset", "--dry-run"], { env: key(11), ignitionDir }),
        /^--reset and --dry-run together/,
      );
    });
  });
});

describe("por feed deploy (CLI)", function () {
  let fixture: Fixture;
  const ignitionDir = tempDir("feed-ignition");
  const run = (args: string[], keyIndex = 13) =>
    por([...LOCAL, "--json", "feed", "deploy", "--registry", fixture.address, ...args], {
      env: key(keyIndex),
      ignitionDir,
    });

  before(async function () {
    fixture = await deployRegistry();
    await registerSubject(fixture, "FEED");
  });

  it("deploys each kind at an address that depends only on the registry and the subject", async function () {
    const kinds = {
      reserves: ["ReserveFeed", ReserveFeed__factory],
      ratio: ["ReserveRatioFeed", ReserveRatioFeed__factory],
      "address-list": ["PoRAddressList", PoRAddressList__factory],
    } as const;
    for (const [kind, [contract, factory]] of Object.entries(kinds)) {
      const out = expectJson<DeployJson & { feed: string; subject: string }>(
        await run(["--subject", "FEED", "--kind", kind]),
      );
      expect(out).to.include({
        contract,
        status: "deployed",
        subject: "FEED",
        futureId: `${contract}_FEED#${contract}`,
      });
      expect((await recorded(ignitionDir))[out.futureId]).to.equal(out.feed);
      const provider = await freshProvider();
      const initCode = initCodeOf(factory.bytecode, new Interface(factory.abi), [
        fixture.address,
        parseSubjectId("FEED"),
      ]);
      // Whoever sends: computed for another account, the address is the same.
      expect(create2Address(saltOfLabel("por-registry/v1"), initCode, devWallet(5).address)).to.equal(
        out.feed,
      );
      expect(await provider.getCode(out.feed)).to.not.equal("0x");
    }
    const feed = expectJson<DeployJson>(await run(["--subject", "FEED", "--kind", "ratio"], 14));
    expect(feed).to.include({ status: "already-deployed", transaction: null });
  });

  it("refuses an unknown subject and an unknown kind", async function () {
    expectRefusal(
      await run(["--subject", "NOPE", "--kind", "reserves"]),
      /^feed deploy refused: subject "?NOPE"? is not registered in this registry$/,
    );
    expectRefusal(
      await run(["--subject", "FEED", "--kind", "price"]),
      /^unknown feed kind "price": use one of/,
    );
  });
});

describe("por token deploy (CLI)", function () {
  let fixture: Fixture;
  const ignitionDir = tempDir("token-ignition");
  const run = (args: string[], keyIndex = 15) =>
    por(
      [
        ...LOCAL,
        "--json",
        "token",
        "deploy",
        "--registry",
        fixture.address,
        "--name",
        "Token X",
        "--symbol",
        "TKX",
        ...args,
      ],
      { env: key(keyIndex), ignitionDir },
    );

  before(async function () {
    fixture = await deployRegistry();
    await registerSubject(fixture, "TKX");
  });

  it("refuses an unknown subject, decimals other than the subject's, and a sequencer feed without grace period", async function () {
    expectRefusal(
      await run(["--subject", "NOPE"]),
      /^token deploy refused: subject "?NOPE"? is not registered in this registry$/,
    );
    expectRefusal(
      await run(["--subject", "TKX", "--decimals", "18"]),
      /^token deploy refused: subject TKX uses 6 decimals, the token would have 18/,
    );
    expectRefusal(
      await run(["--subject", "TKX", "--sequencer-feed", devWallet(1).address]),
      /^--sequencer-feed needs --grace-period SECONDS/,
    );
    expectRefusal(
      await run(["--subject", "TKX", "--sequencer-feed", devWallet(1).address, "--grace-period", "1h"]),
      /has no code on this chain$/,
    );
  });

  it("deploys the secure-mint token with the subject's decimals and says the subject must name it", async function () {
    const out = expectJson<
      DeployJson & { token: string; decimals: number; admin: string; subjectNamesToken: boolean }
    >(await run(["--subject", "TKX", "--admin", devWallet(16).address]));
    expect(out).to.include({
      status: "deployed",
      decimals: 6,
      admin: devWallet(16).address,
      subjectNamesToken: false,
    });
    const token = ReserveBackedToken__factory.connect(out.token, await freshProvider());
    expect(await token.decimals()).to.equal(6n);
    expect(await token.reserveSubjectId()).to.equal(parseSubjectId("TKX"));
    expect(await token.sequencerUptimeFeed()).to.equal("0x0000000000000000000000000000000000000000");

    const human = expectSuccess(
      await por(
        [
          ...LOCAL,
          "token",
          "deploy",
          "--registry",
          fixture.address,
          "--subject",
          "TKX",
          "--name",
          "Token X",
        ].concat(["--symbol", "TKX", "--admin", devWallet(16).address]),
        { env: key(15), ignitionDir },
      ),
    );
    expect(human).to.include(`ReserveBackedToken already deployed at ${out.token}`);
    expect(human).to.include(`por subject update TKX --token ${out.token}`);

    // Named by the subject (the issuer), then frozen by a round: the same token is fine, another refused.
    const issuer = fixture.registry.connect(new NonceManager(fixture.issuer.connect(await freshProvider())));
    const [config] = await issuer.subject(parseSubjectId("TKX"));
    await (
      await issuer.updateSubject(parseSubjectId("TKX"), {
        name: config.name,
        decimals: config.decimals,
        token: out.token,
        reserveAsset: config.reserveAsset,
        heartbeat: config.heartbeat,
        quorum: config.quorum,
        auditors: [...config.auditors],
      })
    ).wait();
    await postRound(fixture, parseSubjectId("TKX"), { reserves: 1n, liabilities: 0n });
    const named = expectJson<{ subjectNamesToken: boolean; status: string }>(
      await run(["--subject", "TKX", "--admin", devWallet(16).address]),
    );
    expect(named).to.include({ subjectNamesToken: true, status: "already-deployed" });
    expectRefusal(
      await run(["--subject", "TKX", "--admin", devWallet(17).address]),
      new RegExp(`^token deploy refused: subject TKX can no longer name a token \\(it names ${out.token}\\)`),
    );
  });
});

describe("por deployments (CLI)", function () {
  it("lists the chain's record: module, contract, address, and whether code is there", async function () {
    const fixture = await deployRegistry();
    await registerSubject(fixture, "LIST");
    const ignitionDir = tempDir("deployments-ignition");
    expectSuccess(
      await por(
        [
          ...LOCAL,
          "feed",
          "deploy",
          "--registry",
          fixture.address,
          "--subject",
          "LIST",
          "--kind",
          "reserves",
        ],
        {
          env: key(13),
          ignitionDir,
        },
      ),
    );
    // A stale entry, as after restarting a node: recorded, but no code.
    const file = path.join(ignitionDir, "deployments", "chain-31337", "deployed_addresses.json");
    const addresses = JSON.parse(await fs.readFile(file, "utf8")) as Record<string, string>;
    await fs.writeFile(
      file,
      JSON.stringify({ ...addresses, "Gone_LIST#ReserveFeed": devWallet(18).address }),
    );

    const out = expectJson<{
      chainId: string;
      contracts: Array<{ module: string; contract: string; address: string; code: boolean }>;
    }>(await por([...LOCAL, "--json", "deployments"], { ignitionDir }));
    expect(out.chainId).to.equal("31337");
    expect(out.contracts).to.deep.equal([
      {
        module: "ReserveFeed_LIST",
        contract: "ReserveFeed",
        futureId: "ReserveFeed_LIST#ReserveFeed",
        address: addresses["ReserveFeed_LIST#ReserveFeed"],
        code: true,
      },
      {
        module: "Gone_LIST",
        contract: "ReserveFeed",
        futureId: "Gone_LIST#ReserveFeed",
        address: devWallet(18).address,
        code: false,
      },
    ]);
    const human = expectSuccess(await por([...LOCAL, "deployments"], { ignitionDir }));
    expect(human).to.match(/^2 contracts recorded for localhost \(chain 31337\) in /);
    expect(human).to.match(/\nReserveFeed_LIST +ReserveFeed +0x[0-9a-fA-F]{40} +yes\n/);
    expect(human).to.match(/\nnote: 1 without code on this chain/);
  });

  it("says when nothing is recorded", async function () {
    expect(expectSuccess(await por([...LOCAL, "deployments"]))).to.match(
      /^nothing recorded for localhost \(chain 31337\) in /,
    );
    expect(expectSuccess(await por(["deployments"]))).to.match(
      /^nothing recorded: the in-process network starts empty/,
    );
  });
});
