// Fast static checks on the built site (dist/): the landing page lists every operation of the
// bundled specs, and no page loads anything from another host.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { codeSamples } from "../scripts/samples.mjs";
import { APIS, findRemoteLoads } from "../scripts/site.mjs";

const require = createRequire(import.meta.url);
const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const FILES = ["index.html", "cts.html", "csms.html", "admin.html"];
const pages: Record<string, string> = {};

// Read independently of scripts/site.mjs, so a bug there cannot hide an operation from this test.
const specs = { cts: "@cts-csms/openapi/cts.json", csms: "@cts-csms/openapi/csms.json" };
const operations = Object.entries(specs).flatMap(([api, mod]) => {
  const spec = JSON.parse(readFileSync(require.resolve(mod), "utf8"));
  return Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([, op]) => typeof op === "object" && op?.operationId)
      .map(([method, op]) => ({ api, path, method, id: op.operationId, summary: op.summary })),
  );
});

const escapeHtml = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

beforeAll(() => {
  for (const file of FILES) {
    if (!existsSync(dist + file)) {
      throw new Error(`dist/${file} is missing: run \`npm run build\` in apps/docs first`);
    }
    pages[file] = readFileSync(dist + file, "utf8");
  }
});

describe("landing page", () => {
  it("covers all twenty-seven operations of the two specs", () => {
    expect(operations).toHaveLength(27);
  });

  it.each(operations)("lists $api $id with method, path, summary and anchor", (op) => {
    const html = pages["index.html"];
    expect(html).toContain(`<code class="opid">${op.id}</code>`);
    expect(html).toContain(`>${escapeHtml(op.summary)}</a>`);
    expect(html).toContain(`<code>${escapeHtml(op.path)}</code>`);
    expect(html).toMatch(new RegExp(`href="${op.api}\\.html#/[a-z-]+/${op.id.toLowerCase()}"`));
    expect(html).toContain(`method-${op.method}">${op.method.toUpperCase()}</span>`);
  });

  it("the CSMS reference carries its webhooks (the secret event's SMN message, the rotation function's event)", () => {
    const csms = JSON.parse(readFileSync(require.resolve(specs.csms), "utf8"));
    expect(Object.keys(csms.webhooks)).toEqual([
      "secretEventNotification",
      "rotationFunctionEvent",
    ]);
    expect(pages["csms.html"]).toContain(
      escapeHtml(csms.webhooks.secretEventNotification.post.summary),
    );
    expect(pages["csms.html"]).toContain("SecretEventMessage");
  });

  it("the CTS reference carries the webhooks (the delivered messages)", () => {
    const cts = JSON.parse(readFileSync(require.resolve(specs.cts), "utf8"));
    expect(Object.keys(cts.webhooks)).toEqual(["smnNotification", "functionGraphCtsEvent"]);
    for (const [name, item] of Object.entries<any>(cts.webhooks)) {
      expect(pages["cts.html"], name).toContain(escapeHtml(item.post.summary));
    }
  });

  it("the CSMS reference carries the rotation function's event (a webhook)", () => {
    const csms = JSON.parse(readFileSync(require.resolve(specs.csms), "utf8"));
    expect(Object.keys(csms.webhooks)).toContain("rotationFunctionEvent");
    for (const [name, item] of Object.entries<any>(csms.webhooks)) {
      expect(pages["csms.html"], name).toContain(escapeHtml(item.post.summary));
    }
  });

  it("links both references relatively and shows how to start", () => {
    const html = pages["index.html"];
    expect(html).toContain('href="cts.html"');
    expect(html).toContain('href="csms.html"');
    // Root-relative links would break under /docs/ on the reference server.
    expect(html).not.toMatch(/\s(?:href|src)="\//);
    expect(html).toContain(
      "import { createCsmsClient, createCtsClient, unwrap } from &quot;@cts-csms/client&quot;",
    );
    expect(html).toContain("npm ci &amp;&amp; npm start");
    expect(html).toContain("npx cts-csms-server --port 8080");
  });

  it("shows the reference server's admin API under its own heading, after the Huawei APIs", () => {
    const html = pages["index.html"];
    const admin = JSON.parse(readFileSync(require.resolve("@cts-csms/openapi/admin.json"), "utf8"));
    const heading = html.indexOf('<h2 id="admin">Reference server admin API</h2>');
    expect(heading).toBeGreaterThan(html.indexOf('<h2 id="operations">All 10 operations</h2>'));
    const section = html.slice(heading);
    expect(section).toContain('href="admin.html"');
    expect(section).toContain("createAdminClient");
    for (const [path, item] of Object.entries(admin.paths as Record<string, Record<string, any>>)) {
      for (const op of Object.values(item)) {
        expect(section).toContain(`<code>${escapeHtml(path)}</code>`);
        expect(section).toMatch(
          new RegExp(`href="admin\\.html#/admin/${op.operationId.toLowerCase()}"`),
        );
      }
    }
  });

  it("has no scripts and is not timestamped", () => {
    const html = pages["index.html"];
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b20\d\d-\d\d-\d\d/);
  });
});

describe("reader-facing text", () => {
  // Readers of the site have no repository: no design-decision numbers or file paths into it,
  // and no link to a registry page of a package that is not published.
  it.each(FILES)("%s points into no repository internals and links no npm package page", (file) => {
    const html = pages[file];
    const hits = [
      ...html.matchAll(/decision \d+|openapi\/README\.md|npmjs\.com\/package\/@cts-csms/g),
    ].map((m) => html.slice(Math.max(0, m.index - 60), m.index + 60));
    expect(hits).toEqual([]);
  });
});

describe("offline", () => {
  it.each(FILES)("%s loads nothing from another host", (file) => {
    expect(findRemoteLoads(pages[file]).map((hit) => hit.slice(0, 200))).toEqual([]);
  });

  it.each(FILES)("%s has a CSP that keeps requests on this origin", (file) => {
    const csp = pages[file].match(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/)?.[1];
    expect(csp).toBeDefined();
    expect(csp).not.toMatch(/https?:|\*/);
    expect(csp).toMatch(/default-src '(?:self|none)'/);
  });

  // Boolean checks: a failing toContain would print the whole 2.5 MB page.
  it.each(["cts.html", "csms.html", "admin.html"])("%s inlines Redoc and its spec", (file) => {
    const html = pages[file];
    const has = (re: RegExp | string) =>
      typeof re === "string" ? html.includes(re) : re.test(html);
    expect(has(/<script[^>]+\ssrc=/i), "external <script src>").toBe(false);
    expect(has(/<link[^>]+rel="?(?:modulepreload|preload|stylesheet)/i), "<link> preload").toBe(
      false,
    );
    expect(has("const __redoc_definition = {"), "inlined spec").toBe(true);
    expect(has('"disableTelemetry":true'), "telemetry off").toBe(true);
    expect(has("hydrate(__redoc_definition"), "hydrates the inlined spec").toBe(true);
    expect(has(/fonts\.(?:googleapis|gstatic)\.com/), "web fonts").toBe(false);
  });

  it("the checker itself finds remote loads", () => {
    const bad = [
      '<script src="https://cdn.example.com/a.js"></script>',
      "<link rel='stylesheet' href='//fonts.googleapis.com/css?family=Roboto'>",
      '<img alt="" src="http://example.com/logo.png">',
      '<img srcset="a.png 1x, https://example.com/b.png 2x">',
      "<style>@import url(https://example.com/x.css);</style>",
      "<style>body { background: url('https://example.com/bg.png') }</style>",
    ];
    for (const html of bad) expect(findRemoteLoads(html), html).not.toEqual([]);
    const fine = [
      '<a href="https://support.huaweicloud.com/">docs</a>',
      "<pre>curl https://cts.cn-north-4.myhuaweicloud.com/v3</pre>",
      '<img src="data:image/png;base64,AAAA">',
      '<link rel="icon" href="data:,">',
      '<script src="cts.js"></script>',
    ];
    for (const html of fine) expect(findRemoteLoads(html), html).toEqual([]);
  });
});

describe("reference pages", () => {
  const samples = APIS.flatMap((api: any) => codeSamples(api));

  // The page inlines the spec as JSON, so a sample is there as its JSON string.
  it.each(samples)("$api.html carries the curl and TypeScript samples of $operationId", (s) => {
    const html = pages[`${s.api}.html`];
    expect(html.includes(JSON.stringify(s.curl)), "curl sample").toBe(true);
    expect(html.includes(JSON.stringify(s.typescript)), "TypeScript sample").toBe(true);
  });

  it.each(["cts.html", "csms.html"])("%s links back to the landing page", (file) => {
    expect(pages[file]).toMatch(/<a class="back-link" href="index\.html">/);
  });
});
