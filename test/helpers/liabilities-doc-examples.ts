import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { liabilitiesVectors } from "./liabilities-vectors";

/**
 * Markdown of the worked examples in docs/liabilities-tree.md, from the committed test vectors.
 * `npx ts-node test/helpers/liabilities-doc-examples.ts` prints it; a test checks the doc contains it.
 */
export function workedExamples(): string {
  const vectors = JSON.parse(
    readFileSync(path.join(__dirname, "..", "fixtures", "liabilities-vectors.json"), "utf8"),
  ) as ReturnType<typeof liabilitiesVectors>;
  const out: string[] = [];
  for (const tree of vectors.trees) {
    const n = tree.accounts.length;
    out.push(`### ${n} leaves (\`${tree.name}\`, decimals ${tree.decimals})`, "");
    out.push(
      "Accounts (salt = HMAC-SHA256(saltSecret, accountId), saltSecret = `" + vectors.saltSecret + "`):",
      "",
    );
    for (const a of tree.accounts) {
      out.push(`- \`${a.accountId}\`, balance ${a.balance}`);
      out.push(`  - salt       \`${a.salt}\``);
      out.push(`  - commitment \`${a.commitment}\``);
      out.push(`  - leaf       \`${a.leafHash}\` (position ${a.leafIndex} after sorting)`);
    }
    out.push("", "Levels, bottom-up (`hash` / `sum`; a lone last node is promoted unchanged):", "");
    tree.levels.forEach((level, l) => {
      out.push(`- level ${l}${l === tree.levels.length - 1 ? " (root)" : ""}:`);
      level.forEach((node, i) => {
        const below = tree.levels[l - 1];
        let how = "";
        if (below !== undefined) {
          how =
            below[2 * i + 1] === undefined
              ? ` = level ${l - 1}[${2 * i}] promoted`
              : ` = node(level ${l - 1}[${2 * i}], [${2 * i + 1}])`;
        }
        out.push(`  - [${i}] \`${node.hash}\` / ${node.sum}${how}`);
      });
    });
    out.push("", `Root \`${tree.root}\`, total ${tree.total}.`, "");
    const a = tree.accounts[0]!;
    out.push(
      `Proof of \`${a.accountId}\`: ${a.proof.length === 0 ? "empty" : a.proof.map((s) => `(\`${s.hash}\`, ${s.sum})`).join(", then ")}.`,
      "",
    );
  }
  return out.join("\n");
}

if (require.main === module) process.stdout.write(`${workedExamples()}\n`);
