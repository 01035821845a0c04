import type { AuthOptions } from "./auth.js";
import { DEFAULT_RETRY, type ResolvedRetry, type RetryOptions } from "./transport.js";

export interface ClientOptions {
  /** Full base URL, e.g. `http://127.0.0.1:8080`. Wins over `region`. */
  endpoint?: string | undefined;
  /** Region ID such as `cn-north-4`; gives the API's regional endpoint from the spec. */
  region?: string | undefined;
  /** Fills `{project_id}` in every path; a per-call `params.path.project_id` overrides it. */
  projectId?: string | undefined;
  /**
   * `{ token }` (IAM token), `{ ak, sk, securityToken? }` (AK/SK signing), or `"none"` to send
   * requests without credentials (e.g. when a middleware added with `client.use()` or a proxy
   * authenticates them). Left out in Node, AK/SK come from the environment: `CLOUD_SDK_AK` /
   * `CLOUD_SDK_SK` (and `CLOUD_SDK_SECURITY_TOKEN`), else the official SDKs' `HUAWEICLOUD_SDK_AK`
   * / `HUAWEICLOUD_SDK_SK` (and `HUAWEICLOUD_SDK_SECURITY_TOKEN`); with neither, construction
   * throws.
   */
  auth?: AuthOptions | "none" | undefined;
  /** fetch to use (default `globalThis.fetch`). */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** Per-attempt timeout in ms, covering the whole response (default: none). */
  timeoutMs?: number | undefined;
  /** Retry settings, or `false` for a single attempt. */
  retry?: RetryOptions | false | undefined;
  /** `User-Agent` header (browsers may ignore it). */
  userAgent?: string | undefined;
  /** Extra headers for every request. */
  headers?: Record<string, string> | undefined;
  /** Allow `http:` to a host that is not loopback. Default false: credentials would travel in clear. */
  allowInsecureHttp?: boolean | undefined;
  /** Throw `CtsApiError` / `CsmsApiError` for non-2xx answers instead of returning `{ error }`. */
  throwOnError?: boolean | undefined;
}

export interface ResolvedOptions {
  baseUrl: string;
  projectId: string | undefined;
  auth: AuthOptions | undefined;
  fetch: (request: Request) => Promise<Response>;
  timeoutMs: number | undefined;
  retry: ResolvedRetry | false;
  headers: Record<string, string>;
  throwOnError: boolean;
}

const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;
const PROJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function isLoopback(hostname: string): boolean {
  // WHATWG URL has already normalised IPv4 forms (127.1 → 127.0.0.1) and bracketed IPv6.
  return (
    hostname === "localhost" ||
    hostname.endsWith(".localhost") ||
    hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/** Validates options once, at construction; messages name the option, never a secret. */
export function resolveOptions(
  fn: string,
  serverTemplate: string,
  options: ClientOptions,
): ResolvedOptions {
  const fail = (message: string): never => {
    throw new TypeError(`${fn}: ${message}`);
  };
  if (options === null || typeof options !== "object") fail("options object is required");
  const { endpoint, region, projectId } = options;

  if (region !== undefined && (typeof region !== "string" || !REGION.test(region))) {
    fail(`options.region must be a region ID such as "cn-north-4", got ${JSON.stringify(region)}`);
  }
  let base: string;
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = typeof endpoint === "string" ? new URL(endpoint) : undefined;
    } catch {}
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      return fail("options.endpoint must be an absolute http(s) URL");
    }
    if (url.username || url.password) fail("options.endpoint must not contain credentials");
    if (url.search || url.hash) fail("options.endpoint must not have a query or fragment");
    if (
      url.protocol === "http:" &&
      !isLoopback(url.hostname) &&
      options.allowInsecureHttp !== true
    ) {
      fail(
        `options.endpoint uses plain http to non-loopback host ${url.hostname}; use https, or set allowInsecureHttp: true`,
      );
    }
    base = `${url.origin}${url.pathname}`.replace(/\/+$/, "");
  } else if (region !== undefined) {
    base = serverTemplate.replace("{region}", region);
  } else {
    return fail('options.endpoint or options.region is required (e.g. region: "cn-north-4")');
  }

  if (projectId !== undefined && (typeof projectId !== "string" || !PROJECT_ID.test(projectId))) {
    fail("options.projectId must be 1-64 characters of A-Z a-z 0-9 _ -");
  }

  const auth = resolveAuth(options.auth, fail);

  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== "function")
    fail("options.fetch is required where there is no global fetch");

  const { timeoutMs } = options;
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0)) {
    fail("options.timeoutMs must be a number > 0");
  }

  let retry: ResolvedRetry | false = false;
  if (options.retry !== false) {
    retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
      fail("options.retry.maxAttempts must be an integer >= 1");
    }
    if (!(retry.baseDelayMs >= 0)) fail("options.retry.baseDelayMs must be a number >= 0");
    if (!(retry.maxDelayMs >= 0)) fail("options.retry.maxDelayMs must be a number >= 0");
  }

  const headers: Record<string, string> = { ...options.headers };
  if (options.userAgent !== undefined) {
    if (!nonEmpty(options.userAgent)) fail("options.userAgent must be a non-empty string");
    headers["User-Agent"] = options.userAgent;
  }

  return {
    baseUrl: base,
    projectId,
    auth,
    fetch: fetchFn,
    timeoutMs,
    retry,
    headers,
    throwOnError: options.throwOnError === true,
  };
}

type Env = Record<string, string | undefined>;

/** Environment variable prefixes read for AK/SK, in order: Huawei's API Explorer samples, then the official SDKs. */
const ENV_PREFIXES = ["CLOUD_SDK", "HUAWEICLOUD_SDK"] as const;

function authFromEnv(fail: (m: string) => never): AuthOptions {
  // Node only, and without importing node:process, so browser bundles stay clean.
  const env: Env = (globalThis as { process?: { env?: Env } }).process?.env ?? {};
  for (const prefix of ENV_PREFIXES) {
    const ak = env[`${prefix}_AK`];
    const sk = env[`${prefix}_SK`];
    if (!ak && !sk) continue;
    if (!ak) fail(`environment variable ${prefix}_SK is set but ${prefix}_AK is not`);
    if (!sk) fail(`environment variable ${prefix}_AK is set but ${prefix}_SK is not`);
    return { ak, sk, securityToken: env[`${prefix}_SECURITY_TOKEN`] || undefined } as AuthOptions;
  }
  return fail(
    'no credentials: pass auth: { token } or { ak, sk }, set CLOUD_SDK_AK and CLOUD_SDK_SK (or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK), or pass auth: "none" to send requests without credentials',
  );
}

function resolveAuth(auth: ClientOptions["auth"], fail: (m: string) => never) {
  if (auth === undefined) return authFromEnv(fail);
  if (auth === "none") return undefined;
  if (auth === null || typeof auth !== "object") {
    return fail('options.auth must be { token }, { ak, sk } or "none"');
  }
  const a = auth as { token?: unknown; ak?: unknown; sk?: unknown; securityToken?: unknown };
  if ("token" in a) {
    if (a.ak !== undefined || a.sk !== undefined)
      fail("options.auth takes token or ak/sk, not both");
    if (!nonEmpty(a.token)) fail("options.auth.token must be a non-empty string");
    return { token: a.token } as AuthOptions;
  }
  if (a.ak !== undefined && a.sk === undefined) fail("options.auth.ak is given without auth.sk");
  if (a.sk !== undefined && a.ak === undefined) fail("options.auth.sk is given without auth.ak");
  if (!nonEmpty(a.ak)) fail("options.auth.ak must be a non-empty string");
  if (!nonEmpty(a.sk)) fail("options.auth.sk must be a non-empty string");
  if (a.securityToken !== undefined && typeof a.securityToken !== "string") {
    fail("options.auth.securityToken must be a string");
  }
  return { ak: a.ak, sk: a.sk, securityToken: a.securityToken || undefined } as AuthOptions;
}
