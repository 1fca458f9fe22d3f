/**
 * The web pages in a real browser: the site as `npm run web:build` writes it, served from a loopback
 * port, reading a `hardhat node` set up by test/helpers/web-fixture.ts. One build, one node and one
 * browser for the file; each test opens its own browser context (nothing remembered between tests).
 * Elements are found by label, role and data-testid, the page contract the pages are written to.
 * `npm run web:screenshots` (POR_WEB_SCREENSHOTS set) also writes the screenshots in docs/.
 */
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import type { Browser, Locator, Page } from "playwright-core";
import { formatAmount } from "../../src";
import type { LiabilityProofPackage } from "../../src/liabilities";
import { freePort, type HardhatNode, REPO_ROOT, startHardhatNode } from "../helpers/hardhat-node";
import { WEB_DIST, buildSite, launchBrowser, serveStatic, type StaticSite } from "../helpers/web";
import { deployWebChain, syntheticProof, type WebChain } from "../helpers/web-fixture";

/** This file's own chain id, so its node can never be mistaken for another e2e file's. */
const CHAIN_ID = 31_411;
const SCREENSHOTS = (process.env.POR_WEB_SCREENSHOTS ?? "") !== "";
const DOCS = path.join(REPO_ROOT, "docs");
const DESKTOP = { width: 1200, height: 900 };
/** How long a page may take to reach a verdict or to render chain data. */
const SETTLE_MS = 15_000;

/** base.css's --ok and --bad: a verdict in either colour says more than "neutral". */
const OK_COLOUR = "rgb(26, 127, 55)";
const BAD_COLOUR = "rgb(207, 34, 46)";

const SUMS_REASON = /add up to/;
const ROOT_REASON = /does not lead to the root/;

/** A browser tab of the test, and what went wrong in it that no assertion looks at. */
interface Tab {
  page: Page;
  /** Uncaught exceptions and requests to anything but the site and the node. */
  problems: string[];
}

/** The visible text of `locator`, whitespace collapsed. */
async function textOf(locator: Locator): Promise<string> {
  return (await locator.innerText()).replace(/\s+/g, " ").trim();
}

/** Polls `locator`'s text until `accept` takes it; fails with the last text seen. */
async function waitForText(
  locator: Locator,
  accept: (text: string) => boolean,
  what: string,
  timeoutMs = SETTLE_MS,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = "";
  for (;;) {
    if ((await locator.count()) > 0) {
      text = await textOf(locator.first());
      if (accept(text)) return text;
    }
    if (Date.now() > deadline) {
      return expect.fail(`${what}: after ${timeoutMs} ms the text is ${JSON.stringify(text)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls until `locator` matches exactly `count` elements; fails with the last count seen. */
async function waitForCount(locator: Locator, count: number, what: string): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  let seen = await locator.count();
  while (seen !== count) {
    if (Date.now() > deadline) expect.fail(`${what}: expected ${count}, found ${seen}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen = await locator.count();
  }
}

/** The package as the customer's file holds it. */
function proofFile(pkg: unknown, name = "proof.json") {
  return { name, mimeType: "application/json", buffer: Buffer.from(JSON.stringify(pkg, null, 2)) };
}

/** A copy of `pkg` changed by `change`. */
function tampered(
  pkg: LiabilityProofPackage,
  change: (copy: LiabilityProofPackage) => void,
): LiabilityProofPackage {
  const copy = structuredClone(pkg);
  change(copy);
  return copy;
}

/** `hex` with its last digit changed. */
function flipLastDigit(hex: string): string {
  return hex.slice(0, -1) + (hex.endsWith("0") ? "1" : "0");
}

describe("web pages in a real browser (e2e)", function () {
  let node: HardhatNode | undefined;
  let site: StaticSite | undefined;
  let browser: Browser | undefined;
  let chain: WebChain | undefined;
  /**
   * The tabs a test opened, closed after it. Their contexts stay open until the browser closes:
   * Chromium in --single-process mode (launchBrowser) exits when a context that loaded a page closes.
   */
  const pages: Page[] = [];

  before(async function () {
    this.timeout(240_000);
    // Build, node and browser in parallel; each is kept as soon as it exists so after() can stop it.
    const started = await Promise.allSettled([
      buildSite().then(async () => (site = await serveStatic())),
      startHardhatNode(CHAIN_ID).then((started) => (node = started)),
      launchBrowser().then((launched) => (browser = launched)),
    ]);
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    // The publication is served by the site's own server (same origin: it sends no CORS headers).
    const publications = { dir: path.join(WEB_DIST, "publications"), url: `${site!.url}/publications` };
    chain = await deployWebChain(node!.url, CHAIN_ID, publications);
    if (SCREENSHOTS) mkdirSync(DOCS, { recursive: true });
  });

  afterEach(async function () {
    await Promise.all(pages.splice(0).map((page) => page.close()));
  });

  after(async function () {
    await browser?.close().catch(() => undefined);
    await site?.close();
    await node?.stop();
    chain?.cleanup();
  });

  /**
   * A new tab (in a fresh context: nothing remembered) at `page` with `query`; `initScript` runs in
   * the page before its own scripts.
   */
  async function open(
    page: "index.html" | "dashboard.html",
    query: Record<string, string> = {},
    options: { viewport?: typeof DESKTOP; initScript?: string; hash?: string; alsoAllowed?: string } = {},
  ): Promise<Tab> {
    const context = await browser!.newContext({ viewport: options.viewport ?? DESKTOP });
    if (options.initScript) await context.addInitScript(options.initScript);
    const tab: Tab = { page: await context.newPage(), problems: [] };
    pages.push(tab.page);
    tab.page.setDefaultTimeout(SETTLE_MS);
    const allowed = new Set([new URL(site!.url).origin, new URL(node!.url).origin]);
    if (options.alsoAllowed) allowed.add(new URL(options.alsoAllowed).origin);
    tab.page.on("pageerror", (error) => tab.problems.push(`uncaught: ${error.message}`));
    tab.page.on("request", (request) => {
      const url = new URL(request.url());
      if (/^https?:$/.test(url.protocol) && !allowed.has(url.origin))
        tab.problems.push(`request to ${request.url()}`);
    });
    const search = new URLSearchParams(query).toString();
    await tab.page.goto(`${site!.url}/${page}${search ? `?${search}` : ""}${options.hash ?? ""}`);
    return tab;
  }

  /**
   * The verify page with registry, subject (USDX unless given) and round from the query (as an
   * issuer's link gives them), and the RPC URL of the test's node unless `rpc` is false or another URL.
   */
  const openVerify = (
    round: string | undefined,
    options: {
      viewport?: typeof DESKTOP;
      initScript?: string;
      rpc?: boolean | string;
      hash?: string;
      subject?: string;
    } = {},
  ) =>
    open(
      "index.html",
      {
        registry: chain!.registry,
        subject: options.subject ?? chain!.usdx.id,
        ...(round === undefined ? {} : { round }),
        ...(options.rpc === false ? {} : { rpc: typeof options.rpc === "string" ? options.rpc : node!.url }),
      },
      { ...options, alsoAllowed: typeof options.rpc === "string" ? options.rpc : undefined },
    );

  const verdict = (tab: Tab) => tab.page.getByRole("status");
  const upload = (tab: Tab, pkg: unknown, name?: string) =>
    tab.page.getByLabel("Proof file", { exact: true }).setInputFiles(proofFile(pkg, name));

  /** Waits for a verdict starting with `prefix` (and matching `reason`, when given). */
  const waitForVerdict = (
    tab: Tab,
    prefix: "Verified" | "Not verified" | "Disputed" | "Could not check on-chain",
    reason?: RegExp,
  ) =>
    waitForText(
      verdict(tab),
      (text) => text.startsWith(prefix) && (reason?.test(text) ?? true),
      `verdict "${prefix}${reason ? ` … ${reason.source}` : ""}"`,
    );

  /** The verdict's text colour, as the visitor sees it. */
  const verdictColour = (tab: Tab) =>
    verdict(tab).evaluate(
      (element) =>
        // Runs in the page (this file compiles without the DOM library).
        (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(
          element,
        ).color,
    );

  /** The formatted amount the page shows for `sum` base units (6 decimals). */
  const shown = (sum: string) => formatAmount(BigInt(sum), 6, { grouping: true });

  const expectNoProblems = (tab: Tab) =>
    expect(tab.problems, "page errors and foreign requests").to.deep.equal([]);

  describe("verify page (index.html)", function () {
    it("says neither Verified nor Not verified before a proof is loaded", async function () {
      const tab = await open("index.html");
      await tab.page.getByLabel("Proof file", { exact: true }).waitFor({ state: "attached" });
      expect(await verdict(tab).count(), 'elements with role="status"').to.equal(1);
      const text = await waitForText(verdict(tab), (t) => t !== "", "the verdict before a proof");
      expect(text).to.not.match(/^(Verified|Not verified)/);
      for (const [name, href] of [
        ["Verify", "index.html"],
        ["Dashboard", "dashboard.html"],
      ] as const) {
        const link = tab.page.getByRole("link", { name, exact: true });
        expect(await link.getAttribute("href"), `the "${name}" link is relative`).to.match(
          new RegExp(`^(\\./)?${href.replace(".", "\\.")}`),
        );
      }
      expectNoProblems(tab);
    });

    it("verifies a proof of round 1 on chain: the round, its auditors, its freshness and the path", async function () {
      const tab = await openVerify("1");
      const before = await waitForText(verdict(tab), (t) => t !== "", "the verdict before a proof");
      expect(before).to.not.match(/^(Verified|Not verified)/);
      const pkg = chain!.usdx.proofs[0]!;
      await upload(tab, pkg, "alice-round-1.json");

      const text = await waitForVerdict(tab, "Verified");
      expect(text, "the verdict names the round").to.match(/round 1\b/);
      expect(text, "the verdict gives the balance with its decimals").to.match(/1,?250\.5/);

      const details = await waitForText(
        tab.page.getByTestId("round-details"),
        (t) => chain!.auditors.every((a) => t.toLowerCase().includes(a.toLowerCase())),
        "round details with both auditors",
      );
      expect(details, "round details name round 1").to.match(/round\D{0,3}1\b/i);
      const asOfDay = new Date(Number(chain!.usdx.rounds[0]!.asOf) * 1000).toISOString().slice(0, 10);
      expect(details, "round details give asOf").to.include(asOfDay);
      expect(details, "round 1 is no longer the latest").to.include("Superseded by round 2");

      const levels = tab.page.getByTestId("proof-path").locator(":scope > li");
      await waitForCount(levels, pkg.proof.length + 2, "path levels (leaf, one per step, root)");
      expect(await textOf(levels.first())).to.include("Your balance");
      expect(await textOf(levels.last()), "the root is marked as the stated one").to.include("✓");
      expect(await tab.page.getByTestId("proof-path").locator("li.bad").count(), "failing levels").to.equal(
        0,
      );

      if (SCREENSHOTS) await tab.page.screenshot({ path: path.join(DOCS, "web-verify.png"), fullPage: true });
      expectNoProblems(tab);
    });

    it("checks the latest round when Round is blank, and calls it Fresh", async function () {
      const tab = await openVerify(undefined);
      await upload(tab, chain!.usdx.proofs[1]!, "alice-round-2.json");
      expect(await waitForVerdict(tab, "Verified")).to.match(/round 2\b/);
      const details = await waitForText(
        tab.page.getByTestId("round-details"),
        (t) => /\bFresh\b/.test(t),
        'round details with a "Fresh" badge',
      );
      expect(details).to.match(/round\D{0,3}2\b/i);
      expectNoProblems(tab);
    });

    const tampers: Array<[string, (pkg: LiabilityProofPackage) => void, RegExp]> = [
      ["a changed balance", (p) => void (p.balance = (BigInt(p.balance) + 1n).toString()), SUMS_REASON],
      ["a changed salt", (p) => void (p.salt = flipLastDigit(p.salt) as typeof p.salt), ROOT_REASON],
      [
        "a changed step hash",
        (p) => void (p.proof[0]!.hash = flipLastDigit(p.proof[0]!.hash) as typeof p.salt),
        ROOT_REASON,
      ],
      [
        "a changed step sum",
        (p) => void (p.proof[0]!.sum = (BigInt(p.proof[0]!.sum) + 1n).toString()),
        SUMS_REASON,
      ],
      ["a malformed balance (a decimal, not base units)", (p) => void (p.balance = "1250.5"), /\bbalance\b/],
    ];
    for (const [name, change, reason] of tampers) {
      it(`says Not verified for ${name}, naming why (${reason.source})`, async function () {
        const tab = await openVerify("1");
        await upload(tab, tampered(chain!.usdx.proofs[0]!, change));
        const text = await waitForVerdict(tab, "Not verified", reason);
        if (name.startsWith("a malformed")) expect(text).to.not.match(SUMS_REASON);
        if (name === "a changed salt") {
          const bad = tab.page.getByTestId("proof-path").locator("li.bad");
          expect(await bad.count(), "the failing level is marked").to.be.greaterThan(0);
        }
        expectNoProblems(tab);
      });
    }

    it("says Not verified for a proof of round 1 checked against round 2, naming the round", async function () {
      const tab = await openVerify("2");
      await upload(tab, chain!.usdx.proofs[0]!);
      await waitForVerdict(tab, "Not verified", /round 2\b/);
      expectNoProblems(tab);
    });

    it("checks a pasted proof (Proof JSON), and says what is wrong with broken JSON", async function () {
      const tab = await openVerify("1");
      const paste = tab.page.getByLabel("Proof JSON", { exact: true });
      await paste.fill(JSON.stringify(chain!.usdx.proofs[0]!));
      await waitForVerdict(tab, "Verified", /round 1\b/);
      await paste.fill('{"format": "por-liability-proof/1", "accountId": ');
      const text = await waitForVerdict(tab, "Not verified");
      expect(text.length, "a reason follows").to.be.greaterThan("Not verified: ".length);
      expectNoProblems(tab);
    });

    it("checks a proof file dropped onto the page", async function () {
      const tab = await openVerify("1");
      const text = JSON.stringify(chain!.usdx.proofs[0]!);
      // A drop as the browser delivers it: a DataTransfer holding the file, dispatched where the
      // visitor lets go (on the form; the event bubbles to whatever listens for it).
      const dataTransfer = await tab.page.evaluateHandle(
        `(() => { const transfer = new DataTransfer(); transfer.items.add(new File([${JSON.stringify(text)}], "alice.json", { type: "application/json" })); return transfer; })()`,
      );
      const target = tab.page.getByLabel("Proof file", { exact: true });
      for (const type of ["dragenter", "dragover", "drop"])
        await target.dispatchEvent(type, { dataTransfer });
      await waitForVerdict(tab, "Verified", /round 1\b/);
      expectNoProblems(tab);
    });

    it("checks on chain through the browser's wallet (EIP-1193) when there is no RPC URL", async function () {
      const withoutWallet = await openVerify("1", { rpc: false });
      const button = (tab: Tab) => tab.page.getByRole("button", { name: "Use browser wallet" });
      await withoutWallet.page.getByLabel("Proof file", { exact: true }).waitFor({ state: "attached" });
      expect(await button(withoutWallet).isVisible(), "the wallet button without a wallet").to.equal(false);

      // A wallet that forwards every request to the node, as an extension forwards to its RPC.
      const wallet = `window.ethereum = {
        async request({ method, params }) {
          const response = await fetch(${JSON.stringify(node!.url)}, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }),
          });
          const body = await response.json();
          if (body.error) throw Object.assign(new Error(body.error.message), body.error);
          return body.result;
        },
        on() {},
        removeListener() {},
      };`;
      const tab = await openVerify("1", { rpc: false, initScript: wallet });
      await upload(tab, chain!.usdx.proofs[0]!);
      const local = await waitForText(
        verdict(tab),
        (t) => /checks out locally/i.test(t),
        "the local verdict",
      );
      expect(local).to.not.match(/^(Verified|Not verified)/);
      await button(tab).click();
      await waitForVerdict(tab, "Verified", /round 1\b/);
      expectNoProblems(withoutWallet);
      expectNoProblems(tab);
    });

    it("checks a 24-step proof locally with no chain settings, and times the check", async function () {
      const tab = await open("index.html");
      const pkg = syntheticProof(24);
      await upload(tab, pkg, "deep.json");
      const text = await waitForText(verdict(tab), (t) => /checks out locally/i.test(t), "the local verdict");
      expect(text).to.not.match(/^(Verified|Not verified)/);
      const levels = tab.page.getByTestId("proof-path").locator(":scope > li");
      await waitForCount(levels, 24 + 2, "path levels of a 24-step proof");
      const durations = await tab.page.evaluate(() =>
        performance.getEntriesByName("por-verify").map((entry) => entry.duration),
      );
      expect(durations, 'performance.measure("por-verify")').to.have.length.greaterThan(0);
      console.log(`web: 24-step proof verified in ${durations[durations.length - 1]!.toFixed(2)} ms`);
      expectNoProblems(tab);
    });

    it("shows the steps' sums only behind the details toggle; hashes and the path stay visible", async function () {
      const tab = await openVerify("1");
      const pkg = chain!.usdx.proofs[0]!;
      await upload(tab, pkg);
      await waitForVerdict(tab, "Verified");
      const toggle = tab.page.getByRole("button", { name: /sums at each step/ });
      expect(await toggle.getAttribute("aria-expanded")).to.equal("false");
      const firstStep = tab.page.getByTestId("proof-path").locator(":scope > li").nth(1);
      const hashOnly =
        /^Step 1 of \d+ \+ sibling 0x[0-9a-f]{4}…[0-9a-f]{4} = parent 0x[0-9a-f]{4}…[0-9a-f]{4}$/;
      expect(await textOf(firstStep), "step 1 before the toggle").to.match(hashOnly);

      await toggle.click();
      expect(await toggle.getAttribute("aria-expanded")).to.equal("true");
      const opened = await textOf(firstStep);
      const [sibling, parent] = [
        pkg.proof[0]!.sum,
        (BigInt(pkg.balance) + BigInt(pkg.proof[0]!.sum)).toString(),
      ];
      expect(opened, "the first sibling's sum: one other customer's balance")
        .to.include(`+ sibling`)
        .and.include(shown(sibling));
      expect(opened, "the parent's sum").to.include(shown(parent));
      // A proof loaded later keeps the visitor's choice.
      await upload(tab, chain!.usdx.proofs[0]!, "again.json");
      await waitForVerdict(tab, "Verified");
      expect(await textOf(firstStep)).to.include(shown(sibling));
      await toggle.click();
      expect(await textOf(firstStep)).to.match(hashOnly);
      expectNoProblems(tab);
    });

    it("says Disputed, not Verified, for a proof of a disputed round, naming the challenge", async function () {
      const { disputed } = chain!;
      const tab = await openVerify("2", { subject: disputed.id });
      await upload(tab, disputed.proofs[1]!, "alice-dspx-2.json");
      const text = await waitForVerdict(tab, "Disputed");
      expect(text, "the proof holds").to.match(/balance of 1,?250\.5 is included in round 2\b/);
      expect(text, "the challenge that caused it").to.match(
        new RegExp(`round 2 is disputed: challenge ${disputed.challengeId} of round 2 went unanswered`),
      );
      expect(await verdictColour(tab), "not green").to.not.equal(OK_COLOUR);
      const details = await waitForText(
        tab.page.getByTestId("round-details"),
        (t) => /\bDisputed\b/.test(t),
        'round details with a "Disputed" badge',
      );
      expect(details).to.not.match(/\bFresh\b/);
      expect(details).to.match(new RegExp(`Challenge ${disputed.challengeId} of round 2 went unanswered`));
      if (SCREENSHOTS)
        await tab.page.screenshot({ path: path.join(DOCS, "web-verify-disputed.png"), fullPage: true });
      expectNoProblems(tab);
    });

    it("says Disputed for a proof of a round superseded by a disputed round", async function () {
      const { disputed } = chain!;
      const tab = await openVerify("1", { subject: disputed.id });
      await upload(tab, disputed.proofs[0]!, "alice-dspx-1.json");
      const text = await waitForVerdict(tab, "Disputed");
      expect(text).to.match(
        new RegExp(
          `round 1 is superseded by round 2, which is disputed: challenge ${disputed.challengeId} of round 2 went unanswered`,
        ),
      );
      expect(await verdictColour(tab), "not green").to.not.equal(OK_COLOUR);
      const details = await waitForText(
        tab.page.getByTestId("round-details"),
        (t) => t.includes("Superseded by round 2, which is disputed"),
        "round details naming the disputed round",
      );
      expect(details).to.match(new RegExp(`Challenge ${disputed.challengeId} of round 2`));
      expectNoProblems(tab);
    });

    it('says "could not check on-chain", neutral, when the RPC refuses connections', async function () {
      const deadRpc = `http://127.0.0.1:${await freePort()}`;
      const tab = await openVerify("1", { rpc: deadRpc });
      await upload(tab, chain!.usdx.proofs[0]!);
      const text = await waitForVerdict(tab, "Could not check on-chain");
      expect(text, "names the RPC").to.include(deadRpc);
      expect(text, "the local fold still holds").to.match(/checks out locally/);
      expect(await verdictColour(tab), "neither green nor red").to.not.be.oneOf([OK_COLOUR, BAD_COLOUR]);
      expect(await tab.page.getByTestId("proof-path").locator(":scope > li").count()).to.be.greaterThan(0);

      // By account details too: nothing can be looked up, nothing is refuted.
      await tab.page.getByRole("tab", { name: "Check by my account details" }).click();
      const customer = chain!.usdx.publication.customer;
      await tab.page.getByLabel("Account id", { exact: true }).fill(customer.accountId);
      await tab.page.getByLabel("Salt", { exact: true }).fill(customer.salt);
      await tab.page.getByLabel("Balance", { exact: true }).fill(customer.balance);
      const byAccount = await waitForVerdict(tab, "Could not check on-chain");
      expect(byAccount).to.not.match(/checks out locally/);
      expect(await verdictColour(tab)).to.not.be.oneOf([OK_COLOUR, BAD_COLOUR]);
      expectNoProblems(tab);
    });

    it("fits a phone screen: no sideways scrolling at 360 px", async function () {
      const tab = await openVerify("1", { viewport: { width: 360, height: 780 } });
      await upload(tab, chain!.usdx.proofs[0]!, "alice-round-1.json");
      await waitForVerdict(tab, "Verified");
      await waitForText(tab.page.getByTestId("round-details"), (t) => t !== "", "round details");
      const width = await tab.page.evaluate<number>("document.documentElement.scrollWidth");
      expect(width, "page width at a 360 px viewport").to.be.at.most(360);
      if (SCREENSHOTS) {
        await tab.page.setViewportSize({ width: 375, height: 812 });
        await tab.page.screenshot({ path: path.join(DOCS, "web-verify-phone.png"), fullPage: true });
      }
      expectNoProblems(tab);
    });
  });

  describe("verify page by account details (published proofs)", function () {
    const accountTab = (tab: Tab) => tab.page.getByRole("tab", { name: "Check by my account details" });
    const uriField = (tab: Tab) => tab.page.getByLabel("Publication URI", { exact: true });

    /** Types the customer's details (changed by `change`) into the account-details tab. */
    async function enterDetails(
      tab: Tab,
      change: Partial<WebChain["usdx"]["publication"]["customer"]> = {},
    ): Promise<void> {
      const details = { ...chain!.usdx.publication.customer, ...change };
      if ((await accountTab(tab).getAttribute("aria-selected")) !== "true") await accountTab(tab).click();
      await tab.page.getByLabel("Account id", { exact: true }).fill(details.accountId);
      await tab.page.getByLabel("Salt", { exact: true }).fill(details.salt);
      await tab.page.getByLabel("Balance", { exact: true }).fill(details.balance);
    }

    it("finds a real customer in the published proofs: Verified, the committed URI, the round and the path", async function () {
      const tab = await openVerify(undefined);
      // Keyboard: the arrow key moves from the file tab to the account tab and shows its fields.
      await tab.page.getByRole("tab", { name: "I have a proof file" }).focus();
      await tab.page.keyboard.press("ArrowRight");
      expect(await accountTab(tab).getAttribute("aria-selected")).to.equal("true");
      const focused = await tab.page.evaluate<string>("document.activeElement?.textContent ?? ''");
      expect(focused.trim(), "the focused tab").to.equal("Check by my account details");
      expect(await tab.page.getByLabel("Proof file", { exact: true }).isVisible()).to.equal(false);
      const before = await waitForText(verdict(tab), (t) => t !== "", "the verdict before details");
      expect(before).to.not.match(/^(Verified|Not verified)/);

      await enterDetails(tab);
      const text = await waitForVerdict(tab, "Verified", /round 2\b/);
      expect(text, "the verdict gives the balance with its decimals").to.match(/1,?250\.5/);
      expect(await uriField(tab).inputValue(), "the URI committed on-chain").to.equal(
        chain!.usdx.publication.uri,
      );
      const details = await waitForText(
        tab.page.getByTestId("round-details"),
        (t) => /\bFresh\b/.test(t),
        'round details with a "Fresh" badge',
      );
      expect(details).to.match(/round\D{0,3}2\b/i);
      const levels = tab.page.getByTestId("proof-path").locator(":scope > li");
      await waitForCount(levels, chain!.usdx.proofs[1]!.proof.length + 2, "path levels (leaf, steps, root)");
      expect(await tab.page.getByTestId("proof-path").locator("li.bad").count(), "failing levels").to.equal(
        0,
      );
      expect(await textOf(tab.page.locator("#download-note"))).to.match(/manifest and shard \d+/);
      expect(new URL(tab.page.url()).hash, "the tab is in the address").to.equal("#by-account");
      expectNoProblems(tab);
    });

    it("says Not verified for a balance the publication does not hold, naming the check", async function () {
      const tab = await openVerify("2");
      await enterDetails(tab, { balance: "1250.49" });
      await waitForVerdict(tab, "Not verified", /account not in the publication.*not in shard \d+/);
      expect(await tab.page.getByTestId("proof-path").locator("li").count(), "no path drawn").to.equal(0);
      expectNoProblems(tab);
    });

    it("says Not verified for a mirror serving a tampered shard, naming the shard hash", async function () {
      const tab = await openVerify("2");
      await enterDetails(tab);
      await waitForVerdict(tab, "Verified");
      await uriField(tab).fill(chain!.usdx.publication.tamperedUri);
      await waitForVerdict(tab, "Not verified", /shard hash differs from the manifest's.*SHA-256/);
      // Cleared, the field goes back to the committed URI, and the check with it.
      await uriField(tab).fill("");
      await waitForVerdict(tab, "Verified");
      expect(await uriField(tab).inputValue()).to.equal(chain!.usdx.publication.uri);
      expectNoProblems(tab);
    });

    it("says Not verified for a round with no publication committed on-chain", async function () {
      const tab = await openVerify("1");
      await enterDetails(tab, { balance: "1250.5" });
      await waitForVerdict(tab, "Not verified", /manifest not committed on-chain.*round 1\b/);
      expect(await uriField(tab).inputValue(), "no URI to show").to.equal("");
      expectNoProblems(tab);
    });

    it("opens on the account tab from #by-account, and fits a phone screen", async function () {
      const tab = await openVerify(undefined, { viewport: { width: 360, height: 780 }, hash: "#by-account" });
      await tab.page.getByLabel("Account id", { exact: true }).waitFor({ state: "visible" });
      expect(await accountTab(tab).getAttribute("aria-selected")).to.equal("true");
      await enterDetails(tab);
      await waitForVerdict(tab, "Verified");
      const width = await tab.page.evaluate<number>("document.documentElement.scrollWidth");
      expect(width, "page width at a 360 px viewport").to.be.at.most(360);
      expectNoProblems(tab);
    });
  });

  describe("dashboard (dashboard.html)", function () {
    const openDashboard = (query: Record<string, string> = {}) =>
      open("dashboard.html", { registry: chain!.registry, rpc: node!.url, ...query });
    const article = (tab: Tab, id: string) => tab.page.locator(`article[data-subject="${id}"]`);

    it("shows every subject with its ratio, freshness, auditors, wallets and a chart", async function () {
      const tab = await openDashboard({ from: String(chain!.deployBlock) });

      // USDX: attested reserves over attested liabilities of round 2, 4,691.25 / 4,500.
      const usdx = article(tab, "USDX");
      await waitForText(usdx.getByTestId("ratio"), (t) => t.includes("104.25%"), "USDX ratio");
      expect(await textOf(usdx.getByTestId("freshness"))).to.equal("Fresh");
      await usdx.locator("canvas").first().waitFor({ state: "attached" });
      const usdxText = (await textOf(usdx)).toLowerCase();
      for (const auditor of chain!.auditors)
        expect(usdxText, "auditors of the latest round").to.include(auditor.toLowerCase());

      // RBT: live reserves of its wallets (1,600 + 900) over its token's supply (2,000).
      const rbt = article(tab, "RBT");
      await waitForText(rbt.getByTestId("ratio"), (t) => t.includes("125.00%"), "RBT ratio");
      expect(await textOf(rbt.getByTestId("freshness"))).to.equal("Fresh");
      const rbtText = await waitForText(
        rbt,
        (t) => chain!.rbt.wallets.every((w) => t.toLowerCase().includes(w.address.toLowerCase())),
        "RBT's reserve wallets",
      );
      expect(rbtText, "each wallet's live balance")
        .to.match(/\b1,?600\b/)
        .and.match(/\b900\b/);

      const never = article(tab, "NEWX");
      await waitForText(never.getByTestId("freshness"), (t) => t === "Never attested", "NEWX freshness");
      expect(await textOf(never.getByTestId("ratio"))).to.equal("—");

      if (SCREENSHOTS)
        await tab.page.screenshot({ path: path.join(DOCS, "web-dashboard.png"), fullPage: true });
      expectNoProblems(tab);
    });

    it("heads a disputed subject with Disputed, naming the challenge, instead of its ratio", async function () {
      const tab = await openDashboard({ from: String(chain!.deployBlock) });
      const card = article(tab, chain!.disputed.id);
      const headline = await waitForText(
        card.getByTestId("headline"),
        (t) => t.startsWith("Disputed"),
        "DSPX headline",
      );
      expect(await textOf(card.getByTestId("ratio")), "the headline figure").to.equal("Disputed");
      expect(headline).to.match(
        new RegExp(`Challenge ${chain!.disputed.challengeId} of round 2 went unanswered`),
      );
      expect(headline, "the ratio is named as not counting").to.match(/ratio 104\.25%\) do not count/);
      expect(await card.getByTestId("freshness").count(), "no freshness badge").to.equal(0);

      // Its history marks the disputed round.
      await card.getByRole("link", { name: "History" }).click();
      await tab.page.waitForURL(/[?&]subject=/);
      const rows = tab.page.getByTestId("history").locator("tbody tr");
      await waitForCount(rows, 2, "DSPX history rows");
      expect(await textOf(rows.nth(0).locator("th").first())).to.equal("2 Disputed");
      expect(await textOf(rows.nth(1).locator("th").first())).to.equal("1");
      await waitForText(
        tab.page.getByTestId("headline"),
        (t) => t.startsWith("Disputed"),
        "subject page headline",
      );
      expectNoProblems(tab);
    });

    it("warns, naming them and the shared owner, when a subject's listed Safe auditors share an owner", async function () {
      const tab = await openDashboard({ from: String(chain!.deployBlock) });
      const { sharedKey } = chain!;
      const card = article(tab, sharedKey.id);
      const note = card.getByRole("note", { name: "Auditors sharing owners" });
      const text = await waitForText(
        note,
        (t) => t.includes(sharedKey.sharedOwner),
        "the shared-owner warning",
      );
      for (const [i, safe] of sharedKey.safes.entries())
        expect(text, `Safe ${i + 1} and its name`)
          .to.include(safe)
          .and.include(`Safe auditor ${"AB"[i]}`);
      expect(text).to.match(/share owner 0x[0-9a-fA-F]{40}: one key counts toward both/);
      // Auditors with keys of their own: no warning.
      await waitForText(article(tab, "USDX").getByTestId("ratio"), (t) => t.includes("%"), "USDX ratio");
      expect(await article(tab, "USDX").getByRole("note").count(), "USDX warnings").to.equal(0);
      expectNoProblems(tab);
    });

    it("shows a subject's history from its History link: one row per round, newest first", async function () {
      const tab = await openDashboard();
      const history = article(tab, "USDX").getByRole("link", { name: "History" });
      await history.click();
      await tab.page.waitForURL(/[?&]subject=/);
      const rows = tab.page.getByTestId("history").locator("tbody tr");
      await waitForCount(rows, chain!.usdx.rounds.length, "history rows");
      const firstCells = await Promise.all(
        [0, 1].map(async (i) => textOf(rows.nth(i).locator("th, td").first())),
      );
      expect(firstCells.map((cell) => cell.replace(/^#/, ""))).to.deep.equal(["2", "1"]);
      expect(await textOf(rows.first()), "round 2's ratio").to.include("104.25%");
      await tab.page.locator("canvas").first().waitFor({ state: "attached" });
      expectNoProblems(tab);
    });
  });
});
