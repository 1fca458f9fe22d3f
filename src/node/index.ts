// Node-only helpers: atomic file writes and keystores.
export * from "./files";
export * from "./keys";
