/**
 * The client's receiver helpers against what the reference server's event engine really sends:
 * a matching trace is delivered over HTTP to a local receiver as a signed SMN message and a
 * FunctionGraph event; the helpers parse both and verify the signature with the server's
 * certificate, and reject a tampered body.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  parseCtsTriggerEvent,
  parseSmnNotification,
  parseTraceMessage,
  verifySmnSignature,
} from "@cts-csms/client/receiver";
import { createMemoryStore } from "@cts-csms/server";
import {
  createDeliveryQueue,
  createEventEngine,
  createSmnSigningKey,
  Sinks,
} from "@cts-csms/server/events";
import { afterAll, describe, expect, it } from "vitest";

const P = "24edf66e79d04187acb99a463e610764";
const TOPIC = `urn:smn:cn-north-4:${P}:key_events`;
const FUNCTION = `urn:fss:cn-north-4:${P}:function:default:audit:latest`;

const bodies: Record<string, string[]> = { "/smn": [], "/fn": [] };
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => {
    body += c;
  });
  req.on("end", () => {
    bodies[req.url ?? ""]?.push(body);
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const store = createMemoryStore();
const sinks = new Sinks({
  [TOPIC]: [{ protocol: "http", endpoint: `${base}/smn` }],
  [FUNCTION]: { endpoint: `${base}/fn` },
});
let ids = 0;
const clock = { now: () => Date.now() };
const idGen = { next: () => `00000000-0000-4000-8000-${(++ids).toString(16).padStart(12, "0")}` };
const delivery = createDeliveryQueue({
  clock,
  ids: idGen,
  allowed: (p, t, e) => sinks.allows(p, t, e),
});
const signingKey = await createSmnSigningKey();
const engine = createEventEngine({
  store,
  sinks,
  delivery,
  signingKey,
  urls: {
    signingCert: () => `${base}/cert.pem`,
    unsubscribe: (urn) => `${base}/unsubscribe?urn=${urn}`,
  },
  clock,
  ids: idGen,
});
afterAll(() => delivery.close());

for (const [name, topic_id] of [
  ["to_topic", TOPIC],
  ["to_function", FUNCTION],
] as const) {
  await store.notifications.insert(P, {
    notification_id: idGen.next(),
    notification_name: name,
    operation_type: "complete",
    status: "enabled",
    topic_id,
    notification_type: topic_id.startsWith("urn:fss:") ? "fun" : "smn",
    project_id: P,
    create_time: clock.now(),
  });
}

describe("receiver helpers on messages the server delivered", () => {
  it("parse the SMN message and its trace, and verify the signature; a tampered body fails", async () => {
    const { trace } = await engine.injectTrace(P, {
      service_type: "CTS",
      resource_type: "tracker",
      trace_name: "deleteTracker",
      user: { name: "test1" },
    });
    await delivery.idle();
    expect(bodies["/smn"]).toHaveLength(1);
    const raw = bodies["/smn"]![0]!;
    const notification = parseSmnNotification(raw);
    expect(notification.signing_cert_url).toBe(`${base}/cert.pem`);
    expect(await verifySmnSignature(notification, signingKey.certificatePem)).toBe(true);
    expect(parseTraceMessage(notification)).toEqual(trace);

    const tampered = parseSmnNotification(raw.replace("deleteTracker", "createTracker"));
    expect(tampered.message).toContain("createTracker");
    expect(await verifySmnSignature(tampered, signingKey.certificatePem)).toBe(false);
    const other = await createSmnSigningKey();
    expect(await verifySmnSignature(notification, other.certificatePem)).toBe(false);

    const event = parseCtsTriggerEvent(bodies["/fn"]![0]);
    expect(event.cts).toMatchObject({
      trace_id: trace.trace_id,
      trace_status: "normal",
      code: 200,
    });
  });
});
