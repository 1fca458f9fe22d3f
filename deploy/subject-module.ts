import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * An Ignition module deploying one of a subject's read-only adapters (ReserveFeed, ReserveRatioFeed,
 * PoRAddressList), whose constructor takes (registry, subjectId). Parameters: `registry` (address)
 * and `subjectId` (32-byte hex). `por feed deploy` names the module after the contract and the
 * subject ("ReserveFeed_USDX") so each subject's feeds are recorded side by side.
 */
export function subjectViewModule<ContractNameT extends string>(
  contractName: ContractNameT,
  moduleId: string,
) {
  return buildModule(moduleId, (m) => {
    const registry = m.getParameter<string>("registry");
    const subjectId = m.getParameter<string>("subjectId");
    const contract = m.contract(contractName, [registry, subjectId]);
    return { contract };
  });
}

/**
 * Records a contract already deployed at `address` (its CREATE2 address held it: deployed from
 * another machine, by another account, or before the record was reset) under module `moduleId`,
 * with no transaction (`m.contractAt`), as "<moduleId>#<contractName>".
 */
export function recordedContractModule(moduleId: string, contractName: string, address: string) {
  return buildModule(moduleId, (m) => {
    const contract = m.contractAt(contractName, address);
    return { contract };
  });
}
