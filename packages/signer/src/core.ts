/**
 * Backend-independent signing and verification. The public entry points bind these to a
 * {@link CryptoBackend} (Web Crypto by default, `node:crypto` under the `node` export condition).
 */
import { ALGORITHM, formatAuthorization, parseAuthorization } from "./authorization.js";
import { createCredentials } from "./credentials.js";
import { formatSdkDate, parseSdkDate } from "./date.js";
import { canonicalQueryString, canonicalUri } from "./encoding.js";
import { type HeadersLike, normalizeHeaders } from "./headers.js";

/** hex SHA-256 of the empty string: the payload hash of a request without a body. */
export const EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** `X-Sdk-Content-Sha256` value meaning "body not covered by the signature". */
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
/** Default allowed distance between `X-Sdk-Date` and the verifier's clock: 15 minutes. */
export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

/** Request body as bytes; strings are hashed as UTF-8. */
export type BodyLike = string | ArrayBuffer | ArrayBufferView | null | undefined;

/** What is needed to sign or verify a request. */
export interface SignableRequest {
  /** HTTP method; upper-cased for signing. */
  method: string;
  /**
   * Absolute URL (`string` or `URL`, normalised by WHATWG URL like fetch does), or an origin-form
   * request target such as Express's `req.originalUrl` (`/path?query`, used verbatim; the host
   * then comes from the `host` header).
   */
  url: string | URL;
  headers?: HeadersLike | undefined;
  /** The exact bytes sent / received. */
  body?: BodyLike;
}

/** AK/SK credentials. Wrap with `createCredentials` to keep `sk` out of logs. */
export interface Credentials {
  /** Access key id. */
  ak: string;
  /** Secret access key. Only used as the HMAC key; never included in output or errors. */
  sk: string;
  /** Temporary-credential session token, sent and signed as `X-Security-Token`. */
  securityToken?: string | undefined;
  /** Project id, sent and signed as `X-Project-Id`. */
  projectId?: string | undefined;
}

export interface SignOptions {
  /** Signing time (default: now). Only seconds precision is used. */
  date?: Date | undefined;
}

export interface VerifyOptions {
  /** The verifier's clock (default: now). */
  now?: Date | undefined;
  /** Maximum |now − X-Sdk-Date| in ms (default 15 minutes). */
  maxSkewMs?: number | undefined;
  /**
   * Accept `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (body not signed), as the official SDKs send
   * for non-JSON content types. Default `false`: the body must always match.
   */
  allowUnsignedPayload?: boolean | undefined;
}

/** Why verification failed. Fixed strings: they never carry request data or secrets. */
export type VerifyFailureReason =
  | "missing"
  | "malformed"
  | "unknown_ak"
  | "stale_date"
  | "bad_signature";

export type VerifyResult = { ok: true; ak: string } | { ok: false; reason: VerifyFailureReason };

/** Resolves an AK to its SK; `undefined`/`null`/`""` means unknown. */
export type SecretLookup = (
  ak: string,
) => string | undefined | null | Promise<string | undefined | null>;

/** The two primitives the algorithm needs. Sync or async so `node:crypto` can skip the event loop. */
export interface CryptoBackend {
  sha256Hex(data: string | Uint8Array): string | Promise<string>;
  hmacSha256Hex(secret: string, data: string): string | Promise<string>;
}

interface Target {
  host: string | undefined;
  pathname: string;
  search: string;
}

function splitTarget(url: string | URL): Target {
  if (typeof url !== "string") {
    return { host: url.host, pathname: url.pathname, search: url.search };
  }
  if (url.charCodeAt(0) === 47 /* / */) {
    // Origin-form is what the server received: keep it raw (no dot-segment or escape fix-ups).
    let end = url.indexOf("#");
    if (end === -1) end = url.length;
    const q = url.indexOf("?");
    if (q !== -1 && q < end) {
      return { host: undefined, pathname: url.slice(0, q), search: url.slice(q, end) };
    }
    return { host: undefined, pathname: url.slice(0, end), search: "" };
  }
  const parsed = new URL(url);
  return { host: parsed.host, pathname: parsed.pathname, search: parsed.search };
}

function toBytes(body: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (ArrayBuffer.isView(body)) {
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }
  return new Uint8Array(body);
}

/** hex SHA-256 of the body bytes; constant for an empty body (no crypto call). */
export function hashBodyWith(backend: CryptoBackend, body: BodyLike): string | Promise<string> {
  if (body === undefined || body === null) return EMPTY_BODY_SHA256;
  if (typeof body === "string") {
    return body.length === 0 ? EMPTY_BODY_SHA256 : backend.sha256Hex(body);
  }
  const bytes = toBytes(body);
  return bytes.byteLength === 0 ? EMPTY_BODY_SHA256 : backend.sha256Hex(bytes);
}

/** Builds the canonical request, or returns the name of a signed header that has no value. */
function buildCanonical(
  method: string,
  target: Target,
  headers: Map<string, string>,
  signedHeaders: readonly string[],
  payloadHash: string,
): { ok: true; value: string } | { ok: false; missing: string } {
  let block = "";
  for (const name of signedHeaders) {
    let value = headers.get(name);
    if (value === undefined && name === "host") value = target.host;
    if (value === undefined) return { ok: false, missing: name };
    block += `${name}:${value}\n`;
  }
  return {
    ok: true,
    value: `${method.toUpperCase()}\n${canonicalUri(target.pathname)}\n${canonicalQueryString(target.search)}\n${block}\n${signedHeaders.join(";")}\n${payloadHash}`,
  };
}

export async function canonicalRequestWith(
  backend: CryptoBackend,
  input: SignableRequest,
  signedHeaders: readonly string[],
): Promise<string> {
  const headers = normalizeHeaders(input.headers);
  const names = signedHeaders.map((name) => name.toLowerCase());
  const declared = headers.get("x-sdk-content-sha256");
  const payloadHash = declared ?? (await hashBodyWith(backend, input.body));
  const result = buildCanonical(input.method, splitTarget(input.url), headers, names, payloadHash);
  if (!result.ok) {
    throw new Error(`canonicalRequest: signed header "${result.missing}" has no value`);
  }
  return result.value;
}

/** Access key ids must survive a round trip through the strict Authorization parser. */
const ACCESS_KEY = /^[\x21-\x2b\x2d-\x7e]{1,256}$/;

function assertCredentials(credentials: Credentials): void {
  // Messages name the field, never its value.
  if (credentials === null || typeof credentials !== "object") {
    throw new TypeError("signRequest: credentials are required");
  }
  if (typeof credentials.ak !== "string" || !ACCESS_KEY.test(credentials.ak)) {
    throw new TypeError(
      "signRequest: credentials.ak must be 1-256 visible ASCII characters, no ','",
    );
  }
  if (typeof credentials.sk !== "string" || credentials.sk.length === 0) {
    throw new TypeError("signRequest: credentials.sk must be a non-empty string");
  }
}

/** The official signer signs what it is handed; its HTTP client hands it these. */
function signedByDefault(name: string, value: string): boolean {
  if (name === "host" || name.startsWith("x-")) return true;
  // Multipart bodies get their boundary late in many clients, so the official SDK leaves it out.
  return name === "content-type" && !value.includes("multipart/form-data");
}

export async function signRequestWith(
  backend: CryptoBackend,
  input: SignableRequest,
  credentials: Credentials,
  options?: SignOptions,
): Promise<Record<string, string>> {
  assertCredentials(credentials);
  const sdkDate = formatSdkDate(options?.date ?? new Date());
  const target = splitTarget(input.url);
  const headers = normalizeHeaders(input.headers);
  headers.set("x-sdk-date", sdkDate);
  const token = credentials.securityToken;
  const projectId = credentials.projectId;
  if (token) headers.set("x-security-token", token);
  if (projectId) headers.set("x-project-id", projectId);
  if (!headers.has("host")) {
    if (target.host === undefined) {
      throw new TypeError("signRequest: origin-form url needs a host header");
    }
    headers.set("host", target.host);
  }

  const signed: string[] = [];
  for (const [name, value] of headers) if (signedByDefault(name, value)) signed.push(name);
  signed.sort();

  // As in every official SDK, a caller-supplied X-Sdk-Content-Sha256 stands in for the body hash.
  const payloadHash =
    headers.get("x-sdk-content-sha256") ?? (await hashBodyWith(backend, input.body));
  const canonical = buildCanonical(input.method, target, headers, signed, payloadHash);
  // Unreachable (every signed name came from `headers`), but keeps the types honest.
  if (!canonical.ok) {
    throw new Error(`signRequest: signed header "${canonical.missing}" has no value`);
  }
  const canonicalHash = await backend.sha256Hex(canonical.value);
  const signature = await backend.hmacSha256Hex(
    credentials.sk,
    `${ALGORITHM}\n${sdkDate}\n${canonicalHash}`,
  );

  const out: Record<string, string> = { "X-Sdk-Date": sdkDate };
  if (token) out["X-Security-Token"] = token;
  if (projectId) out["X-Project-Id"] = projectId;
  out.Authorization = formatAuthorization(credentials.ak, signed.join(";"), signature);
  return out;
}

/** Compares two strings in time that depends only on their length. */
function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function fail(reason: VerifyFailureReason): VerifyResult {
  return { ok: false, reason };
}

export async function verifySignatureWith(
  backend: CryptoBackend,
  input: SignableRequest,
  lookupSecret: SecretLookup,
  options?: VerifyOptions,
): Promise<VerifyResult> {
  const maxSkewMs = options?.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  if (!(maxSkewMs >= 0)) throw new RangeError("verifySignature: maxSkewMs must be a number >= 0");

  const headers = normalizeHeaders(input.headers);
  const authorization = headers.get("authorization");
  if (authorization === undefined || authorization === "") return fail("missing");
  const parsed = parseAuthorization(authorization);
  if (parsed === null) return fail("malformed");
  // Without these two signed the request could be replayed to another host or at another time.
  if (!parsed.signedHeaders.includes("host") || !parsed.signedHeaders.includes("x-sdk-date")) {
    return fail("malformed");
  }
  const sdkDate = headers.get("x-sdk-date");
  const date = sdkDate === undefined ? null : parseSdkDate(sdkDate);
  if (date === null) return fail("malformed");
  const now = (options?.now ?? new Date()).getTime();
  if (Math.abs(now - date.getTime()) > maxSkewMs) return fail("stale_date");
  let target: Target;
  try {
    target = splitTarget(input.url);
  } catch {
    return fail("malformed");
  }

  const secret = await lookupSecret(parsed.access);
  if (typeof secret !== "string" || secret === "") return fail("unknown_ak");

  // The signature covers the bytes actually received, whatever X-Sdk-Content-Sha256 claims.
  let payloadHash = await hashBodyWith(backend, input.body);
  const declared = headers.get("x-sdk-content-sha256");
  if (declared !== undefined && declared !== payloadHash) {
    if (declared !== UNSIGNED_PAYLOAD || options?.allowUnsignedPayload !== true) {
      return fail("bad_signature");
    }
    payloadHash = declared;
  }
  const canonical = buildCanonical(
    input.method,
    target,
    headers,
    parsed.signedHeaders,
    payloadHash,
  );
  if (!canonical.ok) return fail("bad_signature");
  const canonicalHash = await backend.sha256Hex(canonical.value);
  const expected = await backend.hmacSha256Hex(
    secret,
    `${ALGORITHM}\n${sdkDate}\n${canonicalHash}`,
  );
  return timingSafeEqual(expected, parsed.signature)
    ? { ok: true, ak: parsed.access }
    : fail("bad_signature");
}

/**
 * A fetch middleware in openapi-fetch's shape (`{ onRequest({ request }) }`, no dependency on
 * it): signs every request it sees. Secrets stay in this closure.
 */
export interface SigningMiddleware {
  onRequest(params: { request: Request }): Promise<Request>;
}

export function signingMiddlewareWith(
  backend: CryptoBackend,
  credentials: Credentials,
): SigningMiddleware {
  assertCredentials(credentials);
  const safe = createCredentials(credentials);
  return { onRequest: ({ request }) => signFetchRequestWith(backend, request, safe) };
}

/** Signs a fetch `Request` in place (the body is read from a clone) and returns it. */
export async function signFetchRequestWith(
  backend: CryptoBackend,
  request: Request,
  credentials: Credentials,
  options?: SignOptions,
): Promise<Request> {
  const body =
    request.body === null ? undefined : new Uint8Array(await request.clone().arrayBuffer());
  const added = await signRequestWith(
    backend,
    { method: request.method, url: request.url, headers: request.headers, body },
    credentials,
    options,
  );
  for (const name in added) request.headers.set(name, added[name] as string);
  return request;
}
