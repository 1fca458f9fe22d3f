/**
 * The Verify page, two ways in. With a proof file, the package is folded here in the browser and
 * the registry's verifyLiability confirms the attested round. With account details (account id,
 * salt, balance), the page reads the round's publication on-chain, downloads its manifest and one
 * shard, and rebuilds the proof with the SDK's checks (`por liabilities check`), then confirms it the
 * same way. One verdict covers either: "Verified" only when the proof holds, the chain confirms it and
 * the round is not disputed; "Disputed" when it holds but its round reads as disputed; "Could not check
 * on-chain" (neutral) when the RPC does not answer.
 */
import "./common/base.css";
import "./verify.css";
import type { LiabilityProofPackage, ProofVerification } from "@por/sdk/liabilities/proof";
import { shortError } from "./common/connection";
import { AccountForm } from "./verify/account-form";
import { checkOnChain, type ChainOutcome } from "./verify/chain-check";
import { ChainSettingsForm } from "./verify/chain-settings";
import { checkLocally, type LocalCheck } from "./verify/local-check";
import { attachSumsToggle, renderPath } from "./verify/path-view";
import { attachProofInput, type ProofText } from "./verify/proof-input";
import type { AccountOutcome } from "./verify/publication-check";
import { renderRound } from "./verify/round-view";
import { attachTabs } from "./verify/tabs";
import {
  ACCOUNT_INITIAL_VERDICT,
  checking,
  couldNotCheck,
  disputed,
  enterAccount,
  enterChainForPublication,
  fetchingPublication,
  INITIAL_VERDICT,
  locallyOnly,
  notVerified,
  showVerdict,
  verified,
} from "./verify/verdict";

const DEBOUNCE_MS = 300;
/** The address of the account-details tab, for links that open it ("…/?registry=…#by-account"). */
const ACCOUNT_HASH = "#by-account";

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no #${id}`);
  return element as T;
}

const page = {
  status: byId("verdict"),
  notes: byId("chain-notes"),
  roundSection: byId("round-section"),
  roundDetails: byId("round-section").querySelector<HTMLElement>("[data-testid=round-details]")!,
  pathSection: byId("path-section"),
  path: byId<HTMLOListElement>("proof-path"),
};

attachSumsToggle(byId("sums-toggle"), page.path);

/** Which way in the visitor chose: the tab shown. */
let mode: "file" | "account" = "file";
let local: LocalCheck = { kind: "empty" };
/** Number of the latest check: the result of an older one, still in flight, is dropped. */
let latestCheck = 0;
let proofTimer: ReturnType<typeof setTimeout> | undefined;
let checkTimer: ReturnType<typeof setTimeout> | undefined;

function scheduleCheck(): void {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(() => void check(), DEBOUNCE_MS);
}

const settings = new ChainSettingsForm(
  {
    rpcUrl: byId("rpc-url"),
    wallet: byId("use-wallet"),
    registry: byId("registry"),
    subject: byId("subject"),
    round: byId("round"),
  },
  scheduleCheck,
);

const account = new AccountForm(
  {
    accountId: byId("account-id"),
    salt: byId("salt"),
    balance: byId("balance"),
    uri: byId("publication-uri"),
    download: byId("download-note"),
  },
  scheduleCheck,
);

const tabs = attachTabs([byId("tab-file"), byId("tab-account")], (index) => {
  mode = index === 0 ? "file" : "account";
  const { pathname, search } = window.location;
  history.replaceState(null, "", mode === "account" ? ACCOUNT_HASH : `${pathname}${search}`);
  void check();
});

attachProofInput(
  { file: byId("proof-file"), textarea: byId("proof-json"), zone: byId("proof-zone") },
  (proof) => {
    clearTimeout(proofTimer);
    if (proof.immediate) takeProof(proof);
    else proofTimer = setTimeout(() => takeProof(proof), DEBOUNCE_MS);
  },
);

/** Checks a new proof locally, fills the chain fields it names, and checks it (on the file tab). */
function takeProof(proof: ProofText): void {
  local =
    proof.error !== undefined
      ? { kind: "malformed", reason: proof.error }
      : checkLocally(proof.text, proof.source);
  if (local.kind === "checked" && local.pkg.attestedOn) settings.prefillFrom(local.pkg.attestedOn);
  // A file dropped while the account tab is shown is what the visitor wants checked now.
  if (mode === "file") void check();
  else tabs.select(0);
}

async function check(): Promise<void> {
  clearTimeout(checkTimer);
  const id = ++latestCheck;
  const isLatest = () => id === latestCheck;
  try {
    showNotes([]);
    await (mode === "file" ? checkFile(isLatest) : checkAccount(isLatest));
  } catch (error) {
    if (!isLatest()) return;
    // Not expected (every visitor error has its sentence), but never a stack trace or silence.
    showVerdict(page.status, "bad", notVerified(`the check failed unexpectedly (${shortError(error)})`));
    hideRound();
  }
}

/** The proof file's check: its fold (drawn at once), then verifyLiability for the round. */
async function checkFile(isLatest: () => boolean): Promise<void> {
  if (local.kind !== "checked") hidePath();
  if (local.kind === "empty") return decided("neutral", INITIAL_VERDICT);
  if (local.kind === "malformed") return decided("bad", notVerified(local.reason));
  const { pkg, result } = local;
  showPath(pkg, result, pkg.decimals);
  if (!result.ok) return decided("bad", notVerified(result.reason ?? "the proof does not fold"));
  const read = settings.read();
  if (read.kind === "incomplete") return decided("neutral", locallyOnly(read.missing));
  if (read.kind === "invalid") return decided("bad", notVerified(read.reason));

  showVerdict(page.status, "pending", checking(read.settings.round));
  page.roundSection.setAttribute("aria-busy", "true");
  const outcome = await checkOnChain(read.settings, pkg, result.commitment);
  if (!isLatest()) return;
  // A package without decimals is drawn in base units until the subject tells them.
  if (outcome.report && pkg.decimals === undefined) showPath(pkg, result, outcome.report.decimals);
  showOutcome(outcome, pkg);
}

/** The account details' check: the publication found on-chain, its proof rebuilt, then verifyLiability. */
async function checkAccount(isLatest: () => boolean): Promise<void> {
  hidePath();
  const claim = account.read();
  if (claim.kind === "empty") return decided("neutral", ACCOUNT_INITIAL_VERDICT);
  if (claim.kind === "incomplete") return decided("neutral", enterAccount(claim.missing));
  if (claim.kind === "invalid") return decided("bad", notVerified(claim.reason));
  const read = settings.read();
  if (read.kind === "incomplete") return decided("neutral", enterChainForPublication(read.missing));
  if (read.kind === "invalid") return decided("bad", notVerified(read.reason));

  showVerdict(page.status, "pending", fetchingPublication(read.settings.round));
  page.roundSection.setAttribute("aria-busy", "true");
  account.showDownload(undefined);
  // Loaded on first use: a visitor with a proof file never downloads the publication reader.
  let reader: typeof import("./verify/publication-check");
  try {
    reader = await import("./verify/publication-check");
  } catch {
    if (isLatest()) decided("bad", notVerified("this page could not load its publication reader; reload it"));
    return;
  }
  const outcome = await reader.checkByAccount(read.settings, claim.claim, claim.uri);
  if (!isLatest()) return;
  account.showCommittedUri(outcome.committedUri ?? "");
  account.showDownload(downloadText(outcome.download));
  if (outcome.proof) showPath(outcome.proof.pkg, outcome.proof.result, outcome.proof.pkg.decimals);
  showOutcome(outcome, outcome.proof?.pkg);
}

/** The chain's answer: the round checked against, any warnings, and the verdict. */
function showOutcome(outcome: ChainOutcome, pkg: LiabilityProofPackage | undefined): void {
  page.roundSection.setAttribute("aria-busy", "false");
  showNotes(outcome.warnings);
  if (outcome.report) {
    renderRound(page.roundDetails, outcome.report);
    page.roundSection.hidden = false;
  } else {
    hideRound();
  }
  if (!outcome.verified) {
    // An RPC that does not answer refutes nothing: neutral, never "Not verified".
    if (outcome.unreachable)
      showVerdict(page.status, "neutral", couldNotCheck(outcome.reason, pkg !== undefined));
    else showVerdict(page.status, "bad", notVerified(outcome.reason));
    return;
  }
  if (pkg === undefined) throw new Error("verified without a proof");
  const { report } = outcome;
  if (report.dispute) showVerdict(page.status, "bad", disputed(pkg, report, report.dispute));
  else showVerdict(page.status, "ok", verified(pkg, report));
}

/** "Downloaded 1.3 kB: …": what the publication's host saw this browser fetch. */
function downloadText(download: AccountOutcome["download"]): string | undefined {
  if (download === undefined) return undefined;
  const size = `${(download.bytes / 1000).toFixed(1)} kB`;
  return download.shard === undefined
    ? `Downloaded ${size}: the manifest only.`
    : `Downloaded ${size}: the manifest and shard ${download.shard}, the same files every customer of that shard downloads.`;
}

/** A verdict reached without the chain: no round to show. */
function decided(tone: "neutral" | "bad", text: string): void {
  showVerdict(page.status, tone, text);
  hideRound();
}

function showPath(pkg: LiabilityProofPackage, result: ProofVerification, decimals: number | undefined): void {
  renderPath(page.path, pkg, result, decimals);
  page.pathSection.hidden = false;
}

function hidePath(): void {
  page.path.replaceChildren();
  page.pathSection.hidden = true;
}

function hideRound(): void {
  page.roundSection.hidden = true;
  page.roundSection.setAttribute("aria-busy", "false");
  page.roundDetails.replaceChildren();
}

function showNotes(warnings: readonly string[]): void {
  page.notes.textContent = warnings.join(" ");
  page.notes.hidden = warnings.length === 0;
}

// The tab the address names; selecting it runs the first check (query parameters may name the chain).
tabs.select(window.location.hash === ACCOUNT_HASH ? 1 : 0);
