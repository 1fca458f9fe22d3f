import { builtinModules } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const webRoot = path.dirname(fileURLToPath(import.meta.url));
/** The SDK, imported by the pages as `@por/sdk/…` (the same alias as web/tsconfig.json's paths). */
const sdkRoot = path.resolve(webRoot, "..", "src");
const nodeKeccak = path.join(sdkRoot, "liabilities", "keccak.ts");
const browserKeccak = path.join(sdkRoot, "liabilities", "keccak.browser.ts");
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/**
 * The pages import the SDK's own tree rules (src/liabilities/hash.ts, proof.ts). Two rules keep that
 * safe in a browser: the Node keccak kernel (keccak.ts) is swapped for keccak.browser.ts, and any
 * Node built-in reached from a page fails the build instead of shipping a broken polyfill.
 */
function browserSdk(): Plugin {
  return {
    name: "por-browser-sdk",
    enforce: "pre",
    async resolveId(source, importer, options) {
      if (NODE_BUILTINS.has(source))
        this.error(
          `${importer ?? "a page"} imports the Node built-in "${source}": pages must stay browser-safe`,
        );
      // By what an import resolves to, not how it is spelled: any path to keccak.ts gets the twin.
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (resolved?.id === nodeKeccak) return browserKeccak;
      return resolved;
    },
  };
}

// Relative base: the built site works from any path (a sub-directory, an IPFS gateway's /ipfs/<cid>/).
export default defineConfig({
  root: webRoot,
  base: "./",
  plugins: [browserSdk()],
  resolve: { alias: [{ find: /^@por\/sdk\//, replacement: `${sdkRoot}/` }] },
  build: {
    outDir: path.join(webRoot, "dist"),
    emptyOutDir: true,
    rollupOptions: {
      input: {
        index: path.join(webRoot, "index.html"),
        dashboard: path.join(webRoot, "dashboard.html"),
      },
    },
  },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
});
