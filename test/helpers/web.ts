/**
 * Browser tests of the web pages: build the site with Vite, serve web/dist on a loopback port, and
 * drive the Chromium that @sparticuz/chromium ships inside its npm package through playwright-core
 * (no browser download, no system package).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, promises as fs } from "node:fs";
import { createServer, type Server } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { REPO_ROOT } from "./hardhat-node";

export const WEB_DIST = path.join(REPO_ROOT, "web", "dist");

/** `npm run web:build`, as a child process (Vite's Node API is ESM-only). Returns the build log. */
export async function buildSite(): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      path.join(REPO_ROOT, "node_modules", "vite", "bin", "vite.js"),
      "build",
      "--config",
      path.join(REPO_ROOT, "web", "vite.config.mts"),
    ],
    { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** A static server for `root` on 127.0.0.1, as any static host would serve the built site. */
export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

export async function serveStatic(root = WEB_DIST): Promise<StaticSite> {
  const server: Server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    const file = path.join(root, pathname.endsWith("/") ? `${pathname}index.html` : pathname);
    if (!file.startsWith(root + path.sep)) {
      response.writeHead(403).end();
      return;
    }
    fs.readFile(file).then(
      (body) => {
        response.writeHead(200, { "content-type": MIME[path.extname(file)] ?? "application/octet-stream" });
        response.end(body);
      },
      () => response.writeHead(404).end("not found"),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("static server has no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Headless Chromium from @sparticuz/chromium. It unpacks into `$TMPDIR/chromium` and reuses whatever
 * it finds there, even another version, so each version gets its own directory. Its default flags
 * include --single-process: one browser per test file, closed in an after() hook.
 */
export async function launchBrowser(): Promise<Browser> {
  const manifest = path.join(REPO_ROOT, "node_modules", "@sparticuz", "chromium", "package.json");
  const { version } = JSON.parse(await fs.readFile(manifest, "utf8")) as { version: string };
  const dir = path.join(os.tmpdir(), `por-chromium-${version}`);
  mkdirSync(dir, { recursive: true });
  const chromium = (await import("@sparticuz/chromium")).default;
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  let executablePath: string;
  try {
    executablePath = await chromium.executablePath();
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
  const fontConfig = await writeFontConfig(dir);
  const { chromium: playwright } = await import("playwright-core");
  return playwright.launch({
    executablePath,
    headless: true,
    // Same-origin rules as a visitor's browser: the pages must reach the RPC through CORS.
    args: [
      ...chromium.args.filter((arg) => arg !== "--disable-web-security"),
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
    env: {
      ...process.env,
      FONTCONFIG_FILE: fontConfig,
    },
  });
}

/**
 * A fontconfig file for the unpacked browser. The package's own fonts.conf names /tmp/fonts, not
 * where our per-version TMPDIR put the fonts, and Chromium aborts on the first text field when it
 * finds no font at all. The system's fonts come first where there are any: the package ships only
 * Open Sans, which has no monospace face and no ✓/✗ glyphs.
 */
async function writeFontConfig(dir: string): Promise<string> {
  const file = path.join(dir, "por-fonts.conf");
  const dirs = ["/usr/share/fonts", path.join(dir, "fonts")].filter((d) => existsSync(d));
  await fs.writeFile(
    file,
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
      "<fontconfig>",
      ...dirs.map((d) => `  <dir>${d}</dir>`),
      `  <cachedir>${path.join(dir, "fontconfig-cache")}</cachedir>`,
      "</fontconfig>",
      "",
    ].join("\n"),
  );
  return file;
}
