/** A single header value as found in fetch `Headers`, plain objects or Node's `IncomingHttpHeaders`. */
export type HeaderValue = string | number | readonly string[] | null | undefined;

/**
 * Anything header-shaped: a fetch `Headers`, a plain object (including Express/Node
 * `req.headers`), or an iterable of `[name, value]` pairs.
 */
export type HeadersLike =
  | Headers
  | Readonly<Record<string, HeaderValue>>
  | Iterable<readonly [string, string]>;

/** HTTP whitespace, which fetch strips from header values and HTTP parsers drop as OWS. */
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

function trimValue(value: string): string {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  // Fast path: nothing to trim (no char code ≤ 0x20 at either end).
  if (first > 32 && last > 32) return value;
  return value.replace(EDGE_WHITESPACE, "");
}

function add(out: Map<string, string>, name: string, value: HeaderValue): void {
  if (value === undefined || value === null) return;
  const text =
    typeof value === "string" ? value : typeof value === "number" ? `${value}` : value.join(", ");
  const key = name.toLowerCase();
  const prev = out.get(key);
  // Same-name headers are combined the way fetch `Headers` and Node combine them on the wire.
  out.set(key, prev === undefined ? trimValue(text) : `${prev}, ${trimValue(text)}`);
}

/**
 * Normalises headers to a map of lower-cased name → value with leading/trailing HTTP whitespace
 * removed and duplicates (names differing only in case) joined with `", "`.
 */
export function normalizeHeaders(headers: HeadersLike | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (headers === undefined || headers === null) return out;
  if (typeof Headers !== "undefined" && headers instanceof Headers) {
    // fetch already lower-cases, trims and combines.
    headers.forEach((value, name) => {
      out.set(name, value);
    });
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const [name, value] of headers as Iterable<readonly [string, string]>)
      add(out, name, value);
  } else {
    const record = headers as Readonly<Record<string, HeaderValue>>;
    for (const name in record) {
      if (Object.hasOwn(record, name)) add(out, name, record[name]);
    }
  }
  return out;
}
