/**
 * `@cts-csms/signer`: Huawei Cloud AK/SK request signing (`SDK-HMAC-SHA256`) for both ends, on
 * Web Crypto. A client signs with {@link signRequest} / {@link signFetchRequest}; a server checks
 * with {@link verifySignature}. Both build the canonical request with the same code.
 *
 * @packageDocumentation
 */
import {
  type BodyLike,
  type Credentials,
  canonicalRequestWith,
  hashBodyWith,
  type SecretLookup,
  type SignableRequest,
  type SigningMiddleware,
  type SignOptions,
  signFetchRequestWith,
  signingMiddlewareWith,
  signRequestWith,
  type VerifyOptions,
  type VerifyResult,
  verifySignatureWith,
} from "./core.js";
import { webCryptoBackend } from "./webcrypto.js";

export * from "./common.js";

/**
 * hex SHA-256 of a body's bytes (strings as UTF-8). Empty / absent bodies give
 * {@link EMPTY_BODY_SHA256} without touching crypto.
 */
export async function hashPayload(body: BodyLike): Promise<string> {
  return hashBodyWith(webCryptoBackend, body);
}

/**
 * The canonical request over `signedHeaders` (lower-cased, used in the given order; the signer
 * sorts them). The payload hash is `X-Sdk-Content-Sha256` if that header is present, else the
 * SHA-256 of the body. A `host` not in the headers is taken from an absolute `url`.
 *
 * @throws {Error} if a signed header has no value
 * @example
 * await canonicalRequest(
 *   { method: "GET", url: "https://iam.example.com/v3/projects?b=2&a=1", headers: { "X-Sdk-Date": "20240102T030405Z" } },
 *   ["host", "x-sdk-date"],
 * );
 * // "GET\n/v3/projects/\na=1&b=2\nhost:iam.example.com\nx-sdk-date:20240102T030405Z\n\nhost;x-sdk-date\ne3b0…"
 */
export async function canonicalRequest(
  input: SignableRequest,
  signedHeaders: readonly string[],
): Promise<string> {
  return canonicalRequestWith(webCryptoBackend, input, signedHeaders);
}

/**
 * Signs a request and returns the headers to add: `X-Sdk-Date`, `Authorization`, and, when the
 * credentials carry them, `X-Security-Token` and `X-Project-Id`.
 *
 * Signed headers: `host` (from the `host` header, else the URL), `x-sdk-date`, `content-type`
 * (unless multipart) and every `x-*` header present, like the official SDK's HTTP client. Any
 * `X-Sdk-Date` already in `headers` is replaced by `options.date` (default: now).
 *
 * @throws {TypeError} for missing/invalid credentials (the message never contains them) or a bad URL
 * @example
 * const added = await signRequest(
 *   { method: "POST", url: "https://csms.example.com/v1/p/secrets", headers: { "content-type": "application/json" }, body },
 *   { ak, sk },
 * );
 * await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...added }, body });
 */
export async function signRequest(
  input: SignableRequest,
  credentials: Credentials,
  options?: SignOptions,
): Promise<Record<string, string>> {
  return signRequestWith(webCryptoBackend, input, credentials, options);
}

/**
 * Signs a fetch `Request` in place (reads the body from a clone) and returns it, e.g. from an
 * openapi-fetch middleware: `onRequest: ({ request }) => signFetchRequest(request, creds)`.
 */
export async function signFetchRequest(
  request: Request,
  credentials: Credentials,
  options?: SignOptions,
): Promise<Request> {
  return signFetchRequestWith(webCryptoBackend, request, credentials, options);
}

/**
 * A fetch middleware that signs every request it sees, in openapi-fetch's shape (no dependency
 * on it): `X-Sdk-Date`, `Authorization`, and `X-Security-Token` / `X-Project-Id` when the
 * credentials carry them, over the exact body bytes. The one signing middleware: the client's
 * AK/SK auth is this. Credentials are checked now (messages never contain them) and kept
 * log-safe.
 *
 * @throws {TypeError} for missing/invalid credentials
 * @example
 * client.use(createSigningMiddleware({ ak, sk }));
 */
export function createSigningMiddleware(credentials: Credentials): SigningMiddleware {
  return signingMiddlewareWith(webCryptoBackend, credentials);
}

/**
 * Verifies an incoming request's `Authorization` header: recomputes the signature over exactly
 * the headers listed in `SignedHeaders` and the raw `body` bytes, and compares in constant time.
 *
 * Checks, in order: header present (`missing`), strict syntax with `host` and `x-sdk-date` signed
 * and a valid `X-Sdk-Date` (`malformed`), date within `maxSkewMs` (`stale_date`), AK known
 * (`unknown_ak`), signature (`bad_signature`; also when `X-Sdk-Content-Sha256` disagrees with the
 * body, unless it is `UNSIGNED-PAYLOAD` and `allowUnsignedPayload` is set).
 *
 * @example
 * app.use(express.raw({ type: "*\/*" }), async (req, res, next) => {
 *   const result = await verifySignature(
 *     { method: req.method, url: req.originalUrl, headers: req.headers, body: req.body },
 *     (ak) => secrets.get(ak),
 *   );
 *   result.ok ? next() : res.status(401).json({ error: result.reason });
 * });
 */
export async function verifySignature(
  input: SignableRequest,
  lookupSecret: SecretLookup,
  options?: VerifyOptions,
): Promise<VerifyResult> {
  return verifySignatureWith(webCryptoBackend, input, lookupSecret, options);
}
