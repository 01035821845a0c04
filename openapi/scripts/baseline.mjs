// Makes the bundled specs the new baseline of the breaking-change gate (packages/spec, test
// baseline.test.ts): `npm run release` runs it after versioning, so the baseline is always the
// specs of the last release. `npm run baseline` at the root builds the specs first.
import { copyFileSync, existsSync } from "node:fs";

const dir = new URL("..", import.meta.url);
for (const name of ["cts", "csms", "admin"]) {
  const bundle = new URL(`dist/${name}.json`, dir);
  if (!existsSync(bundle)) {
    console.error(`openapi: ${bundle.pathname} is missing: build the specs first`);
    process.exit(1);
  }
  copyFileSync(bundle, new URL(`baseline/${name}.json`, dir));
}
console.log("openapi: baseline/ now holds the bundled cts, csms and admin specs");
