import { describe, expect, expectTypeOf, it } from "vitest";
import type * as WebApi from "../src/index.js";
import * as web from "../src/index.js";
import type * as NodeApi from "../src/node.js";
import * as node from "../src/node.js";

describe("API parity", () => {
  it("the node export has exactly the default export's API", () => {
    expect(Object.keys(node).sort()).toEqual(Object.keys(web).sort());
    expectTypeOf<typeof NodeApi>().toEqualTypeOf<typeof WebApi>();
  });
});

describe("uriEncode / canonicalUri / canonicalQueryString", () => {
  it("encodes everything but A-Za-z0-9-_.~ with upper-case hex, UTF-8", () => {
    expect(web.uriEncode("AZaz09-_.~")).toBe("AZaz09-_.~");
    expect(web.uriEncode("!'()*+ /%")).toBe("%21%27%28%29%2A%2B%20%2F%25");
    expect(web.uriEncode("ü中😀")).toBe("%C3%BC%E4%B8%AD%F0%9F%98%80");
    expect(web.uriEncode("a\uD800b")).toBe("a%EF%BF%BDb");
  });

  it("canonicalUri always ends in / and keeps empty segments", () => {
    expect(web.canonicalUri("")).toBe("/");
    expect(web.canonicalUri("/")).toBe("/");
    expect(web.canonicalUri("/v1/x")).toBe("/v1/x/");
    expect(web.canonicalUri("/v1/x/")).toBe("/v1/x/");
    expect(web.canonicalUri("//a///b")).toBe("//a///b/");
    expect(web.canonicalUri("/%7e%2d+")).toBe("/~-%2B/");
  });

  it("canonicalUri decodes leniently (malformed escapes literal, bad UTF-8 → U+FFFD)", () => {
    expect(web.canonicalUri("/a%zz/100%")).toBe("/a%25zz/100%25/");
    expect(web.canonicalUri("/%FF/%C3%BC")).toBe("/%EF%BF%BD/%C3%BC/");
  });

  it("canonicalQueryString sorts by key then value and normalises encodings", () => {
    expect(web.canonicalQueryString("")).toBe("");
    expect(web.canonicalQueryString("?")).toBe("");
    expect(web.canonicalQueryString("?b=2&a=x+y&a")).toBe("a=&a=x%20y&b=2");
    expect(web.canonicalQueryString("&&k&=v&k=")).toBe("=v&k=&k=");
    expect(web.canonicalQueryString("a=%7e&a=~&a=%41")).toBe("a=A&a=~&a=~");
    expect(web.canonicalQueryString("x=a=b")).toBe("x=a%3Db");
    expect(web.canonicalQueryString("B=1&a=1&_=1&-=1")).toBe("-=1&B=1&_=1&a=1");
  });
});

describe("formatSdkDate / parseSdkDate", () => {
  it("round-trips and pads", () => {
    expect(web.formatSdkDate(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 999)))).toBe(
      "20240102T030405Z",
    );
    expect(web.formatSdkDate(new Date("0999-12-31T23:59:59Z"))).toBe("09991231T235959Z");
    expect(web.parseSdkDate("20240229T235959Z")?.toISOString()).toBe("2024-02-29T23:59:59.000Z");
  });

  it("is strict", () => {
    expect(() => web.formatSdkDate(new Date(Number.NaN))).toThrow(TypeError);
    for (const bad of [
      "20230229T000000Z",
      "20240102T030405",
      "20240102T240000Z",
      "2024010T030405Z",
      " 20240102T030405Z",
      "20240102t030405z",
    ]) {
      expect(web.parseSdkDate(bad), bad).toBeNull();
    }
  });
});

describe("parseAuthorization", () => {
  const sig = "0123456789abcdef".repeat(4);
  it("parses the canonical form", () => {
    expect(
      web.parseAuthorization(
        `SDK-HMAC-SHA256 Access=AK/x+y=, SignedHeaders=host;x-sdk-date, Signature=${sig}`,
      ),
    ).toEqual({
      access: "AK/x+y=",
      signedHeaders: ["host", "x-sdk-date"],
      signature: sig,
    });
  });
  it("returns null for non-strings and other shapes", () => {
    expect(web.parseAuthorization(undefined as unknown as string)).toBeNull();
    expect(
      web.parseAuthorization(
        `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=${sig}\n`,
      ),
    ).toBeNull();
    expect(
      web.parseAuthorization(
        `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=${sig.slice(1)}`,
      ),
    ).toBeNull();
    expect(
      web.parseAuthorization(
        `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x sdk, Signature=${sig}`,
      ),
    ).toBeNull();
  });
});

describe("hashPayload", () => {
  it("returns the empty hash for all empty bodies", async () => {
    for (const impl of [web, node]) {
      for (const body of [
        undefined,
        null,
        "",
        new Uint8Array(0),
        new ArrayBuffer(0),
        new DataView(new ArrayBuffer(4), 2, 0),
      ]) {
        expect(await impl.hashPayload(body)).toBe(web.EMPTY_BODY_SHA256);
      }
    }
  });
  it("hashes only the view's bytes", async () => {
    const buffer = new Uint8Array([9, 9, 97, 98, 99, 9]).buffer;
    const expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; // sha256("abc")
    for (const impl of [web, node]) {
      expect(await impl.hashPayload(new Uint8Array(buffer, 2, 3))).toBe(expected);
      expect(await impl.hashPayload(new DataView(buffer, 2, 3))).toBe(expected);
      expect(await impl.hashPayload("abc")).toBe(expected);
    }
  });
});

describe("signRequest input handling", () => {
  const creds = { ak: "AK", sk: "SK" };
  const date = new Date("2024-01-01T00:00:00Z");
  it("accepts origin-form urls with a host header, and rejects them without", async () => {
    const a = await web.signRequest(
      { method: "GET", url: "/x?y=1", headers: { Host: "h.example.com" } },
      creds,
      { date },
    );
    const b = await web.signRequest({ method: "GET", url: "https://h.example.com/x?y=1" }, creds, {
      date,
    });
    expect(a).toEqual(b);
    await expect(web.signRequest({ method: "GET", url: "/x" }, creds)).rejects.toThrow(TypeError);
  });
  it("canonicalRequest throws for a signed header without a value", async () => {
    await expect(web.canonicalRequest({ method: "GET", url: "/x" }, ["host"])).rejects.toThrow(
      /"host"/,
    );
  });
  it("caches HMAC keys per SK without mixing them up", async () => {
    const input = { method: "GET", url: "https://h.example.com/" };
    const results = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        web.signRequest(input, { ak: "AK", sk: `sk-${i % 75}` }, { date }),
      ),
    );
    const viaNode = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        node.signRequest(input, { ak: "AK", sk: `sk-${i % 75}` }, { date }),
      ),
    );
    expect(results).toEqual(viaNode);
    expect(new Set(results.map((r) => r.Authorization)).size).toBe(75);
  });
});
