// The site as people see it: the landing page served by the reference server at /docs/, both
// reference pages reached by clicking, every operation rendered, no errors, and not a single
// request to another host. Screenshots go to test-results/ for a human look.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const appDir = fileURLToPath(new URL("..", import.meta.url));
const distDir = join(appDir, "dist");
const resultsDir = join(appDir, "test-results");
const executablePath = process.env.CHROME_PATH ?? "/usr/bin/chromium";

type Op = { api: string; id: string; summary: string; rules: boolean };
const operations: Op[] = ["cts", "csms"].flatMap((api) => {
  const spec = JSON.parse(readFileSync(require.resolve(`@cts-csms/openapi/${api}.json`), "utf8"));
  return Object.values(spec.paths as Record<string, Record<string, any>>).flatMap((item) =>
    Object.values(item)
      .filter((op) => typeof op === "object" && op?.operationId)
      .map((op) => ({
        api,
        id: op.operationId,
        summary: op.summary,
        rules: String(op.description).includes("**Server-enforced rules**"),
      })),
  );
});

type Host = { url: string; close(): Promise<void> };

/** The landing page's URL as the reference server serves it. */
async function startReferenceServer(): Promise<Host> {
  let mod: any;
  try {
    mod = await import("@cts-csms/server");
  } catch (err) {
    throw new Error(
      "cannot import @cts-csms/server: build it first (`cd apps/server && npx tsc -p " +
        `tsconfig.build.json\`, or \`npm run build\` at the root): ${(err as Error).message}`,
    );
  }
  const server = await mod.createServer({ port: 0, logger: false, docsDir: distDir });
  return { url: new URL("/docs/", server.url).href, close: () => server.close() };
}

let host: Host;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const requests: string[] = [];
const landingHrefs = new Map<string, string>();
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium at ${executablePath}. Install one with \`apt-get update && apt-get install -y ` +
        "chromium` (Debian/Ubuntu), or set CHROME_PATH to a Chromium or Chrome executable.",
    );
  }
  if (!existsSync(join(distDir, "index.html"))) {
    throw new Error("apps/docs/dist is empty: run `npm run build` in apps/docs first");
  }
  mkdirSync(resultsDir, { recursive: true });
  host = await startReferenceServer();
  userDataDir = mkdtempSync(join(tmpdir(), "docs-chromium-"));
  // Playwright takes the profile directory here rather than as --user-data-dir.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-quic",
      "--disable-sync",
    ],
  });
  // Context-wide, so nothing a page starts (frames, workers, redirects) goes unrecorded.
  context.on("request", (req) => {
    requests.push(req.url());
  });
  context.on("requestfailed", (req) => {
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`);
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => {
    problems.push(`page error: ${err.message}`);
  });
});

afterAll(async () => {
  await context?.close();
  await host?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

const exactText = (text: string) =>
  new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);

/** True if any match is rendered and at least partly inside the viewport. */
function anyInViewport(locator: Locator) {
  return locator.evaluateAll((els) =>
    els.some((el) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return (
        r.width > 0 &&
        r.height > 0 &&
        r.top < innerHeight &&
        r.bottom > 0 &&
        style.visibility !== "hidden" &&
        style.display !== "none"
      );
    }),
  );
}

async function waitForRedoc(page: Page) {
  // Redoc renders the sidebar and operations after hydration; the search box is in the sidebar.
  await page.getByRole("heading", { level: 1 }).first().waitFor();
  await page.locator("#api-content").waitFor();
  await page.waitForLoadState("networkidle");
}

describe("docs in a browser, served by the reference server at /docs/", () => {
  it("shows the landing page with both APIs and every operation", async () => {
    await page.goto(host.url);
    expect(await page.title()).toBe("cts-csms API reference");
    await page.getByRole("heading", { name: "cts-csms API reference" }).waitFor();
    for (const op of operations) {
      const link = page.getByRole("link", { name: op.summary, exact: true });
      expect(await link.isVisible(), op.id).toBe(true);
      const href = (await link.getAttribute("href")) ?? "";
      expect(href).toMatch(new RegExp(`^${op.api}\\.html#tag/[^/]+/operation/${op.id}$`));
      landingHrefs.set(op.id, href);
    }
    await page.screenshot({ path: join(resultsDir, "landing.png") });

    // /docs without the slash must land on /docs/, or the relative links would miss.
    await page.goto(host.url.replace(/\/$/, ""));
    expect(page.url()).toBe(host.url);
    await page.getByRole("link", { name: "Open the CSMS reference" }).waitFor();
  });

  for (const [api, label] of [
    ["cts", "CTS"],
    ["csms", "CSMS"],
  ] as const) {
    it(`follows the ${label} link and renders each ${label} operation`, async () => {
      await page.goto(host.url);
      await page.getByRole("link", { name: `Open the ${label} reference` }).click();
      await page.waitForURL(new URL(`${api}.html`, host.url).href);
      await waitForRedoc(page);
      expect(await page.title()).toContain(`(${label})`);

      const ops = operations.filter((op) => op.api === api);
      for (const op of ops) {
        // The anchor the landing page links this operation with; Redoc turns it into its route.
        await page.goto(new URL(landingHrefs.get(op.id)!, host.url).href);
        // Text, not accessible name: Redoc adds a "link to …" label to its headings.
        const heading = page.locator("h1, h2, h3").filter({ hasText: exactText(op.summary) });
        await expect.poll(() => anyInViewport(heading), { message: op.id }).toBe(true);
        if (op.rules) {
          const rules = page.getByText("Server-enforced rules", { exact: true });
          await expect.poll(() => anyInViewport(rules), { message: `${op.id}: rules` }).toBe(true);
        }
      }
      await page.goto(new URL(`${api}.html`, host.url).href);
      await waitForRedoc(page);
      // The first operation with its rules, which is what a reader comes for.
      await page.goto(new URL(landingHrefs.get(ops[0].id)!, host.url).href);
      await page
        .locator("h2")
        .filter({ hasText: exactText(ops[0].summary) })
        .first()
        .waitFor();
      await page.screenshot({ path: join(resultsDir, `${api}.png`), animations: "disabled" });
    });
  }

  it("renders the CTS webhooks: the delivered SMN message and FunctionGraph event", async () => {
    const cts = JSON.parse(readFileSync(require.resolve("@cts-csms/openapi/cts.json"), "utf8"));
    await page.goto(new URL("cts.html", host.url).href);
    await waitForRedoc(page);
    // The tag's sidebar entry opens its group, where the webhooks are listed.
    await page.getByRole("link", { name: "Delivered messages", exact: true }).first().click();
    for (const [name, item] of Object.entries<any>(cts.webhooks)) {
      const summary = String(item.post.summary).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      // Redoc lists webhooks in the sidebar under their tag and marks their heading "Webhook".
      await page
        .getByRole("link", { name: new RegExp(`^${summary}`) })
        .first()
        .click();
      const heading = page.locator("h1, h2, h3").filter({ hasText: new RegExp(`^\\s*${summary}`) });
      await expect.poll(() => anyInViewport(heading), { message: name }).toBe(true);
      expect(await heading.first().textContent(), name).toContain("Webhook");
    }
    await page.screenshot({ path: join(resultsDir, "cts-webhooks.png"), animations: "disabled" });
  });

  it("made no requests to other hosts, and saw no errors", () => {
    const origin = new URL(host.url).origin;
    const offsite = requests.filter((url) => {
      const u = new URL(url);
      if (u.protocol === "data:" || u.protocol === "blob:") return false;
      return u.origin !== origin;
    });
    console.log(
      `browser requests: ${requests.length} total, ${offsite.length} to other hosts ` +
        `(page origin ${origin})\n  ${requests.map((u) => u.slice(0, 120)).join("\n  ")}`,
    );
    expect(requests.length).toBeGreaterThan(0);
    expect(offsite).toEqual([]);
    expect(problems).toEqual([]);
  });
});
