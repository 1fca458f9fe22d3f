import { promises as fs } from "node:fs";
import * as path from "node:path";
import { writeDirectoryAtomic } from "../node/files";
import { buildTreeFile, SUMMARY_FILE, TREE_FILE, type BuildOptions } from "./build";
import { summaryToJson, type LiabilitiesSummary } from "./summary";

/**
 * Builds the liabilities tree of `options.input` into directory `dir` (`tree.bin` and
 * `summary.json`), all or nothing: a failed build leaves neither a new nor a damaged `dir`.
 * An existing `dir` is refused unless `replace` is set.
 */
export async function buildLiabilitiesDirectory(
  dir: string,
  options: Omit<BuildOptions, "treeFile">,
  replace = false,
): Promise<LiabilitiesSummary> {
  return writeDirectoryAtomic(
    dir,
    async (staging) => {
      const summary = await buildTreeFile({ ...options, treeFile: path.join(staging, TREE_FILE) });
      await fs.writeFile(
        path.join(staging, SUMMARY_FILE),
        `${JSON.stringify(summaryToJson(summary), null, 2)}\n`,
      );
      return summary;
    },
    { replace, hint: "pass --force to replace it" },
  );
}
