// Builds the optional native keccak kernel (native/keccak_leaves.c) at install time. Outside CI it
// never fails the install: without a compiler or Node headers the builder uses its WebAssembly
// kernel (src/liabilities/native.ts decides at run time), only slower. `npm test` needs the kernel
// (test/liabilities/native.test.ts fails without it), so under CI (CI set, as CI services do) a
// failed build fails the install, with the compiler's reason.
"use strict";
const { spawnSync } = require("node:child_process");
const { existsSync } = require("node:fs");
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
// The headers of the running Node when they are installed beside it (distribution packages and
// the official tarballs have them): no download, so `node native/build.js` also works offline.
const prefix = path.join(path.dirname(process.execPath), "..");
const nodedir =
  process.env.npm_config_nodedir ||
  (existsSync(path.join(prefix, "include", "node", "node_api.h")) ? prefix : undefined);
const result = spawnSync(process.execPath, [gyp, "rebuild", ...(nodedir ? [`--nodedir=${nodedir}`] : [])], {
  cwd: __dirname,
  stdio: ["ignore", "ignore", "pipe"],
  encoding: "utf8",
  timeout: 180_000,
});
if (result.status === 0) {
  process.stderr.write("native keccak kernel built (native/build/Release/keccak_leaves.node)\n");
} else {
  // The compiler's or node-gyp's first error line; node-gyp's last lines are only its versions.
  const lines = (result.stderr ?? "").trim().split("\n");
  const reason =
    result.error?.message ?? lines.find((line) => /error:/i.test(line)) ?? lines.slice(-3).join(" | ");
  const ci = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";
  process.stderr.write(
    `native keccak kernel not built (${reason}): the builder uses WebAssembly, and npm test fails ` +
      `until \`node native/build.js\` succeeds (it needs a C compiler, Python and node-gyp)\n`,
  );
  if (ci) process.exitCode = 1;
}
