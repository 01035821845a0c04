// Fenced code blocks of the repository's READMEs, with where they are, for the snippet tests.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./repo.js";

export interface FencedBlock {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
}

const SKIP = new Set(["node_modules", ".git", "dist", ".turbo", "test-results", ".vitest-reports"]);

/** Every README.md of the repository (the root first), outside build output and dependencies. */
export function readmeFiles(dir = repoRoot): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !SKIP.has(entry.name))
      found.push(...readmeFiles(join(dir, entry.name)));
    else if (entry.isFile() && entry.name === "README.md")
      found.push(relative(repoRoot, join(dir, entry.name)));
  }
  return found.sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
}

export function fencedBlocks(file: string): FencedBlock[] {
  const lines = readFileSync(join(repoRoot, file), "utf8").split("\n");
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const code: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) code.push(lines[i]!);
    blocks.push({ file, line: start + 1, lang: open[1] ?? "", code: `${code.join("\n")}\n` });
  }
  return blocks;
}

/** The docs landing page shows the same kind of snippets; they are checked like the READMEs'. */
const LANDING = "apps/docs/scripts/landing.mjs";
const LANDING_LANGS: Record<string, string> = {
  CLIENT_EXAMPLE: "ts",
  SERVER_EXAMPLE: "sh",
  INSTALL_EXAMPLE: "sh",
};

export async function landingBlocks(): Promise<FencedBlock[]> {
  const module = (await import(pathToFileURL(join(repoRoot, LANDING)).href)) as Record<
    string,
    unknown
  >;
  const source = readFileSync(join(repoRoot, LANDING), "utf8").split("\n");
  return Object.entries(module)
    .filter(([name]) => name.endsWith("_EXAMPLE"))
    .map(([name, code]) => {
      const lang = LANDING_LANGS[name];
      if (!lang)
        throw new Error(`${LANDING}: ${name} is new; say in src/markdown.ts what language it is`);
      const line = source.findIndex((l) => l.startsWith(`export const ${name} =`)) + 1;
      return { file: LANDING, line, lang, code: `${String(code)}\n` };
    });
}

/** The fenced blocks of one language in every README, then the landing page's. */
export async function allBlocks(lang: string): Promise<FencedBlock[]> {
  const readmes = readmeFiles().flatMap((file) => fencedBlocks(file));
  return [...readmes, ...(await landingBlocks())].filter((b) => b.lang === lang);
}
