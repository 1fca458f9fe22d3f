/** Child of an element built by `el`: nodes, text, or nothing (skipped, for optional parts). */
export type Child = Node | string | null | undefined | false;

/**
 * An element with attributes and children. Text is always set as text (never parsed as HTML): the
 * names and addresses shown come from the chain, so anyone who registers a subject controls them.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) element.append(child);
  }
  return element;
}

/** A `<dl>` row pair: a term and its description. */
export function row(term: string, ...description: Child[]): Node[] {
  return [el("dt", {}, term), el("dd", {}, ...description)];
}
