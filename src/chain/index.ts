// Chain plumbing: RPC with retries, networks, sending transactions, CREATE2/CreateX deployments, deployment records, the registry client and its revert decoding.
export * from "./registry-client";
export * from "./transactions";
export * from "./networks";
export * from "./rpc";
export * from "./create2";
export * from "./createx";
export * from "./deployments";
