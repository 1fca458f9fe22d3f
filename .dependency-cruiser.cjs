/**
 * The layering rules of docs/architecture.md, checked by `npm run lint:layers` (dependency-cruiser):
 * src/ is the SDK (no CLI, no Hardhat, no commander), cli/ is the `por` product over it, web/ reaches
 * only the SDK's browser-safe modules, and nothing ships code that imports the tests or the demo.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "sdk-imports-no-product",
      comment:
        "src/ is the SDK: it imports neither the CLI, the demo, the web app, the tests nor the benches.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(cli|scripts|web|test|bench|deploy)/" },
    },
    {
      name: "sdk-imports-no-hardhat-or-commander",
      comment: "src/ runs in any Node service and (in part) the browser: no Hardhat, no commander.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "node_modules/(hardhat|commander|@nomicfoundation)/" },
    },
    {
      name: "core-imports-only-core",
      comment:
        "src/core/ holds the browser-safe primitives everything else builds on: it imports only itself and ethers, no Node built-in.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { pathNot: "^(src/core/|node_modules/ethers/)" },
    },
    {
      name: "cli-imports-no-dev-scripts",
      comment: "cli/ is the product: it does not import the demo, the tests or the benches.",
      severity: "error",
      from: { path: "^cli/" },
      to: { path: "^(scripts|test|bench|web)/" },
    },
    {
      name: "web-imports-only-the-sdk",
      comment: "web/ reaches the SDK (src/) and its own modules, never the CLI or developer code.",
      severity: "error",
      from: { path: "^web/src/" },
      to: { path: "^(cli|scripts|test|bench|deploy)/" },
    },
    {
      name: "web-imports-sdk-through-alias",
      comment:
        "Pages import the SDK as `@por/sdk/…` (web/tsconfig.json, web/vite.config.mts), never by `../../src`.",
      severity: "error",
      from: { path: "^web/src/" },
      to: { path: "^src/", dependencyTypesNot: ["aliased-tsconfig-paths"] },
    },
    {
      name: "web-reaches-no-node-builtin",
      comment:
        "Nothing a page loads may reach a Node built-in. Pages get keccak.browser.ts for src/liabilities/keccak.ts " +
        "(web/vite.config.mts swaps them): `npm run lint:layers` cruises web/ with that swap.",
      severity: "error",
      from: { path: "^(web/src/|src/liabilities/keccak\\.browser\\.ts$)" },
      to: {
        path: "^(node:)?(assert|buffer|child_process|crypto|events|fs|http|https|net|os|path|process|readline|stream|url|util|worker_threads|zlib)(/|$)",
        reachable: true,
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|artifacts|cache|coverage|web/dist)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: false,
    enhancedResolveOptions: { extensions: [".ts", ".mts", ".js", ".json"] },
  },
};
