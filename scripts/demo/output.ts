/** Report formatting shared by the demo's scenes. */

/** One step of the demo: a heading and what happens under it. */
export interface Scene {
  title: string;
  run: () => Promise<void>;
}

export function heading(index: number, title: string): void {
  process.stdout.write(`\n== ${index}. ${title} ${"=".repeat(Math.max(0, 70 - title.length))}\n`);
}

export function line(label: string, value: string): void {
  process.stdout.write(`  ${label.padEnd(16)} ${value}\n`);
}
