/**
 * The server's view of the spec model (@cts-csms/spec): the bundled APIs it serves and the route
 * table compiled from their paths at start-up. Everything the server knows about paths, methods,
 * declared statuses and paging comes from the model.
 */
import {
  type ApiModel,
  type ApiName,
  api,
  apis,
  bundledFile,
  HTTP_METHODS,
  type Operation,
  type PathModel,
} from "@cts-csms/spec";

export type { ApiName, Operation };

/** The APIs the server serves, by name. */
export const models: Readonly<Record<ApiName, ApiModel<ApiName>>> = Object.fromEntries(
  apis().map((model) => [model.name, model]),
) as Record<ApiName, ApiModel<ApiName>>;

/** File paths of the bundled specs, served as-is at /openapi/{api}.json. */
export const specFiles = Object.fromEntries(
  apis().map((model) => [model.name, bundledFile(model.name)]),
) as Readonly<Record<ApiName, string>>;

export interface Route {
  api: ApiName;
  path: PathModel<ApiName>;
  regex: RegExp;
  paramNames: string[];
  /** The `Allow` header for a 405. */
  allow: string;
}

export interface RouteMatch {
  route: Route;
  /** Percent-decoded path parameters. */
  params: Record<string, string>;
}

function compile(apiName: ApiName, path: PathModel<ApiName>): Route {
  const paramNames: string[] = [];
  const pattern = path.path
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
  return {
    api: apiName,
    path,
    // A trailing slash is tolerated, as Express and the validator do.
    regex: new RegExp(`^${pattern}/?$`),
    paramNames,
    allow: HTTP_METHODS.filter((m) => path.operations.has(m)).join(", "),
  };
}

/** The route table of every API, compiled once. */
export const routes: readonly Route[] = apis().flatMap((model) =>
  model.paths.map((path) => compile(model.name, path)),
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

/** The first path segment every path of an API shares: which API a request path belongs to. */
export const pathPrefix = Object.fromEntries(
  apis().map((model) => {
    if (!model.pathPrefix) throw new Error(`spec: ${model.name} paths do not share one prefix`);
    return [model.name, model.pathPrefix];
  }),
) as Record<ApiName, string>;

/** The operation with this operationId, in whichever API declares it. */
export function operationById(operationId: string): Operation<ApiName> {
  for (const model of apis()) {
    const op = model.operations.find((o) => o.operationId === operationId);
    if (op) return op;
  }
  throw new Error(`spec: no operation ${operationId}`);
}

/** `limit` paging bounds of a list operation, from its `x-paging`. */
export function pagingLimits(apiName: ApiName, operationId: string) {
  const limit = api(apiName).operation(operationId).paging?.limit;
  if (!limit) throw new Error(`spec: ${apiName} ${operationId} declares no paged limit`);
  return { default: limit.default, max: limit.maximum };
}
