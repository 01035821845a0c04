import type { paths as CsmsPaths } from "@cts-csms/types/csms";
import type { paths as CtsPaths } from "@cts-csms/types/cts";
import createClient, { mergeHeaders } from "openapi-fetch";
import { createAuthMiddleware } from "./auth.js";
import { type ApiName, throwOnErrorMiddleware } from "./errors.js";
import {
  csmsOperations,
  csmsPageCursors,
  csmsPagination,
  csmsServer,
  csmsTokenHeader,
} from "./generated/csms-operations.js";
import {
  ctsOperations,
  ctsPageCursors,
  ctsPagination,
  ctsServer,
  ctsTokenHeader,
} from "./generated/cts-operations.js";
import { type ClientOptions, resolveOptions } from "./options.js";
import { createTransport } from "./transport.js";
import type { ApiClient, ClientPaths, OperationMap } from "./types.js";

export type { ClientOptions } from "./options.js";

/**
 * CTS client. `DefaultProject` is true when created with `projectId` (then `project_id` is
 * optional per call); `CtsClient` alone accepts either kind.
 */
export type CtsClient<DefaultProject extends boolean = false> = ApiClient<
  ClientPaths<CtsPaths, DefaultProject>,
  typeof ctsOperations,
  typeof ctsPagination
>;

/**
 * CSMS client. `DefaultProject` is true when created with `projectId` (then `project_id` is
 * optional per call); `CsmsClient` alone accepts either kind.
 */
export type CsmsClient<DefaultProject extends boolean = false> = ApiClient<
  ClientPaths<CsmsPaths, DefaultProject>,
  typeof csmsOperations,
  typeof csmsPagination
>;

const METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;

/** How one paged operation pages: items property, marker query parameter, next marker's path. */
export interface PageCursor {
  items: string;
  param: string;
  next: readonly string[];
}

/** Paged operations of each client, for `paginate` (the type side is a brand on the client). */
export const clientPagination = new WeakMap<object, Readonly<Record<string, PageCursor>>>();

type Init = { params?: { path?: Record<string, unknown> }; headers?: unknown } & Record<
  string,
  unknown
>;

interface ApiDefinition {
  api: ApiName;
  fn: string;
  server: string;
  tokenHeader: string;
  operations: OperationMap;
  pagination: Readonly<Record<string, string>>;
  cursors: Readonly<Record<string, { param: string; next: readonly string[] }>>;
}

function createApiClient(def: ApiDefinition, options: ClientOptions): any {
  const config = resolveOptions(def.fn, def.server, options);
  const aksk = config.auth !== undefined && "ak" in config.auth;
  const auth = config.auth && createAuthMiddleware(config.auth, { tokenHeader: def.tokenHeader });
  const base = createClient<any>({
    baseUrl: config.baseUrl,
    headers: config.headers,
    fetch: createTransport({
      api: def.api,
      fetch: config.fetch,
      authorize: auth && ((request) => auth.onRequest({ request })),
      timeoutMs: config.timeoutMs,
      retry: config.retry,
    }),
  });
  if (config.throwOnError) base.use(throwOnErrorMiddleware(def.api));

  // Path parameters are serialised before any middleware runs, so the default project is filled
  // in here, on the way into openapi-fetch.
  const fill = (init: Init | undefined): Init | undefined => {
    const path = init?.params?.path;
    const projectId = path?.project_id ?? config.projectId;
    if (projectId === undefined) return init;
    const next: Init = {
      ...init,
      params: { ...init?.params, path: { ...path, project_id: projectId } },
    };
    // AK/SK requests say which project they act on, signed like every x-* header.
    if (aksk)
      next.headers = mergeHeaders({ "X-Project-Id": String(projectId) }, init?.headers as any);
    return next;
  };

  const raw: Record<string, unknown> = { ...base };
  for (const method of METHODS) {
    raw[method] = (url: string, init?: Init) => (base as any)[method](url, fill(init));
  }
  raw.request = (method: string, url: string, init?: Init) =>
    base.request(method as any, url as never, fill(init) as any);

  const client: Record<string, unknown> = { ...raw, raw };
  for (const [id, { method, path }] of Object.entries(def.operations)) {
    const call = raw[method.toUpperCase()] as (url: string, init?: Init) => unknown;
    client[id] = (init?: Init) => call(path, init);
  }
  const paged: Record<string, PageCursor> = {};
  for (const [id, items] of Object.entries(def.pagination)) {
    const cursor = def.cursors[id];
    if (cursor) paged[id] = { items, param: cursor.param, next: cursor.next };
  }
  clientPagination.set(client, paged);
  return client;
}

/**
 * Creates a CTS v3 client (key event notifications).
 *
 * @example
 * const cts = createCtsClient({ region: "cn-north-4", projectId, auth: { token } });
 * const { data, error } = await cts.listNotifications({ params: { path: { notification_type: "smn" } } });
 */
export function createCtsClient(options: ClientOptions & { projectId: string }): CtsClient<true>;
export function createCtsClient(options: ClientOptions): CtsClient<false>;
export function createCtsClient(options: ClientOptions): CtsClient {
  return createApiClient(
    {
      api: "cts",
      fn: "createCtsClient",
      server: ctsServer,
      tokenHeader: ctsTokenHeader,
      operations: ctsOperations,
      pagination: ctsPagination,
      cursors: ctsPageCursors,
    },
    options,
  );
}

/**
 * Creates a CSMS v1 client (secret events, notification records).
 *
 * @example
 * const csms = createCsmsClient({ region: "cn-north-4", projectId }); // AK/SK from CLOUD_SDK_AK / CLOUD_SDK_SK
 * for await (const event of paginateSecretEvents(csms)) console.log(event.name);
 */
export function createCsmsClient(options: ClientOptions & { projectId: string }): CsmsClient<true>;
export function createCsmsClient(options: ClientOptions): CsmsClient<false>;
export function createCsmsClient(options: ClientOptions): CsmsClient {
  return createApiClient(
    {
      api: "csms",
      fn: "createCsmsClient",
      server: csmsServer,
      tokenHeader: csmsTokenHeader,
      operations: csmsOperations,
      pagination: csmsPagination,
      cursors: csmsPageCursors,
    },
    options,
  );
}
