// solidity-coverage: measure the product contracts, not the test doubles. The e2e suites drive
// separate `hardhat node` processes the instrumented network cannot see, so they are skipped here.
module.exports = {
  skipFiles: ["test/"],
  mocha: { grep: "\\(e2e\\)", invert: true },
};
