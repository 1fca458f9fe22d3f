/**
 * `npm run bench [-- --sizes 100000,1000000 --oz-max 100000 --merkletreejs-max 1000000 --out FILE]`
 *
 * Builds liabilities trees from generated CSVs with the SDK and, over the same accounts, the
 * merkletreejs (sortPairs) and @openzeppelin/merkle-tree StandardMerkleTree baselines. Every
 * measurement runs in its own child process (bench/child.ts) so peak RSS is per measurement.
 * Writes docs/bench.md (--out FILE for a quick run that must not replace the published figures).
 * Generated CSVs and trees go to a temporary directory removed at the end.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { nativeKernel } from "../src/liabilities/native";
import { generateCsv } from "./csv";

interface Measurement {
  seconds?: number;
  maxRssMiB: number;
  root?: string;
  firstMs?: number;
  medianMs?: number;
  maxMs?: number;
  medianProofMs?: number;
  shardLeaves?: number;
  shardCount?: number;
  manifestBytes?: number;
  largestShardBytes?: number;
  totalBytes?: number;
}

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback);
}

const sizes = flag("sizes", "100000,1000000,10000000").split(",").map(Number);
const merkletreejsMax = Number(flag("merkletreejs-max", "1000000"));
const ozMax = Number(flag("oz-max", "100000"));
const outFile = path.resolve(flag("out", path.join(__dirname, "..", "docs", "bench.md")));

function measure(args: string[]): Measurement {
  const child = spawnSync(
    process.execPath,
    ["--max-old-space-size=8192", "-r", "ts-node/register", path.join(__dirname, "child.ts"), ...args],
    {
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
      stdio: ["ignore", "pipe", "inherit"],
      encoding: "utf8",
      maxBuffer: 1 << 20,
    },
  );
  if (child.status !== 0) throw new Error(`bench child ${args[0]} failed with status ${child.status}`);
  return JSON.parse(child.stdout.trim().split("\n").pop() as string) as Measurement;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const rate = (count: number, s: number) => `${Math.round(count / s).toLocaleString("en-US")}`;
const bytes = (n: number) => n.toLocaleString("en-US");

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "por-bench-"));
  const startedAt = new Date().toISOString();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
  const rows: string[] = [];
  const ratios: string[] = [];
  const publications: string[] = [];
  try {
    for (const count of sizes) {
      const csv = path.join(dir, `accounts-${count}.csv`);
      process.stderr.write(`generating ${count} accounts…\n`);
      await generateCsv(csv, count);
      const csvMiB = statSync(csv).size / 2 ** 20;
      const tree = path.join(dir, `tree-${count}.bin`);
      process.stderr.write(`por build ${count}…\n`);
      const por = measure(["por", csv, tree]);
      const prove = measure(["prove", tree, String(count)]);
      const treeMiB = statSync(tree).size / 2 ** 20;
      process.stderr.write(`por publish ${count}…\n`);
      const pub = measure(["publish", tree, path.join(dir, `publication-${count}`)]);
      rmSync(path.join(dir, `publication-${count}`), { recursive: true, force: true });
      const download = (pub.manifestBytes as number) + (pub.largestShardBytes as number);
      publications.push(
        `| ${count.toLocaleString("en-US")} | ${fmt(por.seconds as number)} | ${fmt(pub.seconds as number)} | ${fmt((pub.seconds as number) / (por.seconds as number), 2)} | ${Math.round(pub.maxRssMiB)} | ${(pub.shardCount as number).toLocaleString("en-US")} × ${(pub.shardLeaves as number).toLocaleString("en-US")} | ${bytes(pub.manifestBytes as number)} | ${bytes(pub.largestShardBytes as number)} | **${bytes(download)}** (${fmt(download / 1e6, 2)} MB) | ${fmt((pub.totalBytes as number) / 2 ** 20, 0)} MiB |`,
      );
      rows.push(
        `| ${count.toLocaleString("en-US")} | **por-registry** (Merkle-sum, salts, 4 keccak + HMAC per leaf) | ${fmt(por.seconds as number)} | ${rate(count, por.seconds as number)} | ${Math.round(por.maxRssMiB)} | ${fmt(prove.medianMs as number, 2)} (first ${fmt(prove.firstMs as number, 1)}, max ${fmt(prove.maxMs as number, 1)}) | CSV ${fmt(csvMiB, 0)} MiB, tree file ${fmt(treeMiB, 0)} MiB |`,
      );
      rmSync(tree, { force: true });
      for (const [name, max, mode] of [
        ["merkletreejs `MerkleTree(sortPairs)` + keccak256 pkg", merkletreejsMax, "merkletreejs"],
        ["@openzeppelin/merkle-tree `StandardMerkleTree.of`", ozMax, "oz"],
      ] as const) {
        if (count > max) continue;
        process.stderr.write(`${mode} ${count}…\n`);
        const base = measure([mode, csv]);
        const ratio = (base.seconds as number) / (por.seconds as number);
        rows.push(
          `| ${count.toLocaleString("en-US")} | ${name} (plain tree, 1 keccak per leaf) | ${fmt(base.seconds as number)} | ${rate(count, base.seconds as number)} | ${Math.round(base.maxRssMiB)} | ${fmt(base.medianProofMs as number, 2)} | por-registry is **${fmt(ratio)}x** faster |`,
        );
        ratios.push(`${mode} at ${count.toLocaleString("en-US")}: ${fmt(ratio)}x`);
      }
      rmSync(csv, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const cpus = os.cpus();
  const doc = `# Liabilities tree benchmarks

Generated by \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\` (bench/run.ts) on ${startedAt}.
Do not edit by hand: rerun the benchmark.

Machine: ${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}.
Leaf keccak kernel: ${nativeKernel() ? "native (native/keccak_leaves.c, built at install)" : "WebAssembly (hash-wasm; the native addon was not built)"}.
Load average when the run started: ${load} (the machine is shared: figures are noisy, ratios within one run are the meaningful part).

| accounts | builder | build s | accounts/s | peak RSS MiB | proof ms (median of 1000) | notes |
|---:|---|---:|---:|---:|---|---|
${rows.join("\n")}

Ratios in this run (baseline build seconds / por-registry build seconds): ${ratios.join("; ") || "none"}.

## Published proofs (\`por liabilities publish\`)

| accounts | build s | publish s | publish / build | peak RSS MiB | shards × leaves | manifest bytes | largest shard bytes | largest download (manifest + shard) | all files |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${publications.join("\n")}

## What is measured
- **Build** is wall time from reading the CSV to a finished tree: for por-registry the streamed CSV
  parse with exact decimal conversion, HMAC-SHA256 salt derivation, 4 keccak per leaf (id hash,
  commitment, leaf inner and outer hash), sorting by leaf hash, fixed-width sums, every level, and the
  complete tree file on disk (\`tree.bin\`, from which any proof is read). For the baselines: reading
  the same CSV, one keccak256 leaf per account over \`account,balanceUnits\` (merkletreejs) or
  StandardMerkleTree's own leaf encoding (double keccak of the ABI encoding), and the tree in memory.
  The baselines are plain Merkle trees: they do less work per leaf than a sum tree and write nothing.
- **Peak RSS** is \`process.resourceUsage().maxRSS\` of a child process that ran only that build.
- **Proof** for por-registry is \`TreeFile.prove(accountId)\` in a fresh process on the built file:
  index lookup, positional reads, 16-leaf chunk recomputation, and a full self-check of the proof
  against the root (\`first\` includes opening the file and instantiating the WebAssembly kernel).
  For the baselines it is \`getHexProof\`/\`getProof\` on the in-memory tree.
- **Publish** is \`writePublication\` with the default shard size in a fresh process on the tree file just built:
  streaming level 0, recomputing every shard's node (the builder's level code, one thread) and checking that
  they reach the root, SHA-256 of every shard, and the manifest. The build column is the same run's build. The
  largest download is what one customer fetches: the manifest and the largest shard (at most 2 MB wanted at 10M).
- Baselines run only up to ${merkletreejsMax.toLocaleString("en-US")} accounts (merkletreejs) and ${ozMax.toLocaleString("en-US")} (StandardMerkleTree):
  StandardMerkleTree took 289 s and 2.7 GB at 1M on this machine before (/work/shared/keccak-throughput.md),
  merkletreejs would need well over 2 GB at 10M. Pass \`--oz-max\`/\`--merkletreejs-max\` to change that.
`;
  // Formatted like the rest of the repository, so `prettier --check .` passes on the output.
  const prettier = await import("prettier");
  writeFileSync(
    outFile,
    await prettier.format(doc, { ...(await prettier.resolveConfig(outFile)), filepath: outFile }),
  );
  process.stderr.write(`wrote ${outFile}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
