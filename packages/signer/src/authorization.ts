/** The only algorithm this package implements. */
export const ALGORITHM = "SDK-HMAC-SHA256";

/** The parts of an `Authorization: SDK-HMAC-SHA256 …` header. */
export interface ParsedAuthorization {
  /** The access key id (AK). */
  access: string;
  /** Lower-case header names, in the order listed (`;`-separated on the wire). */
  signedHeaders: string[];
  /** 64 lower-case hex characters. */
  signature: string;
}

/** Longest header accepted; real ones are ~200 bytes, so anything near this is abuse. */
const MAX_LENGTH = 8192;
/**
 * Exactly the shape every official SDK emits. Access: visible ASCII without `,`.
 * SignedHeaders: lower-case RFC 9110 tokens joined by `;`.
 */
const AUTHORIZATION =
  /^SDK-HMAC-SHA256 Access=([\x21-\x2b\x2d-\x7e]{1,256}), SignedHeaders=([a-z0-9!#$%&'*+.^_`|~-]+(?:;[a-z0-9!#$%&'*+.^_`|~-]+)*), Signature=([0-9a-f]{64})$/;

/**
 * Strictly parses an `Authorization` header value of the form
 * `SDK-HMAC-SHA256 Access={AK}, SignedHeaders={a;b;c}, Signature={64 hex}`.
 *
 * @returns the parts, or `null` for anything else (other schemes, extra or missing spaces,
 *   upper-case header names or hex, duplicate signed headers, oversize input)
 * @example
 * parseAuthorization("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=" + "0".repeat(64))
 * // { access: "AK1", signedHeaders: ["host", "x-sdk-date"], signature: "000…" }
 */
export function parseAuthorization(header: string): ParsedAuthorization | null {
  if (typeof header !== "string" || header.length > MAX_LENGTH) return null;
  const m = AUTHORIZATION.exec(header);
  if (m === null) return null;
  const signedHeaders = (m[2] as string).split(";");
  if (new Set(signedHeaders).size !== signedHeaders.length) return null;
  return { access: m[1] as string, signedHeaders, signature: m[3] as string };
}

export function formatAuthorization(
  access: string,
  signedHeaders: string,
  signature: string,
): string {
  return `${ALGORITHM} Access=${access}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}
