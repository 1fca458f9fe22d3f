// Customer challenges: balance statements, their files and on-chain checks, challenges, answers and disputes.
export * from "./statement";
export * from "./statement-file";
export * from "./statement-check";
export * from "./challenges";
export * from "./answer";
export * from "./disputes";
