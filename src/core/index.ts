// Browser-safe primitives: errors, hex, amounts, decimals, ratios, time, subject ids, feed round ids, file-format checks, typed signatures, revert data and error sentences. No node: module, no provider.
export * from "./errors";
export * from "./hex";
export * from "./amounts";
export * from "./time";
export * from "./subject-id";
export * from "./feed-rounds";
export * from "./error-sentences";
export * from "./ratio";
export * from "./decimals";
export * from "./revert";
