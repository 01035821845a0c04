import { describe, expect, it } from "vitest";
import { errorMessage, expectEnvelope, request, start, TOKEN } from "./helpers.js";

const server = await start();
const CTS = "/v3/p1/notifications";
const CSMS = "/v1/p1/csms/events";
const validEvent = {
  name: "ok",
  event_types: ["SECRET_ROTATED"],
  state: "ENABLED",
  notification: { target_type: "SMN", target_id: "urn:smn:r:p:t", target_name: "t" },
};

describe("malformed JSON", () => {
  it("CTS → 400 CTS.0003, CSMS → 400 CSMS.0004", async () => {
    for (const raw of ['{"name":', "not json", "", "\xff\xfe"]) {
      const headers = { "Content-Type": "application/json" };
      const cts = await server.call("POST", CTS, { raw, headers });
      expect(cts.status).toBe(400);
      expect(cts.body.error_code).toBe("CTS.0003");
      expect(cts.body.error_msg).toMatch(/^Malformed JSON body/);
      const csms = await server.call("POST", CSMS, { raw, headers });
      expect(csms.status).toBe(400);
      expect(csms.body.error.error_code).toBe("CSMS.0004");
    }
  });

  it("invalid UTF-8 bytes are malformed JSON, not a crash", async () => {
    const raw = new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]);
    const res = await server.call("POST", CSMS, {
      raw,
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.error_code).toBe("CSMS.0004");
  });

  it("a JSON array or scalar body is a schema violation", async () => {
    const res = await server.call("POST", CSMS, { body: [validEvent] });
    expect(res.status).toBe(400);
    expect(res.body.error.error_code).toBe("CSMS.0002");
    const scalar = await server.call("POST", CTS, { body: 42 });
    expect(scalar.status).toBe(400);
    expect(scalar.body.error_code).toBe("CTS.0003");
  });
});

describe("content type", () => {
  it("text/plain or none on a body operation → 415", async () => {
    const raw = JSON.stringify(validEvent);
    const plain = await server.call("POST", CSMS, {
      raw,
      headers: { "Content-Type": "text/plain" },
    });
    expect(plain.status).toBe(415);
    expect(plain.body.error.error_code).toBe("CSMS.9415");
    expect(plain.body.error.error_msg).toContain("text/plain");
    const none = await server.call("POST", CSMS, { raw });
    expect(none.status).toBe(415);
    const cts = await server.call("PUT", CTS, {
      raw,
      headers: { "Content-Type": "application/xml" },
    });
    expect(cts.status).toBe(415);
    expect(cts.body.error_code).toBe("CTS.9415");
    const latin1 = await server.call("POST", CSMS, {
      raw,
      headers: { "Content-Type": "application/json; charset=ISO-8859-1" },
    });
    expect(latin1.status).toBe(415);
  });

  it("accepts application/json;charset=UTF-8 (what the official SDKs send) and any header casing", async () => {
    const raw = JSON.stringify({ ...validEvent, name: "charset" });
    const res = await server.call("POST", CSMS, {
      raw,
      headers: { "CONTENT-TYPE": "Application/JSON;charset=UTF-8", "x-AUTH-token": "t" },
    });
    expect(res.status).toBe(200);
    const cts = await server.call("POST", CTS, {
      raw: JSON.stringify({ notification_name: "charset", operation_type: "complete" }),
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(cts.status).toBe(201);
  });
});

describe("body size", () => {
  it("over 1 MiB → 413 in the envelope", async () => {
    const raw = JSON.stringify({ ...validEvent, pad: "x".repeat(1024 * 1024) });
    const res = await server.call("POST", CSMS, {
      raw,
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.error_code).toBe("CSMS.9413");
    const cts = await server.call("POST", CTS, {
      raw,
      headers: { "Content-Type": "application/json" },
    });
    expect(cts.status).toBe(413);
    expect(cts.body.error_code).toBe("CTS.9413");
  });

  it("a large body on an operation without one (413 not declared there) → 400", async () => {
    const raw = "x".repeat(1024 * 1024 + 1);
    const res = await server.call("DELETE", `${CSMS}/x`, {
      raw,
      headers: { "Content-Type": "text/plain" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.error_code).toBe("CSMS.0002");
  });
});

describe("routing", () => {
  it("unknown routes → 404 in the API's envelope (CTS's for other paths)", async () => {
    const cases: [string, string][] = [
      ["/v3/p1/unknown", "CTS.9404"],
      ["/v1/p1/csms/secrets", "CSMS.9404"],
      ["/nothing/here", "CTS.9404"],
      ["/V3/p1/notifications/smn", "CTS.9404"],
    ];
    for (const [path, code] of cases) {
      const res = await server.call("GET", path);
      expect(res.status, path).toBe(404);
      expectEnvelope(path, res.body, code);
    }
  });

  it("wrong method on a known path → 405 with Allow", async () => {
    const cts = await server.call("PATCH", CTS, { body: {} });
    expect(cts.status).toBe(405);
    expect(cts.body.error_code).toBe("CTS.9405");
    expect(cts.headers.get("allow")).toBe("PUT, POST, DELETE");
    const csms = await server.call("POST", `${CSMS}/x`, { body: {} });
    expect(csms.status).toBe(405);
    expect(csms.body.error.error_code).toBe("CSMS.9405");
    expect(csms.headers.get("allow")).toBe("GET, PUT, DELETE");
    const records = await server.call("DELETE", "/v1/p1/csms/notification-records");
    expect(records.headers.get("allow")).toBe("GET");
  });

  it("undecodable or invalid path parameters → 400", async () => {
    const bad = await server.call("GET", `${CSMS}/%E0%A4%A`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.error_code).toBe("CSMS.0002");
    const project = await server.call("GET", "/v1/p%20x/csms/events");
    expect(project.status).toBe(400);
    expect(errorMessage(project.body)).toContain("project_id");
  });

  it("URLs over 8 KiB → 400 in the envelope", async () => {
    const res = await server.call("GET", `${CSMS}?marker=${"a".repeat(9000)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.error_msg).toContain("URI");
  });
});

describe("prototype pollution", () => {
  it("__proto__ / constructor / prototype keys → 400 and nothing polluted", async () => {
    const bodies = [
      '{"__proto__":{"polluted":true},"name":"p","event_types":["SECRET_ROTATED"],"state":"ENABLED","notification":{"target_type":"a","target_id":"b","target_name":"c"}}',
      '{"name":"p","event_types":["SECRET_ROTATED"],"state":"ENABLED","notification":{"target_type":"a","target_id":"b","target_name":"c","__proto__":{"polluted":true}}}',
      '{"name":"p","event_types":["SECRET_ROTATED"],"state":"ENABLED","notification":{"target_type":"a","target_id":"b","target_name":"c","constructor":{"prototype":{"polluted":true}}}}',
      '{"\\u005f_proto__":{"polluted":true}}',
    ];
    for (const raw of bodies) {
      const res = await server.call("POST", CSMS, {
        raw,
        headers: { "Content-Type": "application/json" },
      });
      expect(res.status, raw).toBe(400);
      expect(res.body.error.error_code).toBe("CSMS.0002");
    }
    const cts = await server.call("POST", CTS, {
      raw: '{"notification_name":"p","operation_type":"complete","filter":{"__proto__":{"polluted":1}}}',
      headers: { "Content-Type": "application/json" },
    });
    expect(cts.status).toBe(400);
    expect(cts.body.error_msg).toContain("__proto__");
    const query = await server.call("GET", `${CSMS}?__proto__[polluted]=1`);
    expect(query.status).toBe(400);
    expect(({} as any).polluted).toBeUndefined();
    expect((Object.prototype as any).polluted).toBeUndefined();
  });
});

describe("headers", () => {
  it("hardening headers, no X-Powered-By, request id generated or echoed", async () => {
    const res = await fetch(`${server.url}${CSMS}`, { headers: TOKEN });
    expect(res.headers.get("x-powered-by")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await fetch(`${server.url}${CSMS}`, {
      headers: { ...TOKEN, "X-Request-Id": "abc-123" },
    });
    expect(echoed.headers.get("x-request-id")).toBe("abc-123");
    const insane = await fetch(`${server.url}${CSMS}`, {
      headers: { ...TOKEN, "X-Request-Id": "<script>" },
    });
    expect(insane.headers.get("x-request-id")).not.toBe("<script>");
  });
});

describe("unexpected failures", () => {
  it("a response the spec does not allow becomes a 500 envelope with only the request id", async () => {
    const broken = await start({}, { expectResponseFailures: true });
    // A record missing required fields, put straight into the repository (within retention).
    const now = Date.now();
    await broken.store.notificationRecords.append("p1", { create_time: now } as never);
    const res = await fetch(`${broken.url}/v1/p1/csms/notification-records`, { headers: TOKEN });
    expect(res.status).toBe(500);
    const body = await res.json();
    const id = res.headers.get("x-request-id");
    expect(body).toEqual({
      error: { error_code: "CSMS.9500", error_msg: `Internal error; request id ${id}` },
    });
    expect(broken.responseValidationFailures()).toBe(1);
  });

  it("with response validation off the same response goes out as is", async () => {
    const lax = await start({ responseValidation: false });
    const now = Date.now();
    await lax.store.notificationRecords.append("p1", { create_time: now } as never);
    const res = await request(lax.url, "GET", "/v1/p1/csms/notification-records");
    expect(res.status).toBe(200);
    expect(res.body.records).toEqual([{ create_time: now }]);
  });

  it("a store that throws gives a 500 envelope without a stack trace", async () => {
    const failing = await start();
    failing.store.secretEvents.get = () => {
      throw new Error("disk on fire at /secret/path");
    };
    const res = await fetch(`${failing.url}${CSMS}/x`, { headers: TOKEN });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("disk on fire");
    expect(text).not.toContain("at ");
    expect(JSON.parse(text).error.error_code).toBe("CSMS.9500");
  });
});
