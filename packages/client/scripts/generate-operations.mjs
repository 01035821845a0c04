// Generates src/generated/{cts,csms}-operations.ts from the bundled specs: one entry per
// operationId with its method and path, the regional server template, and the list operations
// that page (their `x-paging`), all read through the spec model (@cts-csms/spec). Runs on every
// build and typecheck, so a new operation in the spec appears in the client after a rebuild,
// typed through @cts-csms/types.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { api, createApiModel } from "@cts-csms/spec";

// Optional arguments (used by the tests): an output directory and a directory holding the specs.
const [outArg, specArg] = process.argv.slice(2);
const outDir = outArg ? pathToFileURL(`${outArg}/`) : new URL("../src/generated/", import.meta.url);
await mkdir(outDir, { recursive: true });

for (const name of ["cts", "csms"]) {
  const model = specArg
    ? createApiModel(name, JSON.parse(await readFile(`${specArg}/${name}.json`, "utf8")))
    : api(name);
  const operations = [];
  const paged = [];
  for (const op of model.operations) {
    const id = op.operationId;
    if (!/^[A-Za-z_$][\w$]*$/.test(id)) {
      throw new Error(`${name}: ${op.method} ${op.path} needs an identifier operationId`);
    }
    operations.push({ id, method: op.method.toLowerCase(), path: op.path });
    // The spec's x-paging says which lists page and where their items are.
    if (op.paging?.style === "marker") paged.push({ id, items: op.paging.items });
  }
  operations.sort((a, b) => a.id.localeCompare(b.id));
  paged.sort((a, b) => a.id.localeCompare(b.id));

  // The regional server is the one with a `{region}` variable; the client fills it in.
  const regional = model.servers.find((s) => s.url.includes("{region}"));
  if (!regional) throw new Error(`${name}: no server URL with a {region} variable`);

  // The token scheme is the apiKey header other than Authorization (AK/SK signing is the signer's).
  const tokenScheme = Object.values(model.securitySchemes).find(
    (s) => s.type === "apiKey" && s.in === "header" && s.name.toLowerCase() !== "authorization",
  );
  if (!tokenScheme) throw new Error(`${name}: no apiKey header security scheme for the IAM token`);

  const lines = [
    "/**",
    " * GENERATED FILE: do not edit. Built by packages/client/scripts/generate-operations.mjs",
    ` * from @cts-csms/openapi/${name}.json; edit the spec in openapi/${name}/.`,
    " */",
    "",
    `/** Regional endpoint template of the ${name.toUpperCase()} API (from the spec's \`servers\`). */`,
    `export const ${name}Server = ${JSON.stringify(regional.url)};`,
    "",
    `/** Header the IAM token travels in (from the spec's token security scheme). */`,
    `export const ${name}TokenHeader = ${JSON.stringify(tokenScheme.name)};`,
    "",
    `/** Every ${name.toUpperCase()} operation: operationId → HTTP method and path template. */`,
    `export const ${name}Operations = {`,
    ...operations.map(
      (o) => `  ${o.id}: { method: ${JSON.stringify(o.method)}, path: ${JSON.stringify(o.path)} },`,
    ),
    "} as const;",
    "",
    `/** Paged list operations (marker / page_info.next_marker): operationId → items property. */`,
    ...(paged.length === 0
      ? [`export const ${name}Pagination = {} as const;`]
      : [
          `export const ${name}Pagination = {`,
          ...paged.map((p) => `  ${p.id}: ${JSON.stringify(p.items)},`),
          "} as const;",
        ]),
    "",
  ];
  await writeFile(new URL(`${name}-operations.ts`, outDir), lines.join("\n"));
}
