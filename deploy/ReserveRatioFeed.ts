import { subjectViewModule } from "./subject-module";

/**
 * A subject's ReserveRatioFeed: reserves / supply, 18 decimals (Chainlink AggregatorV3). Parameters `registry` and
 * `subjectId` (32-byte hex). `por feed deploy --subject ID --kind ratio` deploys it through CREATE2
 * as module "ReserveRatioFeed_<subject>", at an address that depends only on (registry, subject).
 */
export function reserveRatioFeedModule(moduleId = "ReserveRatioFeedModule") {
  return subjectViewModule("ReserveRatioFeed", moduleId);
}

export default reserveRatioFeedModule();
