// Generates src/generated/{cts,csms,admin}-operations.ts from the bundled specs: one entry per
// operationId with its method and path, the server URL template, the IAM token header, and how
// each list operation pages (its `x-paging`), all read through the spec model (@cts-csms/spec).
// Runs before every build and typecheck (turbo's `generate` task), so a new operation in the spec
// appears in the client after a rebuild, typed through @cts-csms/types.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { api, createApiModel } from "@cts-csms/spec";

// Optional arguments (used by the tests): an output directory and a directory holding the specs.
const [outArg, specArg] = process.argv.slice(2);
const outDir = outArg ? pathToFileURL(`${outArg}/`) : new URL("../src/generated/", import.meta.url);
await mkdir(outDir, { recursive: true });

/** How an operation pages, as the client's `paginate` needs it. */
function pagingOf(paging) {
  const limit = paging.limit && { name: paging.limit.name, default: paging.limit.default };
  return paging.style === "marker"
    ? { style: "marker", items: paging.items, marker: paging.marker, nextMarker: paging.nextMarker }
    : { style: "offset", items: paging.items, offset: paging.offset, limit };
}

for (const name of ["cts", "csms", "admin"]) {
  // With a spec directory, only the APIs whose bundled file it holds.
  if (specArg && !existsSync(`${specArg}/${name}.json`)) continue;
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
    // A success answer that is not JSON (the admin API's PEM certificate) is read as text.
    const success = op.responses.find((r) => r.status === String(op.successStatus));
    const mediaType = success?.mediaTypes[0];
    const parseAs = mediaType !== undefined && !/json/.test(mediaType) ? "text" : undefined;
    operations.push({ id, method: op.method.toLowerCase(), path: op.path, parseAs });
    // The spec's x-paging says which lists page, how, and where their items are.
    if (op.paging) paged.push({ id, paging: pagingOf(op.paging) });
  }
  operations.sort((a, b) => a.id.localeCompare(b.id));
  paged.sort((a, b) => a.id.localeCompare(b.id));

  // The regional server is the one with a `{region}` variable (the client fills it in); an API
  // without one (the admin API) names the first server.
  const server = model.servers.find((s) => s.url.includes("{region}")) ?? model.servers[0];
  if (!server) throw new Error(`${name}: no server URL`);

  // The token scheme is the apiKey header other than Authorization (AK/SK signing is the signer's).
  // An API whose operations take no credentials has none.
  const secured = model.operations.some((op) => op.security.length > 0);
  const tokenScheme = Object.values(model.securitySchemes).find(
    (s) => s.type === "apiKey" && s.in === "header" && s.name.toLowerCase() !== "authorization",
  );
  if (secured && !tokenScheme) {
    throw new Error(`${name}: no apiKey header security scheme for the IAM token`);
  }

  const lines = [
    "/**",
    " * GENERATED FILE: do not edit. Built by packages/client/scripts/generate-operations.mjs",
    ` * from @cts-csms/openapi/${name}.json; edit the spec in openapi/${name}/.`,
    " */",
    "",
    `/** Endpoint template of the ${name.toUpperCase()} API (from the spec's \`servers\`). */`,
    `export const ${name}Server = ${JSON.stringify(server.url)};`,
    "",
    secured
      ? `/** Header the IAM token travels in (from the spec's token security scheme). */`
      : `/** The API takes no credentials (its operations declare no security). */`,
    `export const ${name}TokenHeader = ${secured ? JSON.stringify(tokenScheme.name) : "undefined"};`,
    "",
    `/** Every ${name.toUpperCase()} operation: operationId → HTTP method and path template. */`,
    `export const ${name}Operations = {`,
    ...operations.map(
      (o) =>
        `  ${o.id}: { method: ${JSON.stringify(o.method)}, path: ${JSON.stringify(o.path)}${o.parseAs ? `, parseAs: ${JSON.stringify(o.parseAs)}` : ""} },`,
    ),
    "} as const;",
    "",
    `/** Paged list operations (each one's \`x-paging\`): operationId → how it pages. */`,
    ...(paged.length === 0
      ? [`export const ${name}Paging = {} as const;`]
      : [
          `export const ${name}Paging = {`,
          ...paged.map((p) => `  ${p.id}: ${JSON.stringify(p.paging)},`),
          "} as const;",
        ]),
    "",
  ];
  await writeFile(new URL(`${name}-operations.ts`, outDir), lines.join("\n"));
}
