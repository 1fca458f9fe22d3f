import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** No sequencer uptime feed: the token's chain is an L1, or a chain without one. */
const NO_SEQUENCER_FEED = "0x0000000000000000000000000000000000000000";

/**
 * A subject's secure-mint token (ReserveBackedToken): an ERC20 that mints only while the subject's
 * fresh reserves cover the supply. Parameters: `name`, `symbol`, `decimals` (the subject's),
 * `registry`, `subjectId` (32-byte hex), `admin` (default: the deploying account), and on a rollup
 * `sequencerUptimeFeed` (Chainlink's L2 sequencer uptime feed, default none) with
 * `sequencerGracePeriodSeconds` (default 0). `por token deploy` deploys it through CREATE2 as module
 * "ReserveBackedToken_<subject>". The subject must then name it as its token, before its first
 * round or reserve wallet (the registry freezes the token after that).
 */
export function reserveBackedTokenModule(moduleId = "ReserveBackedTokenModule") {
  return buildModule(moduleId, (m) => {
    const token = m.contract("ReserveBackedToken", [
      m.getParameter<string>("name"),
      m.getParameter<string>("symbol"),
      m.getParameter<number>("decimals"),
      m.getParameter<string>("registry"),
      m.getParameter<string>("subjectId"),
      m.getParameter("admin", m.getAccount(0)),
      m.getParameter<string>("sequencerUptimeFeed", NO_SEQUENCER_FEED),
      m.getParameter<number>("sequencerGracePeriodSeconds", 0),
    ]);
    return { token };
  });
}

export default reserveBackedTokenModule();
