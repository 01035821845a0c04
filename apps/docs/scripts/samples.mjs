// Request samples for every operation, generated from the bundled spec: a curl command and a
// call through @cts-csms/client, both filled in with the spec's own examples (parameter examples,
// the first request-body example). The build adds them to a copy of the spec as `x-codeSamples`,
// which Redoc shows next to each operation; test/samples.test.ts runs every one of them against
// the reference server. Nothing here is written per operation.

import { api as model } from "@cts-csms/spec";

/** The value a parameter's own examples give it: `example`, else the first of `examples`. */
function exampleOf(param) {
  if (param.example !== undefined) return param.example;
  const first = Object.values(param.examples)[0];
  if (first !== undefined) return first;
  if (param.schema.example !== undefined) return param.schema.example;
  if (param.schema.examples?.length) return param.schema.examples[0];
  return undefined;
}

/**
 * The base URL the samples call: the spec's loopback server (the reference server of
 * `npm start`), so every sample runs as shown; `regional` is the service's own endpoint (none for
 * the reference server's own admin API).
 */
export function sampleServers(spec) {
  const servers = spec.servers ?? [];
  const local = servers.find((s) => /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(s.url));
  if (!local) throw new Error(`${spec.info.title}: no loopback server in servers`);
  const remote = servers.find((s) => s !== local);
  const variables = remote?.variables ?? {};
  const regional = remote?.url.replace(/\{(\w+)\}/g, (_, name) => {
    const value = variables[name]?.default;
    if (value === undefined) throw new Error(`server variable {${name}} has no default`);
    return value;
  });
  return { local: local.url.replace(/\/$/, ""), regional, region: variables.region?.default };
}

/** The request an operation's examples describe: method, path, query, body and auth header. */
export function exampleRequest(apiModel, operation) {
  const id = operation.operationId;
  const pathParams = {};
  const query = [];
  for (const param of operation.parameters) {
    if (param.in !== "path" && !(param.in === "query" && param.required)) continue;
    const value = exampleOf(param);
    if (value === undefined) {
      throw new Error(`${id}: parameter ${param.name} has no example for the code samples`);
    }
    if (param.in === "path") pathParams[param.name] = String(value);
    else query.push({ name: param.name, value: String(value), allowReserved: param.allowReserved });
  }
  let body;
  if (operation.requestBody) {
    if (!operation.requestBody.mediaTypes.includes("application/json")) {
      throw new Error(`${id}: the code samples only know JSON request bodies`);
    }
    body = Object.values(operation.requestBody.examples)[0];
    if (body === undefined) throw new Error(`${id}: the request body has no example`);
  }
  const token = operation.security.length > 0 ? authHeader(apiModel) : undefined;
  return { method: operation.method, path: operation.path, pathParams, query, body, token };
}

/** The header of the spec's token scheme (`X-Auth-Token`): samples authenticate with a token. */
function authHeader(apiModel) {
  for (const [name, scheme] of Object.entries(apiModel.securitySchemes)) {
    if (scheme.type === "apiKey" && scheme.in === "header" && scheme.name !== "Authorization") {
      return { header: scheme.name, scheme: name };
    }
  }
  throw new Error(`${apiModel.info.title}: no token (apiKey header) security scheme`);
}

const encode = (value, allowReserved) =>
  allowReserved
    ? encodeURI(value).replace(/[#&?]/g, (c) => encodeURIComponent(c))
    : encodeURIComponent(value);

function requestUrl(base, request) {
  const path = request.path.replace(/\{(\w+)\}/g, (_, name) =>
    encodeURIComponent(request.pathParams[name]),
  );
  const query = request.query
    .map(({ name, value, allowReserved }) => `${name}=${encode(value, allowReserved)}`)
    .join("&");
  return `${base}${path}${query ? `?${query}` : ""}`;
}

const shellQuote = (s) => `'${s.replaceAll("'", `'\\''`)}'`;

function curlSample(api, servers, request) {
  const method = request.method === "GET" ? "" : ` -X ${request.method}`;
  const lines = [`curl -i${method} ${shellQuote(requestUrl(servers.local, request))}`];
  if (request.token) lines.push(`-H "${request.token.header}: $IAM_TOKEN"`);
  if (request.body !== undefined) {
    lines.push("-H 'Content-Type: application/json'");
    lines.push(`--data ${shellQuote(literal(request.body, { json: true }))}`);
  }
  const notes = request.token
    ? [
        "# IAM_TOKEN: an IAM token (the reference server of `npm start` accepts any).",
        `# The ${api.label} service itself: ${servers.regional}`,
      ]
    : ["# The reference server's own API: no credentials."];
  return [...notes, lines.join(" \\\n  ")].join("\n");
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A JSON value as source text: short objects and arrays on one line, longer ones one entry per
 * line. `json: true` gives JSON (curl bodies); otherwise a TypeScript literal in the
 * repository's style (unquoted keys, trailing commas).
 */
// 72 columns: about what the docs' sample panel shows without wrapping on a laptop screen.
export function literal(
  value,
  { json = false, indent = "", offset = indent.length, width = 72 } = {},
) {
  const key = (k) => (!json && IDENTIFIER.test(k) ? k : JSON.stringify(k));
  const flat = (v) => {
    if (Array.isArray(v)) return `[${v.map(flat).join(", ")}]`;
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v).map(([k, x]) => `${key(k)}: ${flat(x)}`);
      return entries.length ? `{ ${entries.join(", ")} }` : "{}";
    }
    return JSON.stringify(v);
  };
  // `start`: the column the value starts at (its first line may follow other text).
  const render = (v, ind, start = ind.length) => {
    if (v === null || typeof v !== "object") return JSON.stringify(v);
    const oneLine = flat(v);
    if (start + oneLine.length <= width) return oneLine;
    const inner = `${ind}  `;
    const comma = json ? "" : ",";
    const items = Array.isArray(v)
      ? v.map((x) => `${inner}${render(x, inner)}`)
      : Object.entries(v).map(
          ([k, x]) => `${inner}${key(k)}: ${render(x, inner, inner.length + key(k).length + 2)}`,
        );
    const body = items.join(`,\n`) + comma;
    return Array.isArray(v) ? `[\n${body}\n${ind}]` : `{\n${body}\n${ind}}`;
  };
  return render(value, indent, offset);
}

function clientSample(api, servers, request, operation, hasContent) {
  const projectId = request.pathParams.project_id;
  // A client made with `projectId` fills in project_id; the admin client (no credentials) has none.
  const path = Object.fromEntries(
    Object.entries(request.pathParams).filter(([name]) => !request.token || name !== "project_id"),
  );
  const init = {};
  const params = {};
  if (Object.keys(path).length > 0) params.path = path;
  if (request.query.length > 0) {
    params.query = Object.fromEntries(request.query.map(({ name, value }) => [name, value]));
  }
  if (Object.keys(params).length > 0) init.params = params;
  if (request.body !== undefined) init.body = request.body;
  // One line when it fits, else the call on its own line inside unwrap( ... ).
  const method = `${api.id}.${operation.operationId}`;
  const assign = hasContent ? "const result = " : "";
  const args = (offset) =>
    Object.keys(init).length > 0 ? literal(init, { indent: "  ", offset }) : "";
  const short = `${assign}unwrap(await ${method}(${args(Number.POSITIVE_INFINITY)}));`;
  const call =
    !short.includes("\n") && short.length <= 72
      ? [short]
      : [`${assign}unwrap(`, `  await ${method}(${args(`  await ${method}(`.length)}),`, ");"];
  const errorClass = request.token
    ? `${api.label.charAt(0)}${api.label.slice(1).toLowerCase()}ApiError`
    : "an ApiError";
  const result = hasContent
    ? [
        `// unwrap() returns the response body, or throws ${errorClass} on a 4xx/5xx answer.`,
        ...call,
        "console.log(result);",
      ]
    : [
        `// ${operation.responseStatus}: no response body; unwrap() throws ${errorClass} on a 4xx/5xx answer.`,
        ...call,
      ];
  const options = request.token
    ? [
        `  endpoint: ${JSON.stringify(servers.local)}, // the reference server`,
        `  // region: ${JSON.stringify(servers.region)}, // the ${api.label} service itself`,
        `  projectId: ${JSON.stringify(projectId)},`,
        "  auth: { token: process.env.IAM_TOKEN! }, // or { ak, sk }: signed requests",
      ]
    : [`  endpoint: ${JSON.stringify(servers.local)}, // the reference server`];
  return [
    `import { ${api.clientFactory}, unwrap } from "@cts-csms/client";`,
    "",
    `const ${api.id} = ${api.clientFactory}({`,
    ...options,
    "});",
    "",
    ...result,
  ].join("\n");
}

/** Every operation's samples: `{ api, operationId, method, path, curl, typescript }`. */
export function codeSamples(api) {
  const apiModel = model(api.id);
  const servers = sampleServers(apiModel.document);
  return apiModel.operations.map((operation) => {
    const request = exampleRequest(apiModel, operation);
    const success = operation.responses.find((r) => r.status === String(operation.successStatus));
    if (!success) throw new Error(`${operation.operationId}: no 2xx response`);
    const hasContent = success.mediaTypes.length > 0;
    return {
      api: api.id,
      operationId: operation.operationId,
      method: request.method,
      path: operation.path,
      curl: curlSample(api, servers, request),
      typescript: clientSample(
        api,
        servers,
        request,
        { operationId: operation.operationId, responseStatus: success.status },
        hasContent,
      ),
    };
  });
}

/** Redoc's tab labels and highlighting languages for the two samples. */
export const SAMPLE_TABS = [
  { key: "curl", lang: "Shell", label: "curl" },
  { key: "typescript", lang: "TypeScript", label: "TypeScript client" },
];

/** A copy of the spec whose operations carry their samples as `x-codeSamples`. */
export function withCodeSamples(api) {
  const copy = structuredClone(model(api.id).document);
  for (const sample of codeSamples(api)) {
    copy.paths[sample.path][sample.method.toLowerCase()]["x-codeSamples"] = SAMPLE_TABS.map(
      ({ key, lang, label }) => ({ lang, label, source: sample[key] }),
    );
  }
  return copy;
}
