import { subjectViewModule } from "./subject-module";

/**
 * A subject's ReserveFeed: its reserves, in the subject's decimals (Chainlink AggregatorV3). Parameters `registry` and
 * `subjectId` (32-byte hex). `por feed deploy --subject ID --kind reserves` deploys it through CREATE2
 * as module "ReserveFeed_<subject>", at an address that depends only on (registry, subject).
 */
export function reserveFeedModule(moduleId = "ReserveFeedModule") {
  return subjectViewModule("ReserveFeed", moduleId);
}

export default reserveFeedModule();
