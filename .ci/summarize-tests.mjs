// Sums the vitest JSON reports of every workspace (written by each `test` script, restored by
// turbo on a cache hit) into one closing line, so CI shows how many tests ran in total.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const group of ["openapi", "packages", "apps"]) {
  const dirs =
    group === "openapi"
      ? [join(root, "openapi")]
      : readdirSync(join(root, group)).map((d) => join(root, group, d));
  for (const dir of dirs) {
    const file = join(dir, ".vitest-reports", "report.json");
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    rows.push(
      `  ${dir.slice(root.length).padEnd(28)} ${r.numPassedTests} passed, ${r.numFailedTests} failed`,
    );
  }
}
console.log(rows.join("\n"));
console.log(
  `tests on node ${process.version}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`,
);
if (failed > 0 || skipped > 0 || passed === 0) process.exit(1);
