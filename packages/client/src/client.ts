import type { paths as AdminPaths } from "@cts-csms/types/admin";
import type { paths as CsmsPaths } from "@cts-csms/types/csms";
import type { paths as CtsPaths } from "@cts-csms/types/cts";
import createClient, { mergeHeaders } from "openapi-fetch";
import { createAuthMiddleware } from "./auth.js";
import { type ApiName, throwOnError } from "./errors.js";
import {
  adminOperations,
  adminPaging,
  adminServer,
  adminTokenHeader,
} from "./generated/admin-operations.js";
import {
  csmsOperations,
  csmsPaging,
  csmsServer,
  csmsTokenHeader,
} from "./generated/csms-operations.js";
import { ctsOperations, ctsPaging, ctsServer, ctsTokenHeader } from "./generated/cts-operations.js";
import { type ClientOptions, resolveOptions } from "./options.js";
import { createTransport } from "./transport.js";
import type { ApiClient, ClientPaths, OperationMap, PagingMap } from "./types.js";

export type { ClientOptions } from "./options.js";

/**
 * CTS client. `DefaultProject` is true when created with `projectId` (then `project_id` is
 * optional per call); `CtsClient` alone accepts either kind.
 */
export type CtsClient<DefaultProject extends boolean = false> = ApiClient<
  ClientPaths<CtsPaths, DefaultProject>,
  typeof ctsOperations,
  typeof ctsPaging
>;

/**
 * CSMS client. `DefaultProject` is true when created with `projectId` (then `project_id` is
 * optional per call); `CsmsClient` alone accepts either kind.
 */
export type CsmsClient<DefaultProject extends boolean = false> = ApiClient<
  ClientPaths<CsmsPaths, DefaultProject>,
  typeof csmsOperations,
  typeof csmsPaging
>;

/** Client of the reference server's admin API (`openapi/admin`). */
export type AdminClient = ApiClient<AdminPaths, typeof adminOperations, typeof adminPaging>;

/** The options of the admin client: where the reference server is, and how to reach it. */
export type AdminClientOptions = Pick<
  ClientOptions,
  "fetch" | "timeoutMs" | "retry" | "userAgent" | "headers" | "throwOnError"
> & {
  /** The reference server's base URL, e.g. `http://127.0.0.1:8080`. */
  endpoint: string;
};

/** How each client's operations page, for `paginate` (the type side is a brand on the client). */
export const clientPaging = new WeakMap<object, PagingMap>();

type Init = { params?: { path?: Record<string, unknown> }; headers?: unknown } & Record<
  string,
  unknown
>;
type Call = (...args: any[]) => Promise<any>;

interface ApiDefinition {
  api: ApiName;
  fn: string;
  server: string;
  /** The IAM token header; `undefined` for an API that takes no credentials. */
  tokenHeader: string | undefined;
  operations: OperationMap;
  paging: PagingMap;
}

function createApiClient(def: ApiDefinition, options: ClientOptions): any {
  const config = resolveOptions(def.fn, def.server, options);
  const auth =
    def.tokenHeader !== undefined && config.auth
      ? createAuthMiddleware(config.auth, { tokenHeader: def.tokenHeader })
      : undefined;
  const aksk = auth !== undefined && config.auth !== undefined && "ak" in config.auth;
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
    // AK/SK requests say which project they act on (the signer signs every x-* header).
    if (aksk) {
      next.headers = mergeHeaders({ "X-Project-Id": String(projectId) }, init?.headers as any);
    }
    return next;
  };
  // With `throwOnError`, a non-2xx result throws from the error openapi-fetch has parsed.
  const settle = config.throwOnError
    ? (result: any) => throwOnError(def.api, result)
    : (result: any) => result;

  // openapi-fetch's own request methods (GET, PUT, POST, …: every upper-case key), wrapped.
  const raw: Record<string, unknown> = { ...base };
  for (const [name, method] of Object.entries(base)) {
    if (name !== name.toUpperCase() || typeof method !== "function") continue;
    const call = method as Call;
    raw[name] = async (url: string, init?: Init) => settle(await call(url, fill(init)));
  }
  const request = base.request as Call;
  raw.request = async (method: string, url: string, init?: Init) =>
    settle(await request(method, url, fill(init)));

  const client: Record<string, unknown> = { ...raw, raw };
  for (const [id, { method, path, parseAs }] of Object.entries(def.operations)) {
    const call = raw[method.toUpperCase()] as Call;
    client[id] = parseAs
      ? (init?: Init) => call(path, { parseAs, ...init })
      : (init?: Init) => call(path, init);
  }
  clientPaging.set(client, def.paging);
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
      paging: ctsPaging,
    },
    options,
  );
}

/**
 * Creates a CSMS v1 client (secret events, notification records).
 *
 * @example
 * const csms = createCsmsClient({ region: "cn-north-4", projectId }); // AK/SK from CLOUD_SDK_AK / CLOUD_SDK_SK
 * for await (const event of paginate(csms, "listSecretEvents")) console.log(event.name);
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
      paging: csmsPaging,
    },
    options,
  );
}

/**
 * Creates a client of the reference server's admin API (`/_admin/*`, no credentials), for tests
 * that drive `cts-csms-server`.
 *
 * @example
 * const admin = createAdminClient({ endpoint: server.url });
 * await admin.resetState({ params: { query: { project_id: "p1" } } });
 */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  const endpoint = options?.endpoint;
  if (typeof endpoint !== "string") {
    throw new TypeError("createAdminClient: options.endpoint is required (the server's URL)");
  }
  return createApiClient(
    {
      api: "admin",
      fn: "createAdminClient",
      server: adminServer,
      tokenHeader: adminTokenHeader,
      operations: adminOperations,
      paging: adminPaging,
    },
    // The admin API declares no security: no credentials to look for (nor to demand).
    { auth: "none", ...options, endpoint },
  );
}
