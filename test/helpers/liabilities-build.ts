import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { TreeFile, buildTreeFile, type LiabilitiesSummary } from "../../src/liabilities";

/** A scratch directory removed by `cleanup()`. */
export function scratchDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "por-liab-test-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestAccount {
  accountId: string;
  balance: bigint;
  salt?: string;
}

/** CSV text for `accounts` with balances in base units (decimals 0), salts when given. */
export function csvOf(accounts: TestAccount[]): string {
  const withSalt = accounts.some((a) => a.salt !== undefined);
  const header = withSalt ? "account,balance,salt" : "account,balance";
  const quote = (id: string) => (/[",]/.test(id) ? `"${id.replace(/"/g, '""')}"` : id);
  const lines = accounts.map((a) =>
    withSalt ? `${quote(a.accountId)},${a.balance},${a.salt ?? ""}` : `${quote(a.accountId)},${a.balance}`,
  );
  return `${header}\n${lines.join("\n")}\n`;
}

/** Builds a tree of `accounts` through a CSV file with the SDK's builder and opens it. */
export async function buildAccounts(
  dir: string,
  accounts: TestAccount[],
  options: { secret?: string; threads?: number; padTo?: number; decimals?: number; csv?: string } = {},
): Promise<{ summary: LiabilitiesSummary; tree: TreeFile }> {
  const input = path.join(dir, "input.csv");
  writeFileSync(input, options.csv ?? csvOf(accounts));
  const treeFile = path.join(dir, "tree.bin");
  const summary = await buildTreeFile({
    input,
    treeFile,
    decimals: options.decimals ?? 0,
    saltSecret: Buffer.from(options.secret ?? "test secret"),
    threads: options.threads ?? 0,
    padTo: options.padTo,
    waitForWorkers: true,
  });
  return { summary, tree: TreeFile.open(treeFile) };
}
