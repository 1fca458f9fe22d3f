import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the ReserveRegistry. Parameter `admin` (default: the deploying account) receives the
 * default admin role, which accredits and revokes auditors. `por deploy` runs this module through
 * CREATE2 (Ignition's create2 strategy), so the address depends only on the salt and the admin; it
 * is recorded under "ReserveRegistryModule#ReserveRegistry", its LiabilityChallenges (created by the
 * registry's constructor) under "ReserveRegistryModule#LiabilityChallenges".
 */
const ReserveRegistryModule = buildModule("ReserveRegistryModule", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const registry = m.contract("ReserveRegistry", [admin]);
  // Created by the registry's constructor; recorded so tools find it by name.
  const challenges = m.contractAt("LiabilityChallenges", m.staticCall(registry, "challenges", []));
  return { registry, challenges };
});

export default ReserveRegistryModule;
