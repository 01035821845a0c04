/** Which API a response came from; picks the error class and labels messages. */
export type ApiName = "cts" | "csms" | "admin";

const LABEL: Record<ApiName, string> = {
  cts: "CTS",
  csms: "CSMS",
  admin: "Reference server admin",
};

/** Responses produced by a client, tagged so `unwrap` knows which API answered. */
const responseApi = new WeakMap<Response, ApiName>();

/** @internal */
export function tagResponse(response: Response, api: ApiName): void {
  responseApi.set(response, api);
}

export interface ApiErrorInit {
  status: number;
  errorCode?: string | undefined;
  errorMessage?: string | undefined;
  requestId?: string | undefined;
  /** The parsed error body. */
  body?: unknown;
  response?: Response | undefined;
}

/**
 * A non-2xx answer from a Huawei Cloud API, normalised across the CTS and CSMS envelopes.
 * Thrown by {@link unwrap} and by clients created with `throwOnError: true`.
 */
export class HuaweiApiError extends Error {
  override name = "HuaweiApiError";
  /** HTTP status. */
  readonly status: number;
  /** `error_code`, e.g. `CTS.0403` or `CSMS.0005`, when the body carried one. */
  readonly errorCode: string | undefined;
  /** `error_msg` (or the raw body text when it was not an error envelope). */
  readonly errorMessage: string | undefined;
  /** `X-Request-Id` of the response: quote it to support. */
  readonly requestId: string | undefined;
  /** The parsed error body. */
  readonly body: unknown;
  /** The response (non-enumerable, to keep logs short). */
  declare readonly response: Response | undefined;

  constructor(init: ApiErrorInit, label = "Huawei Cloud") {
    const code = init.errorCode ? ` ${init.errorCode}` : "";
    const text = init.errorMessage ? `: ${init.errorMessage}` : "";
    const id = init.requestId ? ` (request id ${init.requestId})` : "";
    super(`${label} API error ${init.status}${code}${text}${id}`);
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.errorMessage = init.errorMessage;
    this.requestId = init.requestId;
    this.body = init.body;
    Object.defineProperty(this, "response", { value: init.response, enumerable: false });
  }
}

/** A non-2xx answer from CTS (flat envelope `{ error_code, error_msg }`). */
export class CtsApiError extends HuaweiApiError {
  override name = "CtsApiError";
  constructor(init: ApiErrorInit) {
    super(init, "CTS");
  }
}

/** A non-2xx answer from CSMS (nested envelope `{ error: { error_code, error_msg } }`). */
export class CsmsApiError extends HuaweiApiError {
  override name = "CsmsApiError";
  constructor(init: ApiErrorInit) {
    super(init, "CSMS");
  }
}

/** The request never got an HTTP answer (DNS, connection refused, reset…). Not an API error. */
export class NetworkError extends Error {
  override name = "NetworkError";
}

/** An attempt took longer than `timeoutMs`. Not an API error, and not a {@link NetworkError}. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number) {
    super(message);
    this.timeoutMs = timeoutMs;
  }
}

type Envelope = { error_code?: unknown; error_msg?: unknown };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Builds the error for a non-2xx response from its (already parsed) body. */
export function createApiError(
  body: unknown,
  response: Response,
  api: ApiName | undefined = responseApi.get(response),
): HuaweiApiError {
  // CSMS nests the envelope under `error`; CTS puts it at the top level.
  const nested = isObject(body) && isObject(body.error) ? (body.error as Envelope) : undefined;
  const envelope = nested ?? (isObject(body) ? (body as Envelope) : undefined);
  const kind = api ?? (nested ? "csms" : envelope && "error_code" in envelope ? "cts" : undefined);
  const errorMessage =
    typeof envelope?.error_msg === "string"
      ? envelope.error_msg
      : typeof body === "string" && body
        ? body.slice(0, 500)
        : undefined;
  const init: ApiErrorInit = {
    status: response.status,
    errorCode: typeof envelope?.error_code === "string" ? envelope.error_code : undefined,
    errorMessage,
    requestId: response.headers.get("x-request-id") ?? undefined,
    body,
    response,
  };
  if (kind === "cts") return new CtsApiError(init);
  if (kind === "csms") return new CsmsApiError(init);
  return new HuaweiApiError(init, kind === "admin" ? LABEL.admin : undefined);
}

/** The label used in messages for an API. */
export function apiLabel(api: ApiName): string {
  return LABEL[api];
}

/** An openapi-fetch result: `{ data }` on 2xx, `{ error }` otherwise, always with `response`. */
export type FetchResult = { data?: unknown; error?: unknown; response: Response };

/** The success branch's `data`; `never` (no response body) reads better as `undefined`. */
export type SuccessData<R> = [R extends { data: infer D; error?: never } ? D : never] extends [
  never,
]
  ? undefined
  : R extends { data: infer D; error?: never }
    ? D
    : never;

/**
 * Returns `data` of a successful result, or throws `CtsApiError` / `CsmsApiError` (both
 * {@link HuaweiApiError}) for a non-2xx one.
 *
 * @example
 * const { notifications } = unwrap(await cts.listNotifications({ params: { path: { notification_type: "smn" } } }));
 */
export function unwrap<R extends FetchResult>(result: R): SuccessData<R> {
  if (result.response.ok) return result.data as SuccessData<R>;
  throw createApiError(result.error, result.response);
}

/**
 * Behind `throwOnError: true`: throws the API's error for a non-2xx result, built from the body
 * openapi-fetch has already parsed (`error`); passes any other result through.
 */
export function throwOnError<R extends FetchResult>(api: ApiName, result: R): R {
  if (!result.response.ok) throw createApiError(result.error, result.response, api);
  return result;
}
