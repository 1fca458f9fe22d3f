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

  it("refuses a malformed address before connecting", async function () {
    expectRefusal(await run(["accredit", "0x1234", "X"]), /^auditor must be an address: got "0x1234"$/);
  });
});
