// Builds dist/: one Redoc reference page per bundled spec (cts.html, csms.html) and a landing page
// (index.html) generated from the same specs. Output depends only on the specs and this folder
// (no timestamps), so turbo can cache it.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderLanding } from "./landing.mjs";
import { withCodeSamples } from "./samples.mjs";
import { APIS, findRemoteLoads, listOperations, loadSpec } from "./site.mjs";

const require = createRequire(import.meta.url);
const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const distDir = join(appDir, "dist");
const redoclyBin = join(dirname(require.resolve("@redocly/cli/package.json")), "bin", "cli.js");

// Redoc's footer ("API docs by Redocly") shows a logo fetched from Redocly's CDN, and no option
// turns it off. Swap it for an inline wordmark so the attribution stays and nothing is fetched.
const REDOCLY_LOGO_URLS = [
  "https://cdn.redoc.ly/redoc/logo-mini-full.svg",
  "https://cdn.redoc.ly/redoc/logo-mini.svg",
];
const INLINE_LOGO = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="52" height="14" viewBox="0 0 52 14">' +
    '<text x="0" y="11" font-family="system-ui,sans-serif" font-size="11" font-weight="600" ' +
    'fill="#0044d4">Redocly</text></svg>',
)}`;

/** Renders one reference page from a copy of the bundled spec with the code samples added. */
function buildReference(api, workDir) {
  const output = join(distDir, `${api.id}.html`);
  const input = join(workDir, `${api.id}.json`);
  writeFileSync(input, JSON.stringify(withCodeSamples(api)));
  try {
    execFileSync(
      process.execPath,
      [
        redoclyBin,
        "build-docs",
        input,
        "--output",
        output,
        "--config",
        join(appDir, "redocly.yaml"),
        // A typo in redocly.yaml should fail the build, not be ignored with a warning.
        "--lint-config",
        "error",
        // Redoc's scripts go into the page instead of being loaded from cdn.redocly.com.
        "--inlineBundle",
      ],
      {
        cwd: appDir,
        // Quiet on success (the CLI prints banners); its output is shown if it fails.
        stdio: "pipe",
        // Belt and braces next to `telemetry: off` in redocly.yaml; also silences update checks.
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      },
    );
  } catch (err) {
    throw new Error(`redocly build-docs failed for ${api.id}:\n${err.stdout}${err.stderr}`);
  }
  let html = readFileSync(output, "utf8");
  if (!html.includes('http-equiv="Content-Security-Policy"')) {
    throw new Error(`${api.id}.html: not rendered with templates/redoc.hbs (check redocly.yaml)`);
  }
  if (!html.includes('"disableTelemetry":true')) {
    throw new Error(`${api.id}.html: Redoc telemetry is not disabled (check redocly.yaml)`);
  }
  for (const url of REDOCLY_LOGO_URLS) html = html.replaceAll(url, INLINE_LOGO);
  writeFileSync(output, html);
  return html;
}

rmSync(distDir, { recursive: true, force: true });
mkdirSync(distDir, { recursive: true });

const apis = APIS.map((api) => {
  const spec = loadSpec(api);
  return { ...api, spec, operations: listOperations(api) };
});

const pages = { "index.html": renderLanding(apis) };
const workDir = mkdtempSync(join(tmpdir(), "cts-csms-docs-build-"));
// Removed after an interrupt too: with a handler, Node takes Ctrl-C (or SIGTERM) once the
// running Redocly call returns (the signal stops it as well), and the handler removes the dir
// and ends the build with the same signal.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    rmSync(workDir, { recursive: true, force: true });
    process.kill(process.pid, signal);
  });
}
try {
  for (const api of apis) pages[`${api.id}.html`] = buildReference(api, workDir);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
writeFileSync(join(distDir, "index.html"), pages["index.html"]);

// Fail the build rather than ship a page that would reach out to another host.
const problems = Object.entries(pages).flatMap(([file, html]) =>
  findRemoteLoads(html).map((hit) => `${file}: ${hit}`),
);
if (problems.length > 0) {
  throw new Error(`pages would load remote resources:\n  ${problems.join("\n  ")}`);
}

for (const api of apis) {
  console.log(`dist/${api.id}.html  ${api.operations.length} operations  (${api.spec.info.title})`);
}
console.log("dist/index.html");
