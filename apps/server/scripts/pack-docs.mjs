// `npm pack` / `npm publish` of @cts-csms/server: ship the built docs site inside the package, at
// dist/docs, so that an installed `cts-csms-server` serves /docs/ outside this repository too.
// The site is built by apps/docs, which builds after this package (its browser test runs against
// the server), so it cannot be an input of this package's build: it is copied at pack time
// (`prepack`, argument `copy`) and the copy is removed afterwards (`postpack`, argument `clean`).
import { cpSync, existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const site = fileURLToPath(new URL("../../docs/dist", import.meta.url));
const target = fileURLToPath(new URL("../dist/docs", import.meta.url));
const action = process.argv[2];

rmSync(target, { recursive: true, force: true });
if (action === "copy") {
  if (!existsSync(`${site}/index.html`)) {
    process.stderr.write(
      `@cts-csms/server: no built docs site at ${site}; run \`npm run build\` at the repository root before packing\n`,
    );
    process.exit(1);
  }
  cpSync(site, target, { recursive: true });
} else if (action !== "clean") {
  process.stderr.write("usage: node scripts/pack-docs.mjs copy|clean\n");
  process.exit(2);
}
