/**
 * The bundled specs, loaded once, and the route table derived from them. Everything the server
 * knows about paths, methods, declared statuses and parameter limits comes from here.
 */
import { createRequire } from "node:module";

export type ApiName = "cts" | "csms";

/** The slice of an OpenAPI 3.1 document this module reads; the validator gets the whole object. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

interface ParameterObject {
  name: string;
  in: string;
  schema?: Record<string, unknown>;
}

interface OperationObject {
  operationId: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}

const require = createRequire(import.meta.url);

export const specs: Readonly<Record<ApiName, OpenApiDocument>> = {
  cts: require("@cts-csms/openapi/cts.json") as OpenApiDocument,
  csms: require("@cts-csms/openapi/csms.json") as OpenApiDocument,
};

/** File paths of the bundled specs, served as-is at /openapi/{api}.json. */
export const specFiles: Readonly<Record<ApiName, string>> = {
  cts: require.resolve("@cts-csms/openapi/cts.json"),
  csms: require.resolve("@cts-csms/openapi/csms.json"),
};

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

export interface OperationInfo {
  api: ApiName;
  operationId: string;
  method: string;
  specPath: string;
  hasBody: boolean;
  /** Media types the request body may have (lower-case), from `requestBody.content`. */
  mediaTypes: readonly string[];
  /** Statuses the spec declares for this operation. */
  statuses: ReadonlySet<number>;
}

export interface PathInfo {
  api: ApiName;
  specPath: string;
  regex: RegExp;
  paramNames: string[];
  /** Upper-case method → operation. */
  operations: ReadonlyMap<string, OperationInfo>;
  /** The `Allow` header for a 405. */
  allow: string;
}

export interface RouteMatch {
  path: PathInfo;
  /** Percent-decoded path parameters. */
  params: Record<string, string>;
}

/** Resolves a local `$ref` (`#/components/...`) once; the bundled spec only has local refs. */
export function deref<T>(doc: OpenApiDocument, value: unknown): T {
  let current = value as Record<string, unknown>;
  for (let hops = 0; hops < 16 && current && typeof current.$ref === "string"; hops++) {
    const parts = (current.$ref as string).replace(/^#\//, "").split("/");
    let target: unknown = doc;
    for (const part of parts) target = (target as Record<string, unknown>)[part];
    current = target as Record<string, unknown>;
  }
  return current as T;
}

function compilePath(api: ApiName, doc: OpenApiDocument, specPath: string): PathInfo {
  const paramNames: string[] = [];
  const pattern = specPath
    .split("/")
    .map((segment) => {
      const m = /^\{([^}]+)\}$/.exec(segment);
      if (m) {
        paramNames.push(m[1] as string);
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  const operations = new Map<string, OperationInfo>();
  const item = doc.paths[specPath] as Record<string, unknown>;
  for (const method of HTTP_METHODS) {
    const op = item[method] as OperationObject | undefined;
    if (!op) continue;
    const statuses = new Set(Object.keys(op.responses ?? {}).map(Number));
    const requestBody = op.requestBody
      ? deref<{ content?: Record<string, unknown> }>(doc, op.requestBody)
      : undefined;
    operations.set(method.toUpperCase(), {
      api,
      operationId: op.operationId,
      method: method.toUpperCase(),
      specPath,
      hasBody: requestBody !== undefined,
      mediaTypes: Object.keys(requestBody?.content ?? {}).map((t) => t.toLowerCase()),
      statuses,
    });
  }
  return {
    api,
    specPath,
    // A trailing slash is tolerated, as Express and the validator do.
    regex: new RegExp(`^${pattern}/?$`),
    paramNames,
    operations,
    allow: [...operations.keys()].join(", "),
  };
}

/** The route table of both APIs, compiled at start-up. */
export const routes: readonly PathInfo[] = (["cts", "csms"] as const).flatMap((api) =>
  Object.keys(specs[api].paths).map((p) => compilePath(api, specs[api], p)),
);

/**
 * Matches a request path against the spec's paths. Returns `undefined` for unknown paths; throws
 * `URIError` for undecodable parameters (the caller turns that into a 400).
 */
export function matchRoute(pathname: string): RouteMatch | undefined {
  for (const path of routes) {
    const m = path.regex.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    path.paramNames.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] as string);
    });
    return { path, params };
  }
  return undefined;
}

/** The schema of an operation's query parameter, with `$ref`s resolved. */
export function queryParameterSchema(
  api: ApiName,
  operationId: string,
  name: string,
): Record<string, unknown> {
  const doc = specs[api];
  for (const item of Object.values(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as OperationObject | undefined;
      if (op?.operationId !== operationId) continue;
      for (const raw of [...((item.parameters as unknown[]) ?? []), ...(op.parameters ?? [])]) {
        const param = deref<ParameterObject>(doc, raw);
        if (param.in === "query" && param.name === name) {
          return deref<Record<string, unknown>>(doc, param.schema ?? {});
        }
      }
    }
  }
  throw new Error(`spec: ${api} ${operationId} has no query parameter ${name}`);
}

/** `limit` paging bounds of a list operation, read from its parameter schema. */
export function pagingLimits(api: ApiName, operationId: string): { default: number; max: number } {
  const schema = queryParameterSchema(api, operationId, "limit");
  const max = schema.maximum;
  const def = schema.default;
  if (typeof max !== "number" || typeof def !== "number") {
    throw new Error(`spec: ${api} ${operationId} limit needs a default and a maximum`);
  }
  return { default: def, max };
}

/**
 * The first path segment every path of an API shares (`/v3/` for CTS, `/v1/` for CSMS): which
 * API, and so which error envelope, a request path belongs to.
 */
export const pathPrefix = Object.fromEntries(
  (["cts", "csms"] as const).map((api) => {
    const prefixes = new Set(Object.keys(specs[api].paths).map((p) => `/${p.split("/")[1]}/`));
    if (prefixes.size !== 1) throw new Error(`spec: ${api} paths do not share one version prefix`);
    return [api, [...prefixes][0] as string];
  }),
) as Record<ApiName, string>;

/** The operation with this operationId, from the route table. */
export function operationById(operationId: string): OperationInfo {
  for (const path of routes) {
    for (const op of path.operations.values()) if (op.operationId === operationId) return op;
  }
  throw new Error(`spec: no operation ${operationId}`);
}

/** Every operationId of an API, to check that each has a handler at start-up. */
export function operationIds(api: ApiName): string[] {
  return routes
    .filter((p) => p.api === api)
    .flatMap((p) => [...p.operations.values()].map((o) => o.operationId));
}

/** The schema of the `project_id` path parameter (shared by every operation of an API). */
export function projectIdSchema(api: ApiName): Record<string, unknown> {
  const doc = specs[api];
  const param = deref<ParameterObject>(doc, { $ref: "#/components/parameters/ProjectId" });
  return deref<Record<string, unknown>>(doc, param.schema ?? {});
}

/**
 * Why no API path can address this project id (it fails an API's `project_id` pattern), or
 * `undefined` when every API can. Seed and credentials files are checked with it at start-up.
 */
export function projectIdProblem(projectId: string): string | undefined {
  for (const api of ["cts", "csms"] as const) {
    const { pattern, minLength, maxLength } = projectIdSchema(api);
    const fits =
      (typeof pattern !== "string" || new RegExp(pattern, "u").test(projectId)) &&
      (typeof minLength !== "number" || projectId.length >= minLength) &&
      (typeof maxLength !== "number" || projectId.length <= maxLength);
    if (!fits) {
      const rule = typeof pattern === "string" ? ` must match ${pattern}` : " has the wrong length";
      return `${JSON.stringify(projectId)} is not a valid project_id: the ${api} API's project_id${rule}`;
    }
  }
  return undefined;
}
