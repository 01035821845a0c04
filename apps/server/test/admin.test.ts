import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { request, start, tempDir } from "./helpers.js";

/** The clock's request schema, as the bundled admin spec states it (its patterns are quoted in errors). */
const clockRequest = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve("@cts-csms/openapi/admin.json"), "utf8"),
).components.schemas.ClockRequest;

const docsDir = tempDir("docs");
writeFileSync(join(docsDir, "index.html"), "<!doctype html><title>API reference</title>");
const server = await start({ docsDir });

const event = (name: string) => ({
  name,
  event_types: ["SECRET_ROTATED"],
  state: "ENABLED",
  notification: { target_type: "SMN", target_id: "x", target_name: "y" },
});

describe("admin routes", () => {
  it("GET /_admin/health → 200 {status: ok}", async () => {
    const res = await request(server.url, "GET", "/_admin/health", { bare: true });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
    const wrong = await request(server.url, "DELETE", "/_admin/health", { bare: true });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
  });

  it("POST /_admin/reset?project_id=X resets one project; without it, all", async () => {
    for (const p of ["p1", "p2"]) {
      expect((await server.call("POST", `/v1/${p}/csms/events`, { body: event("e") })).status).toBe(
        200,
      );
    }
    const one = await request(server.url, "POST", "/_admin/reset?project_id=p1", { bare: true });
    expect(one.status).toBe(204);
    expect((await server.call("GET", "/v1/p1/csms/events")).body.events).toEqual([]);
    expect((await server.call("GET", "/v1/p2/csms/events")).body.events).toHaveLength(1);
    const all = await request(server.url, "POST", "/_admin/reset", { bare: true });
    expect(all.status).toBe(204);
    expect((await server.call("GET", "/v1/p2/csms/events")).body.events).toEqual([]);
    const bad = await request(server.url, "POST", "/_admin/reset?project_id=a%20b", { bare: true });
    expect(bad.status).toBe(400);
    expect(bad.body.error_msg).toContain("project_id");
  });
});

describe("specs and docs", () => {
  it("serves the bundled specs byte for byte", async () => {
    const require = createRequire(import.meta.url);
    for (const api of ["cts", "csms"]) {
      const res = await fetch(`${server.url}/openapi/${api}.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await res.text()).toBe(
        readFileSync(require.resolve(`@cts-csms/openapi/${api}.json`), "utf8"),
      );
    }
  });

  it("serves the docs at /docs with a CSP that lets Redoc run", async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.url).toMatch(/\/docs\/$/);
    expect(await res.text()).toContain("API reference");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self' 'unsafe-inline'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).not.toContain("upgrade-insecure-requests");
    const missing = await request(server.url, "GET", "/docs/nope.js", { bare: true });
    expect(missing.status).toBe(404);
  });

  it("without a docs directory /docs is a 404 envelope", async () => {
    const bare = await start({ docsDir: join(docsDir, "absent") });
    const res = await request(bare.url, "GET", "/docs", { bare: true });
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe("CTS.9404");
  });
});

describe("CORS", () => {
  it("is off by default and on with the option", async () => {
    const off = await fetch(`${server.url}/v1/p1/csms/events`, {
      method: "OPTIONS",
      headers: { Origin: "http://example.com", "Access-Control-Request-Method": "GET" },
    });
    expect(off.headers.get("access-control-allow-origin")).toBeNull();
    const withCors = await start({ cors: true });
    const pre = await fetch(`${withCors.url}/v1/p1/csms/events`, {
      method: "OPTIONS",
      headers: { Origin: "http://example.com", "Access-Control-Request-Method": "GET" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    const get = await withCors.call("GET", "/v1/p1/csms/events", {
      headers: { Origin: "http://example.com" },
    });
    expect(get.headers.get("access-control-allow-origin")).toBe("*");
    expect(get.headers.get("access-control-expose-headers")).toContain("X-Request-Id");
  });

  it("validation errors name the real problem: the missing protocol, the unknown property, an example", async () => {
    const topic = "urn:smn:cn-north-4:p1:ops";
    const cases: [string, string, unknown, string][] = [
      [
        "PUT",
        "/_admin/sinks",
        { [topic]: [{ endpoint: "http://127.0.0.1:9000/smn" }] },
        `request/body/${topic}/0 must have required property 'protocol'`,
      ],
      [
        "PUT",
        "/_admin/sinks",
        { [topic]: [{ protocol: "http", endpoint: "http://127.0.0.1:9000/smn", retries: 3 }] },
        `request/body/${topic}/0 has an unknown property "retries"`,
      ],
      [
        "POST",
        "/_admin/clock",
        { advance: "PT2H", by: 1 },
        'request/body has an unknown property "by"',
      ],
      [
        "POST",
        "/_admin/clock",
        { advance: "2h" },
        `request/body/advance must match pattern "${clockRequest.properties.advance.pattern}", e.g. "PT25H"`,
      ],
      [
        "POST",
        "/_admin/clock",
        { time: "tomorrow" },
        `request/body/time must match pattern "${clockRequest.properties.time.pattern}", e.g. "2026-03-01T00:00:00Z"`,
      ],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await request(server.url, method, path, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error_msg).toBe(message);
    }
  });
});
