/** Everything that does not depend on the crypto backend, shared by both entry points. */
export { ALGORITHM, type ParsedAuthorization, parseAuthorization } from "./authorization.js";
export {
  type BodyLike,
  type Credentials,
  DEFAULT_MAX_SKEW_MS,
  EMPTY_BODY_SHA256,
  type SecretLookup,
  type SignableRequest,
  type SigningMiddleware,
  type SignOptions,
  UNSIGNED_PAYLOAD,
  type VerifyFailureReason,
  type VerifyOptions,
  type VerifyResult,
} from "./core.js";
export { createCredentials } from "./credentials.js";
export { formatSdkDate, parseSdkDate } from "./date.js";
export { canonicalQueryString, canonicalUri, uriEncode } from "./encoding.js";
export type { HeadersLike, HeaderValue } from "./headers.js";
