// Reserve backing: wallet consent (ReserveAddress), consent files, reserve wallets and assets, collateralization and reserve reports.
export * from "./reserve-address";
export * from "./assets";
export * from "./consent-file";
export * from "./wallets";
export * from "./collateral";
export * from "./reporter";
