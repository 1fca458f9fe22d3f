#!/usr/bin/env node
// Entry point of the `por` command: runs scripts/por.ts through ts-node (no build step needed).
"use strict";
const path = require("node:path");

require("ts-node").register({
  transpileOnly: true,
  project: path.join(__dirname, "..", "tsconfig.json"),
});
require("../scripts/por.ts")
  .main(process.argv)
  .catch(() => {
    // main() already reported the failure and set process.exitCode.
  });
