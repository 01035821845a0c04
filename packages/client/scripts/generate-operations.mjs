// Generates src/generated/{cts,csms}-operations.ts from the bundled specs: one entry per
// operationId with its method and path, the regional server template, and the list operations
// that page (`marker` / `page_info.next_marker`, or `next` / `meta_data.marker`). Runs on every
// build and typecheck, so a new operation in the spec appears in the client after a rebuild,
// typed through @cts-csms/types.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// Optional arguments (used by the tests): an output directory and a directory holding the specs.
const [outArg, specArg] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const outDir = outArg ? pathToFileURL(`${outArg}/`) : new URL("../src/generated/", import.meta.url);
await mkdir(outDir, { recursive: true });

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Follows local `#/components/...` references of the bundled document. */
function deref(spec, node) {
  let current = node;
  const seen = new Set();
  while (current && typeof current.$ref === "string") {
    if (seen.has(current.$ref)) throw new Error(`circular $ref ${current.$ref}`);
    seen.add(current.$ref);
    current = current.$ref
      .slice(2)
      .split("/")
      .reduce((acc, key) => acc?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], spec);
  }
  return current;
}

/**
 * The two paging styles of these APIs: CSMS takes `marker` and answers `page_info.next_marker`;
 * CTS's trace list takes `next` and answers `meta_data.marker`.
 */
const PAGING_STYLES = [
  { param: "marker", next: ["page_info", "next_marker"] },
  { param: "next", next: ["meta_data", "marker"] },
];

/**
 * How a paged list operation pages: the array property its items are in, the query parameter
 * that takes the marker and where the response holds the next one. An operation pages when it
 * takes a style's query parameter and its 2xx JSON body has the style's marker field and exactly
 * one array property.
 */
function paging(spec, pathItem, operation) {
  const params = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])].map((p) =>
    deref(spec, p),
  );
  const ok = Object.entries(operation.responses ?? {}).find(([status]) => /^2\d\d$/.test(status));
  const schema = deref(spec, deref(spec, ok?.[1])?.content?.["application/json"]?.schema);
  const props = schema?.properties ?? {};
  for (const style of PAGING_STYLES) {
    if (!params.some((p) => p?.in === "query" && p.name === style.param)) continue;
    const [container, field] = style.next;
    if (!(field in (deref(spec, props[container])?.properties ?? {}))) continue;
    const arrays = Object.entries(props).filter(([, s]) => deref(spec, s)?.type === "array");
    if (arrays.length === 1) return { items: arrays[0][0], ...style };
  }
  return undefined;
}

for (const api of ["cts", "csms"]) {
  const specPath = specArg
    ? `${specArg}/${api}.json`
    : require.resolve(`@cts-csms/openapi/${api}.json`);
  const spec = JSON.parse(await readFile(specPath, "utf8"));
  const operations = [];
  const paged = [];
  for (const [path, pathItem] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      const id = operation.operationId;
      if (typeof id !== "string" || !/^[A-Za-z_$][\w$]*$/.test(id)) {
        throw new Error(`${api}: ${method.toUpperCase()} ${path} needs an identifier operationId`);
      }
      if (operations.some((o) => o.id === id))
        throw new Error(`${api}: duplicate operationId ${id}`);
      operations.push({ id, method, path });
      const pages = paging(spec, pathItem, operation);
      if (pages) paged.push({ id, ...pages });
    }
  }
  operations.sort((a, b) => a.id.localeCompare(b.id));
  paged.sort((a, b) => a.id.localeCompare(b.id));

  // The regional server is the one with a `{region}` variable; the client fills it in.
  const regional = (spec.servers ?? []).find((s) => s.url.includes("{region}"));
  if (!regional) throw new Error(`${api}: no server URL with a {region} variable`);

  // The token scheme is the apiKey header other than Authorization (AK/SK signing is the signer's).
  const tokenScheme = Object.values(spec.components?.securitySchemes ?? {}).find(
    (s) => s.type === "apiKey" && s.in === "header" && s.name.toLowerCase() !== "authorization",
  );
  if (!tokenScheme) throw new Error(`${api}: no apiKey header security scheme for the IAM token`);

  const lines = [
    "/**",
    " * GENERATED FILE: do not edit. Built by packages/client/scripts/generate-operations.mjs",
    ` * from @cts-csms/openapi/${api}.json; edit the spec in openapi/${api}/.`,
    " */",
    "",
    `/** Regional endpoint template of the ${api.toUpperCase()} API (from the spec's \`servers\`). */`,
    `export const ${api}Server = ${JSON.stringify(regional.url)};`,
    "",
    `/** Header the IAM token travels in (from the spec's token security scheme). */`,
    `export const ${api}TokenHeader = ${JSON.stringify(tokenScheme.name)};`,
    "",
    `/** Every ${api.toUpperCase()} operation: operationId → HTTP method and path template. */`,
    `export const ${api}Operations = {`,
    ...operations.map(
      (o) => `  ${o.id}: { method: ${JSON.stringify(o.method)}, path: ${JSON.stringify(o.path)} },`,
    ),
    "} as const;",
    "",
    `/** Paged list operations: operationId → the property holding the items. */`,
    ...(paged.length === 0
      ? [`export const ${api}Pagination = {} as const;`]
      : [
          `export const ${api}Pagination = {`,
          ...paged.map((p) => `  ${p.id}: ${JSON.stringify(p.items)},`),
          "} as const;",
        ]),
    "",
    `/** How each paged operation pages: the marker's query parameter, and the path of the next marker in the response. */`,
    ...(paged.length === 0
      ? [`export const ${api}PageCursors = {} as const;`]
      : [
          `export const ${api}PageCursors = {`,
          ...paged.map(
            (p) =>
              `  ${p.id}: { param: ${JSON.stringify(p.param)}, next: ${JSON.stringify(p.next)} },`,
          ),
          "} as const;",
        ]),
    "",
  ];
  await writeFile(new URL(`${api}-operations.ts`, outDir), lines.join("\n"));
}
