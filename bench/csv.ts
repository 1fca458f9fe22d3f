import { createWriteStream } from "node:fs";

/** Decimals of the generated balances, and the salt secret of benchmark builds. */
export const BENCH_DECIMALS = 6;
export const BENCH_SECRET = "por-registry benchmark secret";

export function accountId(i: number): string {
  return `customer-${i.toString().padStart(9, "0")}`;
}

/**
 * Writes a CSV of `count` accounts (`account,balance`, no salts, so the build derives them) with
 * pseudo-random balances of up to 10^9 units with 6 decimals. Deterministic for a given count.
 */
export async function generateCsv(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  let state = 0x2545f491;
  const next = () => {
    // xorshift32: cheap, deterministic, good enough for test balances.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  out.write("account,balance\n");
  for (let i = 0; i < count;) {
    let chunk = "";
    for (let k = 0; k < 10_000 && i < count; k++, i++) {
      const whole = next() % 1_000_000_000;
      const fraction = (next() % 1_000_000).toString().padStart(6, "0");
      chunk += `${accountId(i)},${whole}.${fraction}\n`;
    }
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}
