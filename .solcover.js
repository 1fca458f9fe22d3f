// solidity-coverage: measure the product contracts, not the test doubles. The e2e suites drive
// separate `hardhat node` processes (and the CLI suites, child processes) that the instrumented
// network cannot see, so they are skipped here.
module.exports = {
  skipFiles: ["test/"],
  mocha: { grep: "\\((e2e|CLI)[,)]", invert: true },
};
