/**
 * Deterministic request generator for the oracle test. Each case is expressed twice: as our
 * signer sees it (an encoded URL, a body of some byte type) and as the official SDK's HTTP client
 * would hand it to `AKSKSigner` (raw path, query object, `data` object or raw bytes).
 *
 * Deliberately NOT generated (documented quirks, asserted in quirks.test.ts instead):
 * - path characters the official `url.parse` escapes before encoding (space " ' < > \ ^ ` { | }),
 *   which it then double-encodes; and "." / ".." segments, which fetch/WHATWG URL resolve away;
 * - header values with leading/trailing whitespace (we trim, as the wire does);
 * - header names that differ only in case, and names with "_" or other punctuation whose
 *   localeCompare order differs from code-unit order;
 * - explicit default ports (":443" on https), which the wire omits;
 * - string bodies hashed by the official signer as JSON.stringify(string).
 */
import { createHash } from "node:crypto";
import type { Credentials, SignableRequest } from "../../src/index.js";
import type { OfficialCredentials, OfficialInput } from "./official.js";
import { officialTreatsAsJson } from "./official.js";
import { Rng } from "./prng.js";

export const FIXED_DATE = new Date("2024-05-06T07:08:09Z");
export const FIXED_SDK_DATE = "20240506T070809Z";

export type OfficialMode = "direct" | "raw-body" | "credentials";

export interface OracleCase {
  label: string;
  flags: Set<string>;
  ours: SignableRequest;
  credentials: Credentials;
  official: { mode: OfficialMode; input: OfficialInput; credentials: OfficialCredentials };
}

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"] as const;
const HOSTS = [
  "csms.cn-north-4.myhuaweicloud.com",
  "CTS.ap-southeast-1.MyHuaweiCloud.com",
  "localhost:8443",
  "127.0.0.1:9000",
  "bücher.example",
  "[::1]:8080",
  "api.example.com:443", // not the default port for http
];
const WORD = [..."abcdefxyzABCXYZ0123456789-._~"];
const PATH_SPECIAL = [
  "+",
  "%",
  "!",
  "$",
  "&",
  "(",
  ")",
  "*",
  ",",
  ";",
  "=",
  ":",
  "@",
  "~",
  "%41",
  "%zz",
  "%2F",
  "%%",
];
const UNICODE = ["ü", "é", "ß", "Ω", "中", "文", "😀", "\uE000", "\uFFFD", "й"];
const QUERY_SPECIAL = [
  " ",
  "+",
  "%",
  "&",
  "=",
  "?",
  "#",
  "/",
  ":",
  "@",
  "!",
  "*",
  "'",
  "(",
  ")",
  ";",
  ",",
  "$",
  "[",
  "]",
  '"',
  "<",
  ">",
  "^",
  "`",
  "{",
  "}",
  "|",
  "\\",
  "%20",
  "~",
];
const QUERY_KEYS = ["limit", "offset", "marker", "name", "tag", "Tag", "a", "b", ""];
const X_HEADER_NAMES = [
  "x-request-id",
  "x-trace-id",
  "x-language",
  "x-custom-header",
  "x-a1",
  "x-z",
  "x-b-c-d",
  "x-0",
  "x-domain-id",
  "x-client-token",
  "x-9-lives",
];
const CONTENT_TYPES = [
  "application/json",
  "application/json;charset=UTF-8",
  "application/json; charset=utf-8",
  "text/plain; charset=utf-8",
  "application/octet-stream",
  "multipart/form-data; boundary=----b0undary",
];
const AKS = ["AKEXAMPLE0123456789A", "HST3A1B2C3D4E5F6G7H8", "QTWAOYTTINDUT2QVKYUC"];

const hex = (c: string) =>
  [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");

type Encoder = (s: string) => string;
/** Encoders a client might use; the server-side meaning is the same for all of them. */
const PATH_ENCODERS: Record<string, Encoder> = {
  component: encodeURIComponent,
  // Leave everything but "%" to WHATWG URL (which UTF-8-encodes non-ASCII, keeps sub-delims).
  minimal: (s) => s.replace(/%/g, "%25"),
  // Everything but alphanumerics, lower-case hex (even "~" and "-").
  all: (s) => s.replace(/[^A-Za-z0-9]/gu, hex),
};
const QUERY_ENCODERS: Record<string, Encoder> = {
  component: encodeURIComponent,
  form: (s) => new URLSearchParams([["", s]]).toString().slice(1),
  minimal: (s) => s.replace(/[%&=+#]/g, hex),
  all: (s) => s.replace(/[^A-Za-z0-9]/gu, hex),
};

function randomCase(rng: Rng, name: string): string {
  return [...name].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c)).join("");
}

function segment(rng: Rng, flags: Set<string>): string {
  for (;;) {
    if (rng.chance(0.12)) {
      flags.add("path:slash-run");
      return "";
    }
    let s = "";
    const parts = rng.int(1, 4);
    for (let i = 0; i < parts; i++) {
      const r = rng.next();
      if (r < 0.55) s += rng.string(WORD, 1, 6);
      else if (r < 0.8) s += rng.pick(PATH_SPECIAL);
      else s += rng.pick(UNICODE);
    }
    if (s === "." || s === "..") continue;
    if (s.includes("%")) flags.add("path:percent");
    if (s.includes("+")) flags.add("path:plus");
    if (s.includes("~")) flags.add("path:tilde");
    if (/[\u0080-\uffff]/.test(s)) flags.add("path:unicode");
    return s;
  }
}

function queryText(rng: Rng, flags: Set<string>, max: number): string {
  let s = "";
  const parts = rng.int(0, max);
  for (let i = 0; i < parts; i++) {
    const r = rng.next();
    if (r < 0.5) s += rng.string(WORD, 1, 5);
    else if (r < 0.8) {
      s += rng.pick(QUERY_SPECIAL);
      flags.add("query:reserved");
    } else {
      s += rng.pick(UNICODE);
      flags.add("query:unicode");
    }
  }
  return s;
}

function jsonValue(rng: Rng, depth: number): unknown {
  const r = rng.next();
  if (depth > 2 || r < 0.4) {
    const leaf = rng.int(0, 6);
    if (leaf === 0) return rng.int(-1e6, 1e6);
    if (leaf === 1) return rng.next() * 1000;
    if (leaf === 2) return rng.chance(0.5);
    if (leaf === 3) return null;
    if (leaf === 4) return `${rng.string(WORD, 0, 8)}${rng.pick(UNICODE)}\n\t"\\</`;
    if (leaf === 5) return "lone \uD800 surrogate";
    return rng.string([...WORD, ...UNICODE, " "], 0, 20);
  }
  if (r < 0.7) return Array.from({ length: rng.int(0, 4) }, () => jsonValue(rng, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = rng.int(0, 5); i > 0; i--)
    obj[rng.string([...WORD, ...UNICODE], 1, 8)] = jsonValue(rng, depth + 1);
  return obj;
}

function largeJson(rng: Rng): unknown {
  // ~1.3 MiB once serialised.
  return {
    event: "secret.version.created",
    items: Array.from({ length: 14000 }, (_, i) => ({
      id: i,
      name: `item-${i}-${rng.pick(UNICODE)}`,
      value: rng.string(WORD, 40, 60),
    })),
  };
}

type BodyClass = "empty" | "json" | "raw-unsigned" | "raw-declared" | "raw";

function ourBodyFromBytes(
  rng: Rng,
  bytes: Uint8Array,
  flags: Set<string>,
): SignableRequest["body"] {
  const kind = rng.int(0, 3);
  if (kind === 0) {
    flags.add("body:Uint8Array");
    return bytes;
  }
  if (kind === 1) {
    flags.add("body:ArrayBuffer");
    return bytes.slice().buffer;
  }
  if (kind === 2) {
    flags.add("body:DataView");
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 3);
    return new DataView(padded.buffer, 3, bytes.length);
  }
  flags.add("body:Buffer");
  return Buffer.from(bytes);
}

export function generateCases(count: number, seed = 0xc75c5a): OracleCase[] {
  const rng = new Rng(seed);
  const cases: OracleCase[] = [];
  for (let i = 0; i < count; i++) {
    const flags = new Set<string>();
    const method = METHODS[i % METHODS.length] as string;
    flags.add(`method:${method}`);
    const host = rng.pick(HOSTS);
    const scheme = host === "api.example.com:443" || rng.chance(0.2) ? "http" : "https";
    const origin = `${scheme}://${host}`;

    // Path: raw segments for the official signer, encoded ones for ours.
    const segs = Array.from({ length: rng.int(0, 5) }, () => segment(rng, flags));
    const trailing = segs.length > 0 && rng.chance(0.4);
    flags.add(trailing ? "path:trailing-slash" : "path:no-trailing-slash");
    const rawPath = `/${segs.join("/")}${trailing ? "/" : ""}`;
    const pathEncoder = rng.pick(Object.keys(PATH_ENCODERS));
    const encodedPath = `/${segs.map(PATH_ENCODERS[pathEncoder] as Encoder).join("/")}${trailing ? "/" : ""}`;

    // Query: list of pairs; null value = key without "=".
    const pairs: [string, string | null][] = [];
    for (let n = rng.int(0, 5); n > 0; n--) {
      const key = rng.chance(0.5) ? rng.pick(QUERY_KEYS) : queryText(rng, flags, 4);
      let value = rng.chance(0.12) ? null : rng.chance(0.1) ? "" : queryText(rng, flags, 6);
      // The official client always writes "k=" for an empty value; a bare empty key is just "&&".
      if (key === "" && value === null) value = "";
      pairs.push([key, value]);
      if (rng.chance(0.25)) pairs.push([key, rng.chance(0.2) ? "" : queryText(rng, flags, 3)]);
    }
    const queryParams: Record<string, string | string[]> = Object.create(null);
    for (const [k, v] of pairs) {
      const value = v ?? "";
      const prev = queryParams[k];
      if (prev === undefined) queryParams[k] = value;
      else {
        queryParams[k] = Array.isArray(prev) ? [...prev, value] : [prev, value];
        flags.add("query:repeated");
      }
      if (v === null) flags.add("query:no-equals");
      if (v === "") flags.add("query:empty-value");
    }
    const qEnc = rng.pick(Object.keys(QUERY_ENCODERS));
    const enc = QUERY_ENCODERS[qEnc] as Encoder;
    let search = pairs.map(([k, v]) => (v === null ? enc(k) : `${enc(k)}=${enc(v)}`)).join("&");
    if (search !== "" && rng.chance(0.1)) search = `&${search}&&`;
    // WHATWG URL strips trailing spaces from the whole input; an empty part keeps a raw one.
    if (search.endsWith(" ")) search += "&";
    const url = `${origin}${encodedPath}${search === "" ? "" : `?${search}`}`;

    // Headers. `officialHeaders` is what the official HTTP client would hand its signer.
    const ourHeaders: [string, string][] = [];
    const officialHeaders: Record<string, string> = { "X-Sdk-Date": FIXED_SDK_DATE };
    const used = new Set<string>();
    for (let n = rng.int(0, 4); n > 0; n--) {
      const lower = rng.pick(X_HEADER_NAMES);
      if (used.has(lower)) continue;
      used.add(lower);
      const name = randomCase(rng, lower);
      if (name !== lower) flags.add("headers:mixed-case");
      const words = Array.from({ length: rng.int(0, 4) }, () =>
        rng.string([...WORD, "=", ";", ",", "/", "é"], 1, 6),
      );
      const value = words.map((w, idx) => (idx === 0 ? w : " ".repeat(rng.int(1, 3)) + w)).join("");
      if (/ {2}/.test(value)) flags.add("headers:interior-spaces");
      ourHeaders.push([name, value]);
      officialHeaders[name] = value;
    }
    let contentType: string | undefined;
    if (rng.chance(0.6)) {
      contentType = rng.pick(CONTENT_TYPES);
      ourHeaders.push([randomCase(rng, "content-type"), contentType]);
      officialHeaders["content-type"] = contentType;
      flags.add(contentType.startsWith("multipart") ? "headers:multipart" : "headers:content-type");
    }
    if (rng.chance(0.1)) {
      ourHeaders.push(["Host", "override.example.com:8080"]);
      officialHeaders.host = "override.example.com:8080";
      flags.add("headers:explicit-host");
    }
    // Headers our signer must leave out (the official client never hands these to its signer).
    if (rng.chance(0.3)) {
      ourHeaders.push(["Accept", "application/json"], ["User-Agent", "ua/1.0"], ["xylophone", "1"]);
      flags.add("headers:unsigned-noise");
    }
    if (rng.chance(0.1)) {
      ourHeaders.push(["Authorization", "Bearer stale"], ["x-sdk-date", "19990101T000000Z"]);
      flags.add("headers:stale-auth");
    }

    // Credentials.
    const credentials: Credentials = {
      ak: rng.pick(AKS),
      sk: rng.chance(0.1) ? `sk-ünïcødé-${i}` : rng.string(WORD, 20, 40),
    };
    if (rng.chance(0.25)) {
      credentials.securityToken = `gQpjbi1ub3J0aC00${rng.string(WORD, 30, 60)}`;
      flags.add("cred:token");
    }
    if (rng.chance(0.25)) {
      credentials.projectId = rng.string([..."0123456789abcdef"], 32, 32);
      flags.add("cred:project");
    }

    // Mode and body.
    let mode: OfficialMode = rng.chance(0.3) ? "credentials" : "direct";
    if (mode === "direct") {
      if (credentials.securityToken)
        officialHeaders["X-Security-Token"] = credentials.securityToken;
      if (credentials.projectId) officialHeaders["X-Project-Id"] = credentials.projectId;
    }
    let bodyClass: BodyClass;
    const r = rng.next();
    if (mode === "credentials" && officialTreatsAsJson(officialHeaders)) {
      bodyClass = r < 0.3 ? "empty" : "json";
    } else if (mode === "credentials") {
      // processAuthRequest adds UNSIGNED-PAYLOAD for non-JSON content types; the client sends it.
      bodyClass = r < 0.2 ? "empty" : r < 0.6 ? "json" : "raw";
      ourHeaders.push(["X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"]);
      flags.add("body:unsigned-payload");
    } else {
      bodyClass =
        r < 0.2
          ? "empty"
          : r < 0.55
            ? "json"
            : r < 0.65
              ? "raw-unsigned"
              : r < 0.7
                ? "raw-declared"
                : "raw";
    }
    const large = i % 60 === 7 || i % 60 === 37;
    if (large && bodyClass === "empty") bodyClass = i % 60 === 7 ? "json" : "raw";

    let body: SignableRequest["body"];
    let data: unknown;
    let rawBody: Uint8Array | undefined;
    if (bodyClass === "empty") {
      flags.add("body:empty");
      body = rng.pick([undefined, null, "", new Uint8Array(0), new ArrayBuffer(0)]);
    } else if (bodyClass === "json") {
      flags.add("body:json");
      data = large ? largeJson(rng) : (jsonValue(rng, 0) ?? { ok: true });
      if (typeof data !== "object" || data === null) data = { value: data };
      const text = JSON.stringify(data);
      rawBody = new TextEncoder().encode(text);
      if (rng.chance(0.4)) {
        body = text;
        flags.add("body:string");
      } else body = ourBodyFromBytes(rng, rawBody, flags);
    } else {
      const binary = rng.chance(0.5);
      flags.add(binary ? "body:binary" : "body:raw-text");
      if (binary) {
        rawBody = rng.bytes(large ? (1 << 20) + rng.int(1, 4096) : rng.int(1, 2048));
        body = ourBodyFromBytes(rng, rawBody, flags);
      } else {
        const text = large
          ? rng.string([...WORD, ...UNICODE, " ", "\n"], 1 << 20, (1 << 20) + 100)
          : rng.string([...WORD, ...UNICODE, " ", "\n", "\r", "\t"], 1, 300);
        rawBody = new TextEncoder().encode(text);
        if (rng.chance(0.5)) {
          body = text;
          flags.add("body:string");
        } else body = ourBodyFromBytes(rng, rawBody, flags);
      }
      if (bodyClass === "raw-unsigned") {
        ourHeaders.push(["X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"]);
        officialHeaders["X-Sdk-Content-Sha256"] = "UNSIGNED-PAYLOAD";
        flags.add("body:unsigned-payload");
      } else if (bodyClass === "raw-declared") {
        const digest = createHash("sha256").update(rawBody).digest("hex");
        ourHeaders.push(["X-Sdk-Content-Sha256", digest]);
        officialHeaders["X-Sdk-Content-Sha256"] = digest;
        flags.add("body:declared-sha256");
      } else if (mode === "direct") {
        mode = "raw-body";
      }
    }
    if (large) flags.add("body:large");
    flags.add(`mode:${mode}`);

    // Header container type for our side.
    const containerKind = rng.int(0, 2);
    const headers =
      containerKind === 0
        ? Object.fromEntries(ourHeaders)
        : containerKind === 1
          ? new Headers(ourHeaders)
          : ourHeaders;
    const asUrlObject = rng.chance(0.3);

    cases.push({
      label: `#${i} ${method} ${bodyClass}${large ? "(large)" : ""} ${mode} path=${pathEncoder} query=${qEnc}`,
      flags,
      ours: { method, url: asUrlObject ? new URL(url) : url, headers, body },
      credentials,
      official: {
        mode,
        input: {
          method,
          origin,
          path: rawPath,
          queryParams,
          headers: officialHeaders,
          ...(bodyClass === "json" ? { data } : {}),
          ...(mode === "raw-body" && rawBody ? { rawBody } : {}),
        },
        credentials: { ...credentials },
      },
    });
  }
  return cases;
}
