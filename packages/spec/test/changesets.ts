// The pending changesets (`.changeset/*.md`, written by `npx changeset`) as the gate reads them:
// which bump each declares for a package. `changeset version` consumes them at release.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type Bump = "patch" | "minor" | "major";
const ORDER: Bump[] = ["patch", "minor", "major"];

/** The largest bump the pending changesets in `dir` declare for `name`, if any. */
export function pendingBump(dir: string, name: string): Bump | undefined {
  if (!existsSync(dir)) return undefined;
  let largest: Bump | undefined;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".md") && f !== "README.md")) {
    const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(readFileSync(join(dir, file), "utf8"))?.[1];
    for (const line of front?.split(/\r?\n/) ?? []) {
      const m = /^\s*["']?([^"':]+)["']?\s*:\s*(patch|minor|major)\s*$/.exec(line);
      if (m?.[1] !== name) continue;
      const bump = m[2] as Bump;
      if (!largest || ORDER.indexOf(bump) > ORDER.indexOf(largest)) largest = bump;
    }
  }
  return largest;
}

/** The bump a breaking change needs: major, or minor while the version is 0.x (semver §4). */
export function breakingBump(version: string): Bump {
  return version.startsWith("0.") ? "minor" : "major";
}

export const suffices = (declared: Bump | undefined, needed: Bump) =>
  declared !== undefined && ORDER.indexOf(declared) >= ORDER.indexOf(needed);
