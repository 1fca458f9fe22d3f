// Subjects: listing, configs, updates and ownership.
export * from "./config";
export * from "./update";
export * from "./ownership";
export * from "./list";
