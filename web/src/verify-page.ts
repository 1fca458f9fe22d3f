/**
 * The Verify page: a customer's proof package is checked here in the browser (local fold), then
 * against the attested round on-chain (verifyLiability). One verdict covers both: "Verified" only
 * when the proof folds to its root and total and the registry confirms that round attests them.
 */
import "./common/base.css";
import "./verify.css";
import { shortError } from "./common/connection";
import { checkOnChain } from "./verify/chain-check";
import { ChainSettingsForm } from "./verify/chain-settings";
import { checkLocally, type LocalCheck } from "./verify/local-check";
import { renderPath } from "./verify/path-view";
import { attachProofInput, type ProofText } from "./verify/proof-input";
import { renderRound } from "./verify/round-view";
import { checking, INITIAL_VERDICT, locallyOnly, notVerified, showVerdict, verified } from "./verify/verdict";

const DEBOUNCE_MS = 300;

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
  path: byId("path-section").querySelector<HTMLOListElement>("[data-testid=proof-path]")!,
};

let local: LocalCheck = { kind: "empty" };
/** Number of the latest check: the result of an older one, still in flight, is dropped. */
let latestCheck = 0;
let proofTimer: ReturnType<typeof setTimeout> | undefined;
let checkTimer: ReturnType<typeof setTimeout> | undefined;

const settings = new ChainSettingsForm(
  {
    rpcUrl: byId("rpc-url"),
    wallet: byId("use-wallet"),
    registry: byId("registry"),
    subject: byId("subject"),
    round: byId("round"),
  },
  () => {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => void check(), DEBOUNCE_MS);
  },
);

attachProofInput(
  { file: byId("proof-file"), textarea: byId("proof-json"), zone: byId("proof-zone") },
  (proof) => {
    clearTimeout(proofTimer);
    if (proof.immediate) takeProof(proof);
    else proofTimer = setTimeout(() => takeProof(proof), DEBOUNCE_MS);
  },
);

/** Checks a new proof locally, draws its path, fills the chain fields it names, and checks it on-chain. */
function takeProof(proof: ProofText): void {
  local =
    proof.error !== undefined
      ? { kind: "malformed", reason: proof.error }
      : checkLocally(proof.text, proof.source);
  if (local.kind === "checked") {
    renderPath(page.path, local.pkg, local.result, local.pkg.decimals);
    page.pathSection.hidden = false;
    if (local.pkg.attestedOn) settings.prefillFrom(local.pkg.attestedOn);
  } else {
    page.path.replaceChildren();
    page.pathSection.hidden = true;
  }
  void check();
}

async function check(): Promise<void> {
  clearTimeout(checkTimer);
  const id = ++latestCheck;
  try {
    await runCheck(() => id === latestCheck);
  } catch (error) {
    if (id !== latestCheck) return;
    // Not expected (every visitor error has its sentence), but never a stack trace or silence.
    showVerdict(page.status, "bad", notVerified(`the check failed unexpectedly (${shortError(error)})`));
    hideRound();
  }
}

async function runCheck(isLatest: () => boolean): Promise<void> {
  showNotes([]);
  if (local.kind === "empty") return decided("neutral", INITIAL_VERDICT);
  if (local.kind === "malformed") return decided("bad", notVerified(local.reason));
  const { pkg, result } = local;
  if (!result.ok) return decided("bad", notVerified(result.reason ?? "the proof does not fold"));
  const read = settings.read();
  if (read.kind === "incomplete") return decided("neutral", locallyOnly(read.missing));
  if (read.kind === "invalid") return decided("bad", notVerified(read.reason));

  showVerdict(page.status, "pending", checking(read.settings.round));
  page.roundSection.setAttribute("aria-busy", "true");
  const outcome = await checkOnChain(read.settings, pkg, result.commitment);
  if (!isLatest()) return;
  page.roundSection.setAttribute("aria-busy", "false");
  showNotes(outcome.warnings);
  if (outcome.report) {
    renderRound(page.roundDetails, outcome.report);
    page.roundSection.hidden = false;
    // A package without decimals is drawn in base units until the subject tells them.
    if (pkg.decimals === undefined) renderPath(page.path, pkg, result, outcome.report.decimals);
  } else {
    hideRound();
  }
  showVerdict(
    page.status,
    outcome.verified ? "ok" : "bad",
    outcome.verified ? verified(pkg, outcome.report) : notVerified(outcome.reason),
  );
}

/** A verdict reached without the chain: no round to show. */
function decided(tone: "neutral" | "bad", text: string): void {
  showVerdict(page.status, tone, text);
  hideRound();
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

// Query parameters may already name the chain settings; a proof is still needed to check anything.
void check();
