import { type ApiName, apiLabel, NetworkError, TimeoutError, tagResponse } from "./errors.js";

export interface RetryOptions {
  /** Attempts in total, including the first (default 3). */
  maxAttempts?: number;
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs·2ⁿ⁻¹)] (default 200). */
  baseDelayMs?: number;
  /** Longest wait between attempts (default 20 000); a longer `Retry-After` is not retried. */
  maxDelayMs?: number;
  /** Also retry POST (not idempotent: a lost response may have created the resource). Default false. */
  retryPost?: boolean;
}

export type ResolvedRetry = Required<RetryOptions>;

export const DEFAULT_RETRY: ResolvedRetry = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 20_000,
  retryPost: false,
};

/** Statuses that mean "not processed, try again later". */
const RETRY_STATUS = new Set([429, 502, 503, 504]);
/** Methods safe to repeat. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);
/** Statuses whose responses cannot carry a body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

export interface TransportOptions {
  api: ApiName;
  fetch: (request: Request) => Promise<Response>;
  /** Applied to every attempt, so AK/SK signatures (and X-Sdk-Date) are always fresh. */
  authorize?: ((request: Request) => Promise<Request>) | undefined;
  timeoutMs?: number | undefined;
  retry: ResolvedRetry | false;
}

/** `Retry-After` in ms: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with full jitter. */
function backoffMs(attempt: number, retry: ResolvedRetry): number {
  return Math.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Reads the body under the attempt's timeout and returns a replayable, tagged copy. */
async function buffer(response: Response, api: ApiName): Promise<Response> {
  const bytes = await response.arrayBuffer();
  const copy = new Response(NULL_BODY.has(response.status) ? null : bytes, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(copy, "url", { value: response.url });
  tagResponse(copy, api);
  return copy;
}

/**
 * The `fetch` handed to openapi-fetch: auth, per-attempt timeout and retries in one place, so
 * every attempt is signed afresh while `use()` stays free for the caller's middleware (which runs
 * before, so whatever it adds is signed too).
 */
export function createTransport(options: TransportOptions): (input: Request) => Promise<Response> {
  const { api, fetch, authorize, timeoutMs, retry } = options;
  return async (input) => {
    // The body is read once and replayed on each attempt (and hashed by the signer).
    const body = input.body === null ? undefined : await input.arrayBuffer();
    const retryable = retry && (IDEMPOTENT.has(input.method) || retry.retryPost);
    const attempts = retryable ? retry.maxAttempts : 1;
    const where = () => {
      const url = new URL(input.url);
      return `${apiLabel(api)} ${input.method} ${url.origin}${url.pathname}`;
    };

    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      const controller = new AbortController();
      let request = new Request(input, { body, signal: controller.signal });
      // Outside the try: a signing failure is the caller's problem, not a network one.
      if (authorize) request = await authorize(request);
      if (input.signal.aborted) throw input.signal.reason;
      const relay = () => controller.abort(input.signal.reason);
      input.signal.addEventListener("abort", relay, { once: true });
      let delay: number | undefined;
      let failure: Error | undefined;
      let timedOut = false;
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              controller.abort();
            }, timeoutMs);
      try {
        const response = await fetch(request);
        if (!last && RETRY_STATUS.has(response.status)) {
          const after = retryAfterMs(response.headers.get("retry-after"));
          // A server asking for a longer pause than we allow gets its answer back instead.
          delay = after === undefined ? backoffMs(attempt, retry as ResolvedRetry) : after;
          if (delay > (retry as ResolvedRetry).maxDelayMs) delay = undefined;
        }
        if (delay === undefined) return await buffer(response, api);
        await response.body?.cancel().catch(() => {});
      } catch (error) {
        // The caller's own abort passes through untouched.
        if (input.signal.aborted && !timedOut) throw error;
        if (timedOut) {
          failure = new TimeoutError(
            `${where()} timed out after ${timeoutMs} ms (attempt ${attempt} of ${attempts})`,
            timeoutMs as number,
          );
        } else {
          // fetch rejects without an HTTP answer: DNS, refused, reset, TLS… undici's own message is
          // only "fetch failed"; its cause says what and where ("connect ECONNREFUSED
          // 127.0.0.1:8080"), or, trying several addresses, each of its errors does.
          const detail = causeText((error as { cause?: unknown } | null)?.cause);
          const message = error instanceof Error ? error.message : String(error);
          failure = new NetworkError(`${where()} failed: ${message}${detail}`, { cause: error });
        }
      } finally {
        clearTimeout(timer);
        input.signal.removeEventListener("abort", relay);
      }
      if (failure) {
        if (last) throw failure;
        delay = backoffMs(attempt, retry as ResolvedRetry);
      }
      await sleep(delay as number, input.signal);
    }
  };
}

/** What a failed fetch's cause says, as ` (…)`: its message, else its code, else nothing. */
function causeText(cause: unknown): string {
  const text = (c: unknown): string | undefined => {
    const { message, code } = (c ?? {}) as { message?: unknown; code?: unknown };
    if (typeof message === "string" && message !== "") return message;
    return typeof code === "string" ? code : undefined;
  };
  const nested = (cause as { errors?: unknown } | undefined)?.errors;
  const texts = Array.isArray(nested) ? [...new Set(nested.map(text))] : [text(cause)];
  const known = texts.filter((t): t is string => t !== undefined);
  return known.length > 0 ? ` (${known.join("; ")})` : "";
}
