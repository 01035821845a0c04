import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { stringify } from "node:querystring";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as web from "../src/index.js";
import * as node from "../src/node.js";
import { signOfficialViaCredentials } from "./support/official.js";

const AK = "AKEXAMPLE0123456789A";
const SK = "verify-secret-key-0123456789";
const NOW = new Date("2024-05-06T07:08:09Z");
const secrets = new Map([[AK, SK]]);
const lookup = (ak: string) => secrets.get(ak);

type Impl = typeof web;

/** Signs like a client, then returns the request as an Express/Node server would see it. */
async function signedServerView(
  impl: Impl,
  options: { date?: Date; body?: Uint8Array; headers?: Record<string, string> } = {},
) {
  const body = options.body ?? new TextEncoder().encode('{"name":"db-password","value":"ü"}');
  const headers = { "Content-Type": "application/json", "X-Trace-Id": "abc", ...options.headers };
  const added = await impl.signRequest(
    {
      method: "POST",
      url: "https://csms.example.com/v1/proj/secrets?limit=10&name=a%20b",
      headers,
      body,
    },
    { ak: AK, sk: SK, projectId: "proj" },
    { date: options.date ?? NOW },
  );
  const serverHeaders: Record<string, string> = { host: "csms.example.com", accept: "*/*" };
  for (const [k, v] of Object.entries({ ...headers, ...added })) serverHeaders[k.toLowerCase()] = v;
  return {
    method: "POST",
    url: "/v1/proj/secrets?limit=10&name=a%20b",
    headers: serverHeaders,
    body: Buffer.from(body),
  };
}

function withAuthorization(request: Awaited<ReturnType<typeof signedServerView>>, value: string) {
  return { ...request, headers: { ...request.headers, authorization: value } };
}

describe.each([
  ["web", web],
  ["node", node],
])("verifySignature (%s)", (_name, impl) => {
  const verify = (input: Parameters<Impl["verifySignature"]>[0], options = { now: NOW }) =>
    impl.verifySignature(input, lookup, options);

  it("accepts a request signed by signRequest (origin-form url, Node-style headers, raw bytes)", async () => {
    expect(await verify(await signedServerView(impl))).toEqual({ ok: true, ak: AK });
  });

  it("accepts an absolute URL, a fetch Headers object and an async secret lookup", async () => {
    const req = await signedServerView(impl);
    const result = await impl.verifySignature(
      { ...req, url: `https://csms.example.com${req.url}`, headers: new Headers(req.headers) },
      async (ak) => secrets.get(ak),
      { now: NOW },
    );
    expect(result).toEqual({ ok: true, ak: AK });
  });

  it("ignores changes to headers that were not signed", async () => {
    const req = await signedServerView(impl);
    expect(
      await verify({ ...req, headers: { ...req.headers, accept: "text/html", "user-agent": "x" } }),
    ).toEqual({
      ok: true,
      ak: AK,
    });
  });

  it("rejects a body with one byte changed", async () => {
    const req = await signedServerView(impl);
    const body = Buffer.from(req.body);
    body[5] = (body[5] as number) ^ 1;
    expect(await verify({ ...req, body })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verify({ ...req, body: Buffer.concat([req.body, Buffer.from(" ")]) })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("rejects a changed signed header, method, path or query", async () => {
    const req = await signedServerView(impl);
    const bad = { ok: false, reason: "bad_signature" };
    expect(await verify({ ...req, headers: { ...req.headers, "x-trace-id": "abd" } })).toEqual(bad);
    expect(await verify({ ...req, headers: { ...req.headers, "x-project-id": "other" } })).toEqual(
      bad,
    );
    expect(
      await verify({ ...req, headers: { ...req.headers, "content-type": "text/plain" } }),
    ).toEqual(bad);
    expect(await verify({ ...req, headers: { ...req.headers, host: "evil.example.com" } })).toEqual(
      bad,
    );
    expect(await verify({ ...req, method: "PUT" })).toEqual(bad);
    expect(await verify({ ...req, url: "/v1/proj/secretz?limit=10&name=a%20b" })).toEqual(bad);
    expect(await verify({ ...req, url: "/v1/proj/secrets?limit=11&name=a%20b" })).toEqual(bad);
    const { "x-trace-id": _dropped, ...withoutSigned } = req.headers;
    expect(await verify({ ...req, headers: withoutSigned })).toEqual(bad);
  });

  it("rejects a wrong signature and a wrong secret", async () => {
    const req = await signedServerView(impl);
    const auth = req.headers.authorization as string;
    const flipped = auth.slice(0, -1) + (auth.endsWith("0") ? "1" : "0");
    expect(await verify(withAuthorization(req, flipped))).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    const result = await impl.verifySignature(req, () => "another-secret", { now: NOW });
    expect(result).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("reports unknown_ak when the lookup has no secret", async () => {
    const req = await signedServerView(impl);
    expect(await impl.verifySignature(req, () => undefined, { now: NOW })).toEqual({
      ok: false,
      reason: "unknown_ak",
    });
    expect(await impl.verifySignature(req, async () => null, { now: NOW })).toEqual({
      ok: false,
      reason: "unknown_ak",
    });
    const other = withAuthorization(
      req,
      (req.headers.authorization as string).replace(AK, "AKUNKNOWN"),
    );
    expect(await verify(other)).toEqual({ ok: false, reason: "unknown_ak" });
  });

  it("reports stale_date 16 minutes either side, accepts 14 minutes, honours maxSkewMs", async () => {
    const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
    const stale = { ok: false, reason: "stale_date" };
    expect(await verify(await signedServerView(impl, { date: minutes(-16) }))).toEqual(stale);
    expect(await verify(await signedServerView(impl, { date: minutes(16) }))).toEqual(stale);
    expect(await verify(await signedServerView(impl, { date: minutes(-14) }))).toEqual({
      ok: true,
      ak: AK,
    });
    expect(await verify(await signedServerView(impl, { date: minutes(14) }))).toEqual({
      ok: true,
      ak: AK,
    });
    const req = await signedServerView(impl, { date: minutes(-2) });
    expect(await impl.verifySignature(req, lookup, { now: NOW, maxSkewMs: 60_000 })).toEqual(stale);
    await expect(
      impl.verifySignature(req, lookup, { now: NOW, maxSkewMs: Number.NaN }),
    ).rejects.toThrow(RangeError);
  });

  it("reports missing without an Authorization header", async () => {
    const req = await signedServerView(impl);
    const { authorization: _a, ...headers } = req.headers;
    expect(await verify({ ...req, headers })).toEqual({ ok: false, reason: "missing" });
    expect(await verify(withAuthorization(req, ""))).toEqual({ ok: false, reason: "missing" });
    expect(await verify({ method: "GET", url: "/" })).toEqual({ ok: false, reason: "missing" });
  });

  it("reports malformed for every broken Authorization / X-Sdk-Date variant", async () => {
    const req = await signedServerView(impl);
    const auth = req.headers.authorization as string;
    const sig = auth.slice(-64);
    const signed = "content-type;host;x-project-id;x-sdk-date;x-trace-id";
    const variants = [
      "Bearer abc",
      "SDK-HMAC-SHA256",
      auth.replace("SDK-HMAC-SHA256", "sdk-hmac-sha256"),
      auth.replace("SDK-HMAC-SHA256 ", "SDK-HMAC-SHA256  "),
      auth.replace(", SignedHeaders", ",SignedHeaders"),
      auth.replace(", Signature", " , Signature"),
      `${auth}, Extra=1`,
      `${auth};`,
      auth.slice(0, -1),
      `${auth}0`,
      auth.replace(sig, sig.toUpperCase().replace(/^[0-9]/, "A")),
      auth.replace(sig, `${sig.slice(0, -1)}g`),
      `SDK-HMAC-SHA256 SignedHeaders=${signed}, Access=${AK}, Signature=${sig}`,
      `SDK-HMAC-SHA256 Access=, SignedHeaders=${signed}, Signature=${sig}`,
      `SDK-HMAC-SHA256 Access=A K, SignedHeaders=${signed}, Signature=${sig}`,
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=, Signature=${sig}`,
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host;;x-sdk-date, Signature=${sig}`,
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=Host;x-sdk-date, Signature=${sig}`,
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host;host;x-sdk-date, Signature=${sig}`,
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=x-sdk-date, Signature=${sig}`,
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host, Signature=${sig}`,
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host;x-sdk-date;${"x-a;".repeat(3000)}x-b, Signature=${sig}`,
    ];
    for (const value of variants) {
      expect(await verify(withAuthorization(req, value)), value.slice(0, 120)).toEqual({
        ok: false,
        reason: "malformed",
      });
    }
    const twoHeaders = { ...req, headers: { ...req.headers, authorization: [auth, auth] } };
    expect(await verify(twoHeaders)).toEqual({ ok: false, reason: "malformed" });
    for (const date of [
      undefined,
      "",
      "2024-05-06T07:08:09Z",
      "20240506T070809",
      "20241306T070809Z",
      "20240506T250809Z",
    ]) {
      const headers: Record<string, string> = { ...req.headers };
      if (date === undefined) delete headers["x-sdk-date"];
      else headers["x-sdk-date"] = date;
      expect(await verify({ ...req, headers }), String(date)).toEqual({
        ok: false,
        reason: "malformed",
      });
    }
  });

  it("checks X-Sdk-Content-Sha256 against the received body; UNSIGNED-PAYLOAD only when allowed", async () => {
    const body = new TextEncoder().encode("binary-ish payload");
    const hash = await impl.hashPayload(body);
    const declared = await signedServerView(impl, {
      body,
      headers: { "X-Sdk-Content-Sha256": hash },
    });
    expect(await verify(declared)).toEqual({ ok: true, ak: AK });
    expect(await verify({ ...declared, body: Buffer.from("other") })).toEqual({
      ok: false,
      reason: "bad_signature",
    });

    const unsigned = await signedServerView(impl, {
      body,
      headers: { "X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD" },
    });
    expect(await verify(unsigned)).toEqual({ ok: false, reason: "bad_signature" });
    const allow = { now: NOW, allowUnsignedPayload: true };
    expect(await impl.verifySignature(unsigned, lookup, allow)).toEqual({ ok: true, ak: AK });
    expect(
      await impl.verifySignature({ ...unsigned, body: Buffer.from("x") }, lookup, allow),
    ).toEqual({
      ok: true,
      ak: AK,
    });
  });

  it("accepts requests signed by the OFFICIAL SDK (BasicCredentials → AKSKSigner)", async () => {
    const cases: {
      method: string;
      path: string;
      queryParams: Record<string, string | string[]>;
      data?: unknown;
    }[] = [
      {
        method: "POST",
        path: "/v1/proj/secrets",
        queryParams: {},
        data: { name: "db", value: 'ü "q"' },
      },
      {
        method: "GET",
        path: "/v1/proj/secrets/db-pass_1.x~",
        queryParams: { limit: "10", tag: ["b", "a"], q: "a b+c" },
      },
      {
        method: "DELETE",
        path: "/v3/keyevent/notify/ünï",
        queryParams: { "k e y": "" },
        data: { ids: [1, 2] },
      },
    ];
    for (const c of cases) {
      const { headers } = await signOfficialViaCredentials(
        {
          method: c.method,
          origin: "https://kms.example.com:8443",
          path: c.path,
          queryParams: structuredClone(c.queryParams),
          headers: { "content-type": "application/json", "X-Language": "en-us" },
          data: c.data,
        },
        { ak: AK, sk: SK, projectId: "0123456789abcdef", securityToken: "temporary-token" },
      );
      // What Node's http server hands Express: lower-cased names, the axios-serialised target.
      const serverHeaders: Record<string, string> = { "user-agent": "huaweicloud-usdk-nodejs/3.0" };
      for (const [k, v] of Object.entries(headers)) serverHeaders[k.toLowerCase()] = String(v);
      const query = stringify(c.queryParams);
      const target = encodeURI(c.path) + (query ? `?${query}` : "");
      const body = c.data === undefined ? undefined : Buffer.from(JSON.stringify(c.data));
      const result = await impl.verifySignature(
        { method: c.method, url: target, headers: serverHeaders, body },
        lookup,
      );
      expect(result, c.path).toEqual({ ok: true, ak: AK });
    }
  });
});

describe("end to end over HTTP: signFetchRequest → fetch → node:http → verifySignature", () => {
  let server: ReturnType<typeof createServer>;
  let base = "";
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const result = await node.verifySignature(
        {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks),
        },
        lookup,
      );
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(result));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ["web", web],
    ["node", node],
  ])("%s signer", async (_name, impl) => {
    const request = new Request(`${base}/v1/proj/secrets/a b/ü~+?x=1&y=ü&z=a+b&flag`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "X-Trace-Id": " padded ",
        accept: "application/json",
      },
      body: JSON.stringify({ hello: "wörld", n: 1 }),
    });
    const signed = await impl.signFetchRequest(request, { ak: AK, sk: SK, securityToken: "tok" });
    expect(signed.headers.get("authorization")).toMatch(/^SDK-HMAC-SHA256 Access=/);
    expect(await (await fetch(signed)).json()).toEqual({ ok: true, ak: AK });

    const tampered = new Request(`${base}/v1/x`, { method: "PUT", body: "abc" });
    await impl.signFetchRequest(tampered, { ak: AK, sk: SK });
    const forged = new Request(tampered, { body: "abd", duplex: "half" } as RequestInit);
    expect(await (await fetch(forged)).json()).toEqual({ ok: false, reason: "bad_signature" });
  });
});
