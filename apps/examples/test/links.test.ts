// Every link in the READMEs to a file or a heading of this repository points at something that
// exists (web links cannot be checked offline).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect, it } from "vitest";
import { readmeFiles } from "../src/markdown.js";
import { repoRoot } from "../src/repo.js";

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

function anchors(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!.trim())));
}

it("relative links in the READMEs lead to existing files and headings", () => {
  const broken: string[] = [];
  let checked = 0;
  for (const readme of readmeFiles()) {
    // Code is not prose: neither fenced blocks nor inline code spans (a pattern such as
    // `[0-9]([.][0-9])` reads like a link) hold links.
    const text = readFileSync(join(repoRoot, readme), "utf8")
      .replace(/^```[\s\S]*?^```/gm, "")
      .replace(/`[^`\n]*`/g, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      checked++;
      const [path, anchor] = target!.split("#");
      const file = path ? join(repoRoot, dirname(readme), path) : join(repoRoot, readme);
      if (!existsSync(file)) broken.push(`${readme}: ${target} (no such file)`);
      else if (anchor && !anchors(file).has(anchor))
        broken.push(`${readme}: ${target} (no such heading)`);
    }
  }
  expect(broken).toEqual([]);
  expect(checked).toBeGreaterThan(10);
});
