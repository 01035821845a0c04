// The server README's testing-kit example, run as a user runs it: its files written into a
// project (inside this workspace, so `@cts-csms/*` resolve through node_modules as after an
// install), then `vitest run` and `node --test` there. Editing the README edits this test.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { fencedBlocks } from "../src/markdown.js";
import { repoRoot, run, tempDir, userEnv } from "../src/repo.js";

const README = "apps/server/README.md";
const results = join(repoRoot, "apps/examples/test-results");
mkdirSync(results, { recursive: true });
const project = tempDir("testing-kit-", results);
afterAll(() => project.remove());

/** The section's blocks that start with `// <file>`: the files of the example project. */
const blocks = fencedBlocks(README);
const all = readFileSync(join(repoRoot, README), "utf8").split("\n");
const from = all.indexOf("## Testing kit") + 1;
const to = all.findIndex((l, i) => i > from && l.startsWith("## "));
const files = blocks
  .filter((b) => b.line > from && b.line < to + 1)
  .map((b) => ({ ...b, name: /^\/\/ (\S+)\n/.exec(b.code)?.[1] }))
  .filter((b): b is typeof b & { name: string } => b.name !== undefined);

for (const file of files) {
  const path = join(project.path, file.name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, file.code);
}
writeFileSync(join(project.path, "package.json"), JSON.stringify({ type: "module" }));

it("the README shows the vitest config and global setup, two vitest files, a node:test runner and two node:test files", () => {
  expect(files.map((f) => f.name)).toEqual([
    "vitest.config.ts",
    "test/global-setup.ts",
    "test/secret-events.test.ts",
    "test/more-secret-events.test.ts",
    "test/node/run.mjs",
    "test/node/secret-events.mjs",
    "test/node/faults.mjs",
  ]);
});

it("runs under vitest: one server for the run, a project per file, faults retried", async () => {
  // The vitest binary a user's `npx vitest` runs (its package.json `bin`).
  const pkg = createRequire(import.meta.url).resolve("vitest/package.json");
  const vitest = join(dirname(pkg), "vitest.mjs");
  const result = await run(process.execPath, [vitest, "run"], {
    cwd: project.path,
    env: userEnv({ NO_COLOR: "1", CI: "1" }),
  });
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.code, output).toBe(0);
  expect(output).toMatch(/Test Files\s+2 passed \(2\)/);
  expect(output).toMatch(/Tests\s+3 passed \(3\)/);
});

it("runs under plain node:test: two files on the runner's one server, each in its project", async () => {
  const result = await run(process.execPath, ["test/node/run.mjs"], {
    cwd: project.path,
    env: userEnv({ NO_COLOR: "1" }),
  });
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.code, output).toBe(0);
  expect(output).toMatch(/^ℹ pass 2$/m);
  expect(output).toMatch(/^ℹ fail 0$/m);
});

it("fails the node:test run when a file's test fails", async () => {
  writeFileSync(
    join(project.path, "test/node/failing.mjs"),
    'import { test } from "node:test";\ntest("fails", () => { throw new Error("on purpose"); });\n',
  );
  const runner = readFileSync(join(project.path, "test/node/run.mjs"), "utf8");
  writeFileSync(
    join(project.path, "test/node/run-failing.mjs"),
    runner.replace('"test/node/faults.mjs"]', '"test/node/faults.mjs", "test/node/failing.mjs"]'),
  );
  const result = await run(process.execPath, ["test/node/run-failing.mjs"], {
    cwd: project.path,
    env: userEnv({ NO_COLOR: "1" }),
  });
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.code, output).toBe(1);
  expect(output).toMatch(/^ℹ fail 1$/m);
});
