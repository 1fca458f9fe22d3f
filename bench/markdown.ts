import { promises as fs } from "node:fs";
import * as path from "node:path";
import * as prettier from "prettier";

/**
 * Writes a generated markdown document formatted as `prettier --check .` expects, so regenerating
 * a benchmark never breaks the lint.
 */
export async function writeMarkdown(file: string, markdown: string): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const options = (await prettier.resolveConfig(file)) ?? {};
  const formatted = await prettier.format(markdown, { ...options, filepath: file });
  await fs.writeFile(file, formatted);
  return formatted;
}
