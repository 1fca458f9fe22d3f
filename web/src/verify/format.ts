import { formatAmount } from "@por/sdk/core/amounts";

/** A hash or address shortened for display ("0x1234…abcd"); the full value goes in a title. */
export function shortHash(hex: string): string {
  return hex.length <= 14 ? hex : `${hex.slice(0, 6)}…${hex.slice(-4)}`;
}

/**
 * An amount for people: grouped, with the tree's decimals when known, else in base units (a
 * package without `decimals` does not say where the point goes).
 */
export function amountText(value: bigint, decimals: number | undefined): string {
  if (decimals === undefined) return `${formatAmount(value, 0, { grouping: true })} base units`;
  return formatAmount(value, decimals, { grouping: true });
}

/** A `<span class="mono">` showing `hex` shortened, with the full value as its title. */
export function hashElement(hex: string): HTMLElement {
  const span = document.createElement("span");
  span.className = "mono hash";
  span.title = hex;
  span.textContent = shortHash(hex);
  return span;
}

/** `document.createElement` with a class and text, the building block of the page's views. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = "",
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== "") node.className = className;
  node.append(...children);
  return node;
}
