import { subjectViewModule } from "./subject-module";

/**
 * A subject's PoRAddressList: its reserve wallets (Chainlink's IPoRAddressList). Parameters `registry` and
 * `subjectId` (32-byte hex). `por feed deploy --subject ID --kind address-list` deploys it through CREATE2
 * as module "PoRAddressList_<subject>", at an address that depends only on (registry, subject).
 */
export function porAddressListModule(moduleId = "PoRAddressListModule") {
  return subjectViewModule("PoRAddressList", moduleId);
}

export default porAddressListModule();
