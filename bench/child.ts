/**
 * One benchmark measurement, run in its own process by bench/run.ts so that peak RSS
 * (process.resourceUsage().maxRSS) is that of this measurement alone. Prints one JSON line.
 *
 *   child.ts por <csv> <treeFile>            build with the SDK (streams the CSV), with its phases' seconds
 *   child.ts prove <treeFile> <accounts>     proof extraction from a built tree
 *   child.ts publish <treeFile> <outDir>     the tree's publication (manifest + shards), default shard size
 *   child.ts merkletreejs <csv>              merkletreejs MerkleTree, sortPairs, keccak256 package
 *   child.ts oz <csv>                        @openzeppelin/merkle-tree StandardMerkleTree.of
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { TreeFile, buildTreeFile, writePublication } from "../src/liabilities";
import { accountId, BENCH_DECIMALS, BENCH_SECRET } from "./csv";

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function report(result: Record<string, unknown>): void {
  process.stdout.write(
    `${JSON.stringify({ ...result, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

/** The CSV's rows as [account, balance text], read line by line (what a baseline user would do). */
async function readRows(csv: string): Promise<Array<[string, string]>> {
  const rows: Array<[string, string]> = [];
  let header = true;
  for await (const line of createInterface({ input: createReadStream(csv), crlfDelay: Infinity })) {
    if (header) {
      header = false;
      continue;
    }
    const comma = line.indexOf(",");
    rows.push([line.slice(0, comma), line.slice(comma + 1)]);
  }
  return rows;
}

/** Balance text with BENCH_DECIMALS decimals to base units, exactly (digits, no floats). */
function units(text: string): bigint {
  const [whole = "0", fraction = ""] = text.split(".");
  return BigInt(whole + fraction.padEnd(BENCH_DECIMALS, "0"));
}

function randomAccounts(count: number, sample: number): string[] {
  return Array.from({ length: sample }, () => accountId(Math.floor(Math.random() * count)));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const [mode, a, b] = process.argv.slice(2) as [string, string, string | undefined];
  if (mode === "por") {
    const start = process.hrtime.bigint();
    const phases: Record<string, number> = {};
    const summary = await buildTreeFile({
      input: a,
      treeFile: b as string,
      decimals: BENCH_DECIMALS,
      saltSecret: Buffer.from(BENCH_SECRET),
      onProgress: (m) => process.stderr.write(`  ${m}\n`),
      onPhaseEnd: (t) => (phases[t.phase] = t.seconds),
    });
    report({ seconds: seconds(start), root: summary.root, leafCount: summary.leafCount, phases });
  } else if (mode === "prove") {
    const count = Number(b);
    const start = process.hrtime.bigint();
    const tree = TreeFile.open(a);
    tree.prove(accountId(0));
    const first = seconds(start) * 1000;
    const times: number[] = [];
    for (const id of randomAccounts(count, 1000)) {
      const t = process.hrtime.bigint();
      tree.prove(id);
      times.push(seconds(t) * 1000);
    }
    tree.close();
    report({ firstMs: first, medianMs: median(times), maxMs: Math.max(...times) });
  } else if (mode === "publish") {
    const start = process.hrtime.bigint();
    const summary = await writePublication(a, b as string);
    report({
      seconds: seconds(start),
      shardLeaves: summary.shardLeaves,
      shardCount: summary.shardCount,
      manifestBytes: summary.manifestBytes,
      largestShardBytes: summary.largestShardBytes,
      totalBytes: summary.totalBytes,
    });
  } else if (mode === "merkletreejs") {
    const { MerkleTree } = await import("merkletreejs");
    const keccak256 = (await import("keccak256")).default;
    const start = process.hrtime.bigint();
    const rows = await readRows(a);
    const leaves = rows.map(([account, balance]) => keccak256(`${account},${units(balance)}`));
    const tree = new MerkleTree(leaves, keccak256, { sortPairs: true });
    const root = tree.getHexRoot();
    const buildSeconds = seconds(start);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const leaf = leaves[Math.floor(Math.random() * leaves.length)] as Buffer;
      const t = process.hrtime.bigint();
      tree.getHexProof(leaf);
      times.push(seconds(t) * 1000);
    }
    report({ seconds: buildSeconds, root, medianProofMs: median(times) });
  } else if (mode === "oz") {
    const { StandardMerkleTree } = await import("@openzeppelin/merkle-tree");
    const start = process.hrtime.bigint();
    const rows = await readRows(a);
    const tree = StandardMerkleTree.of(
      rows.map(([account, balance]) => [account, units(balance)]),
      ["string", "uint256"],
    );
    const root = tree.root;
    const buildSeconds = seconds(start);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = process.hrtime.bigint();
      tree.getProof(Math.floor(Math.random() * rows.length));
      times.push(seconds(t) * 1000);
    }
    report({ seconds: buildSeconds, root, medianProofMs: median(times) });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
