// The site as people see it: the landing page served by the reference server at /docs/, both
// reference pages reached by clicking, every operation rendered, no errors, and not a single
// request to another host. Screenshots go to test-results/ for a human look.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeSamples, SAMPLE_TABS } from "../scripts/samples.mjs";
import { APIS } from "../scripts/site.mjs";
import { type LaunchedBrowser, launchBrowser, recordProblems } from "./chromium.js";

const require = createRequire(import.meta.url);
const appDir = fileURLToPath(new URL("..", import.meta.url));
const distDir = join(appDir, "dist");
const resultsDir = join(appDir, "test-results");

type Op = { api: string; id: string; summary: string; rules: boolean; conditional: boolean };
const operations: Op[] = ["cts", "csms"].flatMap((api) => {
  const spec = JSON.parse(readFileSync(require.resolve(`@cts-csms/openapi/${api}.json`), "utf8"));
  const deref = (node: any): any =>
    node?.$ref
      ? deref(
          node.$ref
            .slice(2)
            .split("/")
            .reduce((o: any, k: string) => o[k], spec),
        )
      : node;
  // A request body with if/then, which Redoc shows as a choice of variants ("One of").
  const conditional = (op: any) => {
    const schema = deref(deref(op.requestBody)?.content?.["application/json"]?.schema);
    return Boolean(schema?.if || schema?.allOf?.some((part: any) => deref(part).if));
  };
  return Object.values(spec.paths as Record<string, Record<string, any>>).flatMap((item) =>
    Object.values(item)
      .filter((op) => typeof op === "object" && op?.operationId)
      .map((op) => ({
        api,
        id: op.operationId,
        summary: op.summary,
        rules: String(op.description).includes("**Server-enforced rules**"),
        conditional: conditional(op),
      })),
  );
});

// The samples the build put into the pages, by operationId.
const samples = new Map<string, { curl: string; typescript: string }>(
  APIS.flatMap((api: any) => codeSamples(api).map((sample: any) => [sample.operationId, sample])),
);

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
let browser: LaunchedBrowser;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
const landingHrefs = new Map<string, string>();
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(distDir, "index.html"))) {
    throw new Error("apps/docs/dist is empty: run `npm run build` in apps/docs first");
  }
  mkdirSync(resultsDir, { recursive: true });
  host = await startReferenceServer();
  browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
  context = browser.context;
  // Context-wide, so nothing a page starts (frames, workers, redirects) goes unrecorded.
  context.on("request", (req) => {
    requests.push(req.url());
  });
  context.on("requestfailed", (req) => {
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`);
  });
  page = context.pages()[0] ?? (await context.newPage());
  recordProblems(page, problems);
});

// Runs when a test or beforeAll fails too: the browser's temp dir and the server go either way.
afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await host?.close();
  }
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

/** The first match whose box is at least partly inside the viewport. */
async function firstInViewport(locator: Locator) {
  const index = await locator.evaluateAll((els) =>
    els.findIndex((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && r.top < innerHeight && r.bottom > 0;
    }),
  );
  return index >= 0 ? locator.nth(index) : undefined;
}

/** Picks a sample language in a request-samples panel (its header's last menu button). */
async function chooseSample(panel: Locator, label: string) {
  const menu = panel
    .locator("[data-component-name='Panel/PanelHeader'] button[aria-haspopup]")
    .last();
  // A panel near the viewport's bottom opens its menu below it, out of reach ("element is outside
  // of the viewport"): bring the menu button to the middle first (the top is under the fixed bar).
  await menu.evaluate((el) => el.scrollIntoView({ block: "center" }));
  await menu.click();
  await panel
    .page()
    .getByRole("menuitem", { name: label, exact: true })
    .and(panel.page().locator(":visible"))
    .click();
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
      expect(href).toMatch(new RegExp(`^${op.api}\\.html#/[a-z-]+/${op.id.toLowerCase()}$`));
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
      const first = page.locator("h2").filter({ hasText: exactText(ops[0].summary) });
      await expect.poll(() => anyInViewport(first), { message: ops[0].id }).toBe(true);
      await page.screenshot({ path: join(resultsDir, `${api}.png`), animations: "disabled" });
    });
  }

  for (const api of ["cts", "csms"]) {
    it(`shows each ${api} operation's request samples, names every variant, links back`, async () => {
      const pageUrl = new URL(`${api}.html`, host.url).href;
      // Start from the landing page, as a reader does. The last test left Redoc on this API's
      // first operation, and Redoc does not scroll again to the operation it already holds as
      // current, wherever the page has scrolled since; a new page load always scrolls.
      await page.goto(host.url);
      for (const op of operations.filter((o) => o.api === api)) {
        const sample = samples.get(op.id)!;
        await page.goto(new URL(landingHrefs.get(op.id)!, host.url).href);
        const heading = page.locator("h1, h2, h3").filter({ hasText: exactText(op.summary) });
        await expect.poll(() => anyInViewport(heading), { message: op.id }).toBe(true);

        // The operation's samples panel sits next to its heading.
        const panels = page.locator(".panel-request-samples");
        // Kept from the poll that found it: Redoc may still shift the page under load, and a
        // second look could find none in the viewport for a moment.
        let found: Locator | undefined;
        await expect
          .poll(async () => {
            found = await firstInViewport(panels);
            return Boolean(found);
          })
          .toBe(true);
        const panel = found as Locator;
        for (const { key, label } of SAMPLE_TABS) {
          await chooseSample(panel, label);
          // The command or call line that only this operation's sample has.
          const line =
            key === "curl"
              ? sample.curl.split("\n").find((l) => l.startsWith("curl "))!
              : `${api}.${op.id}(`;
          await expect
            .poll(() => panel.textContent(), { message: `${op.id}: ${label}` })
            .toContain(line);
          // Long ids and URLs wrap and the header shows the whole path: nothing is cut off.
          const cut = await panel
            .locator("pre, [data-component-name='Panel/PanelHeader'] button span")
            .evaluateAll((els) =>
              els.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent),
            );
          expect(cut, `${op.id}: ${label}: text cut off in the samples panel`).toEqual([]);
        }
        if (op.id === operations.find((o) => o.api === api)!.id) {
          await page.screenshot({ path: join(resultsDir, `${api}-samples.png`) });
        }
        if (op.conditional) {
          // Redoc shows an if/then body as variants: they must carry the spec's titles, never
          // Redoc's fallback names "case 1" / "case 2".
          // biome-ignore lint/performance/useDomNodeTextContent: rendered text, not the inlined scripts
          const rendered = () => page.locator("body").innerText();
          await expect.poll(rendered, { message: `${op.id}: variants` }).toMatch(/One of/);
          expect(await rendered(), op.id).not.toMatch(/\bcase [12]\b/);
        }
      }
      expect(operations.some((o) => o.api === "cts" && o.conditional)).toBe(true);

      const back = page.getByRole("link", { name: /All APIs/ });
      expect(await anyInViewport(back), "back link in view on an operation").toBe(true);
      await back.click();
      await page.waitForURL((url) => url.href !== pageUrl && !url.href.includes(`${api}.html`));
      await page.getByRole("heading", { name: "cts-csms API reference" }).waitFor();
    });
  }

  it("opens every operation's landing-page link on a fresh load, in a new page", async () => {
    for (const op of operations) {
      const fresh = await context.newPage();
      // Redoc's 404 page, even for a moment, while the page loads.
      await fresh.addInitScript(() => {
        new MutationObserver(() => {
          // Redoc's 404 page is rendered with this class ("404 No page at this address").
          if (document.querySelector(".not-found-page")) {
            document.documentElement.dataset.saw404 = "yes";
          }
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      fresh.on("pageerror", (err) => {
        problems.push(`page error (${op.id}, fresh): ${err.message}`);
      });
      try {
        await fresh.goto(new URL(landingHrefs.get(op.id)!, host.url).href);
        const heading = fresh.locator("h1, h2, h3").filter({ hasText: exactText(op.summary) });
        await expect.poll(() => anyInViewport(heading), { message: op.id }).toBe(true);
        await fresh.waitForLoadState("networkidle");
        expect(await fresh.getByText("No page at this address").count(), op.id).toBe(0);
        expect(await fresh.evaluate(() => document.documentElement.dataset.saw404), op.id).toBe(
          undefined,
        );
        await expect
          .poll(() => anyInViewport(heading), { message: `${op.id}, settled` })
          .toBe(true);
      } finally {
        await fresh.close();
      }
    }
  });

  it("clips no code block and lays no copy icon over code, at a narrow and a wide width", async () => {
    const found: string[] = [];
    for (const width of [480, 1280]) {
      const view = await context.newPage();
      await view.setViewportSize({ width, height: 900 });
      try {
        for (const file of ["admin.html", "cts.html", "csms.html"]) {
          await view.goto(new URL(file, host.url).href);
          await waitForRedoc(view);
          const op = operations.find((o) => `${o.api}.html` === file);
          if (op) await view.goto(new URL(landingHrefs.get(op.id)!, host.url).href);
          await view.waitForTimeout(500);
          const problems = await view.evaluate(() => {
            const out: string[] = [];
            // The boxes of the code's characters, spaces left out: with pre-wrap, the space where
            // a line wraps hangs past the text into the padding, under the icon, covering nothing.
            const boxes = (el: Element) => {
              const rects: DOMRect[] = [];
              const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (const word of (node.textContent ?? "").matchAll(/\S+/g)) {
                  const range = document.createRange();
                  range.setStart(node, word.index);
                  range.setEnd(node, word.index + word[0].length);
                  rects.push(...range.getClientRects());
                }
              }
              return rects.filter((r) => r.width > 0 && r.height > 0);
            };
            const visible = (r: DOMRect) => r.width > 0 && r.height > 0 && r.bottom > 0;
            for (const pre of document.querySelectorAll("#api-content pre")) {
              if (!visible(pre.getBoundingClientRect())) continue;
              // Text wider than the block and not scrollable there: the rest is cut off.
              const overflowX = getComputedStyle(pre).overflowX;
              if (pre.scrollWidth > pre.clientWidth + 1 && !/auto|scroll/.test(overflowX)) {
                out.push(
                  `clipped ${pre.scrollWidth}/${pre.clientWidth}: ${pre.textContent?.slice(0, 40)}`,
                );
              }
              const panel = pre.closest("[class*='panel-']") ?? pre.parentElement!;
              for (const button of panel.querySelectorAll("[data-testid='copy-button']")) {
                const b = button.getBoundingClientRect();
                if (!visible(b)) continue;
                const hit = boxes(pre).some(
                  (r) =>
                    r.left < b.right && r.right > b.left && r.top < b.bottom && r.bottom > b.top,
                );
                if (hit) out.push(`copy icon over code: ${pre.textContent?.slice(0, 40)}`);
              }
            }
            return out;
          });
          found.push(...problems.map((p) => `${file} at ${width}px: ${p}`));
          await view.screenshot({ path: join(resultsDir, `layout-${file}-${width}.png`) });
        }
      } finally {
        await view.close();
      }
    }
    expect(found).toEqual([]);
  });

  it("ran in the npm Chromium on Linux x64 unless CHROME_PATH chose another", () => {
    const npmPlatform = process.platform === "linux" && process.arch === "x64";
    const expected = process.env.CHROME_PATH
      ? "CHROME_PATH"
      : npmPlatform
        ? "@sparticuz/chromium (npm)"
        : "system browser";
    expect(browser.source).toBe(expected);
  });

  for (const api of ["cts", "csms"] as const) {
    it(`renders the ${api.toUpperCase()} webhooks (the delivered messages)`, async () => {
      const spec = JSON.parse(
        readFileSync(require.resolve(`@cts-csms/openapi/${api}.json`), "utf8"),
      );
      expect(Object.keys(spec.webhooks).length).toBeGreaterThan(0);
      await page.goto(new URL(`${api}.html`, host.url).href);
      await waitForRedoc(page);
      // The tag's sidebar entry opens its group, where the webhooks are listed.
      await page.getByRole("link", { name: "Delivered messages", exact: true }).first().click();
      for (const [name, item] of Object.entries<any>(spec.webhooks)) {
        const summary = String(item.post.summary).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        // Redoc lists webhooks in the sidebar under their tag and marks their heading "Webhook".
        await page
          .getByRole("link", { name: new RegExp(`^${summary}`) })
          .first()
          .click();
        const heading = page
          .locator("h1, h2, h3")
          .filter({ hasText: new RegExp(`^\\s*${summary}`) });
        await expect.poll(() => anyInViewport(heading), { message: name }).toBe(true);
        expect(await heading.first().textContent(), name).toContain("Webhook");
      }
      await page.screenshot({
        path: join(resultsDir, `${api}-webhooks.png`),
        animations: "disabled",
      });
    });
  }

  it("made no requests to other hosts, and saw no errors", () => {
    const origin = new URL(host.url).origin;
    const offsite = requests.filter((url) => {
      const u = new URL(url);
      if (u.protocol === "data:" || u.protocol === "blob:") return false;
      return u.origin !== origin;
    });
    expect(requests.length).toBeGreaterThan(0);
    expect(offsite, `requests to hosts other than ${origin}`).toEqual([]);
    expect(problems).toEqual([]);
  });
});
