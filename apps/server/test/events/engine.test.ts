/**
 * The event engine end to end: notifications in a store, sinks pointing at a real receiver, a
 * trace in; signed SMN messages and {"cts": …} events out, checked against the webhooks' schemas.
 */
import { describe, expect, it } from "vitest";
import { createDeliveryQueue } from "../../src/events/delivery.js";
import { createEventEngine, keyEventSubject } from "../../src/events/engine.js";
import { Sinks } from "../../src/events/sinks.js";
import { createSmnSigningKey, verifySmnNotification } from "../../src/events/smn.js";
import { randomIds, sequentialIds, systemClock } from "../../src/operation.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { Notification, Trace } from "../../src/store/types.js";
import { startReceiver, webhookSchema } from "./support.js";

const P = "24edf66e79d04187acb99a463e610764";
const P2 = "0a419ac94f80f2c62f14c01e34000000";
const TOPIC = `urn:smn:cn-north-4:${P}:key_events`;
const UNCONFIGURED = `urn:smn:cn-north-4:${P}:nobody_listens`;
const FOREIGN = `urn:smn:cn-north-4:${P2}:their_topic`;
const FUNCTION = `urn:fss:cn-north-4:${P}:function:default:audit`;

const receiver = await startReceiver();
const store = createMemoryStore();
const sinks = new Sinks({
  [TOPIC]: [
    { protocol: "http", endpoint: `${receiver.url}/smn/1` },
    { protocol: "http", endpoint: `${receiver.url}/smn/2` },
  ],
  [`${FUNCTION}:latest`]: { endpoint: `${receiver.url}/fn` },
  [FOREIGN]: [{ protocol: "http", endpoint: `${receiver.url}/p2` }],
});
const delivery = createDeliveryQueue({
  clock: systemClock,
  ids: randomIds,
  allowed: (project, target, endpoint) => sinks.allows(project, target, endpoint),
  retry: { baseDelayMs: 5, jitter: 0 },
});
const signingKey = await createSmnSigningKey();
const engine = createEventEngine({
  store,
  sinks,
  delivery,
  signingKey,
  urls: {
    signingCert: () => "http://127.0.0.1:8080/_admin/smn/signing-cert.pem",
    unsubscribe: (urn) =>
      `http://127.0.0.1:8080/_admin/smn/unsubscribe?subscription_urn=${encodeURIComponent(urn)}`,
  },
  clock: systemClock,
  ids: sequentialIds(),
});

let n = 0;
async function notification(project: string, extra: Partial<Notification>): Promise<Notification> {
  n++;
  const created: Notification = {
    notification_id: `10000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
    notification_name: `n${n}`,
    operation_type: "complete",
    status: "enabled",
    notification_type: extra.topic_id?.startsWith("urn:fss:") ? "fun" : "smn",
    project_id: project,
    create_time: n,
    ...extra,
  };
  expect(await store.notifications.insert(project, created)).toBe(true);
  return created;
}

const deleteTracker = await notification(P, {
  notification_name: "keyOperate_info_cfwy",
  operation_type: "customized",
  operations: [{ service_type: "CTS", resource_type: "tracker", trace_names: ["deleteTracker"] }],
  notify_user_list: [{ user_group: "admin", user_list: ["test1"] }],
  topic_id: TOPIC,
});
const everything = await notification(P, { topic_id: FUNCTION });
await notification(P, { status: "disabled", topic_id: TOPIC });
await notification(P, {
  notify_user_list: [{ user_group: "g", user_list: ["test9"] }],
  topic_id: TOPIC,
});
await notification(P, {
  filter: { condition: "AND", is_support_filter: true, rule: ["code = 500"] },
  topic_id: FUNCTION,
});
const unconfigured = await notification(P, { topic_id: UNCONFIGURED });
const foreign = await notification(P, { topic_id: FOREIGN });
await notification(P, { status: "disabled" });

const smnSchema = webhookSchema("smnNotification");
const eventSchema = webhookSchema("functionGraphCtsEvent");

describe("event engine", () => {
  it("delivers one signed SMN message per subscription and one {cts} event, and nothing else", async () => {
    const { trace, deliveries } = await engine.injectTrace(P, {
      service_type: "CTS",
      resource_type: "tracker",
      trace_name: "deleteTracker",
      resource_name: "system",
      user: { name: "test1" },
      code: "204",
    });
    expect(await store.traces.get(P, trace.trace_id)).toEqual(trace);
    expect(deliveries.map((d) => [d.source, d.target, d.endpoint, d.status])).toEqual([
      [deleteTracker.notification_id, TOPIC, `${receiver.url}/smn/1`, "pending"],
      [deleteTracker.notification_id, TOPIC, `${receiver.url}/smn/2`, "pending"],
      [everything.notification_id, FUNCTION, `${receiver.url}/fn`, "pending"],
      [unconfigured.notification_id, UNCONFIGURED, undefined, "no_sink"],
      [foreign.notification_id, FOREIGN, undefined, "no_sink"],
    ]);
    await delivery.idle();

    const smn = receiver.received.filter((r) => r.path.startsWith("/smn/"));
    expect(smn.map((r) => r.path).sort()).toEqual(["/smn/1", "/smn/2"]);
    for (const r of smn) {
      expect(smnSchema(r.json), JSON.stringify(smnSchema.errors)).toBe(true);
      expect(verifySmnNotification(r.json, signingKey.certificatePem)).toBe(true);
      expect(r.headers["x-smn-message-type"]).toBe("Notification");
      expect(r.headers["x-smn-message-id"]).toBe(r.json.message_id);
      expect(r.headers["x-smn-topic-urn"]).toBe(TOPIC);
      expect(r.headers["x-smn-subscription-urn"]).toMatch(new RegExp(`^${TOPIC}:[0-9a-f]{32}$`));
      expect(r.json.unsubscribe_url).toContain(
        encodeURIComponent(r.headers["x-smn-subscription-urn"] as string),
      );
      expect(r.json.subject).toBe(keyEventSubject("keyOperate_info_cfwy"));
      expect(JSON.parse(r.json.message)).toEqual(trace);
    }
    // One message, two subscriptions: same id and signature.
    expect(smn[0]?.json.message_id).toBe(smn[1]?.json.message_id);

    const fn = receiver.received.filter((r) => r.path === "/fn");
    expect(fn).toHaveLength(1);
    expect(eventSchema(fn[0]?.json), JSON.stringify(eventSchema.errors)).toBe(true);
    expect(fn[0]?.json.cts).toMatchObject({
      trace_id: trace.trace_id,
      trace_name: "deleteTracker",
      code: 204,
      trace_status: "normal",
    });

    // Another project's topic is never called, even though a sink exists for it.
    expect(receiver.received.filter((r) => r.path === "/p2")).toHaveLength(0);

    const log = await delivery.list(P);
    expect(log.map((d) => d.status)).toEqual([
      "delivered",
      "delivered",
      "delivered",
      "no_sink",
      "no_sink",
    ]);
    // The log holds the exact payload each receiver got.
    for (const d of log.slice(0, 3)) {
      const got = receiver.received.find((r) => `${receiver.url}${r.path}` === d.endpoint);
      expect(got?.body).toBe(d.payload);
    }
    expect(smnSchema(JSON.parse(log[3]?.payload ?? "null"))).toBe(true);
  });

  it("delivers nothing for a trace no enabled notification matches", async () => {
    const before = receiver.received.length;
    const { deliveries } = await engine.injectTrace(P, {
      service_type: "CTS",
      resource_type: "tracker",
      trace_name: "createTracker",
      code: "200",
      user: { name: "test2" },
    });
    // Only the `complete` notification (to the function) and the unconfigured ones match.
    expect(deliveries.map((d) => d.source)).toEqual([
      everything.notification_id,
      unconfigured.notification_id,
      foreign.notification_id,
    ]);
    await delivery.idle();
    expect(receiver.received.slice(before).map((r) => r.path)).toEqual(["/fn"]);
  });

  it("keeps projects apart: a trace elsewhere reaches none of this project's sinks or log", async () => {
    const before = receiver.received.length;
    const logged = (await delivery.list(P)).length;
    await notification(P2, { topic_id: TOPIC });
    const { deliveries } = await engine.injectTrace(P2, {
      service_type: "CTS",
      resource_type: "tracker",
      trace_name: "deleteTracker",
      user: { name: "test1" },
    });
    expect(deliveries.map((d) => d.status)).toEqual(["no_sink"]);
    await delivery.idle();
    expect(receiver.received.length).toBe(before);
    expect(await delivery.list(P)).toHaveLength(logged);
    expect(await delivery.list(P2)).toHaveLength(1);
  });

  it("records the server's own operations as traces and delivers them", async () => {
    const trace: Trace = await engine.operationServed(P, {
      service_type: "CTS",
      resource_type: "tracker",
      trace_name: "deleteTracker",
      status: 500,
      user: { name: "test1" },
      source_ip: "127.0.0.1",
      time: Date.now(),
    });
    expect(trace.trace_rating).toBe("incident");
    await delivery.idle();
    const events = receiver.received.filter(
      (r) => r.path === "/fn" && r.json.cts.trace_id === trace.trace_id,
    );
    expect(events).toHaveLength(2); // `everything`, and the `code = 500` filter now matches
  });

  it("delivers what other services ask for through the same port", async () => {
    const [d] = await engine.deliver({
      projectId: P,
      source: "SECRET_ROTATED:demo-event",
      target: FUNCTION,
      event: { hello: "csms" },
    });
    expect(d?.endpoint).toBe(`${receiver.url}/fn`);
    await delivery.idle();
    expect(receiver.received.at(-1)?.json).toEqual({ hello: "csms" });
    await expect(engine.deliver({ projectId: P, source: "s", target: TOPIC })).rejects.toThrow(
      TypeError,
    );
    await expect(
      engine.deliver({ projectId: P, source: "s", target: "arn:aws:sns:x", event: {} }),
    ).rejects.toThrow(TypeError);
  });
});
