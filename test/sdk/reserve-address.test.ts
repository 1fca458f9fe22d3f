import { expect } from "chai";
import { ethers } from "hardhat";
import { attestationDomain, parseSubjectId, reserveAddressDigest, signReserveAddress } from "../../src";
import { RESERVE_ADDRESS_TYPES, registryDomain } from "../helpers/eip712";

describe("reserve-address signing (SDK)", function () {
  it("signs the digest the registry computes, and the registry accepts the wallet", async function () {
    const [admin, issuer, auditor, wallet] = await ethers.getSigners();
    const registry = await ethers.deployContract("ReserveRegistry", [admin!.address]);
    await registry.accreditAuditor(auditor!.address, "Auditor");
    const reserve = await ethers.deployContract("MockERC20", ["Reserve", "RSV", 6]);
    const subjectId = parseSubjectId("SDKWALLET");
    await registry.connect(issuer!).registerSubject(subjectId, {
      name: "SDK wallet",
      decimals: 6,
      token: ethers.ZeroAddress,
      reserveAsset: await reserve.getAddress(),
      heartbeat: 3600,
      quorum: 1,
      auditors: [auditor!.address],
    });
    const { chainId } = await ethers.provider.getNetwork();
    const address = await registry.getAddress();
    const domain = attestationDomain(chainId, address);

    const digest = reserveAddressDigest(domain, subjectId, wallet!.address);
    expect(digest).to.equal(await registry.reserveAddressDigest(subjectId, wallet!.address));
    expect(digest).to.equal(
      ethers.TypedDataEncoder.hash(registryDomain(chainId, address), RESERVE_ADDRESS_TYPES, {
        subjectId,
        wallet: wallet!.address,
      }),
    );

    const signature = await signReserveAddress(wallet!, domain, subjectId);
    await expect(registry.connect(issuer!).addReserveWallet(subjectId, wallet!.address, signature))
      .to.emit(registry, "ReserveWalletAdded")
      .withArgs(subjectId, wallet!.address);
  });
});
