/**
 * Input classes where we deliberately do NOT reproduce the official Node.js signer (see README,
 * "Differences from / quirks of the official signer"), plus a few matched-but-surprising ones.
 * Each test pins our behaviour and, where useful, shows what the official signer does instead.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as web from "../src/index.js";
import * as node from "../src/node.js";
import {
  type OfficialInput,
  officialCanonicalRequest,
  signOfficial,
  signOfficialRawBody,
  signOfficialViaCredentials,
} from "./support/official.js";

const DATE = new Date("2024-05-06T07:08:09Z");
const SDK_DATE = "20240506T070809Z";
const creds = { ak: "AKEXAMPLE0123456789A", sk: "quirk-secret-key" };
const ORIGIN = "https://api.example.com";

function officialInput(path: string, extra: Partial<OfficialInput> = {}): OfficialInput {
  return {
    method: "GET",
    origin: ORIGIN,
    path,
    ...extra,
    headers: { "X-Sdk-Date": SDK_DATE, ...extra.headers },
  };
}

/** Line `n` (0-based) of a canonical request. */
const line = (canonical: string, n: number) => canonical.split("\n")[n];

describe.each([
  ["web", web],
  ["node", node],
])("quirks (%s)", (_name, impl) => {
  const sign = async (input: Parameters<typeof impl.signRequest>[0], c = creds) =>
    (await impl.signRequest(input, c, { date: DATE })).Authorization;

  it("path: decodes then re-encodes, so a space is %20 (official url.parse double-encodes it)", async () => {
    for (const raw of ["a b", 'a"b', "a'b", "a<b>", "a^b", "a`b", "a{b}", "a|b"]) {
      const ours = await impl.canonicalRequest(
        {
          method: "GET",
          url: `${ORIGIN}/v1/${encodeURIComponent(raw)}`,
          headers: { "x-sdk-date": SDK_DATE },
        },
        ["host", "x-sdk-date"],
      );
      expect(line(ours, 1)).toBe(`/v1/${web.uriEncode(raw)}/`);
      // The official signer, handed the same raw path, escapes it in url.parse and encodes again.
      const official = officialCanonicalRequest(officialInput(`/v1/${raw}`), creds);
      expect(line(official, 1)).toMatch(/%25/);
    }
    expect(web.canonicalUri("/v1/a%20b")).toBe("/v1/a%20b/");
  });

  it("path: %2F decodes to a separator, like the Python SDK / gateway (official keeps %252F)", async () => {
    expect(web.canonicalUri("/a%2Fb")).toBe("/a/b/");
    expect(line(officialCanonicalRequest(officialInput("/a%2Fb"), creds), 1)).toBe("/a%252Fb/");
    expect(line(officialCanonicalRequest(officialInput("/a/b"), creds), 1)).toBe("/a/b/");
  });

  it("path: absolute URLs are WHATWG-normalised like fetch; origin-form targets are kept raw", async () => {
    const dotted = await sign({ method: "GET", url: `${ORIGIN}/a/./b/../c` });
    expect(dotted).toBe(await sign({ method: "GET", url: `${ORIGIN}/a/c` }));
    expect(dotted).toBe(signOfficial(officialInput("/a/c"), creds));
    const raw = await impl.canonicalRequest(
      {
        method: "GET",
        url: "/a/./b/../c",
        headers: { host: "api.example.com", "x-sdk-date": SDK_DATE },
      },
      ["host", "x-sdk-date"],
    );
    expect(line(raw, 1)).toBe("/a/./b/../c/");
  });

  it("headers: leading/trailing whitespace is trimmed (official signs it verbatim)", async () => {
    const ours = await sign({
      method: "GET",
      url: `${ORIGIN}/x`,
      headers: { "X-A": " \t v  w \t " },
    });
    expect(ours).toBe(signOfficial(officialInput("/x", { headers: { "X-A": "v  w" } }), creds));
    expect(ours).not.toBe(
      signOfficial(officialInput("/x", { headers: { "X-A": " \t v  w \t " } }), creds),
    );
  });

  it("headers: one code-unit order for SignedHeaders and the canonical block (official uses localeCompare for the block)", async () => {
    const headers = { "x-a_c": "1", "x-a-b": "2", "X-Sdk-Date": SDK_DATE };
    const ours = await impl.canonicalRequest({ method: "GET", url: `${ORIGIN}/`, headers }, [
      "host",
      "x-a-b",
      "x-a_c",
      "x-sdk-date",
    ]);
    expect(ours).toContain(
      "x-a-b:2\nx-a_c:1\nx-sdk-date:20240506T070809Z\n\nhost;x-a-b;x-a_c;x-sdk-date\n",
    );
    expect(await sign({ method: "GET", url: `${ORIGIN}/`, headers })).toContain(
      "SignedHeaders=host;x-a-b;x-a_c;x-sdk-date,",
    );
    const official = officialCanonicalRequest(
      officialInput("/", { headers: { "x-a_c": "1", "x-a-b": "2" } }),
      creds,
    );
    expect(official).toContain("host:api.example.com\nx-a_c:1\nx-a-b:2\n");
    expect(official).toContain("\nhost;x-a-b;x-a_c;x-sdk-date\n");
  });

  it("headers: names differing only in case are combined like fetch/Node do (official lists both)", async () => {
    const ours = await sign({
      method: "GET",
      url: `${ORIGIN}/`,
      headers: { "X-A": "1", "x-a": "2" },
    });
    expect(ours).toBe(
      await sign({
        method: "GET",
        url: `${ORIGIN}/`,
        headers: new Headers([
          ["x-a", "1"],
          ["X-A", "2"],
        ]),
      }),
    );
    expect(ours).toBe(signOfficial(officialInput("/", { headers: { "x-a": "1, 2" } }), creds));
    expect(
      signOfficial(officialInput("/", { headers: { "X-A": "1", "x-a": "2" } }), creds),
    ).toContain("SignedHeaders=host;x-a;x-a;");
  });

  it("headers: only host, x-sdk-date, content-type and x-* are signed (official signs all it is given)", async () => {
    const ours = await sign({
      method: "GET",
      url: `${ORIGIN}/`,
      headers: {
        Accept: "application/json",
        "User-Agent": "ua",
        "Content-Type": "application/json",
      },
    });
    expect(ours).toBe(
      signOfficial(officialInput("/", { headers: { "content-type": "application/json" } }), creds),
    );
    expect(
      signOfficial(officialInput("/", { headers: { Accept: "application/json" } }), creds),
    ).toContain("SignedHeaders=accept;host;");
  });

  it("host: default ports are dropped as on the wire (official keeps ':443')", async () => {
    const ours = await sign({ method: "GET", url: "https://api.example.com:443/x" });
    expect(ours).toBe(await sign({ method: "GET", url: `${ORIGIN}/x` }));
    expect(ours).toBe(signOfficial(officialInput("/x"), creds));
    expect(ours).not.toBe(
      signOfficial({ ...officialInput("/x"), origin: "https://api.example.com:443" }, creds),
    );
  });

  it("body: strings are hashed as their UTF-8 bytes (official hashes JSON.stringify(string))", async () => {
    const text = "hello, wörld";
    const ours = await sign({ method: "POST", url: `${ORIGIN}/x`, body: text });
    const bytes = new TextEncoder().encode(text);
    expect(ours).toBe(
      signOfficialRawBody({ ...officialInput("/x"), method: "POST", rawBody: bytes }, creds),
    );
    expect(ours).not.toBe(
      signOfficial({ ...officialInput("/x"), method: "POST", data: text }, creds),
    );
    expect(await impl.hashPayload(text)).toBe(createHash("sha256").update(bytes).digest("hex"));
    // Same for a Buffer: official would hash '{"type":"Buffer","data":[…]}'.
    expect(await sign({ method: "POST", url: `${ORIGIN}/x`, body: Buffer.from(bytes) })).toBe(ours);
  });

  it("query: '+' means space (form decoding, as the gateway does); '%2B' is a plus", async () => {
    expect(web.canonicalQueryString("?a=x+y&b=x%2By")).toBe("a=x%20y&b=x%2By");
    const ours = await sign({ method: "GET", url: `${ORIGIN}/x?q=a+b` });
    expect(ours).toBe(signOfficial({ ...officialInput("/x"), queryParams: { q: "a b" } }, creds));
  });

  it("query: sort is UTF-16 code-unit order like the official JS signer (Go/Python sort by code point)", () => {
    expect(
      web.canonicalQueryString(`?${encodeURIComponent("\uFFFD")}=1&${encodeURIComponent("😀")}=2`),
    ).toBe("%F0%9F%98%80=2&%EF%BF%BD=1");
    const official = officialCanonicalRequest(
      { ...officialInput("/"), queryParams: { "\uFFFD": "1", "😀": "2" } },
      creds,
    );
    expect(line(official, 2)).toBe("%F0%9F%98%80=2&%EF%BF%BD=1");
  });

  it("date: an X-Sdk-Date already in the headers is replaced by options.date (official reuses it)", async () => {
    const added = await impl.signRequest(
      { method: "GET", url: `${ORIGIN}/`, headers: { "X-Sdk-Date": "19990101T000000Z" } },
      creds,
      { date: DATE },
    );
    expect(added["X-Sdk-Date"]).toBe(SDK_DATE);
    expect(added.Authorization).toBe(signOfficial(officialInput("/"), creds));
  });

  it("credentials: token / project id from credentials win over same-named request headers", async () => {
    const c = { ...creds, securityToken: "tok", projectId: "p-creds" };
    const added = await impl.signRequest(
      { method: "GET", url: `${ORIGIN}/`, headers: { "X-Project-Id": "p-header" } },
      c,
      { date: DATE },
    );
    expect(added["X-Project-Id"]).toBe("p-creds");
    expect(added.Authorization).toBe(
      signOfficial(
        officialInput("/", { headers: { "X-Project-Id": "p-creds", "X-Security-Token": "tok" } }),
        c,
      ),
    );
    // processAuthRequest keeps the request's own header instead.
    const official = await signOfficialViaCredentials(
      officialInput("/", { headers: { "X-Project-Id": "p-header" } }),
      c,
    );
    expect(official.headers["X-Project-Id"]).toBe("p-header");
  });

  it("method: upper-cased", async () => {
    const lower = await sign({ method: "patch", url: `${ORIGIN}/` });
    expect(lower).toBe(await sign({ method: "PATCH", url: `${ORIGIN}/` }));
    expect(lower).toBe(signOfficial({ ...officialInput("/"), method: "PATCH" }, creds));
  });
});
