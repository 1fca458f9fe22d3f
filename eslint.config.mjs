// ESLint (flat config) for the TypeScript of every product: the SDK, the CLI, the demo, the web app,
// the tests and the benches. typescript-eslint's recommended rules, without type information (fast
// enough for every `npm test`); formatting is prettier's job.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "dist/",
      "artifacts/",
      "cache/",
      "coverage/",
      "typechain-types/",
      "web/dist/",
      "native/build/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,mts}"],
    rules: {
      // `_name` marks a parameter a signature needs but the body does not use.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Tests match the CLI's aligned columns with literal spaces, as a reader sees them.
    files: ["test/**/*.ts"],
    rules: { "no-regex-spaces": "off" },
  },
  {
    // Plain Node scripts (CommonJS).
    files: ["**/*.{js,cjs}"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        __dirname: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
