import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { type CheckResult, parseMonitorConfig, watch } from "../../src/monitor";
import { addWallet, approveReserveAssets, namedSigners, subjectConfig } from "./../helpers/backing";

const SUBJECT = "LIVE";

/** A subject whose two sides are live: a 6-decimal token against one reserve wallet. */
async function liveSubjectFixture() {
  const { admin, owner, auditor, wallet } = await namedSigners("admin", "owner", "auditor", "wallet");
  const registry = await ethers.deployContract("ReserveRegistry", [admin.address]);
  await registry.accreditAuditor(auditor.address, "Auditor");
  const token = await ethers.deployContract("MockERC20", ["Token", "TKN", 6]);
  const reserve = await ethers.deployContract("MockERC20", ["Reserve", "RSV", 6]);
  const subjectId = ethers.encodeBytes32String(SUBJECT);
  await approveReserveAssets(registry, admin, reserve);
  await registry.connect(owner).registerSubject(
    subjectId,
    subjectConfig([auditor.address], {
      token: await token.getAddress(),
      reserveAsset: await reserve.getAddress(),
    }),
  );
  await addWallet(registry, owner, subjectId, wallet);
  await reserve.mint(wallet.address, 100n);
  await token.mint(owner.address, 100n);
  const config = parseMonitorConfig(
    {
      format: "por-monitor/1",
      intervalSeconds: 1,
      networks: { local: { rpcUrl: "http://in-process.invalid" } },
      checks: [
        {
          type: "subject",
          name: SUBJECT,
          network: "local",
          registry: await registry.getAddress(),
          subject: SUBJECT,
        },
      ],
    },
    "test config",
  );
  return { config, token, reserve, owner, wallet };
}

describe("watch (por monitor without --once)", function () {
  it("reports a check when its state changes, including back to healthy, until aborted", async function () {
    const { config, token, reserve, owner, wallet } = await loadFixture(liveSubjectFixture);
    const abort = new AbortController();
    const rounds: CheckResult[][] = [];
    let nextRound: () => void = () => undefined;
    const roundDone = () => new Promise<void>((resolve) => (nextRound = resolve));

    let waiting = roundDone();
    const watching = watch(config, {
      once: false,
      signal: abort.signal,
      providers: { local: ethers.provider },
      report: (results) => {
        rounds.push(results);
        nextRound();
      },
    });

    await waiting; // healthy at start: nothing worth reporting
    expect(rounds.at(-1)).to.deep.equal([]);

    waiting = roundDone();
    await token.mint(owner.address, 1n); // supply 101 > reserves 100
    await waiting;
    expect(rounds.at(-1)!.map((r) => r.state)).to.deep.equal(["undercollateralized"]);

    waiting = roundDone();
    await waiting; // unchanged: not reported again
    expect(rounds.at(-1)).to.deep.equal([]);

    waiting = roundDone();
    await reserve.mint(wallet.address, 1n); // reserves 101 cover the supply again
    await waiting;
    expect(rounds.at(-1)!.map((r) => r.state)).to.deep.equal(["healthy"]);

    abort.abort();
    const code = await watching;
    expect(code).to.equal(0); // the exit code of the last round
  });
});
