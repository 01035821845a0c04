// Faults on demand: Prism's `Prefer` header per request, and fault rules through /_admin/faults.
// Every faulted answer also went through response validation (start() checks no failures).
import { Writable } from "node:stream";
import { apis } from "@cts-csms/spec";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { expectEnvelope, start } from "./helpers.js";

const lines: any[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
const server = await start({ logger: pino({ level: "info" }, sink) });
const operations = apis()
  .filter((m) => m.name !== "admin")
  .flatMap((m) => m.operations);

/** A plain request: faults answer 5xx and the gateway's envelope on purpose (helpers' `request` forbids both). */
async function send(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: unknown } = {},
) {
  const headers: Record<string, string> = { "X-Auth-Token": "t", ...init.headers };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const res = await fetch(server.url + path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
const admin = (method: string, path: string, body?: unknown) => send(method, path, { body });
const get = (path: string, headers: Record<string, string> = {}) => send("GET", path, { headers });
const prefer = (path: string, value: string) => get(path, { Prefer: value });

afterEach(async () => {
  expect((await admin("DELETE", "/_admin/faults")).status).toBe(204);
});

describe("Prefer header (Prism-compatible)", () => {
  it("code=503 answers 503 in each API's envelope with its code from the spec, on every operation", async () => {
    const ctsOne = await prefer("/v3/p1/notifications/smn", "code=503");
    expect(ctsOne.status).toBe(503);
    expectEnvelope("/v3/", ctsOne.body, "CTS.9503");
    const csmsOne = await prefer("/v1/p1/csms/events", "code=503");
    expect(csmsOne.status).toBe(503);
    expectEnvelope("/v1/", csmsOne.body, "CSMS.9503");
    // Every CTS and CSMS operation declares 503 and answers it to a valid request (built from
    // the spec's own parameter and body examples).
    for (const op of operations) {
      const sample = (name: string) => {
        const p = op.parameters.find((q) => q.name === name);
        return String(p?.example ?? Object.values(p?.examples ?? {})[0]);
      };
      const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        encodeURIComponent(sample(name)),
      );
      const query = op.parameters
        .filter((p) => p.in === "query" && p.required)
        .map((p) => `${p.name}=${sample(p.name)}`)
        .join("&");
      const body = op.requestBody ? Object.values(op.requestBody.examples)[0] : undefined;
      const res = await send(op.method, query ? `${path}?${query}` : path, {
        headers: { Prefer: "code=503" },
        body,
      });
      expect(res.status, `${op.operationId}: ${JSON.stringify(res.body)}`).toBe(503);
      expectEnvelope(path, res.body, op.api === "cts" ? "CTS.9503" : "CSMS.9503");
    }
  });

  it("code=429 answers the gateway's flat APIG.0308 envelope with the request id", async () => {
    const res = await get("/v1/p1/csms/events", { Prefer: "code=429", "X-Request-Id": "req-429" });
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ error_code: "APIG.0308", request_id: "req429" });
  });

  it("a status the operation does not declare is a 400 that says so", async () => {
    const res = await prefer("/v3/p1/notifications/smn", "code=418");
    expect(res.status).toBe(400);
    expectEnvelope("/v3/", res.body, "CTS.0003");
    expect(res.body.error_msg).toBe(
      "Prefer: code=418 is not a status listNotifications declares (200, 400, 401, 403, 404, 429, 500, 503)",
    );
    const junk = await prefer("/v1/p1/csms/events", "code=abc");
    expect(junk.status).toBe(400);
    expect(junk.body.error.error_msg).toContain(
      "code=abc is not a status listSecretEvents declares",
    );
  });

  it("example=NAME answers that named example; an unknown name is a 400 listing the names", async () => {
    const op = operations.find((o) => o.operationId === "listNotifications");
    const names = op?.responses.find((r) => r.status === "200")?.examples ?? {};
    const res = await prefer("/v3/p1/notifications/smn", "example=Nope");
    expect(res.status).toBe(400);
    expect(res.body.error_msg).toBe(
      `Prefer: example=Nope is not an example of listNotifications (its examples: ${Object.keys(names).join(", ")}, BadRequest, Unauthorized, Forbidden, NotFound, TooManyRequests, InternalServerError, ServiceUnavailable)`,
    );
    // Names are looked up as the spec's own, never as inherited properties.
    const inherited = await prefer("/v3/p1/notifications/smn", "example=constructor");
    expect(inherited.status).toBe(400);
    const name = Object.keys(names)[0] as string;
    const named = await prefer("/v3/p1/notifications/smn", `example="${name}"`);
    expect(named.status).toBe(200);
    expect(named.body).toEqual(names[name]);
    const error = await prefer("/v1/p1/csms/events", "code=404, example=NotFound");
    expect(error.status).toBe(404);
    expectEnvelope("/v1/", error.body, "CSMS.0005");
  });

  it("delay=MS delays the answer; over the cap (30 000) is a 400", async () => {
    const started = Date.now();
    const res = await prefer("/v1/p1/csms/events", "delay=300");
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const over = await prefer("/v1/p1/csms/events", "delay=30001");
    expect(over.status).toBe(400);
    expect(over.body.error.error_msg).toBe(
      "Prefer: delay=30001 must be a whole number of milliseconds from 0 to 30000",
    );
  });

  it("unknown preferences are ignored (RFC 7240), and credentials still come first", async () => {
    expect((await prefer("/v1/p1/csms/events", "return=minimal, dynamic=true")).status).toBe(200);
    const anonymous = await send("GET", "/v1/p1/csms/events", {
      headers: { Prefer: "code=503", "X-Auth-Token": "" },
    });
    expect(anonymous.status).toBe(401);
  });
});

describe("fault rules (/_admin/faults)", () => {
  it("count: 2, status: 503 → two 503s with Retry-After, then success; hits counted; logged", async () => {
    const added = await admin("POST", "/_admin/faults", {
      operation_id: "listSecretEvents",
      project_id: "p1",
      status: 503,
      retry_after: 1,
      count: 2,
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: expect.stringMatching(/^f\d+$/), hits: 0, matched: 0 });
    const other = await get("/v1/p2/csms/events");
    expect(other.status).toBe(200);
    const got = [];
    for (let i = 0; i < 3; i++) {
      const res = await get("/v1/p1/csms/events");
      got.push([res.status, res.headers.get("retry-after")]);
    }
    expect(got).toEqual([
      [503, "1"],
      [503, "1"],
      [200, null],
    ]);
    const listed = await admin("GET", "/_admin/faults");
    expect(listed.body.rules).toEqual([{ ...added.body, hits: 2, matched: 2 }]);
    const logged = lines.filter((l) => l.msg === "fault applied" && l.fault === added.body.id);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ operationId: "listSecretEvents", status: 503 });
  });

  it("path and query conditions narrow the match", async () => {
    await admin("POST", "/_admin/faults", {
      path: { notification_type: "fun" },
      status: 500,
    });
    expect((await get("/v3/p1/notifications/smn")).status).toBe(200);
    const fun = await get("/v3/p1/notifications/fun");
    expect(fun.status).toBe(500);
    expectEnvelope("/v3/", fun.body, "CTS.9500");
    await admin("POST", "/_admin/faults", { query: { trace_type: "data" }, status: 429 });
    expect((await get("/v3/p1/traces?trace_type=system")).status).toBe(200);
    expect((await get("/v3/p1/traces?trace_type=data")).status).toBe(429);
  });

  it("probability with a seed gives the same sequence on every run", async () => {
    const run = async () => {
      const rule = await admin("POST", "/_admin/faults", {
        operation_id: "listSecretEvents",
        status: 503,
        probability: 0.3,
        seed: 1234,
      });
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) seen.push((await get("/v1/p1/csms/events")).status);
      await admin("DELETE", `/_admin/faults?id=${rule.body.id}`);
      return seen;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });

  it("reset closes the connection; hang holds it until the rule is deleted", async () => {
    await admin("POST", "/_admin/faults", {
      operation_id: "listSecretEvents",
      action: "reset",
      count: 1,
    });
    await expect(
      fetch(`${server.url}/v1/p1/csms/events`, { headers: { "X-Auth-Token": "t" } }),
    ).rejects.toThrow();
    const hang = await admin("POST", "/_admin/faults", {
      operation_id: "showSecretEvent",
      action: "hang",
    });
    const pending = fetch(`${server.url}/v1/p1/csms/events/e1`, {
      headers: { "X-Auth-Token": "t" },
    }).then(
      () => "answered",
      () => "closed",
    );
    // Wait until the server holds it, then let it go by deleting the rule.
    for (let i = 0; i < 200; i++) {
      const list = await admin("GET", "/_admin/faults");
      if (list.body.rules.find((r: any) => r.id === hang.body.id)?.hits === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await admin("DELETE", `/_admin/faults?id=${hang.body.id}`)).status).toBe(204);
    expect(await pending).toBe("closed");
  });

  it("bad rules are 400s naming the problem; an unknown id is a 404", async () => {
    const cases: [unknown, string][] = [
      [{ operation_id: "listSecretEvents" }, "at least one of status, delay_ms and action"],
      [{ status: 503, action: "reset" }, "either status or action"],
      [{ operation_id: "nope", status: 503 }, "operation_id nope is not a CTS or CSMS operation"],
      [
        { operation_id: "listSecretEvents", status: 201 },
        "status 201 is not declared by listSecretEvents",
      ],
      [{ status: 500, retry_after: 1 }, "retry_after needs status 429 or 503"],
      [{ status: 500, seed: 1 }, "seed needs probability"],
      [{ status: 500, delay_ms: 30001 }, "delay_ms"],
      [{ status: 500, probability: 2 }, "probability"],
    ];
    for (const [body, message] of cases) {
      const res = await admin("POST", "/_admin/faults", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error_msg).toContain(message);
    }
    const missing = await admin("DELETE", "/_admin/faults?id=f999");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error_code: "CTS.0403",
      error_msg: "No fault rule with id f999",
    });
  });

  it("POST /_admin/reset removes the rules (of that project, or all)", async () => {
    await admin("POST", "/_admin/faults", { project_id: "p1", status: 500 });
    await admin("POST", "/_admin/faults", { project_id: "p2", status: 500 });
    await admin("POST", "/_admin/reset?project_id=p1");
    expect(
      (await admin("GET", "/_admin/faults")).body.rules.map((r: any) => r.rule.project_id),
    ).toEqual(["p2"]);
    await admin("POST", "/_admin/reset");
    expect((await admin("GET", "/_admin/faults")).body.rules).toEqual([]);
  });
});

describe("--rate-limit (rateLimit)", () => {
  it("beyond N requests a second per token: 429 APIG.0308 with Retry-After; other callers unaffected", async () => {
    const limited = await start({ logger: false, rateLimit: 2 });
    const call = (token: string) =>
      fetch(`${limited.url}/v1/p1/csms/events`, { headers: { "X-Auth-Token": token } });
    const statuses: number[] = [];
    let throttled: Response | undefined;
    // Well over 2 requests inside one second, however slow the machine: at most 2 + refill pass.
    for (let i = 0; i < 20; i++) {
      const res = await call("a");
      statuses.push(res.status);
      if (res.status === 429) throttled ??= res;
      else await res.arrayBuffer();
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses).toContain(429);
    expect(throttled?.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(await throttled?.json()).toMatchObject({ error_code: "APIG.0308" });
    expect((await call("b")).status).toBe(200);
  });
});

describe("rateLimiter (token bucket)", () => {
  it("lets N a second through per caller and says how long to wait", async () => {
    const { rateLimiter } = await import("../src/pipeline/faults.js");
    let now = 0;
    const limit = rateLimiter(2, () => now);
    expect([limit("a"), limit("a"), limit("a")]).toEqual([undefined, undefined, 1]);
    expect(limit("b")).toBeUndefined();
    now = 500; // half a second refills one request
    expect([limit("a"), limit("a")]).toEqual([undefined, 1]);
  });
});
