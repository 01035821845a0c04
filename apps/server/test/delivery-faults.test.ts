// Fault rules on deliveries (`/_admin/faults` with `delivery`), over real HTTP: the server on
// 127.0.0.1 with sinks on a real local receiver, notifications made through the CTS client,
// traces injected and rules added through the typed admin client. A faulted attempt goes
// through the normal retry path, and the delivery log and the server log say which rule did it.
import { Writable } from "node:stream";
import { type AdminClient, createAdminClient, createCtsClient } from "@cts-csms/client";
import { pino } from "pino";
import { beforeEach, describe, expect, it } from "vitest";
import { startReceiver } from "./events/support.js";
import { start, type TestServer } from "./helpers.js";

const P = "24edf66e79d04187acb99a463e610764";
const TOPIC = `urn:smn:cn-north-4:${P}:ops`;
const FUNCTION = `urn:fss:cn-north-4:${P}:function:default:audit`;
const MAX_ATTEMPTS = 3;
// Long enough that an attempt to the local receiver never times out on a loaded machine, so
// every timeout in these tests is a fault rule's.
const ATTEMPT_TIMEOUT_MS = 5_000;

const lines: any[] = [];
const logSink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

const receiver = await startReceiver();
const sinks = {
  [TOPIC]: [
    { protocol: "http" as const, endpoint: `${receiver.url}/smn` },
    { protocol: "http" as const, endpoint: `${receiver.url}/smn-2` },
  ],
  [FUNCTION]: { endpoint: `${receiver.url}/fn` },
};
const server: TestServer = await start({
  seed: { sinks },
  logger: pino({ level: "info" }, logSink),
  // A short retry schedule without jitter: retries follow each other quickly, in order.
  delivery: {
    attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
    retry: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 20, jitter: 0 },
  },
});
const admin: AdminClient = createAdminClient({
  endpoint: server.url,
  retry: false,
  throwOnError: true,
});
const cts = createCtsClient({
  endpoint: server.url,
  projectId: P,
  auth: { token: "t" },
  retry: false,
  throwOnError: true,
}) as any;

type FaultRuleRequest = Parameters<AdminClient["addFaultRule"]>[0]["body"];
const addRule = async (body: FaultRuleRequest) => (await admin.addFaultRule({ body })).data as any;
const rules = async () => ((await admin.listFaultRules()).data as any).rules as any[];

/** A notification on `ECS ecs deleteServer` to `topic`, then one trace that matches it. */
const notify = (name: string, topic: string) =>
  cts.createNotification({
    body: {
      notification_name: name,
      operation_type: "customized",
      operations: [{ service_type: "ECS", resource_type: "ecs", trace_names: ["deleteServer"] }],
      topic_id: topic,
    },
  });
const trigger = () =>
  admin.injectTrace({
    params: { path: { project_id: P } },
    body: { service_type: "ECS", resource_type: "ecs", trace_name: "deleteServer" },
  } as any);

/** The project's deliveries once none is pending (retries included); polls the admin API. */
async function settled(): Promise<any[]> {
  for (let i = 0; i < 300; i++) {
    await admin.flushDeliveries();
    const { data } = await admin.listDeliveries({ params: { query: { project_id: P } } });
    const log = (data as any).deliveries as any[];
    if (log.every((d) => d.status !== "pending")) return log;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("deliveries still pending");
}
const byEndpoint = (log: any[], path: string) =>
  log.find((d) => d.endpoint === receiver.url + path);
const received = (path: string) => receiver.received.filter((r) => r.path === path);

beforeEach(async () => {
  await admin.resetState();
  receiver.received.length = 0;
  lines.length = 0;
});

describe("delivery rules: the retry path", () => {
  it("count 2 fails an SMN delivery's first two attempts; the third is delivered, once", async () => {
    await notify("to-smn", TOPIC);
    const rule = await addRule({
      delivery: { kind: "smn", target: TOPIC, endpoint: `${receiver.url}/smn` },
      status: 503,
      count: 2,
    });
    expect(rule).toMatchObject({ id: expect.stringMatching(/^f\d+$/), hits: 0, matched: 0 });
    await trigger();

    const log = await settled();
    const faulted = byEndpoint(log, "/smn");
    expect(faulted).toMatchObject({ status: "delivered", attempts: 3, response_status: 200 });
    expect(faulted.error).toBeUndefined();
    // The other subscription of the topic is not matched by the rule's endpoint.
    expect(byEndpoint(log, "/smn-2")).toMatchObject({ status: "delivered", attempts: 1 });
    expect(received("/smn")).toHaveLength(1);
    expect(received("/smn-2")).toHaveLength(1);
    expect(await rules()).toEqual([{ ...rule, hits: 2, matched: 2 }]);

    // One log line per faulted attempt: ids, URNs and the endpoint, never the payload.
    const logged = lines.filter((l) => l.msg === "fault applied" && l.fault === rule.id);
    expect(logged.map((l) => l.attempt)).toEqual([1, 2]);
    for (const line of logged) {
      expect(line).toMatchObject({
        delivery_id: faulted.delivery_id,
        project_id: P,
        target: TOPIC,
        endpoint: `${receiver.url}/smn`,
        status: 503,
      });
      expect(JSON.stringify(line)).not.toContain(faulted.payload.slice(0, 40));
      expect(line).not.toHaveProperty("payload");
      expect(line).not.toHaveProperty("headers");
    }
  });

  it("count ≥ max attempts ends the delivery as failed, the error naming the rule", async () => {
    await notify("to-smn", TOPIC);
    const rule = await addRule({ delivery: { kind: "smn" }, status: 429, count: 10 });
    await trigger();

    const log = await settled();
    expect(log).toHaveLength(2);
    for (const delivery of log) {
      expect(delivery).toMatchObject({
        status: "failed",
        attempts: MAX_ATTEMPTS,
        response_status: 429,
        error: `HTTP 429 (fault rule ${rule.id})`,
      });
    }
    expect(receiver.received).toHaveLength(0);
    expect((await rules())[0]).toMatchObject({ hits: 2 * MAX_ATTEMPTS, matched: 2 * MAX_ATTEMPTS });
  });

  it("FunctionGraph deliveries too: resets then a success, and resets to the end", async () => {
    await notify("to-fn", FUNCTION);
    // Without a version, the rule's function URN also matches `:latest`, as sinks do.
    const twice = await addRule({
      delivery: { kind: "function", target: FUNCTION },
      action: "reset",
      count: 2,
    });
    await trigger();
    let log = await settled();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: "delivered", attempts: 3, response_status: 200 });
    expect(received("/fn")).toHaveLength(1);
    expect((await rules())[0]).toMatchObject({ id: twice.id, hits: 2 });

    await admin.deleteFaultRules({ params: { query: { id: twice.id } } });
    const always = await addRule({ delivery: { kind: "function" }, action: "reset" });
    await trigger();
    log = await settled();
    expect(log[1]).toMatchObject({
      status: "failed",
      attempts: MAX_ATTEMPTS,
      error: `network error: ECONNRESET (fault rule ${always.id})`,
    });
    expect(received("/fn")).toHaveLength(1);
  });

  it("delay_ms delays an attempt that then calls the receiver", async () => {
    await notify("to-fn", FUNCTION);
    const rule = await addRule({ delivery: { kind: "function" }, delay_ms: 50, count: 1 });
    await trigger();
    const log = await settled();
    expect(log[0]).toMatchObject({ status: "delivered", attempts: 1, response_status: 200 });
    expect(received("/fn")).toHaveLength(1);
    expect((await rules())[0]).toMatchObject({ id: rule.id, hits: 1 });
    expect(lines.filter((l) => l.msg === "fault applied")[0]).toMatchObject({
      fault: rule.id,
      delayMs: 50,
    });
  });

  it("a delay longer than the attempt timeout ends that attempt as a timeout", async () => {
    await notify("to-fn", FUNCTION);
    const rule = await addRule({
      delivery: { kind: "function" },
      delay_ms: ATTEMPT_TIMEOUT_MS * 5,
      count: 1,
    });
    await trigger();
    const log = await settled();
    // Cut at the timeout (not after the full delay); the retry then reaches the receiver.
    expect(log[0]).toMatchObject({ status: "delivered", attempts: 2, response_status: 200 });
    expect(log[0].delivered_time - log[0].created_time).toBeLessThan(ATTEMPT_TIMEOUT_MS * 5);
    expect(received("/fn")).toHaveLength(1);
    expect((await rules())[0]).toMatchObject({ id: rule.id, hits: 1 });
  });

  it("hang times out at the attempt timeout, without holding up other deliveries", async () => {
    await notify("to-fn", FUNCTION);
    await notify("to-smn", TOPIC);
    const rule = await addRule({ delivery: { kind: "function" }, action: "hang" });
    await trigger();

    const log = await settled();
    const fn = log.find((d) => d.target === FUNCTION);
    expect(fn).toMatchObject({
      status: "failed",
      attempts: MAX_ATTEMPTS,
      error: `timeout: no answer within ${ATTEMPT_TIMEOUT_MS} ms (fault rule ${rule.id})`,
    });
    expect(fn.updated_time - fn.created_time).toBeGreaterThanOrEqual(
      MAX_ATTEMPTS * ATTEMPT_TIMEOUT_MS - 50,
    );
    // The SMN deliveries of the same trace were delivered while the function's attempts hung.
    const smn = log.filter((d) => d.target === TOPIC);
    expect(smn.map((d) => [d.status, d.attempts])).toEqual([
      ["delivered", 1],
      ["delivered", 1],
    ]);
    for (const d of smn)
      expect(d.delivered_time).toBeLessThan(fn.created_time + ATTEMPT_TIMEOUT_MS);
    expect(received("/fn")).toHaveLength(0);
  });

  it("probability with a seed gives the same attempts on every run", async () => {
    await notify("to-fn", FUNCTION);
    const run = async () => {
      await admin.deleteFaultRules();
      const rule = await addRule({
        delivery: { kind: "function" },
        status: 500,
        probability: 0.5,
        seed: 1234,
      });
      const before = (await settled()).length;
      for (let i = 0; i < 8; i++) {
        await trigger();
        await settled();
      }
      const log = (await settled()).slice(before);
      const listed = (await rules()).find((r) => r.id === rule.id);
      return { attempts: log.map((d) => [d.status, d.attempts]), hits: listed.hits };
    };
    const first = await run();
    expect(await run()).toEqual(first);
    const attempts = first.attempts.map(([, n]) => n);
    expect(attempts).toContain(1);
    expect(attempts.some((n) => (n as number) > 1)).toBe(true);
    // Every attempt but the last of a delivered one was faulted.
    const faultedAttempts = first.attempts.reduce(
      (sum, [status, n]) => sum + (status === "delivered" ? (n as number) - 1 : (n as number)),
      0,
    );
    expect(first.hits).toBe(faultedAttempts);
  });
});

describe("delivery rules and request rules stay apart", () => {
  it("a delivery rule never faults an API request", async () => {
    const rule = await addRule({ delivery: { kind: "smn" }, status: 503 });
    await notify("to-smn", TOPIC);
    const listed = await cts.listNotifications({ params: { path: { notification_type: "smn" } } });
    expect(listed.response.status).toBe(200);
    expect((await rules())[0]).toMatchObject({ id: rule.id, hits: 0, matched: 0 });
  });

  it("a request rule never faults a delivery", async () => {
    await notify("to-smn", TOPIC);
    await notify("to-fn", FUNCTION);
    // Matches every CTS and CSMS request that can answer 500; admin routes are never faulted.
    const rule = await addRule({ status: 500 });
    await trigger();
    const log = await settled();
    expect(log.map((d) => [d.status, d.attempts])).toEqual([
      ["delivered", 1],
      ["delivered", 1],
      ["delivered", 1],
    ]);
    expect((await rules())[0]).toMatchObject({ id: rule.id, hits: 0, matched: 0 });
  });
});

describe("delivery rules that make no sense", () => {
  it("are 400s naming the field", async () => {
    const smn = { kind: "smn" };
    const cases: [unknown, string][] = [
      [{ delivery: smn, operation_id: "listTraces", status: 503 }, "request/body/operation_id"],
      [{ delivery: smn, path: { notification_type: "smn" }, status: 503 }, "request/body/path"],
      [{ delivery: smn, query: { trace_type: "system" }, status: 503 }, "request/body/query"],
      [{ delivery: smn, status: 503, retry_after: 1 }, "request/body/retry_after"],
      [{ delivery: smn, status: 200 }, "request/body/status must be >= 400"],
      [{ delivery: smn, status: 302 }, "request/body/status must be >= 400"],
      [{ delivery: smn, status: 600 }, "request/body/status must be <= 599"],
      [{ delivery: { kind: "sms" }, status: 503 }, "request/body/delivery/kind"],
      [
        { delivery: { target: TOPIC }, status: 503 },
        "request/body/delivery must have required property 'kind'",
      ],
      [
        { delivery: { kind: "function", target: TOPIC }, status: 503 },
        "request/body/delivery/target",
      ],
      [
        { delivery: { kind: "smn", target: FUNCTION }, status: 503 },
        "request/body/delivery/target",
      ],
      [{ delivery: { kind: "smn", url: "http://x" }, status: 503 }, "request/body/delivery"],
      [{ delivery: smn }, "at least one of status, delay_ms and action"],
      [{ delivery: smn, status: 503, action: "hang" }, "either status or action"],
      [
        {
          delivery: { kind: "smn", target: TOPIC },
          project_id: "dc3b7c85759141a991da17423c0f2068",
          status: 503,
        },
        `delivery/target belongs to project ${P}, not to project_id dc3b7c85759141a991da17423c0f2068`,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await fetch(`${server.url}/_admin/faults`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(answer.error_msg, JSON.stringify(body)).toContain(message);
    }
    expect(await rules()).toEqual([]);
  });
});
