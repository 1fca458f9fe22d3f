// Safe multisigs (1.3.0 and later, with CompatibilityFallbackHandler): ERC-1271 signatures
// assembled from owners' parts, Safe transactions, MultiSend. See docs/safe.md.
export * from "./contracts";
export * from "./message";
export * from "./parts";
export * from "./signature";
export * from "./transaction";
export * from "./part-file";
export * from "./combine";
export * from "./auditor-owners";
export * from "./batch";
