/**
 * The server's view of the spec model (@cts-csms/spec): the APIs it serves (CTS, CSMS and its own
 * admin API) and the route table compiled from their paths once, at start-up. Everything the
 * server knows about paths, methods, declared statuses and paging comes from the model.
 */
import {
  type ApiModel,
  type ApiName,
  apis,
  bundledFile,
  HTTP_METHODS,
  type Operation,
} from "@cts-csms/spec";

export type { ApiName, Operation };

/** The APIs the server serves, by name. */
export const models = Object.fromEntries(apis().map((model) => [model.name, model])) as Readonly<
  Record<ApiName, ApiModel<ApiName>>
>;

/**
 * A number the spec states for a schema (a `maximum`, `maxItems`, …), read once at start-up so
 * that a limit is written only in the spec. `pointer` is a JSON pointer into the API's bundle.
 */
export function specNumber(api: ApiName, pointer: string, keyword: string): number {
  const value = (models[api].schemaAt(pointer) as Record<string, unknown>)[keyword];
  if (typeof value !== "number") throw new Error(`spec: ${api} ${pointer} needs a ${keyword}`);
  return value;
}

/** File paths of the bundled specs, served as-is at /openapi/{api}.json. */
export const specFiles = Object.fromEntries(
  apis().map((model) => [model.name, bundledFile(model.name)]),
) as Readonly<Record<ApiName, string>>;

export interface Route {
  api: ApiName;
  /** The path template, as in the spec. */
  path: string;
  regex: RegExp;
  paramNames: string[];
  /** Upper-case method → operation. */
  operations: ReadonlyMap<string, Operation<ApiName>>;
  /** The `Allow` header for a 405. */
  allow: string;
}

export interface RouteMatch {
  route: Route;
  /** Percent-decoded path parameters. */
  params: Record<string, string>;
}

function compile(model: ApiModel<ApiName>, path: string): Route {
  const paramNames: string[] = [];
  const pattern = path
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
  const operations = new Map<string, Operation<ApiName>>(
    model.paths.find((p) => p.path === path)?.operations ?? [],
  );
  return {
    api: model.name,
    path,
    // A trailing slash is tolerated, as Express and the validator do.
    regex: new RegExp(`^${pattern}/?$`),
    paramNames,
    operations,
    allow: HTTP_METHODS.filter((m) => operations.has(m)).join(", "),
  };
}

/** The route table of every API, compiled once. */
export const routes: readonly Route[] = apis().flatMap((model) =>
  model.paths.map((p) => compile(model, p.path)),
);

/**
 * Matches a request path against the spec's paths. Returns `undefined` for unknown paths; throws
 * `URIError` for undecodable parameters (the caller turns that into a 400).
 */
export function matchRoute(pathname: string): RouteMatch | undefined {
  for (const route of routes) {
    const m = route.regex.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.paramNames.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] as string);
    });
    return { route, params };
  }
  return undefined;
}

/**
 * Which API a request path belongs to, and so which error envelope it gets: the API whose paths
 * share its first segment (`/v1/` is CSMS). Unknown paths get CTS's.
 */
export function apiForPath(pathname: string): ApiName {
  for (const model of apis()) {
    if (model.pathPrefix && pathname.startsWith(model.pathPrefix)) return model.name;
  }
  return "cts";
}

/** Every operation of every API. */
export const operations: readonly Operation<ApiName>[] = apis().flatMap((m) => m.operations);

/** The APIs of Huawei Cloud the server stands in for (each of their paths starts with a project id). */
const SERVICES = ["cts", "csms"] as const satisfies readonly ApiName[];

/** The `project_id` path parameter's schema of each service API, from its operations. */
const projectIdSchemas = SERVICES.map((api) => {
  const param = models[api].operations
    .flatMap((op) => op.parameters)
    .find((p) => p.in === "path" && p.name === "project_id");
  if (!param?.schema) throw new Error(`spec: ${api} has no project_id path parameter`);
  return { api, schema: param.schema };
});

/**
 * Why no API path can address this project id (it fails an API's `project_id` schema), or
 * `undefined` when every API can. Seed and credentials files are checked with it at start-up.
 */
export function projectIdProblem(projectId: string): string | undefined {
  for (const { api, schema } of projectIdSchemas) {
    const { pattern, minLength, maxLength } = schema;
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
