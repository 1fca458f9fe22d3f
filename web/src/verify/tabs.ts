/**
 * Tabs over panels, the WAI-ARIA tabs pattern: each `role="tab"` button names its panel with
 * `aria-controls`; only the selected tab is in the Tab order, the arrow keys (and Home, End) move
 * between tabs and select as they go, and Tab then enters the selected panel.
 */
export interface Tabs {
  /** Selects tab `index` (and shows its panel); `focus` moves the keyboard focus to it. */
  select(index: number, focus?: boolean): void;
}

export function attachTabs(tabs: HTMLButtonElement[], onSelect: (index: number) => void): Tabs {
  let selected = -1;
  const panels = tabs.map((tab) => {
    const panel = document.getElementById(tab.getAttribute("aria-controls") ?? "");
    if (!panel) throw new Error(`tab #${tab.id} controls no panel`);
    return panel;
  });

  const select = (index: number, focus = false): void => {
    tabs.forEach((tab, i) => {
      tab.setAttribute("aria-selected", String(i === index));
      tab.tabIndex = i === index ? 0 : -1;
      (panels[i] as HTMLElement).hidden = i !== index;
    });
    if (focus) tabs[index]?.focus();
    if (index === selected) return;
    selected = index;
    onSelect(index);
  };

  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(i));
    tab.addEventListener("keydown", (event) => {
      const last = tabs.length - 1;
      const next: Record<string, number> = {
        ArrowRight: i === last ? 0 : i + 1,
        ArrowLeft: i === 0 ? last : i - 1,
        Home: 0,
        End: last,
      };
      const target = next[event.key];
      if (target === undefined) return;
      event.preventDefault();
      select(target, true);
    });
  });
  return { select };
}
