// Every `ts` block of every README, and the scripts in examples/, type-check against the built
// packages, each on its own as a reader would paste it, under Node's module resolution and a
// bundler's.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { allBlocks } from "../src/markdown.js";
import { repoRoot, tempDir } from "../src/repo.js";

// Inside this workspace, so that `@cts-csms/*` resolve through node_modules like in a project.
const results = join(repoRoot, "apps/examples/test-results");
mkdirSync(results, { recursive: true });
const snippetsDir = tempDir("snippets-", results);
const dir = snippetsDir.path;
afterAll(() => snippetsDir.remove());

const blocks = await allBlocks("ts");
const snippets = blocks.map((block) => {
  const file = join(dir, `${block.file.replaceAll("/", "_")}_L${block.line}.ts`);
  writeFileSync(file, block.code);
  return { file, where: `${block.file}:${block.line}` };
});
const examples = readdirSync(join(repoRoot, "examples"))
  .filter((f) => /\.(m?js|ts)$/.test(f))
  .map((f) => ({ file: join(repoRoot, "examples", f), where: `examples/${f}` }));

const COMMON: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  types: ["node"],
  strict: true,
  noEmit: true,
  allowJs: true,
  checkJs: true,
  // A snippet is a module even when it imports nothing (top-level await).
  moduleDetection: ts.ModuleDetectionKind.Force,
  skipLibCheck: true,
};

const RESOLUTIONS: Record<string, ts.CompilerOptions> = {
  nodenext: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  bundler: { module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler },
};

function typecheck(options: ts.CompilerOptions): Map<string, string[]> {
  const all = [...snippets, ...examples];
  const program = ts.createProgram(
    all.map((s) => s.file),
    { ...COMMON, ...options },
  );
  const errors = new Map<string, string[]>(all.map((s) => [s.where, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const owner = all.find((s) => s.file === d.file?.fileName);
    const where = owner?.where ?? d.file?.fileName ?? "(global)";
    const line =
      d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    const list = errors.get(where) ?? [];
    list.push(`line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    errors.set(where, list);
  }
  return errors;
}

describe("README ts blocks and examples/ type-check", () => {
  it("finds the blocks: the client, server and signer READMEs have some", () => {
    const files = new Set(blocks.map((b) => b.file));
    for (const readme of [
      "packages/client/README.md",
      "apps/server/README.md",
      "packages/signer/README.md",
    ]) {
      expect(files).toContain(readme);
    }
    expect(examples.map((e) => e.where)).toContain("examples/client.mjs");
  });

  for (const [name, options] of Object.entries(RESOLUTIONS)) {
    it(`with moduleResolution ${name}`, () => {
      const errors = typecheck(options);
      const failing = Object.fromEntries([...errors].filter(([, list]) => list.length > 0));
      expect(failing).toEqual({});
      expect(errors.size).toBe(snippets.length + examples.length);
    });
  }
});
