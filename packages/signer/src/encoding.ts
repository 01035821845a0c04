/**
 * Canonical URI and query-string encoding for SDK-HMAC-SHA256.
 *
 * The official signer percent-encodes every UTF-8 byte except the RFC 3986 unreserved set
 * `A-Z a-z 0-9 - _ . ~`, with upper-case hex. Components are first percent-decoded so that the
 * result depends on what the server decodes, not on how a client chose to escape it.
 */

/** Lower-case hex for every byte value; avoids per-byte `toString(16)` + padding. */
export const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, "0"),
);

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] as number];
  return out;
}

/** Characters left as-is by the official encoder (`noEscape` table). */
const UNRESERVED_ONLY = /^[A-Za-z0-9\-._~]*$/;
/** Same, but also allowing `/`, so a plain path can skip per-segment work. */
const UNRESERVED_PATH = /^[A-Za-z0-9\-._~/]*$/;
/** encodeURIComponent leaves these unescaped but the official encoder does not. */
const SUB_DELIMS = /[!'()*]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

function escapeSubDelim(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
}

/**
 * Percent-encodes `value` exactly like the official `AKSKSigner.urlEncode` (UTF-8, upper-case
 * hex, only `A-Za-z0-9-_.~` left bare). Lone surrogates, which the official encoder cannot handle
 * either, are replaced by U+FFFD as `TextEncoder` and WHATWG URL do.
 */
export function uriEncode(value: string): string {
  if (UNRESERVED_ONLY.test(value)) return value;
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    encoded = encodeURIComponent(value.replace(LONE_SURROGATE, "\uFFFD"));
  }
  return encoded.replace(SUB_DELIMS, escapeSubDelim);
}

/**
 * Percent-decodes leniently, like Python's `urllib.parse.unquote` (used by the official Python
 * SDK): runs of `%XX` are decoded as UTF-8 with U+FFFD for invalid bytes, and a `%` that does not
 * start a valid escape is kept literally.
 */
export function percentDecode(value: string): string {
  if (value.indexOf("%") === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value.replace(PERCENT_RUN, (run) => {
      const bytes = new Uint8Array(run.length / 3);
      for (let i = 0; i < bytes.length; i++) {
        bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
      }
      return utf8Decoder.decode(bytes);
    });
  }
}

/**
 * Canonical URI: the (percent-encoded) path is decoded, split on `/`, and each segment re-encoded
 * with {@link uriEncode}; the result always ends with `/`. Decoding the whole path first (so `%2F`
 * becomes a separator) is what the Python SDK and the gateway's Go-style `URL.Path` do.
 *
 * @example canonicalUri("/v1/a%20b/ü") // "/v1/a%20b/%C3%BC/"
 */
export function canonicalUri(pathname: string): string {
  let out: string;
  if (UNRESERVED_PATH.test(pathname)) {
    out = pathname;
  } else {
    const segments = percentDecode(pathname).split("/");
    for (let i = 0; i < segments.length; i++) {
      segments[i] = uriEncode(segments[i] as string);
    }
    out = segments.join("/");
  }
  return out.endsWith("/") ? out : `${out}/`;
}

function decodeQueryComponent(value: string): string {
  // Form semantics: `+` is a space, as Go's url.Query(), URLSearchParams and Express decode it.
  return percentDecode(value.indexOf("+") === -1 ? value : value.replace(/\+/g, " "));
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Canonical query string: pairs are decoded, sorted by key then value (UTF-16 code-unit order, as
 * the official signer's `Array#sort` does), re-encoded with {@link uriEncode} and joined with `&`.
 * A key without `=` gets an empty value (`k=`); empty `&&` parts are dropped.
 *
 * @param search the raw query, with or without the leading `?`
 * @example canonicalQueryString("?b=2&a=x+y&a") // "a=&a=x%20y&b=2"
 */
export function canonicalQueryString(search: string): string {
  const start = search.charCodeAt(0) === 63 /* ? */ ? 1 : 0;
  if (search.length <= start) return "";
  const parts = search.slice(start).split("&");
  const pairs: [string, string][] = [];
  for (const part of parts) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq === -1) {
      pairs.push([decodeQueryComponent(part), ""]);
    } else {
      pairs.push([
        decodeQueryComponent(part.slice(0, eq)),
        decodeQueryComponent(part.slice(eq + 1)),
      ]);
    }
  }
  if (pairs.length > 1) {
    pairs.sort((x, y) => compareCodeUnits(x[0], y[0]) || compareCodeUnits(x[1], y[1]));
  }
  let out = "";
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i] as [string, string];
    if (i > 0) out += "&";
    out += `${uriEncode(pair[0])}=${uriEncode(pair[1])}`;
  }
  return out;
}
