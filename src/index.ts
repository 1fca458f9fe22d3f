// The por-registry SDK, one folder per concern (docs/architecture.md). The liabilities tree is imported
// from "./liabilities" directly until its primitives merge with core/ (issue 19).
export * from "./core";
export * from "./node";
export * from "./chain";
export * from "./attestations";
export * from "./subjects";
export * from "./backing";
export * from "./challenges";
export * from "./safe";
