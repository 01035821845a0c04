// `npm run build`: lints both specs with Redocly CLI (0 errors, 0 warnings is the bar), then
// bundles each to dist/<name>.json. Redocly's own output is shown when something is wrong; on
// success this prints two lines instead of its banners. Its update check and usage reports are
// off through Redocly's environment settings (and `telemetry: off` in redocly.yaml); its Node 20
// end-of-life notice has no setting, so it is shown only with a failure.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(dirname(require.resolve("@redocly/cli/package.json")), "bin", "cli.js");
const APIS = [
  { name: "cts@v3", output: "dist/cts.json" },
  { name: "csms@v1", output: "dist/csms.json" },
  { name: "admin@v1", output: "dist/admin.json" },
];

function redocly(args) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", REDOCLY_TELEMETRY: "off" },
  });
  if (result.error) throw result.error;
  return result;
}

function fail(result, what) {
  process.stderr.write(`${result.stdout}${result.stderr}`);
  console.error(`openapi: ${what} failed (redocly exited with ${result.status})`);
  process.exit(result.status || 1);
}

// Lint: the JSON report (one object per API) says whether there is anything to show.
const lint = redocly(["lint", "--format=json"]);
if (lint.status !== 0) fail(redocly(["lint", "--format=stylish"]), "lint");
const reports = lint.stdout
  .trim()
  .split("\n}{\n")
  .map((part, i, all) =>
    JSON.parse(`${i > 0 ? "{\n" : ""}${part}${i < all.length - 1 ? "\n}" : ""}`),
  );
const warnings = reports.reduce((n, report) => n + report.totals.warnings, 0);
if (warnings > 0) {
  // Not fatal to Redocly, but below the bar: show its report in full.
  const report = redocly(["lint", "--format=stylish"]);
  process.stderr.write(`${report.stdout}${report.stderr}`);
}

for (const api of APIS) {
  const bundle = redocly(["bundle", api.name, "--output", api.output]);
  if (bundle.status !== 0) fail(bundle, `bundle ${api.name}`);
}
console.log(
  `openapi: linted ${APIS.map((a) => a.name).join(", ")}: ${warnings} warnings, 0 errors`,
);
console.log(`openapi: bundled ${APIS.map((a) => a.output).join(", ")}`);
