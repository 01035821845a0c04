import { verifySignature } from "@cts-csms/signer";
import { afterEach, describe, expect, it } from "vitest";
import {
  createCsmsClient,
  createCtsClient,
  HuaweiApiError,
  NetworkError,
  TimeoutError,
} from "../src/index.js";
import { retryAfterMs } from "../src/transport.js";
import { freePort, type Reply, startServer, type TestServer } from "./server.js";

const PROJECT = "p1";
const fast = { baseDelayMs: 1, maxDelayMs: 50 };
const csmsError = (code: string) => ({ error: { error_code: code, error_msg: "busy" } });
const page = { events: [], page_info: { current_count: 0 } };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Answers with `replies[i]` for the i-th request, then the last one forever. */
async function serve(...replies: Reply[]) {
  server = await startServer((_req, i) => replies[Math.min(i, replies.length - 1)]!);
  return server;
}

const csms = (url: string, extra: Parameters<typeof createCsmsClient>[0] = {}) =>
  createCsmsClient({ endpoint: url, projectId: PROJECT, auth: { token: "t" }, ...extra });

describe("retries", () => {
  it("503 then 200: retried, succeeds", async () => {
    const s = await serve({ status: 503, body: csmsError("CSMS.9503") }, { body: page });
    const result = await csms(s.url, { retry: fast }).listSecretEvents();
    expect(result.response.status).toBe(200);
    expect(result.data).toEqual(page);
    expect(s.requests).toHaveLength(2);
  });

  it.each([429, 502, 504])("%i is retried for GET", async (status) => {
    const s = await serve({ status, body: csmsError("X") }, { body: page });
    const result = await csms(s.url, { retry: fast }).listSecretEvents();
    expect(result.response.status).toBe(200);
    expect(s.requests).toHaveLength(2);
  });

  it("does not retry other errors (400, 500)", async () => {
    const s = await serve({ status: 500, body: csmsError("CSMS.9500") }, { body: page });
    const result = await csms(s.url, { retry: fast }).listSecretEvents();
    expect(result.response.status).toBe(500);
    expect(s.requests).toHaveLength(1);
  });

  it("429 with Retry-After (seconds) is honoured", async () => {
    const s = await serve(
      { status: 429, headers: { "retry-after": "1" }, body: csmsError("CSMS.9429") },
      { body: page },
    );
    const result = await csms(s.url, { retry: { ...fast, maxDelayMs: 5000 } }).listSecretEvents();
    expect(result.response.status).toBe(200);
    const gap = s.requests[1]!.at - s.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(950);
  });

  it("Retry-After as an HTTP date is honoured", async () => {
    const when = new Date(Date.now() + 1500).toUTCString(); // second precision: 0.5-1.5 s away
    const s = await serve(
      { status: 503, headers: { "retry-after": when }, body: csmsError("X") },
      { body: page },
    );
    await csms(s.url, { retry: { ...fast, maxDelayMs: 5000 } }).listSecretEvents();
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(400);
  });

  it("a Retry-After longer than maxDelayMs returns the 429 instead of waiting", async () => {
    const s = await serve({ status: 429, headers: { "retry-after": "120" }, body: csmsError("X") });
    const result = await csms(s.url, { retry: fast }).listSecretEvents();
    expect(result.response.status).toBe(429);
    expect(s.requests).toHaveLength(1);
  });

  it("parses Retry-After forms", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(
      retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 07:27:58 GMT")),
    ).toBe(2000);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it("POST is not retried by default", async () => {
    const s = await serve({ status: 503, body: csmsError("X") }, { body: { event: {} } });
    const body = {
      name: "e",
      event_types: ["SECRET_ROTATED" as const],
      state: "ENABLED" as const,
      notification: { target_type: "SMN" as const, target_id: "urn:smn:r:p:t", target_name: "t" },
    };
    const result = await csms(s.url, { retry: fast }).createSecretEvent({ body });
    expect(result.response.status).toBe(503);
    expect(s.requests).toHaveLength(1);
  });

  it("POST is retried with retryPost, same body each time", async () => {
    const s = await serve({ status: 503, body: csmsError("X") }, { body: { event: {} } });
    const body = {
      name: "e",
      event_types: ["SECRET_ROTATED" as const],
      state: "ENABLED" as const,
      notification: { target_type: "SMN" as const, target_id: "urn:smn:r:p:t", target_name: "t" },
    };
    const result = await csms(s.url, { retry: { ...fast, retryPost: true } }).createSecretEvent({
      body,
    });
    expect(result.response.status).toBe(200);
    expect(s.requests).toHaveLength(2);
    expect(s.requests[0]!.json).toEqual(body);
    expect(s.requests[1]!.body.equals(s.requests[0]!.body)).toBe(true);
  });

  it("PUT and DELETE are retried", async () => {
    const s = await serve({ status: 502 }, { status: 204 });
    const result = await csms(s.url, { retry: fast }).deleteSecretEvent({
      params: { path: { event_name: "e" } },
    });
    expect(result.response.status).toBe(204);
    expect(s.requests.map((r) => r.method)).toEqual(["DELETE", "DELETE"]);
  });

  it("attempts are capped at maxAttempts; the last answer is returned", async () => {
    const s = await serve({ status: 503, body: csmsError("CSMS.9503") });
    const result = await csms(s.url, { retry: { ...fast, maxAttempts: 4 } }).listSecretEvents();
    expect(result.response.status).toBe(503);
    expect(result.error).toEqual(csmsError("CSMS.9503"));
    expect(s.requests).toHaveLength(4);
  });

  it("retry: false makes a single attempt", async () => {
    const s = await serve({ status: 503 }, { body: page });
    const result = await csms(s.url, { retry: false }).listSecretEvents();
    expect(result.response.status).toBe(503);
    expect(s.requests).toHaveLength(1);
  });

  it("default backoff stays within base·2ⁿ⁻¹ (full jitter)", async () => {
    const s = await serve({ status: 503 });
    const started = Date.now();
    await csms(s.url, {
      retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 1000 },
    }).listSecretEvents();
    expect(s.requests).toHaveLength(3);
    // Waits are at most 20 + 40 ms.
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("AK/SK requests are re-signed on every attempt", async () => {
    const s = await serve(
      { status: 503, delayMs: 1100 },
      { status: 503, delayMs: 1100 },
      { body: page },
    );
    const client = createCsmsClient({
      endpoint: s.url,
      projectId: PROJECT,
      auth: { ak: "AKTEST", sk: "sk-secret" },
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 10 },
    });
    const result = await client.listSecretEvents();
    expect(result.response.status).toBe(200);
    expect(s.requests).toHaveLength(3);
    const dates = s.requests.map((r) => r.headers["x-sdk-date"]);
    const auths = s.requests.map((r) => r.headers.authorization);
    expect(new Set(dates).size).toBe(3);
    expect(new Set(auths).size).toBe(3);
    for (const r of s.requests) {
      const verdict = await verifySignature(
        { method: r.method, url: r.url, headers: r.headers, body: r.body },
        (ak) => (ak === "AKTEST" ? "sk-secret" : undefined),
      );
      expect(verdict).toEqual({ ok: true, ak: "AKTEST" });
    }
  }, 30_000);
});

describe("timeouts and network failures", () => {
  it("a slow answer gives TimeoutError (not an API or network error)", async () => {
    const s = await serve({ delayMs: 500, body: page });
    const error = await csms(s.url, { timeoutMs: 50, retry: false })
      .listSecretEvents()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).not.toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(HuaweiApiError);
    expect((error as TimeoutError).timeoutMs).toBe(50);
    expect((error as Error).message).toMatch(/timed out after 50 ms/);
  });

  it("timeouts are per attempt and retried for GET", async () => {
    // The timeout is far from both: a plain answer may take a few hundred ms on a loaded machine.
    const s = await serve({ delayMs: 5_000, body: page }, { body: page });
    const result = await csms(s.url, { timeoutMs: 1_000, retry: fast }).listSecretEvents();
    expect(result.response.status).toBe(200);
    expect(s.requests).toHaveLength(2);
  });

  it("connection refused gives NetworkError after the retries", async () => {
    const port = await freePort();
    const error = await createCtsClient({
      endpoint: `http://127.0.0.1:${port}`,
      projectId: PROJECT,
      auth: { token: "t" },
      retry: { ...fast, maxAttempts: 2 },
    })
      .listNotifications({ params: { path: { notification_type: "smn" } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    // The cause and the address, not just undici's "fetch failed".
    expect((error as Error).message).toBe(
      `CTS GET http://127.0.0.1:${port}/v3/${PROJECT}/notifications/smn failed: fetch failed (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
  });

  it("the caller's own AbortSignal aborts without being wrapped", async () => {
    const s = await serve({ delayMs: 500, body: page });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await csms(s.url, { retry: fast })
      .listSecretEvents({ signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect((error as Error).name).toBe("AbortError");
  });
});
