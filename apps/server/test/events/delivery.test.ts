/** The delivery queue against a real HTTP receiver on 127.0.0.1. */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import {
  createDeliveryQueue,
  type DeliveryOptions,
  type DeliveryQueue,
  retryDelay,
} from "../../src/events/delivery.js";
import { randomIds, systemClock } from "../../src/operation.js";
import { MemoryDeliveryRepository } from "../../src/store/deliveries.js";
import type { DeliveryRepository } from "../../src/store/types.js";
import { eventually, startReceiver } from "./support.js";

const receiver = await startReceiver();
const url = (path: string) => `${receiver.url}${path}`;
const hits = (path: string) => receiver.received.filter((r) => r.path === path);

interface Logged {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

function queue(options: Partial<DeliveryOptions> = {}): { q: DeliveryQueue; logged: Logged[] } {
  const logged: Logged[] = [];
  const q = createDeliveryQueue({
    clock: systemClock,
    ids: randomIds,
    allowed: () => true,
    retry: { baseDelayMs: 5, maxDelayMs: 20, jitter: 0 },
    logger: {
      warn: (fields, message) => logged.push({ level: "warn", fields, message }),
      info: (fields, message) => logged.push({ level: "info", fields, message }),
    },
    ...options,
  });
  return { q, logged };
}

const job = (path: string, payload = `{"path":"${path}"}`, projectId = "p1") => ({
  projectId,
  source: "notification-1",
  target: "urn:smn:region:p1:topic",
  endpoint: url(path),
  headers: { "content-type": "application/json", "x-test": "1" },
  payload,
});

describe("delivery queue", () => {
  it("tells onSettled each delivery's final outcome once, after its retries", async () => {
    receiver.on("/settled-down", (_req, res) => res.writeHead(503).end());
    const settled: [string, string, number][] = [];
    const { q } = queue({
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, jitter: 0 },
      onSettled: (d) => {
        settled.push([d.delivery_id, d.status, d.attempts]);
      },
    });
    const ok = await q.enqueue(job("/settled-ok"));
    const down = await q.enqueue(job("/settled-down"));
    await q.idle();
    expect(settled.sort()).toEqual(
      [
        [ok.delivery_id, "delivered", 1],
        [down.delivery_id, "failed", 3],
      ].sort(),
    );
  });

  it("stores an outcome once the work onSettled returns is done: another replica's flush waits for it", async () => {
    // Two replicas' queues on one store; A holds the delivery, B is asked to flush.
    const store = new MemoryDeliveryRepository();
    let release!: () => void;
    const work = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: string[] = [];
    const { q: a } = queue({
      store,
      onSettled: async (d) => {
        seen.push(`settled ${d.status}`);
        await work;
        seen.push("work done");
      },
    });
    const { q: b } = queue({ store });
    try {
      await a.enqueue(job("/followed"));
      await eventually(() => seen.length > 0);
      expect(seen).toEqual(["settled delivered"]);
      // Still pending in the log while the work runs, so B's flush waits for it.
      expect((await b.list("p1")).map((d) => d.status)).toEqual(["pending"]);
      const flushed = b.flush().then(() => seen.push("flushed"));
      await new Promise((resolve) => setTimeout(resolve, 100));
      release();
      await flushed;
      expect(seen).toEqual(["settled delivered", "work done", "flushed"]);
      expect((await b.list("p1")).map((d) => d.status)).toEqual(["delivered"]);
    } finally {
      release();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("retries with backoff, then succeeds, against a receiver answering 500 twice", async () => {
    let calls = 0;
    receiver.on("/flaky", (_req, res) => {
      calls++;
      res.writeHead(calls <= 2 ? 500 : 204).end();
    });
    const { q } = queue();
    const created = await q.enqueue(job("/flaky"));
    expect(created.status).toBe("pending");
    await q.idle();
    const [delivery] = await q.list("p1");
    expect(delivery).toMatchObject({
      delivery_id: created.delivery_id,
      status: "delivered",
      attempts: 3,
      response_status: 204,
      source: "notification-1",
      target: "urn:smn:region:p1:topic",
      endpoint: url("/flaky"),
      payload: '{"path":"/flaky"}',
    });
    expect(delivery?.error).toBeUndefined();
    expect(delivery?.delivered_time).toBeGreaterThanOrEqual(delivery?.created_time ?? Infinity);
    expect(hits("/flaky").map((r) => r.body)).toEqual(Array(3).fill('{"path":"/flaky"}'));
    expect(hits("/flaky")[0]?.headers["x-test"]).toBe("1");
  });

  it("gives up after maxAttempts and records the last answer", async () => {
    receiver.on("/down", (_req, res) => res.writeHead(503).end());
    const { q, logged } = queue({ retry: { maxAttempts: 2, baseDelayMs: 1, jitter: 0 } });
    await q.enqueue(job("/down"));
    await q.idle();
    expect((await q.list("p1"))[0]).toMatchObject({
      status: "failed",
      attempts: 2,
      response_status: 503,
      error: "HTTP 503",
    });
    expect(logged.some((l) => l.level === "warn" && l.message === "delivery failed")).toBe(true);
  });

  it("a hanging receiver times out, and does not hold up other deliveries meanwhile", async () => {
    receiver.on("/hang", () => {});
    const slow = queue({ attemptTimeoutMs: 60_000, concurrency: 2 });
    await slow.q.enqueue(job("/hang"));
    for (let i = 0; i < 5; i++) await slow.q.enqueue(job("/fast"));
    await eventually(
      async () => (await slow.q.list("p1")).filter((d) => d.status === "delivered").length === 5,
    );
    const hanging = (await slow.q.list("p1"))[0];
    expect(hanging).toMatchObject({ endpoint: url("/hang"), status: "pending", attempts: 1 });
    await slow.q.close();
    // Let go, not failed: another replica (or the store's next server) takes it over.
    expect((await slow.q.list("p1"))[0]?.status).toBe("pending");

    const short = queue({ attemptTimeoutMs: 100, retry: { maxAttempts: 1 } });
    await short.q.enqueue(job("/hang"));
    await short.q.idle();
    expect((await short.q.list("p1"))[0]).toMatchObject({
      status: "failed",
      error: "timeout: no answer within 100 ms",
    });
  });

  it("an attempt's timeout fires even when garbage collection runs while it waits", async () => {
    // Node 20 could collect an AbortSignal.timeout() held only by AbortSignal.any(), so a
    // hanging receiver held its attempt (and a worker, and every flush) forever.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    receiver.on("/hang-gc", () => {});
    const { q } = queue({ attemptTimeoutMs: 300, retry: { maxAttempts: 1 } });
    await q.enqueue(job("/hang-gc"));
    const collecting = setInterval(gc, 10);
    try {
      await eventually(async () => (await q.list("p1"))[0]?.status === "failed", 5_000);
    } finally {
      clearInterval(collecting);
    }
    expect((await q.list("p1"))[0]).toMatchObject({
      status: "failed",
      error: "timeout: no answer within 300 ms",
    });
  });

  it("flush resolves when every queued delivery has completed its current attempt", async () => {
    receiver.on("/refuse", (_req, res) => res.writeHead(500).end());
    const { q } = queue({ retry: { baseDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 } });
    for (let i = 0; i < 3; i++) await q.enqueue(job("/refuse"));
    await q.flush();
    const list = await q.list("p1");
    expect(list.map((d) => [d.status, d.attempts, d.error])).toEqual(
      Array(3).fill(["pending", 1, "HTTP 500"]),
    );
    for (const d of list) expect(d.next_attempt_time).toBeGreaterThan(d.updated_time);
    // Waiting for a retry counts as a completed attempt: flush does not wait for the backoff.
    await q.flush();
    q.clear("p1");
    expect(await q.list("p1")).toEqual([]);
    await q.idle();
  });

  it("a full queue drops its oldest waiting delivery, with a warning", async () => {
    receiver.on("/hold", () => {});
    const { q, logged } = queue({ maxQueue: 2, concurrency: 1, attemptTimeoutMs: 60_000 });
    const byId = async (id: string) => (await q.list("p1")).find((d) => d.delivery_id === id);
    const first = await q.enqueue(job("/hold", "first"));
    // In flight (its attempt started) before the queue fills up.
    await eventually(async () => (await byId(first.delivery_id))?.attempts === 1);
    const second = await q.enqueue(job("/hold", "second"));
    const third = await q.enqueue(job("/hold", "third"));
    expect((await byId(first.delivery_id))?.status).toBe("pending"); // in flight: not dropped
    expect(await byId(second.delivery_id)).toMatchObject({
      status: "failed",
      attempts: 0,
      error: "dropped: the delivery queue was full",
    });
    expect((await byId(third.delivery_id))?.status).toBe("pending");
    const warning = logged.find((l) => l.message.startsWith("delivery queue full"));
    expect(warning?.level).toBe("warn");
    expect(warning?.fields).toMatchObject({ delivery_id: second.delivery_id, status: "failed" });
    await q.close();
  });

  it("logs a target without a sink as no_sink and calls nothing", async () => {
    const before = receiver.received.length;
    const { q } = queue();
    const d = await q.enqueue({ ...job("/x"), endpoint: undefined, reason: "no subscription" });
    expect(d).toMatchObject({ status: "no_sink", attempts: 0, error: "no subscription" });
    expect(d.endpoint).toBeUndefined();
    await q.idle();
    expect(receiver.received.length).toBe(before);
  });

  it("asks again before every attempt, and never calls a sink removed meanwhile", async () => {
    let allowed = true;
    receiver.on("/removed", (_req, res) => res.writeHead(500).end());
    const { q } = queue({ allowed: () => allowed, retry: { baseDelayMs: 20, jitter: 0 } });
    await q.enqueue(job("/removed"));
    await q.flush();
    allowed = false;
    await q.idle();
    expect((await q.list("p1"))[0]).toMatchObject({ status: "failed", attempts: 1 });
    expect((await q.list("p1"))[0]?.error).toContain("no longer configured");
    expect(hits("/removed")).toHaveLength(1);
  });

  it("does not follow redirects", async () => {
    receiver.on("/redirect", (_req, res) => res.writeHead(302, { location: "/elsewhere" }).end());
    const { q } = queue({ retry: { maxAttempts: 1 } });
    await q.enqueue(job("/redirect"));
    await q.idle();
    expect((await q.list("p1"))[0]).toMatchObject({ status: "failed", response_status: 302 });
    expect(hits("/elsewhere")).toHaveLength(0);
  });

  it("reports a refused connection as a network error", async () => {
    const { q } = queue({ retry: { maxAttempts: 1 } });
    await q.enqueue({ ...job("/"), endpoint: "http://127.0.0.1:9/unreachable" });
    await q.idle();
    expect((await q.list("p1"))[0]?.error).toMatch(/^network error: /);
  });

  it("keeps each project's log apart, and its logger never sees payloads or headers", async () => {
    const { q, logged } = queue();
    await q.enqueue(job("/ok", '{"secret":"s3cr3t-value"}', "p1"));
    await q.enqueue(job("/ok", '{"other":"project"}', "p2"));
    await q.idle();
    expect((await q.list("p1")).map((d) => d.payload)).toEqual(['{"secret":"s3cr3t-value"}']);
    expect((await q.list("p2")).map((d) => d.payload)).toEqual(['{"other":"project"}']);
    expect(await q.list("p3")).toEqual([]);
    expect(logged.length).toBeGreaterThan(0);
    const text = JSON.stringify(logged);
    expect(text).not.toContain("s3cr3t-value");
    expect(text).not.toContain("x-test");
    // The log hands out copies.
    const copy = (await q.list("p1"))[0] as { payload: string };
    copy.payload = "changed";
    expect((await q.list("p1"))[0]?.payload).toBe('{"secret":"s3cr3t-value"}');
  });

  it("takes a failing store as a log line, and attempts the delivery again once it answers", async () => {
    const memory = new MemoryDeliveryRepository();
    let failures = 2;
    // The store fails the first two attempts' starts (a database away), then answers.
    const store: DeliveryRepository = Object.assign(Object.create(memory), {
      start: (...args: Parameters<DeliveryRepository["start"]>) => {
        if (failures-- > 0) throw new Error("The database is unavailable; retry later");
        return memory.start(...args);
      },
    });
    const { q, logged } = queue({ store, pollMs: 10 });
    await q.enqueue(job("/ok", '{"secret":"s3cr3t-value"}'));
    await q.idle();
    expect((await q.list("p1"))[0]).toMatchObject({ status: "delivered", attempts: 1 });
    const warnings = logged.filter((l) => l.message === "delivery store unavailable; retrying");
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.fields.err).toBe("The database is unavailable; retry later");
    expect(logged.some((l) => l.message === "delivery store available again")).toBe(true);
    expect(JSON.stringify(logged)).not.toContain("s3cr3t-value");
    await q.close();
  });

  it("caps each project's log, dropping the oldest finished entries", async () => {
    const { q } = queue({ logLimit: 3 });
    for (let i = 0; i < 5; i++) {
      await q.enqueue(job("/ok", `${i}`));
      await q.idle();
    }
    expect((await q.list("p1")).map((d) => d.payload)).toEqual(["2", "3", "4"]);
  });
});

describe("retry schedule", () => {
  it("doubles from the base delay up to the cap, with jitter taking up to its share", () => {
    const schedule = { maxAttempts: 9, baseDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(schedule, n, () => 0))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(schedule, n, () => 1))).toEqual([
      50, 100, 200, 400, 500,
    ]);
  });
});
