import "./common/base.css";
import "./dashboard.css";
import { queryParam, rememberedRpcUrl, rememberRpcUrl } from "./common/connection";
import type { MountedChart } from "./dashboard/chart";
import { DashboardError, sentenceFor } from "./dashboard/errors";
import { openRegistry, type RegistryView } from "./dashboard/registry-reads";
import { dashboardLink, parseSettings, type Settings } from "./dashboard/settings";
import { overview, subjectPage, type Rendered } from "./dashboard/views";

/**
 * The dashboard page: reads the settings from the form (prefilled from `?rpc=&registry=&from=`, the
 * subject page from `&subject=`), loads the overview or one subject's history, and shows the outcome
 * in the status line. Any change reloads after a short pause; an older load never overwrites a newer.
 */

const DEBOUNCE_MS = 300;
const DEFAULT_TITLE = "Reserves dashboard";

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`dashboard.html has no #${id}`);
  return element as T;
}

const form = byId<HTMLFormElement>("settings");
const rpcInput = byId<HTMLInputElement>("rpc-url");
const registryInput = byId<HTMLInputElement>("registry-address");
const fromInput = byId<HTMLInputElement>("from-block");
const status = byId<HTMLElement>("dashboard-status");
const content = byId<HTMLElement>("dashboard-content");
const title = byId<HTMLElement>("page-title");

/** The subject page's subject comes from the address only: the overview's History links set it. */
const subjectText = queryParam("subject");

let generation = 0;
let charts: MountedChart[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;

function show(text: string, tone: "" | "bad" = ""): void {
  status.textContent = text;
  status.className = tone === "" ? "status" : `status ${tone}`;
}

function replaceContent(rendered: Rendered | null): void {
  for (const chart of charts) chart.destroy();
  charts = rendered?.charts ?? [];
  content.replaceChildren(...(rendered?.content ?? []));
  const heading = rendered?.title ?? DEFAULT_TITLE;
  title.textContent = heading;
  document.title = heading === DEFAULT_TITLE ? heading : `${heading} · Reserves dashboard`;
}

/** Keeps the address bar in step with the form, so the view can be shared or bookmarked as a link. */
function syncAddress(settings: Settings): void {
  const link = dashboardLink(settings, settings.subject);
  history.replaceState(null, "", link.slice(link.indexOf("?")));
}

async function load(): Promise<void> {
  const current = ++generation;
  const settings = parseSettings({
    rpcUrl: rpcInput.value,
    registry: registryInput.value,
    fromBlock: fromInput.value,
    subject: subjectText,
  });
  if (settings === null) {
    replaceContent(null);
    show("Enter an RPC URL and a registry address to see the registry's subjects.");
    return;
  }
  if ("error" in settings) {
    replaceContent(null);
    show(settings.error, "bad");
    return;
  }
  show(settings.subject === null ? "Loading the registry's subjects…" : `Loading subject ${subjectText}…`);
  let view: RegistryView | undefined;
  try {
    view = await openRegistry(settings);
    const rendered =
      settings.subject === null
        ? await overview(view, settings)
        : await subjectPage(view, settings, settings.subject);
    if (current !== generation) {
      for (const chart of rendered.charts) chart.destroy();
      return;
    }
    replaceContent(rendered);
    show(rendered.status);
    rememberRpcUrl(settings.rpcUrl);
    syncAddress(settings);
  } catch (error) {
    if (current !== generation) return;
    replaceContent(null);
    show(sentenceFor(error), "bad");
    if (!(error instanceof DashboardError)) console.error(error); // a bug: keep its stack for developers
  } finally {
    view?.provider.destroy();
  }
}

function scheduleLoad(): void {
  clearTimeout(timer);
  timer = setTimeout(() => void load(), DEBOUNCE_MS);
}

rpcInput.value = queryParam("rpc") || rememberedRpcUrl();
registryInput.value = queryParam("registry");
fromInput.value = queryParam("from");
for (const input of [rpcInput, registryInput, fromInput]) input.addEventListener("input", scheduleLoad);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  void load();
});
void load();
