#!/usr/bin/env node
// Entry point of the `por` command: runs cli/por.ts through ts-node (no build step needed).
"use strict";
const path = require("node:path");

// A reader that stops early (`por … | head`) is not an error worth a stack trace.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

require("ts-node").register({
  transpileOnly: true,
  swc: true, // @swc/core transpiles ~5x faster than tsc; the CLI starts in about a second
  project: path.join(__dirname, "..", "tsconfig.json"),
});
require("../cli/por.ts")
  .main(process.argv)
  .catch(() => {
    // main() already reported the failure and set process.exitCode.
  });
