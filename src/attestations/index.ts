// Attestations: the EIP-712 type, attestation files, their review, submission and posting.
export * from "./attestation";
export * from "./file";
export * from "./review";
export * from "./submission";
export * from "./posting";
