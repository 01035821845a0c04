// Key event notifications that deliver (issue 14's "Done when"), over real HTTP: the server on
// 127.0.0.1 with a seed of sinks pointing at a real receiver on 127.0.0.1, the typed admin and
// CTS clients, and the receiver helpers of @cts-csms/client against messages the server sent.
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type AdminClient,
  createAdminClient,
  createCsmsClient,
  createCtsClient,
  HuaweiApiError,
} from "@cts-csms/client";
import {
  parseCtsTriggerEvent,
  parseSmnNotification,
  parseTraceMessage,
  verifySmnSignature,
} from "@cts-csms/client/receiver";
import { beforeEach, describe, expect, it } from "vitest";
import { createServer } from "../src/index.js";
import { startReceiver, webhookSchema } from "./events/support.js";
import { start, type TestServer, tempDir } from "./helpers.js";

const P = "24edf66e79d04187acb99a463e610764";
const Q = "dc3b7c85759141a991da17423c0f2068";
const TOPIC = `urn:smn:cn-north-4:${P}:ops`;
const FUNCTION = `urn:fss:cn-north-4:${P}:function:default:audit`;
const Q_TOPIC = `urn:smn:cn-north-4:${Q}:ops`;
const UNCONFIGURED = `urn:smn:cn-north-4:${P}:nobody`;

const receiver = await startReceiver();
const sinks = {
  [TOPIC]: [{ protocol: "http" as const, endpoint: `${receiver.url}/smn` }],
  [FUNCTION]: { endpoint: `${receiver.url}/fn` },
  [Q_TOPIC]: [{ protocol: "http" as const, endpoint: `${receiver.url}/q-smn` }],
};
const server: TestServer = await start({
  seed: { sinks },
  // Long enough that a loaded machine's receiver answers in time; the hanging-receiver test waits
  // out two attempts of it.
  delivery: { attemptTimeoutMs: 5_000, retry: { maxAttempts: 2, baseDelayMs: 20 } },
});
const admin: AdminClient = createAdminClient({
  endpoint: server.url,
  retry: false,
  throwOnError: true,
});
const client = (factory: typeof createCtsClient | typeof createCsmsClient, project: string) =>
  factory({
    endpoint: server.url,
    projectId: project,
    auth: { token: "t" },
    retry: false,
    throwOnError: true,
  } as any);
const cts: Record<string, any> = {
  [P]: client(createCtsClient, P),
  [Q]: client(createCtsClient, Q),
};
const csms = client(createCsmsClient, P) as any;

/** A notification on `ECS ecs deleteServer` only, so that its own creation does not match. */
const deleteServer = (name: string, topic: string, extra: object = {}) => ({
  notification_name: name,
  operation_type: "customized" as const,
  operations: [{ service_type: "ECS", resource_type: "ecs", trace_names: ["deleteServer"] }],
  topic_id: topic,
  ...extra,
});
const inject = async (project: string, body: Record<string, unknown>) =>
  (
    await admin.injectTrace({
      params: { path: { project_id: project } },
      body: { service_type: "ECS", resource_type: "ecs", trace_name: "deleteServer", ...body },
    } as any)
  ).data as any;
const deliveries = async (project: string) => {
  await admin.flushDeliveries();
  return ((await admin.listDeliveries({ params: { query: { project_id: project } } })).data as any)
    .deliveries as any[];
};

beforeEach(async () => {
  await admin.resetState();
  receiver.received.length = 0;
});

describe("a seed with an SMN topic and a FunctionGraph function on a local receiver", () => {
  it("a matching notification per target + an injected trace → one signed SMN message and one {cts} event", async () => {
    await cts[P].createNotification({ body: deleteServer("to-smn", TOPIC) });
    await cts[P].createNotification({ body: deleteServer("to-fn", FUNCTION) });
    const trace = await inject(P, { resource_name: "web-01", user: { name: "alice" } });
    expect(trace.trace_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(trace).toMatchObject({ trace_type: "ApiCall", code: "200", trace_rating: "normal" });

    const log = await deliveries(P);
    expect(log.map((d) => [d.target, d.status, d.attempts, d.response_status])).toEqual([
      [TOPIC, "delivered", 1, 200],
      [FUNCTION, "delivered", 1, 200],
    ]);
    const smn = receiver.received.filter((r) => r.path === "/smn");
    const fn = receiver.received.filter((r) => r.path === "/fn");
    expect([smn.length, fn.length]).toEqual([1, 1]);

    // The SMN message: headers, schema, signature against the certificate the server serves.
    const [message] = smn;
    expect(message?.headers["x-smn-message-type"]).toBe("Notification");
    expect(message?.headers["x-smn-topic-urn"]).toBe(TOPIC);
    const notification = parseSmnNotification(message?.json);
    expect(webhookSchema("smnNotification")(message?.json)).toBe(true);
    expect(log[0].payload).toBe(message?.body);
    expect(parseTraceMessage(notification)).toEqual(trace);
    expect(notification.signing_cert_url.startsWith(`${server.url}/_admin/`)).toBe(true);
    const certificate = await fetch(notification.signing_cert_url);
    expect(certificate.status).toBe(200);
    const pem = await certificate.text();
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(await verifySmnSignature(notification, pem)).toBe(true);
    // The typed admin client reads the same certificate (as text).
    expect((await admin.getSmnSigningCert()).data).toBe(pem);
    expect(
      await verifySmnSignature({ ...notification, message: `${notification.message} ` }, pem),
    ).toBe(false);
    const unsubscribe = await fetch(notification.unsubscribe_url);
    expect(unsubscribe.status).toBe(200);
    expect(await unsubscribe.json()).toMatchObject({
      subscription_urn: message?.headers["x-smn-subscription-urn"],
      unsubscribed: false,
    });

    // The FunctionGraph event.
    const event = parseCtsTriggerEvent(fn[0]?.json);
    expect(webhookSchema("functionGraphCtsEvent")(fn[0]?.json)).toBe(true);
    expect(event.cts).toMatchObject({ trace_id: trace.trace_id, trace_name: "deleteServer" });
    expect(log[1].payload).toBe(fn[0]?.body);
  });

  it("non-matching and disabled notifications deliver nothing, and the log says so", async () => {
    const created = await cts[P].createNotification({ body: deleteServer("disabled", TOPIC) });
    const id = (created.data as any).notification_id;
    await cts[P].updateNotification({
      body: { ...deleteServer("disabled", TOPIC), notification_id: id, status: "disabled" },
    });
    await cts[P].createNotification({
      body: {
        ...deleteServer("other-op", TOPIC),
        operations: [{ service_type: "ECS", resource_type: "ecs", trace_names: ["createServer"] }],
      },
    });
    await cts[P].createNotification({
      body: deleteServer("alice-only", FUNCTION, {
        notify_user_list: [{ user_group: "g", user_list: ["alice"] }],
      }),
    });
    await inject(P, { user: { name: "bob" } });
    expect(await deliveries(P)).toEqual([]);
    expect(receiver.received).toEqual([]);
    await inject(P, { user: { name: "alice" } });
    const log = await deliveries(P);
    expect(log.map((d) => [d.target, d.status])).toEqual([[FUNCTION, "delivered"]]);
  });

  it("a target without a sink is logged as no_sink with the payload it would have sent", async () => {
    await cts[P].createNotification({ body: deleteServer("nobody", UNCONFIGURED) });
    await inject(P, {});
    const [entry, ...rest] = await deliveries(P);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ target: UNCONFIGURED, status: "no_sink", attempts: 0 });
    expect(entry.endpoint).toBeUndefined();
    expect(JSON.parse(entry.payload)).toMatchObject({ topic_urn: UNCONFIGURED });
    expect(receiver.received).toEqual([]);
  });

  it("project isolation: another project's topic receives nothing, and its log stays empty", async () => {
    // P's notification names Q's topic: that URN is not P's, so it has no sink for P.
    await cts[P].createNotification({ body: deleteServer("foreign", Q_TOPIC) });
    await cts[Q].createNotification({ body: deleteServer("q-own", Q_TOPIC) });
    await inject(P, {});
    const log = await deliveries(P);
    expect(log.map((d) => [d.target, d.status])).toEqual([[Q_TOPIC, "no_sink"]]);
    expect(await deliveries(Q)).toEqual([]);
    expect(receiver.received).toEqual([]);
    // Q's own trace reaches Q's receiver, and P's log does not show it.
    await inject(Q, {});
    expect((await deliveries(Q)).map((d) => d.status)).toEqual(["delivered"]);
    expect(receiver.received.map((r) => r.path)).toEqual(["/q-smn"]);
    expect(await deliveries(P)).toHaveLength(1);
  });

  it("a receiver that answers 500 is retried, and the log shows the failure", async () => {
    let calls = 0;
    receiver.on("/fn", (_req, res) => {
      calls++;
      res.writeHead(calls === 1 ? 500 : 200).end();
    });
    try {
      await cts[P].createNotification({ body: deleteServer("flaky", FUNCTION) });
      await inject(P, {});
      await admin.flushDeliveries();
      await expect
        .poll(async () => (await deliveries(P)).map((d) => [d.status, d.attempts]))
        .toEqual([["delivered", 2]]);
    } finally {
      receiver.on("/fn", (_req, res) => res.writeHead(200).end());
    }
  });

  it("a hanging receiver does not hold up the API; its attempts time out and it fails", async () => {
    const hanging: import("node:http").ServerResponse[] = [];
    receiver.on("/smn", (_req, res) => {
      hanging.push(res);
    });
    try {
      await cts[P].createNotification({ body: deleteServer("hangs", TOPIC) });
      await inject(P, {});
      // API calls are answered while the delivery hangs.
      for (let i = 0; i < 5; i++) {
        const { response } = await cts[P].createNotification({
          body: { notification_name: `n${i}`, operation_type: "complete" },
        });
        expect(response.status).toBe(201);
      }
      expect(
        (await admin.listDeliveries({ params: { query: { project_id: P } } })).data,
      ).toBeDefined();
      // Each attempt times out; after the last one the delivery is failed.
      await expect
        .poll(async () => (await deliveries(P)).map((d) => [d.target, d.status, d.attempts]), {
          timeout: 45_000,
          interval: 200,
        })
        .toEqual([[TOPIC, "failed", 2]]);
      const [entry] = await deliveries(P);
      expect(entry.error).toMatch(/timed out|abort|timeout/i);
    } finally {
      receiver.on("/smn", (_req, res) => res.writeHead(200).end());
      for (const res of hanging) res.destroy();
    }
  }, 90_000);
});

describe("sinks at run time", () => {
  it("GET shows the seed's sinks; PUT replaces them (validated); reset restores the seed's", async () => {
    expect((await admin.getSinks()).data).toEqual(sinks);
    const replaced = {
      [TOPIC]: [{ protocol: "http" as const, endpoint: `${receiver.url}/other` }],
    };
    expect((await admin.replaceSinks({ body: replaced })).data).toEqual(replaced);
    expect((await admin.getSinks()).data).toEqual(replaced);
    await cts[P].createNotification({ body: deleteServer("to-smn", TOPIC) });
    await cts[P].createNotification({ body: deleteServer("to-fn", FUNCTION) });
    await inject(P, {});
    expect((await deliveries(P)).map((d) => [d.target, d.status])).toEqual([
      [TOPIC, "delivered"],
      [FUNCTION, "no_sink"],
    ]);
    expect(receiver.received.map((r) => r.path)).toEqual(["/other"]);

    for (const bad of [
      { "urn:smn:x": [] },
      { [TOPIC]: [{ protocol: "https", endpoint: "http://127.0.0.1:1/" }] },
      { [TOPIC]: [{ protocol: "http", endpoint: "file:///etc/passwd" }] },
    ]) {
      const error = await admin.replaceSinks({ body: bad as any }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(HuaweiApiError);
      expect(error).toMatchObject({ status: 400, errorCode: "CTS.0003" });
      expect((error as HuaweiApiError).errorMessage).toContain("request/body");
    }
    expect((await admin.getSinks()).data).toEqual(replaced);
    await admin.resetState();
    expect((await admin.getSinks()).data).toEqual(sinks);
  });
});

describe("traces", () => {
  it("ListTraces lists the server's own write operations (failed ones too) and injected traces", async () => {
    const created = await cts[P].createNotification({
      body: { notification_name: "mine", operation_type: "complete" },
    });
    const bad = await cts[P]
      .createNotification({ body: { notification_name: "bad", operation_type: "sometimes" } })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(bad).toMatchObject({ status: 400 });
    await csms.createSecretEvent({
      body: {
        name: "ev",
        event_types: ["SECRET_ROTATED"],
        state: "ENABLED",
        notification: { target_type: "SMN", target_id: TOPIC, target_name: "ops" },
      },
    });
    await csms.listSecretEvents({});
    const injected = await inject(P, { resource_name: "web-01" });
    await admin.flushDeliveries();
    const { data } = await cts[P].listTraces({ params: { query: { trace_type: "system" } } });
    const traces = (data as any).traces as any[];
    expect(
      traces.map((t) => [t.service_type, t.resource_type, t.trace_name, t.code, t.trace_rating]),
    ).toEqual([
      ["ECS", "ecs", "deleteServer", "200", "normal"],
      ["CSMS", "event", "createSecretEvent", "200", "normal"],
      ["CTS", "notification", "createNotification", "400", "warning"],
      ["CTS", "notification", "createNotification", "201", "normal"],
    ]);
    expect(traces[0]).toEqual(injected);
    const own = traces[3];
    expect(own).toMatchObject({
      resource_id: (created.data as any).notification_id,
      resource_name: "mine",
      trace_type: "ApiCall",
      source_ip: "127.0.0.1",
      api_version: "v3",
      user: { name: "token-user" },
    });
    expect(own.request_id).toMatch(/./);
    expect(own.time).toBeLessThanOrEqual(own.record_time);
    // No credentials in any trace.
    expect(JSON.stringify(traces)).not.toContain('"t"');
    expect(JSON.stringify(traces)).not.toMatch(/token":|X-Auth-Token/i);
    // Project isolation: Q sees none of them.
    const other = await cts[Q].listTraces({ params: { query: { trace_type: "system" } } });
    expect((other.data as any).traces).toEqual([]);
  });

  it("reset clears one project's traces and deliveries, or all", async () => {
    await cts[P].createNotification({ body: deleteServer("nobody", UNCONFIGURED) });
    await inject(P, {});
    await inject(Q, {});
    expect(await deliveries(P)).toHaveLength(1);
    await admin.resetState({ params: { query: { project_id: P } } });
    expect(await deliveries(P)).toEqual([]);
    const list = async (project: string) =>
      ((await cts[project].listTraces({ params: { query: { trace_type: "system" } } })).data as any)
        .traces;
    expect(await list(P)).toEqual([]);
    expect(await list(Q)).toHaveLength(1);
    await admin.resetState();
    expect(await list(Q)).toEqual([]);
  });

  it("an injected trace needs service_type, resource_type and trace_name (400 naming the field)", async () => {
    const error = await admin
      .injectTrace({
        params: { path: { project_id: P } },
        body: { service_type: "ECS", resource_type: "ecs" },
      } as any)
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toMatchObject({ status: 400, errorCode: "CTS.0003" });
    expect((error as HuaweiApiError).errorMessage).toContain("trace_name");
  });
});

describe("the SMN signing key", () => {
  const dir = tempDir("smn-key");

  it("is loaded from a PEM file when one is named, and a bad file stops start-up naming it", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const file = join(dir, "smn.pem");
    writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }));
    const keyed = await createServer({ port: 0, logger: false, smnSigningKey: file });
    try {
      const pem = await (await fetch(`${keyed.url}/_admin/smn/signing-cert.pem`)).text();
      const { X509Certificate } = await import("node:crypto");
      expect(
        new X509Certificate(pem).publicKey.export({ type: "spki", format: "pem" }).toString(),
      ).toBe(publicKey.export({ type: "spki", format: "pem" }).toString());
    } finally {
      await keyed.close();
    }
    const bad = join(dir, "bad.pem");
    writeFileSync(bad, "not a key");
    await expect(createServer({ port: 0, logger: false, smnSigningKey: bad })).rejects.toThrow(bad);
  });

  it("examples/seed-events.json is a valid seed: its sinks and notifications are loaded", async () => {
    const file = new URL("../../../examples/seed-events.json", import.meta.url).pathname;
    const seeded = await createServer({ port: 0, logger: false, seed: file });
    try {
      const sinks = await (await fetch(`${seeded.url}/_admin/sinks`)).json();
      expect(Object.keys(sinks)).toHaveLength(2);
      const list = await fetch(`${seeded.url}/v3/${P}/notifications/smn`, {
        headers: { "X-Auth-Token": "t" },
      });
      expect((await list.json()).notifications).toHaveLength(1);
    } finally {
      await seeded.close();
    }
  });

  it("a seed with invalid sinks stops start-up with a message naming the field", async () => {
    await expect(
      createServer({
        port: 0,
        logger: false,
        seed: { sinks: { [TOPIC]: [{ protocol: "ftp", endpoint: "ftp://x" }] } } as any,
      }),
    ).rejects.toThrow(/seed: sinks\/urn:smn:\S+\/0\/protocol must be equal to one of/);
  });
});
