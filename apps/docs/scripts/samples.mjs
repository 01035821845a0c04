// Request samples for every operation, generated from the bundled spec: a curl command and a
// call through @cts-csms/client, both filled in with the spec's own examples (parameter examples,
// the first request-body example). The build adds them to a copy of the spec as `x-codeSamples`,
// which Redoc shows next to each operation; test/samples.test.ts runs every one of them, in the
// order a reader meets them (readerOrder), against one fresh reference server. A value the server
// assigns (a notification's id) cannot be an example: the spec marks the parameter or property
// with `x-sample-from` (the operation and the property of its answer), and the samples read it
// from a variable named after that property. Nothing here is written per operation.

import { api as model } from "@cts-csms/spec";
import { readerOrder } from "./site.mjs";

/** Follows local `$ref`s in the bundled document. */
function resolve(doc, node) {
  while (node && typeof node.$ref === "string") {
    node = node.$ref
      .slice(2)
      .split("/")
      .reduce((at, token) => at?.[token.replaceAll("~1", "/").replaceAll("~0", "~")], doc);
  }
  return node;
}

/** The operation object as written in the bundled document (its `x-…` fields included). */
function rawOperation(doc, operation) {
  return resolve(doc, doc.paths[operation.path])[operation.method.toLowerCase()];
}

/**
 * A value taken from an earlier answer (`x-sample-from: { operationId, property }`): the
 * variable the samples read it from, named after the property (`NOTIFICATION_ID`).
 */
export class SampleVariable {
  constructor({ operationId, property }) {
    this.operationId = operationId;
    this.property = property;
    this.name = property.toUpperCase();
  }
  /** Where the text holds the variable until the sample's language fills it in. */
  get marker() {
    return `\u0001${this.name}\u0001`;
  }
  get note() {
    return `${this.name}: the ${this.property} that ${this.operationId} answered`;
  }
}

/** The variables a value holds, in order of first appearance. */
function variablesIn(value, found = new Map()) {
  if (value instanceof SampleVariable) found.set(value.name, value);
  else if (value && typeof value === "object") {
    for (const v of Object.values(value)) variablesIn(v, found);
  }
  return found;
}

/** A body example with the properties that `x-sample-from` marks replaced by their variables. */
function withVariables(doc, schema, value) {
  const properties = resolve(doc, schema)?.properties ?? {};
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  const copy = { ...value };
  for (const [name, property] of Object.entries(properties)) {
    const from = property["x-sample-from"];
    if (from && name in copy) copy[name] = new SampleVariable(from);
  }
  return copy;
}

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

/**
 * The requests an operation's examples describe: method, path, query, auth header, and the
 * bodies (`bodies`, each `{ name, summary, value }`; none without a body): the first request-body
 * example, and each further one marked `x-sample: true` (one the story needs later, such as a
 * second secret).
 */
export function exampleRequest(apiModel, operation) {
  const id = operation.operationId;
  const doc = apiModel.document;
  const raw = rawOperation(doc, operation);
  const rawParams = [
    ...(resolve(doc, doc.paths[operation.path]).parameters ?? []),
    ...(raw.parameters ?? []),
  ].map((p) => resolve(doc, p));
  const pathParams = {};
  const query = [];
  for (const param of operation.parameters) {
    if (param.in !== "path" && !(param.in === "query" && param.required)) continue;
    const from = rawParams.findLast((p) => p.name === param.name && p.in === param.in)?.[
      "x-sample-from"
    ];
    const value = from ? new SampleVariable(from) : exampleOf(param);
    if (value === undefined) {
      throw new Error(`${id}: parameter ${param.name} has no example for the code samples`);
    }
    const text = value instanceof SampleVariable ? value : String(value);
    if (param.in === "path") pathParams[param.name] = text;
    else query.push({ name: param.name, value: text, allowReserved: param.allowReserved });
  }
  const bodies = [];
  if (operation.requestBody) {
    if (!operation.requestBody.mediaTypes.includes("application/json")) {
      throw new Error(`${id}: the code samples only know JSON request bodies`);
    }
    const media = resolve(doc, raw.requestBody).content["application/json"];
    for (const [i, [name, example]] of Object.entries(media.examples ?? {}).entries()) {
      const { summary, value, "x-sample": sample } = resolve(doc, example);
      if (i > 0 && sample !== true) continue;
      bodies.push({
        name,
        summary: summary ?? name,
        value: withVariables(doc, media.schema, value),
      });
    }
    if (bodies.length === 0) throw new Error(`${id}: the request body has no example`);
  }
  const token = operation.security.length > 0 ? authHeader(apiModel) : undefined;
  return { method: operation.method, path: operation.path, pathParams, query, bodies, token };
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
  value instanceof SampleVariable
    ? value.marker
    : allowReserved
      ? encodeURI(value).replace(/[#&?]/g, (c) => encodeURIComponent(c))
      : encodeURIComponent(value);

function requestUrl(base, request) {
  const path = request.path.replace(/\{(\w+)\}/g, (_, name) =>
    encode(request.pathParams[name], false),
  );
  const query = request.query
    .map(({ name, value, allowReserved }) => `${name}=${encode(value, allowReserved)}`)
    .join("&");
  return `${base}${path}${query ? `?${query}` : ""}`;
}

const shellQuote = (s) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Single-quoted shell text whose variables are expanded: `'…'"$NOTIFICATION_ID"'…'`. */
function shellText(text, variables) {
  let quoted = shellQuote(text);
  for (const v of variables.values()) quoted = quoted.replaceAll(v.marker, `'"$${v.name}"'`);
  // A variable at the end leaves an empty '' behind (an escaped quote is '\'', never "'').
  return quoted.replaceAll(`"''`, '"');
}

function curlSample(api, servers, request, variables, stream = false) {
  const method = request.method === "GET" ? "" : ` -X ${request.method}`;
  // An event stream: shown as it arrives (-N), until Ctrl-C.
  const flags = stream ? "-iN" : "-i";
  const command = (body) => {
    const lines = [
      `curl ${flags}${method} ${shellText(requestUrl(servers.local, request), variables)}`,
    ];
    if (request.token) lines.push(`-H "${request.token.header}: $IAM_TOKEN"`);
    if (body !== undefined) {
      lines.push("-H 'Content-Type: application/json'");
      lines.push(`--data ${shellText(literal(body.value, { json: true }), variables)}`);
    }
    return lines.join(" \\\n  ");
  };
  const notes = request.token
    ? [
        "# IAM_TOKEN: an IAM token (the reference server of `npm start` accepts any).",
        `# The ${api.label} service itself: ${servers.regional}`,
      ]
    : ["# The reference server's own API: no credentials."];
  for (const v of variables.values()) notes.push(`# ${v.note}.`);
  if (stream) notes.push("# An event stream: it runs until you stop it (Ctrl-C).");
  if (request.bodies.length <= 1) return [...notes, command(request.bodies[0])].join("\n");
  // Every request example, one command each, under its summary.
  return [...notes, ...request.bodies.map((b) => `\n# ${b.summary}\n${command(b)}`)].join("\n");
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
  // A variable: its marker inside a JSON string, `process.env.NAME!` in TypeScript.
  const variable = (v) => (json ? `"${v.marker}"` : `process.env.${v.name}!`);
  const flat = (v) => {
    if (v instanceof SampleVariable) return variable(v);
    if (Array.isArray(v)) return `[${v.map(flat).join(", ")}]`;
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v).map(([k, x]) => `${key(k)}: ${flat(x)}`);
      return entries.length ? `{ ${entries.join(", ")} }` : "{}";
    }
    return JSON.stringify(v);
  };
  // `start`: the column the value starts at (its first line may follow other text).
  const render = (v, ind, start = ind.length) => {
    if (v instanceof SampleVariable) return variable(v);
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

function clientSample(api, servers, request, operation, hasContent, variables) {
  const projectId = request.pathParams.project_id;
  // A client made with `projectId` fills in project_id; the admin client (no credentials) has none.
  const path = Object.fromEntries(
    Object.entries(request.pathParams).filter(([name]) => !request.token || name !== "project_id"),
  );
  const params = {};
  if (Object.keys(path).length > 0) params.path = path;
  if (request.query.length > 0) {
    params.query = Object.fromEntries(request.query.map(({ name, value }) => [name, value]));
  }
  const method = `${api.id}.${operation.operationId}`;
  // One line when it fits, else the call on its own line inside unwrap( ... ).
  const call = (body, assign) => {
    const init = {};
    if (Object.keys(params).length > 0) init.params = params;
    if (body !== undefined) init.body = body.value;
    const args = (offset) =>
      Object.keys(init).length > 0 ? literal(init, { indent: "  ", offset }) : "";
    const short = `${assign}unwrap(await ${method}(${args(Number.POSITIVE_INFINITY)}));`;
    return !short.includes("\n") && short.length <= 72
      ? [short]
      : [`${assign}unwrap(`, `  await ${method}(${args(`  await ${method}(`.length)}),`, ");"];
  };
  const errorClass = request.token
    ? `${api.label.charAt(0)}${api.label.slice(1).toLowerCase()}ApiError`
    : "an ApiError";
  const head = hasContent
    ? `// unwrap() returns the response body, or throws ${errorClass} on a 4xx/5xx answer.`
    : `// ${operation.responseStatus}: no response body; unwrap() throws ${errorClass} on a 4xx/5xx answer.`;
  const notes = [...variables.values()].map((v) => `// ${v.note}.`);
  let result;
  if (request.bodies.length <= 1) {
    const assign = hasContent ? "const result = " : "";
    result = [
      head,
      ...call(request.bodies[0], assign),
      ...(hasContent ? ["console.log(result);"] : []),
    ];
  } else {
    // Every request example, one call each under its summary, its answer named after it.
    result = [head];
    for (const body of request.bodies) {
      const name = body.name.charAt(0).toLowerCase() + body.name.slice(1);
      result.push("", `// ${body.summary}`);
      result.push(...call(body, hasContent ? `const ${name} = ` : ""));
      if (hasContent) result.push(`console.log(${name});`);
    }
  }
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
    ...(notes.length ? ["", ...notes] : []),
    "",
    ...result,
  ].join("\n");
}

/**
 * Every operation's samples, in reader order: `{ api, operationId, method, path, variables, curl,
 * typescript, stream }`. `stream`: the answer is an event stream (`text/event-stream`), which
 * does not end while the server runs, so the samples test does not run it to its end (the
 * server's own test reads the stream).
 */
export function codeSamples(api) {
  const apiModel = model(api.id);
  const servers = sampleServers(apiModel.document);
  return readerOrder(apiModel).map((operation) => {
    const request = exampleRequest(apiModel, operation);
    const variables = variablesIn([request.pathParams, request.query, request.bodies]);
    const success = operation.responses.find((r) => r.status === String(operation.successStatus));
    if (!success) throw new Error(`${operation.operationId}: no 2xx response`);
    const hasContent = success.mediaTypes.length > 0;
    const stream = success.mediaTypes.includes("text/event-stream");
    return {
      api: api.id,
      operationId: operation.operationId,
      method: request.method,
      path: operation.path,
      // The earlier answers this sample reads (`{ name, operationId, property }`).
      variables: [...variables.values()],
      curl: curlSample(api, servers, request, variables, stream),
      typescript: clientSample(
        api,
        servers,
        request,
        { operationId: operation.operationId, responseStatus: success.status },
        hasContent,
        variables,
      ),
      stream,
    };
  });
}

/** Redoc's tab labels and highlighting languages for the two samples. */
export const SAMPLE_TABS = [
  { key: "curl", lang: "Shell", label: "curl" },
  { key: "typescript", lang: "TypeScript", label: "TypeScript client" },
];

/**
 * A copy of the spec whose operations carry their samples as `x-codeSamples`. A request example
 * marked `x-sample` is shown by the samples only: a second example would give the payload panel
 * an example menu, which Redoc draws over the samples' language menu.
 */
export function withCodeSamples(api) {
  const copy = structuredClone(model(api.id).document);
  for (const sample of codeSamples(api)) {
    const operation = copy.paths[sample.path][sample.method.toLowerCase()];
    operation["x-codeSamples"] = SAMPLE_TABS.map(({ key, lang, label }) => ({
      lang,
      label,
      source: sample[key],
    }));
    const examples = resolve(copy, operation.requestBody)?.content?.["application/json"]?.examples;
    for (const [name, example] of Object.entries(examples ?? {})) {
      if (resolve(copy, example)["x-sample"] === true) delete examples[name];
    }
  }
  return copy;
}
