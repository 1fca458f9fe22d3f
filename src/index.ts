// The por-registry SDK: protocol logic used by the CLI, the demo and the tests.
export * from "./errors";
export * from "./files";
export * from "./hex";
export * from "./amounts";
export * from "./time";
export * from "./subject-id";
export * from "./attestation";
export * from "./reserve-address";
export * from "./reserve-assets";
export * from "./feed-rounds";
export * from "./attestation-file";
export * from "./submission";
export * from "./subject-config";
export * from "./keys";
export * from "./registry-client";
export * from "./ratio";
export * from "./decimals";
export * from "./collateral";
export * from "./reporter";
export * from "./rpc";
export * from "./revert";
// export * from "./liabilities"; (added when the liabilities SDK is merged)
