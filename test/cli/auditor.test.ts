import { expect } from "chai";
import { expectJson, expectRefusal, por } from "../helpers/cli";
import { deployRegistry } from "../helpers/fixture";
import type { Fixture } from "../helpers/fixture";
import { devWallet } from "../helpers/node";

describe("por auditor (CLI)", function () {
  let fixture: Fixture;
  const candidate = devWallet(8);

  before(async function () {
    fixture = await deployRegistry({ accredit: false });
  });

  const run = (args: string[], keyIndex = 0) =>
    por(["--network", "localhost", "--json", "auditor", ...args, "--registry", fixture.address], {
      env: { POR_PRIVATE_KEY: devWallet(keyIndex).privateKey },
    });

  it("accredits and then revokes an auditor", async function () {
    expect(expectJson(await run(["accredit", candidate.address, "Delta Audit"]))).to.include({
      accredited: true,
    });
    expect(await fixture.registry.isAccredited(candidate.address)).to.equal(true);
    expect(await fixture.registry.auditorName(candidate.address)).to.equal("Delta Audit");
    expect(expectJson(await run(["revoke", candidate.address]))).to.include({ accredited: false });
    expect(await fixture.registry.isAccredited(candidate.address)).to.equal(false);
  });

  it("refuses a non-admin sender with the decoded AccessControl error", async function () {
    expectRefusal(
      await run(["accredit", candidate.address, "Delta Audit"], 6),
      new RegExp(
        `^accreditation refused: only the registry admin can do this \\(${devWallet(6).address} is not the admin\\)$`,
      ),
    );
  });

  it("refuses to revoke an auditor that is not accredited", async function () {
    expectRefusal(
      await run(["revoke", candidate.address]),
      new RegExp(`^revocation refused: ${candidate.address} is not an accredited auditor `),
    );
  });

  it("reports the transaction: hash, block and gas used, with fee caps and confirmations", async function () {
    const other = devWallet(9);
    const out = expectJson<{
      transaction: { sent: boolean; transactionHash: string; gasUsed: string; blockNumber: number };
    }>(
      await run([
        "accredit",
        other.address,
        "Epsilon Audit",
        "--max-fee-gwei",
        "50",
        "--priority-fee-gwei",
        "1.5",
        "--confirmations",
        "1",
      ]),
    );
    expect(out.transaction.sent).to.equal(true);
    const receipt = await fixture.registry.runner!.provider!.getTransactionReceipt(
      out.transaction.transactionHash,
    );
    expect(receipt!.gasUsed.toString()).to.equal(out.transaction.gasUsed);
    expect(receipt!.blockNumber).to.equal(out.transaction.blockNumber);
    const tx = await fixture.registry.runner!.provider!.getTransaction(out.transaction.transactionHash);
    expect([tx!.type, tx!.maxFeePerGas, tx!.maxPriorityFeePerGas]).to.deep.equal([
      2,
      50n * 10n ** 9n,
      15n * 10n ** 8n,
    ]);
  });

  it("--dry-run prints to, data and estimated gas, and sends nothing", async function () {
    const other = devWallet(10);
    const out = expectJson<{
      accredited: boolean;
      transaction: { sent: boolean; to: string; data: string; estimatedGas: string };
    }>(await run(["accredit", other.address, "Zeta Audit", "--dry-run"]));
    expect(out.accredited).to.equal(false);
    expect(out.transaction).to.include({ sent: false, to: fixture.address });
    expect(out.transaction.data).to.equal(
      fixture.registry.interface.encodeFunctionData("accreditAuditor", [other.address, "Zeta Audit"]),
    );
    expect(BigInt(out.transaction.estimatedGas)).to.be.greaterThan(21_000n);
    expect(await fixture.registry.isAccredited(other.address)).to.equal(false);
    // A dry run still simulates: what the registry would refuse is refused.
    expectRefusal(
      await run(["accredit", other.address, "Zeta Audit", "--dry-run"], 6),
      /^accreditation refused: only the registry admin can do this/,
    );
  });

  it("refuses bad sending options with one line each", async function () {
    expectRefusal(
      await run(["accredit", candidate.address, "X", "--confirmations", "0"]),
      /^--confirmations must be a whole number ≥ 1, got "0"$/,
    );
    expectRefusal(
      await run(["accredit", candidate.address, "X", "--max-fee-gwei", "lots"]),
      /^--max-fee-gwei must be a number of gwei/,
    );
    expectRefusal(
      await run(["accredit", candidate.address, "X", "--max-fee-gwei", "1", "--priority-fee-gwei", "2"]),
      /^the priority fee cannot be higher than the max fee$/,
    );
  });

  it("refuses a malformed address before connecting", async function () {
    expectRefusal(await run(["accredit", "0x1234", "X"]), /^auditor must be an address: got "0x1234"$/);
  });
});
