#!/usr/bin/env node
// `npm run release`: applies the pending changesets (.changeset/*.md). changesets versions the
// six published packages together (one `fixed` group: the types, client and server are generated
// from or validated by the specs, so a spec change is theirs too) and writes their CHANGELOG.md;
// then the root's pin of the server follows, the lockfile is refreshed, and the bundled specs
// become the breaking-change gate's new baseline (openapi/baseline/). Review and commit the result.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function step(command, args) {
  console.log(`release: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", shell: true });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

step("npx", ["changeset", "version"]);
// changesets keeps the workspaces' pins of each other; the root manifest is not one of them.
const manifestFile = join(root, "package.json");
const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
const server = JSON.parse(readFileSync(join(root, "apps/server/package.json"), "utf8"));
manifest.devDependencies["@cts-csms/server"] = server.version;
writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
step("npm", ["install", "--package-lock-only", "--no-audit", "--no-fund", "--loglevel=error"]);
step("npm", ["run", "baseline"]);
