// Builds the optional native keccak kernel (native/keccak_leaves.c) at install time. Never fails
// the install: without a compiler or Node headers the builder uses its WebAssembly kernel
// (src/liabilities/native.ts decides at run time), only slower.
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");

if (process.env.POR_SKIP_NATIVE === "1") process.exit(0);
// npm tells scripts where its bundled node-gyp is; else the one of the npm installed with node.
const gyp =
  process.env.npm_config_node_gyp ||
  path.join(
    path.dirname(process.execPath),
    "..",
    "lib",
    "node_modules",
    "npm",
    "node_modules",
    "node-gyp",
    "bin",
    "node-gyp.js",
  );
const result = spawnSync(process.execPath, [gyp, "rebuild"], {
  cwd: __dirname,
  stdio: ["ignore", "ignore", "pipe"],
  encoding: "utf8",
  timeout: 180_000,
});
if (result.status === 0) {
  process.stderr.write("native keccak kernel built (native/build/Release/keccak_leaves.node)\n");
} else {
  const reason = result.error?.message ?? (result.stderr ?? "").trim().split("\n").slice(-3).join(" | ");
  process.stderr.write(`native keccak kernel not built, using WebAssembly (${reason})\n`);
}
