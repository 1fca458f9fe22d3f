import * as path from "node:path";
import { promises as fs } from "node:fs";
import { expect } from "chai";
import { NonceManager } from "ethers";
import { ReserveRegistry__factory } from "../../typechain-types/factories/contracts/ReserveRegistry__factory";
import type { ReserveRegistry } from "../../typechain-types";
import { readSafeBatch, safeTransactionForBatch } from "../../src";
import { expectJson, expectNoFile, expectRefusal, por, removeTempDir, tempDir } from "../helpers/cli";
import { deployRegistry, deployToken, registerSubject } from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet, freshProvider } from "../helpers/node";
import { createSafe, deploySafeContracts, execSafeTransaction } from "../helpers/safe";
import type { SafeDeployment } from "../helpers/safe";

/** The Safe's owners (2 of 3) and the account that pays for execTransaction. */
const OWNERS = [devWallet(15), devWallet(16), devWallet(17)];
const EXECUTOR = devWallet(19);

interface Batched {
  sent: boolean;
  safeTx: string;
  batchCalls: number;
  from: string;
  to: string;
  data: string;
  estimatedGas: string;
}

describe("por … --safe-tx: calls written to a Safe Transaction Builder batch (CLI, Safe 1.4.1)", function () {
  let dir: string;
  let deployment: SafeDeployment;
  let safe: string;
  /** A registry whose admin is the Safe. */
  let registry: ReserveRegistry;
  let registryAddress: string;
  /** A registry whose admin is an account (dev account 0). */
  let eoaAdmin: Fixture;
  let token: string;

  before(async function () {
    dir = tempDir("safe-tx");
    const deployer = new NonceManager(EXECUTOR.connect(await freshProvider()));
    deployment = await deploySafeContracts(deployer);
    safe = await createSafe(
      deployer,
      deployment,
      OWNERS.map((o) => o.address),
      2,
    );
    registry = await new ReserveRegistry__factory(deployer).deploy(safe);
    await registry.waitForDeployment();
    registryAddress = await registry.getAddress();
    eoaAdmin = await deployRegistry();
    token = await deployToken(eoaAdmin, "SAFX", 6);
  });

  after(function () {
    removeTempDir(dir);
  });

  /** `por --network localhost --json <args> --registry R` with no key at all. */
  const run = (args: string[], registryArg = registryAddress) =>
    por(["--network", "localhost", "--json", ...args, "--registry", registryArg]);

  it("writes the admin's calls to one batch without a key, and the Safe's owners execute it", async function () {
    const file = path.join(dir, "admin-batch.json");
    const auditor = devWallet(18).address;
    const approve = expectJson<{ approved: boolean; transactionHash: null; transaction: Batched }>(
      await run(["asset", "approve", token, "--safe-tx", file]),
    );
    expect(approve.approved).to.equal(false);
    expect(approve.transactionHash).to.equal(null);
    const approveData = registry.interface.encodeFunctionData("approveReserveAsset", [token]);
    expect(approve.transaction).to.include({
      sent: false,
      safeTx: file,
      batchCalls: 1,
      from: safe,
      to: registryAddress,
      data: approveData,
    });
    expect(BigInt(approve.transaction.estimatedGas)).to.be.greaterThan(21_000n);

    const accredit = expectJson<{ transaction: Batched }>(
      await run(["auditor", "accredit", auditor, "Safe-run Audit", "--safe-tx", file, "--append"]),
    );
    expect(accredit.transaction).to.include({ sent: false, batchCalls: 2, from: safe });

    const batch = await readSafeBatch(file);
    expect(batch.chainId).to.equal(31337n);
    expect(batch.safeAddress).to.equal(safe);
    expect(batch.transactions.map((t) => t.data)).to.deep.equal([
      approveData.toLowerCase(),
      registry.interface.encodeFunctionData("accreditAuditor", [auditor, "Safe-run Audit"]).toLowerCase(),
    ]);
    expect(await registry.isApprovedReserveAsset(token)).to.equal(false);

    const executor = new NonceManager(EXECUTOR.connect(await freshProvider()));
    await execSafeTransaction(
      executor,
      safe,
      safeTransactionForBatch(batch, deployment.multiSendCallOnly),
      OWNERS.slice(0, 2),
    );
    const provider = await freshProvider();
    const after = ReserveRegistry__factory.connect(registryAddress, provider);
    expect(await after.isApprovedReserveAsset(token)).to.equal(true);
    expect(await after.isAccredited(auditor)).to.equal(true);
    expect(await after.auditorName(auditor)).to.equal("Safe-run Audit");
  });

  it("with --dry-run simulates from the Safe and writes nothing", async function () {
    const file = path.join(dir, "dry.json");
    const out = expectJson<{ transaction: Batched }>(
      await run(["asset", "revoke", token, "--safe-tx", file, "--dry-run"]),
    );
    expect(out.transaction).to.include({ sent: false, from: safe, to: registryAddress });
    expect(out.transaction).to.not.have.property("safeTx");
    await expectNoFile(file);
  });

  it("defaults to the account offered a subject (accept) and to the subject's owner (update)", async function () {
    const subjectId = await registerSubject(eoaAdmin, "SAFEOWN");
    const issuer = eoaAdmin.registry.connect(
      new NonceManager(eoaAdmin.issuer.connect(await freshProvider())),
    );
    await (await issuer.transferSubjectOwnership(subjectId, safe)).wait();
    const executor = new NonceManager(EXECUTOR.connect(await freshProvider()));
    const executeBatch = async (file: string) =>
      execSafeTransaction(
        executor,
        safe,
        safeTransactionForBatch(await readSafeBatch(file), deployment.multiSendCallOnly),
        OWNERS.slice(1, 3),
      );

    const accept = path.join(dir, "accept.json");
    const accepted = expectJson<{ transaction: Batched }>(
      await run(["subject", "accept", "SAFEOWN", "--safe-tx", accept], eoaAdmin.address),
    );
    expect(accepted.transaction).to.include({ from: safe, batchCalls: 1 });
    await executeBatch(accept);
    expect((await eoaAdmin.registry.subject(subjectId))[1]).to.equal(safe);

    const update = path.join(dir, "update.json");
    const updated = expectJson<{ sent: boolean; changes: unknown[]; transaction: Batched }>(
      await run(
        ["subject", "update", "SAFEOWN", "--heartbeat", "12h", "--safe-tx", update],
        eoaAdmin.address,
      ),
    );
    expect(updated).to.include({ sent: false });
    expect(updated.changes).to.deep.equal([{ field: "heartbeatSeconds", from: "86400", to: "43200" }]);
    expect(updated.transaction).to.include({ from: safe, safeTx: update });
    await executeBatch(update);
    expect((await eoaAdmin.registry.subject(subjectId))[0].heartbeat).to.equal(43_200n);
  });

  it("refuses what the Safe could not do, and options that do not fit, writing nothing", async function () {
    const file = path.join(dir, "refused.json");
    // The admin of this registry is an account: a batch for it could never execute.
    expectRefusal(
      await run(["asset", "approve", token, "--safe-tx", file], eoaAdmin.address),
      new RegExp(
        `^${eoaAdmin.admin.address} is not a contract on localhost: --safe-tx writes a batch for a Safe to execute: pass --safe SAFE, or send with the account's key$`,
      ),
    );
    // Simulated from the Safe, which is not this registry's admin: the registry's refusal, in words.
    expectRefusal(
      await run(["asset", "approve", token, "--safe-tx", file, "--safe", safe], eoaAdmin.address),
      new RegExp(`^approval refused: only the registry admin can do this \\(${safe} is not the admin\\)$`),
    );
    expectRefusal(
      await run([
        "subject",
        "register",
        "--id",
        "SAFEX",
        "--name",
        "X",
        "--decimals",
        "6",
        "--heartbeat",
        "1d",
        "--quorum",
        "1",
        "--auditors",
        devWallet(18).address,
        "--safe-tx",
        file,
      ]),
      /^--safe-tx needs --safe SAFE here: any account may make this call, so name the Safe that will$/,
    );
    expectRefusal(
      await run(["asset", "revoke", token, "--append"]),
      /^--append needs --safe-tx FILE \(the Safe batch to write\)$/,
    );
    expectRefusal(
      await run(["asset", "revoke", token, "--safe-tx", file, "--max-fee-gwei", "2"]),
      /^--max-fee-gwei has no effect with --safe-tx: nothing is sent, the Safe's owners execute the batch$/,
    );
    await expectNoFile(file);
    await fs.writeFile(file, "{}");
    expectRefusal(
      await run(["asset", "revoke", token, "--safe-tx", file]),
      /already exists: pass --append to add to it, or --force to replace it$/,
    );
    expect(await fs.readFile(file, "utf8")).to.equal("{}");
  });
});
