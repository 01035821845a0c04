// Client resilience, proven against the real server: fault rules (/_admin/faults) make the
// reference server fail the way the real services fail, and @cts-csms/client's retries,
// Retry-After handling and timeouts are watched from both sides (the client's result and the
// server's log and hit counts).
import { createCsmsClient, NetworkError, TimeoutError } from "@cts-csms/client";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { credentials, type Harness, startHarness } from "../src/context.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(["--log-level", "info"]);
});
afterAll(() => h?.stop());
afterEach(async () => {
  await h.admin.deleteFaultRules();
  await h.reset();
});

/** A CSMS client of project p1 that retries quickly (the server's Retry-After aside). */
const client = (options: Record<string, unknown> = {}) =>
  createCsmsClient({
    endpoint: h.url,
    projectId: "p1",
    auth: { token: credentials.tokens.p1 },
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 5_000 },
    ...options,
  });

const event = (name: string) => ({
  name,
  event_types: ["SECRET_ROTATED" as const],
  state: "ENABLED" as const,
  notification: { target_type: "SMN" as const, target_id: "t", target_name: "n" },
});

async function addRule(body: Parameters<Harness["admin"]["addFaultRule"]>[0]["body"]) {
  const { data } = await h.admin.addFaultRule({ body });
  return data!;
}

async function hits(id: string) {
  const { data } = await h.admin.listFaultRules();
  const rule = data!.rules.find((r) => r.id === id);
  return { hits: rule?.hits, matched: rule?.matched };
}

/** The server's access-log lines for one request id, in order. */
function logLines(filter: (line: any) => boolean) {
  return h.server
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l))
    .filter(filter);
}

it("count: 2, status: 503 → two 503s, then the client's third attempt succeeds (visible in the server's log)", async () => {
  const rule = await addRule({
    operation_id: "listSecretEvents",
    project_id: "p1",
    status: 503,
    count: 2,
  });
  const result = await client().listSecretEvents({ params: { query: { limit: 7 } } });
  expect(result.response.status).toBe(200);
  expect(result.data?.events).toEqual([]);
  expect(await hits(rule.id)).toEqual({ hits: 2, matched: 2 });
  // The access log shows the retries: the same URL answered 503, 503, then 200. The server's
  // stdout may trail the answers a little: read it until the third line is there.
  const isRetried = (l: any) => l.msg === "request" && l.url === "/v1/p1/csms/events?limit=7";
  for (let i = 0; i < 100 && logLines(isRetried).length < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const requests = logLines(isRetried);
  expect(requests.map((l) => l.status)).toEqual([503, 503, 200]);
  const faults = logLines((l) => l.msg === "fault applied" && l.fault === rule.id);
  expect(faults.map((l) => l.reqId)).toEqual(requests.slice(0, 2).map((l) => l.reqId));
});

it("429 with Retry-After: the client waits as told, then succeeds; a longer pause than it allows is returned", async () => {
  const rule = await addRule({
    operation_id: "listSecretEvents",
    status: 429,
    retry_after: 1,
    count: 1,
  });
  const started = Date.now();
  const ok = await client().listSecretEvents();
  expect(ok.response.status).toBe(200);
  // Backoff alone would have waited at most 10 ms; the server asked for a second.
  expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  expect(await hits(rule.id)).toEqual({ hits: 1, matched: 1 });

  const again = await addRule({
    operation_id: "listSecretEvents",
    status: 429,
    retry_after: 60,
    count: 1,
  });
  const throttled = await client().listSecretEvents();
  expect(throttled.response.status).toBe(429);
  expect(throttled.response.headers.get("retry-after")).toBe("60");
  expect(throttled.error).toMatchObject({ error_code: "APIG.0308" });
  expect(await hits(again.id)).toEqual({ hits: 1, matched: 1 });
});

it("a timeout fires on a delay; with retries the next attempt succeeds", async () => {
  // The timeout is far from both a plain answer's time and the delay: on a loaded CI machine a
  // plain answer took over 300 ms three times in a row, failing the retried call.
  const TIMEOUT_MS = 3_000;
  const DELAY_MS = 30_000;
  const rule = await addRule({ operation_id: "listSecretEvents", delay_ms: DELAY_MS, count: 1 });
  const noRetry = client({ retry: false, timeoutMs: TIMEOUT_MS });
  await expect(noRetry.listSecretEvents()).rejects.toBeInstanceOf(TimeoutError);
  expect(await hits(rule.id)).toEqual({ hits: 1, matched: 1 });

  const again = await addRule({ operation_id: "listSecretEvents", delay_ms: DELAY_MS, count: 1 });
  const ok = await client({ timeoutMs: TIMEOUT_MS }).listSecretEvents();
  expect(ok.response.status).toBe(200);
  expect(await hits(again.id)).toEqual({ hits: 1, matched: 1 });
});

it("a connection reset is retried for idempotent operations only", async () => {
  const get = await addRule({ operation_id: "listSecretEvents", action: "reset", count: 1 });
  const listed = await client().listSecretEvents();
  expect(listed.response.status).toBe(200);
  expect(await hits(get.id)).toEqual({ hits: 1, matched: 1 });

  const post = await addRule({ operation_id: "createSecretEvent", action: "reset", count: 1 });
  await expect(client().createSecretEvent({ body: event("once") })).rejects.toBeInstanceOf(
    NetworkError,
  );
  // One attempt only: a POST that lost its answer may have created the resource.
  expect(await hits(post.id)).toEqual({ hits: 1, matched: 1 });
  const after = await client().listSecretEvents();
  expect(after.data?.events).toEqual([]);
});

it("a 4xx is never retried", async () => {
  const rule = await addRule({ operation_id: "showSecretEvent", status: 404 });
  const result = await client().showSecretEvent({ params: { path: { event_name: "gone" } } });
  expect(result.response.status).toBe(404);
  expect(result.error).toMatchObject({ error: { error_code: "CSMS.0005" } });
  expect(await hits(rule.id)).toEqual({ hits: 1, matched: 1 });
});

it("probability: 0.3 with a seed gives the same fault sequence on two runs", async () => {
  const run = async () => {
    const rule = await addRule({
      operation_id: "listSecretEvents",
      status: 503,
      probability: 0.3,
      seed: 20261126,
    });
    const csms = client({ retry: false });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await csms.listSecretEvents()).response.status);
    const counted = await hits(rule.id);
    await h.admin.deleteFaultRules({ params: { query: { id: rule.id } } });
    return { statuses, counted };
  };
  const first = await run();
  const second = await run();
  expect(second).toEqual(first);
  const faulted = first.statuses.filter((s) => s === 503).length;
  expect(first.counted).toEqual({ hits: faulted, matched: 30 });
  // Some faults and some successes: the probability is applied, not all-or-nothing.
  expect(faulted).toBeGreaterThan(0);
  expect(faulted).toBeLessThan(30);
});
