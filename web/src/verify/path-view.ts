import { toHex } from "@por/sdk/liabilities/hash";
import type { LiabilityProofPackage, ProofVerification } from "@por/sdk/liabilities/proof";
import { amountText, el, hashElement } from "./format";

/**
 * Draws the folded path into the `<ol data-testid="proof-path">`: the leaf ("Your balance"), one item
 * per step (the sibling and the parent it folds to), then the root against the stated root and total.
 * A failing level gets class `bad` and a "✗ …" sentence, so colour is never the only signal. The
 * steps' sums (other customers' balances: the first sibling's is one customer's exact balance) are
 * drawn as `.step-sum`, shown only once the visitor opens them (attachSumsToggle).
 */
export function renderPath(
  list: HTMLOListElement,
  pkg: LiabilityProofPackage,
  result: ProofVerification,
  decimals: number | undefined,
): void {
  const amount = (value: bigint) => el("span", "amount", amountText(value, decimals));
  const stepSum = (value: bigint) => el("span", "amount step-sum", amountText(value, decimals));
  const items: HTMLLIElement[] = [];

  items.push(
    level(
      "leaf",
      "Your balance",
      amount(result.leaf.sum),
      row("account", el("span", "mono", pkg.accountId)),
      row("commitment", hashElement(result.commitment)),
    ),
  );

  const steps = result.path.length;
  const overflowAt = result.path.findIndex((step) => step.parent === undefined);
  result.path.forEach((step, i) => {
    const item = level(
      "step",
      `Step ${i + 1} of ${steps}`,
      undefined,
      row("+ sibling", hashElement(toHex(step.sibling.hash)), stepSum(step.sibling.sum)),
      // A parent's sum less the one below gives the sibling's: hidden with it.
      step.parent
        ? row("= parent", hashElement(toHex(step.parent.hash)), stepSum(step.parent.sum))
        : row("= parent", el("span", "", i === overflowAt ? "overflows uint256" : "not computed")),
    );
    if (i === overflowAt) markBad(item, "✗ This sum overflows uint256: no valid tree contains it.");
    items.push(item);
  });

  items.push(rootLevel(pkg, result, amount));
  list.replaceChildren(...items);
}

function rootLevel(
  pkg: LiabilityProofPackage,
  result: ProofVerification,
  amount: (value: bigint) => HTMLElement,
): HTMLLIElement {
  const { computedRoot, computedTotal } = result;
  if (computedRoot === undefined || computedTotal === undefined) {
    const item = level("root", "Root", undefined);
    markBad(item, "✗ Not reached: a sum on the way overflowed.");
    return item;
  }
  const item = level("root", "Root", amount(computedTotal), row("root", hashElement(computedRoot)));
  const totalOk = computedTotal === BigInt(pkg.total);
  const rootOk = computedRoot === pkg.root.toLowerCase();
  item.append(
    totalOk
      ? el("p", "mark ok", "✓ The sum equals the stated total.")
      : el("p", "mark bad", "✗ The sum is not the stated total, ", amount(BigInt(pkg.total)), "."),
    rootOk
      ? el("p", "mark ok", "✓ The hash equals the stated root.")
      : el("p", "mark bad", "✗ The hash is not the stated root, ", hashElement(pkg.root), "."),
  );
  if (!totalOk || !rootOk) item.classList.add("bad");
  return item;
}

/**
 * The "details" button that shows or hides the steps' sums in `list` (hidden on load): a disclosure
 * (aria-expanded) whose state holds for proofs drawn later.
 */
export function attachSumsToggle(button: HTMLButtonElement, list: HTMLElement): void {
  const set = (shown: boolean) => {
    button.setAttribute("aria-expanded", String(shown));
    list.classList.toggle("sums-hidden", !shown);
  };
  set(false);
  button.addEventListener("click", () => set(button.getAttribute("aria-expanded") !== "true"));
}

function level(
  kind: string,
  name: string,
  amount: HTMLElement | undefined,
  ...rows: HTMLElement[]
): HTMLLIElement {
  const head = el("div", "level-head", el("span", "level-name", name));
  if (amount) head.append(amount);
  return el("li", `level ${kind}`, head, ...rows);
}

function row(label: string, ...values: Array<Node | string>): HTMLElement {
  return el("div", "level-row", el("span", "level-label", label), ...values);
}

function markBad(item: HTMLLIElement, text: string): void {
  item.classList.add("bad");
  item.append(el("p", "mark bad", text));
}
