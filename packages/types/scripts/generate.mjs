// Generates src/generated/{cts,csms,admin}.ts from the bundled specs. Runs on every build and
// typecheck, so the types can never drift from the spec.
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const require = createRequire(import.meta.url);
const outDir = new URL("../src/generated/", import.meta.url);
await mkdir(outDir, { recursive: true });

for (const api of ["cts", "csms", "admin"]) {
  const specPath = require.resolve(`@cts-csms/openapi/${api}.json`);
  const ast = await openapiTS(pathToFileURL(specPath), { alphabetize: false });
  const header = [
    "/**",
    ` * GENERATED FILE: do not edit. Built by packages/types/scripts/generate.mjs with`,
    ` * openapi-typescript from @cts-csms/openapi/${api}.json; edit the spec in openapi/${api}/.`,
    " */",
    "",
  ].join("\n");
  await writeFile(new URL(`${api}.ts`, outDir), header + astToString(ast));
}
