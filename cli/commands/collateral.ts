import type { Command } from "commander";
import { formatAmount } from "../../src/core/amounts";
import { readSubjectCollateral, type SubjectCollateral } from "../../src/backing/collateral";
import { InvalidArgumentError } from "../../src/core/errors";
import { formatRatio, parseRatio } from "../../src/core/ratio";
import { formatSubjectId, parseSubjectId } from "../../src/core/subject-id";
import { formatDuration } from "../../src/core/time";
import { action, optionsOf, output } from "../cli-kit";
import { connect, resolveRegistryAddress } from "../network";

export function registerCollateral(program: Command): void {
  program
    .command("collateral")
    .description("reserves, supply, ratio, age, freshness and status of one or more subjects")
    .argument("<subjectId...>", "subject ids (text up to 31 bytes, or 0x-prefixed 32-byte hex)")
    .option(
      "--registry <address>",
      "registry address (default: $POR_REGISTRY, else the one `por deploy` recorded)",
    )
    .option("--min-ratio <ratio>", "ratio below which a subject is under-collateralized (1, 0.98, 98%)", "1")
    .addHelpText(
      "after",
      "\nReserves and supply are shown in 18 decimals, as the registry normalizes them. Status is\n" +
        "healthy, undercollateralized, stale, missing or disputed (a customer's challenge of a round went\n" +
        "unanswered: the challenge is named below the table); the command exits 1 if any subject is not healthy.",
    )
    .action(
      action(async (ids: string[], _opts: unknown, command: Command) => {
        const options = optionsOf<{ registry?: string; minRatio: string }>(command);
        const subjectIds = ids.map(parseSubjectId);
        const minRatioWad = parseRatio(options.minRatio, "--min-ratio");
        const hre = await connect(options);
        const registry = await resolveRegistryAddress(hre, options.registry);
        const blockTag = await hre.ethers.provider.getBlockNumber();
        const rows = await Promise.all(
          subjectIds.map(async (id) => {
            const row = await readSubjectCollateral(hre.ethers.provider, registry, id, {
              blockTag,
              minRatioWad,
            });
            if (row === null)
              throw new InvalidArgumentError(
                `unknown subject ${formatSubjectId(id)} in registry ${registry}`,
              );
            return row;
          }),
        );
        output(options, { registry, block: blockTag, subjects: rows.map(toJson) }, () => table(rows));
        if (rows.some((r) => r.state !== "healthy")) process.exitCode = 1;
      }),
    );
}

function toJson(row: SubjectCollateral) {
  return { ...row, ratio: formatRatio(row.ratioWad, 6) };
}

function table(rows: SubjectCollateral[]): string {
  const header = ["subject", "reserves", "supply", "ratio", "age", "fresh", "status"];
  const body = rows.map((r) => [
    formatSubjectId(r.subjectId),
    `${formatAmount(r.reservesWad, 18, { grouping: true, fractionDigits: 2 })} (${r.reserveSource})`,
    `${formatAmount(r.supplyWad, 18, { grouping: true, fractionDigits: 2 })} (${r.supplySource})`,
    formatRatio(r.ratioWad),
    r.roundId === 0n || r.ageSeconds === null ? "-" : formatDuration(r.ageSeconds),
    r.fresh ? "yes" : "no",
    r.state,
  ]);
  // A disputed subject's figures are dated 0 by the registry: say why instead of an age.
  const disputes = rows.flatMap((r) =>
    r.disputed === null ? [] : [`${formatSubjectId(r.subjectId)} disputed: ${r.disputed.reason}`],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  return [header, ...body]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .concat(disputes)
    .join("\n");
}
