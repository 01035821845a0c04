// createSigningMiddleware: the signer's own fetch middleware (the client's AK/SK auth is this one).
import { describe, expect, it } from "vitest";
import * as web from "../src/index.js";
import * as node from "../src/node.js";

const SK = "sk-middleware-secret";

describe.each([
  ["default (Web Crypto)", web],
  ["node", node],
] as const)("createSigningMiddleware, %s entry", (_name, signer) => {
  it("signs a request over its exact body; the body stays readable; verification passes", async () => {
    const middleware = signer.createSigningMiddleware({ ak: "AK1", sk: SK, projectId: "p1" });
    const body = JSON.stringify({ name: "ünïcödé" });
    const request = new Request("https://csms.example.com/v1/p1/csms/events?limit=2", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Trace-Id": "t1" },
      body,
    });
    const signed = await middleware.onRequest({ request });
    expect(signed.headers.get("x-project-id")).toBe("p1");
    expect(signed.headers.get("authorization")).toMatch(
      /^SDK-HMAC-SHA256 Access=AK1, SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-trace-id, Signature=[0-9a-f]{64}$/,
    );
    expect(await signed.text()).toBe(body);
    const result = await signer.verifySignature(
      { method: "POST", url: signed.url, headers: signed.headers, body },
      (ak) => (ak === "AK1" ? SK : undefined),
    );
    expect(result).toEqual({ ok: true, ak: "AK1" });
  });

  it("checks the credentials when it is created, without echoing them", () => {
    expect(() => signer.createSigningMiddleware({ ak: "", sk: SK })).toThrow(/credentials\.ak/);
    expect(() => signer.createSigningMiddleware({ ak: "AK1", sk: "" })).toThrow(/credentials\.sk/);
    const error = (() => {
      try {
        signer.createSigningMiddleware({ ak: "A,K", sk: SK });
      } catch (err) {
        return String(err);
      }
      return "did not throw";
    })();
    expect(error).toMatch(/^TypeError: .*credentials\.ak/);
    expect(error).not.toContain(SK);
  });

  it("keeps the secret out of what it exposes", () => {
    const middleware = signer.createSigningMiddleware({ ak: "AK1", sk: SK });
    expect(JSON.stringify(middleware)).not.toContain(SK);
    expect(Object.keys(middleware)).toEqual(["onRequest"]);
  });
});
