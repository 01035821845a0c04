// CSMS secret events that happen (issue 15), over real HTTP: the server on 127.0.0.1 with a seed
// of SMN sinks pointing at a real receiver, the typed CSMS and admin clients. Each event type
// fires, or not, under each condition; records follow the deliveries' outcomes; the clock drives
// expiry and retention; and the "Done when" sequence end to end.
import {
  type AdminClient,
  createAdminClient,
  createCsmsClient,
  HuaweiApiError,
} from "@cts-csms/client";
import { parseSmnNotification, verifySmnSignature } from "@cts-csms/client/receiver";
import { beforeEach, describe, expect, it } from "vitest";
import { startReceiver, webhookSchema } from "./events/support.js";
import { start, type TestServer } from "./helpers.js";

const P = "24edf66e79d04187acb99a463e610764";
const TOPIC = `urn:smn:cn-north-4:${P}:rotation`;
const FAILING = `urn:smn:cn-north-4:${P}:failing`;
const NO_SINK = `urn:smn:cn-north-4:${P}:nobody`;
const FUNCTION = `urn:fss:cn-north-4:${P}:function:default:handler`;

const receiver = await startReceiver();
receiver.on("/failing", (_req, res) => res.writeHead(503).end("down"));
const server: TestServer = await start({
  seed: {
    sinks: {
      [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}/smn` }],
      [FAILING]: [{ protocol: "http", endpoint: `${receiver.url}/failing` }],
    },
  },
  delivery: { attemptTimeoutMs: 30_000, retry: { maxAttempts: 2, baseDelayMs: 10 } },
});
const admin: AdminClient = createAdminClient({
  endpoint: server.url,
  retry: false,
  throwOnError: true,
});
const csms = createCsmsClient({
  endpoint: server.url,
  projectId: P,
  auth: { token: "t" },
  retry: false,
  throwOnError: true,
});

type EventType =
  | "SECRET_VERSION_CREATED"
  | "SECRET_VERSION_EXPIRED"
  | "SECRET_ROTATED"
  | "SECRET_DELETED"
  | "SECRET_ROTATED_FAILED";
const ALL: EventType[] = [
  "SECRET_VERSION_CREATED",
  "SECRET_VERSION_EXPIRED",
  "SECRET_ROTATED",
  "SECRET_DELETED",
  "SECRET_ROTATED_FAILED",
];

async function createEvent(
  name: string,
  types: EventType[],
  { state = "ENABLED" as "ENABLED" | "DISABLED", target = TOPIC } = {},
) {
  await csms.createSecretEvent({
    body: {
      name,
      event_types: types,
      state,
      notification: { target_type: "SMN", target_id: target, target_name: name },
    },
  });
}

async function createSecret(name: string, events: string[] = []) {
  const res = await csms.createSecret({
    body: { name, secret_string: `value-${name}`, event_subscriptions: events },
  });
  return res.data?.secret;
}

/** Every record of the project, once the deliveries queued so far are settled. */
async function records() {
  await admin.flushDeliveries();
  const res = await csms.listNotificationRecords({});
  return res.data?.records ?? [];
}

/** Waits (up to 15 s) until the project has `n` records: retried deliveries settle later. */
async function awaitRecords(n: number) {
  const until = Date.now() + 15_000;
  let all = await records();
  while (all.length < n && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    all = await records();
  }
  return all;
}

/** Makes every event type happen once to secret `s`: v2, rotate, expiry, failed rotation, delete. */
async function everything(secret: string) {
  const now = (await admin.getClock()).data?.now as number;
  await csms.createSecretVersion({
    params: { path: { secret_name: secret } },
    body: { secret_string: "v2", expire_time: now + 3_600_000 },
  });
  await csms.rotateSecret({ params: { path: { secret_name: secret } } });
  await admin.setClock({ body: { advance: "PT2H" } });
  await admin.failSecretRotation({ params: { path: { project_id: P, secret_name: secret } } });
  await csms.deleteSecret({ params: { path: { secret_name: secret } } });
}

beforeEach(async () => {
  await admin.resetState();
  receiver.received.length = 0;
});

describe("which events fire", () => {
  it("an ENABLED event listing every type, subscribed: each type fires once (v1 and v2 created)", async () => {
    await createEvent("all", ALL);
    await createSecret("s", ["all"]);
    await everything("s");
    const all = await awaitRecords(6);
    expect(all.map((r) => r.trigger_event_type)).toEqual([
      "SECRET_VERSION_CREATED",
      "SECRET_VERSION_CREATED",
      "SECRET_ROTATED",
      "SECRET_VERSION_EXPIRED",
      "SECRET_ROTATED_FAILED",
      "SECRET_DELETED",
    ]);
    for (const r of all) {
      expect(r).toMatchObject({
        event_name: "all",
        secret_name: "s",
        secret_type: "COMMON",
        notification_target_name: "all",
        notification_target_id: TOPIC,
        notification_status: "SUCCESS",
      });
      expect(JSON.parse(r.notification_content as string)).toMatchObject({
        event_name: "all",
        event_type: r.trigger_event_type,
        secret_name: "s",
      });
    }
    expect(receiver.received.filter((r) => r.path === "/smn")).toHaveLength(6);
  });

  it("nothing fires for a DISABLED event, an unsubscribed secret, or a type not listed", async () => {
    await createEvent("off", ALL, { state: "DISABLED" });
    await createEvent("rotated-only", ["SECRET_ROTATED"]);
    await createEvent("unused", ALL);
    await createSecret("disabled", ["off"]);
    await createSecret("unsubscribed");
    await createSecret("other-types", ["rotated-only"]);
    for (const s of ["disabled", "unsubscribed"]) await everything(s);
    // Every type but the listed one: nothing.
    await csms.createSecretVersion({
      params: { path: { secret_name: "other-types" } },
      body: { secret_string: "x", expire_time: (await admin.getClock()).data!.now + 60_000 },
    });
    await admin.setClock({ body: { advance: "PT1H" } });
    await admin.failSecretRotation({
      params: { path: { project_id: P, secret_name: "other-types" } },
    });
    expect(await records()).toEqual([]);
    expect(receiver.received).toEqual([]);
    // The listed type does fire; and enabling the disabled event makes it fire from then on.
    await csms.rotateSecret({ params: { path: { secret_name: "other-types" } } });
    await csms.updateSecretEvent({
      params: { path: { event_name: "off" } },
      body: { state: "ENABLED" },
    });
    await createSecret("now-on", ["off"]);
    const fired = await awaitRecords(2);
    expect(fired.map((r) => [r.event_name, r.trigger_event_type])).toEqual([
      ["rotated-only", "SECRET_ROTATED"],
      ["off", "SECRET_VERSION_CREATED"],
    ]);
  });
});

describe("record statuses follow the deliveries (decision 32)", () => {
  it("SUCCESS on a 2xx, FAIL after the retries, INVALID without a sink or an SMN topic", async () => {
    await createEvent("ok", ["SECRET_ROTATED"]);
    await createEvent("fails", ["SECRET_ROTATED"], { target: FAILING });
    await createEvent("no-sink", ["SECRET_ROTATED"], { target: NO_SINK });
    await createEvent("function", ["SECRET_ROTATED"], { target: FUNCTION });
    for (const e of ["ok", "fails", "no-sink", "function"]) {
      await createSecret(`s-${e}`, [e]);
      await csms.rotateSecret({ params: { path: { secret_name: `s-${e}` } } });
    }
    const all = await awaitRecords(4);
    const status = Object.fromEntries(all.map((r) => [r.event_name, r.notification_status]));
    expect(status).toEqual({
      ok: "SUCCESS",
      fails: "FAIL",
      "no-sink": "INVALID",
      function: "INVALID",
    });
    // The failing receiver was tried twice (maxAttempts 2); nothing went to the others.
    expect(receiver.received.filter((r) => r.path === "/failing")).toHaveLength(2);
    expect(receiver.received.filter((r) => r.path === "/smn")).toHaveLength(1);
    const log = (await admin.listDeliveries({ params: { query: { project_id: P } } })).data;
    expect(log?.deliveries.map((d) => [d.source, d.status]).sort()).toEqual([
      ["fails", "failed"],
      ["function", "no_sink"],
      ["no-sink", "no_sink"],
      ["ok", "delivered"],
    ]);
    // Each INVALID record's reason is in the delivery log, found by what both carry.
    for (const record of all.filter((r) => r.notification_status === "INVALID")) {
      const found = log?.deliveries.filter(
        (d) =>
          d.source === record.event_name &&
          d.target === record.notification_target_id &&
          (d.payload === record.notification_content ||
            JSON.parse(d.payload).message === record.notification_content),
      );
      expect(found?.map((d) => d.status)).toEqual(["no_sink"]);
      expect(found?.[0]?.error).toMatch(
        record.event_name === "function" ? /not an SMN topic URN/ : /no subscription/,
      );
    }
  });

  it("target_type is SMN, spelled as the service spells it", async () => {
    for (const target_type of ["smn", "Smn", "FGS"]) {
      const res = await csms
        .createSecretEvent({
          body: {
            name: "e",
            event_types: ["SECRET_ROTATED"],
            state: "ENABLED",
            notification: { target_type: target_type as "SMN", target_id: TOPIC, target_name: "t" },
          },
        })
        .catch((err: HuaweiApiError) => err);
      expect(res).toBeInstanceOf(HuaweiApiError);
      expect((res as HuaweiApiError).status).toBe(400);
      expect((res as HuaweiApiError).message).toContain("target_type");
    }
  });
});

describe("notification records are listed with paging", () => {
  it("oldest first, each once across pages; without limit one page holds them all", async () => {
    await createEvent("e", ["SECRET_ROTATED"]);
    await createSecret("s", ["e"]);
    for (let i = 0; i < 7; i++) await csms.rotateSecret({ params: { path: { secret_name: "s" } } });
    const all = await awaitRecords(7);
    expect(all).toHaveLength(7);
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await csms.listNotificationRecords({
        params: { query: { limit: 3, ...(marker && { marker }) } },
      });
      seen.push(...(page.data?.records ?? []).map((r) => r.notification_content as string));
      marker = page.data?.page_info.next_marker;
      pages++;
    } while (marker);
    expect(pages).toBe(3);
    expect(seen).toEqual(all.map((r) => r.notification_content));
    const times = all.map((r) => r.create_time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const versions = all.map((r) => JSON.parse(r.notification_content as string).version_id);
    expect(versions).toEqual(["v2", "v3", "v4", "v5", "v6", "v7", "v8"]);
  });
});

describe("time you can control", () => {
  it("POST /_admin/clock moves the clock by a duration or to a time, never back", async () => {
    const before = (await admin.getClock()).data!;
    const moved = (await admin.setClock({ body: { advance: "P1DT1H" } })).data!;
    expect(moved.offset_ms - before.offset_ms).toBe(25 * 3_600_000);
    expect(moved.now).toBeGreaterThanOrEqual(before.now + 25 * 3_600_000);
    const target = new Date(moved.now + 86_400_000).toISOString();
    const set = (await admin.setClock({ body: { time: target } })).data!;
    expect(set.now).toBeGreaterThanOrEqual(Date.parse(target));
    // Resources take their times from it.
    const secret = await createSecret("later");
    expect(secret?.create_time).toBeGreaterThanOrEqual(Date.parse(target));
    for (const body of [
      { time: "2001-01-01T00:00:00Z" },
      { advance: "P1M" },
      { advance: "PT" },
      { advance: "PT1H", time: target },
      {},
    ]) {
      const res = await server.call("POST", "/_admin/clock", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error_code).toBe("CTS.0003");
    }
    // A full reset puts the clock back.
    await admin.resetState();
    expect((await admin.getClock()).data?.offset_ms).toBe(0);
  });

  it("a version expires when the clock passes expire_time: exactly one record, idempotent", async () => {
    await createEvent("expiry", ["SECRET_VERSION_EXPIRED"]);
    await createSecret("s", ["expiry"]);
    const now = (await admin.getClock()).data!.now;
    await csms.createSecretVersion({
      params: { path: { secret_name: "s" } },
      body: { secret_string: "x", expire_time: now + 24 * 3_600_000 },
    });
    await admin.setClock({ body: { advance: "PT23H" } });
    expect(await records()).toEqual([]);
    await admin.setClock({ body: { advance: "PT2H" } });
    await admin.setClock({ body: { advance: "PT2H" } });
    // Moving the expiry later does not fire it again.
    const clock = (await admin.getClock()).data!.now;
    await csms.updateVersion({
      params: { path: { secret_name: "s", version_id: "v2" } },
      body: { expire_time: clock + 3_600_000 },
    });
    await admin.setClock({ body: { advance: "PT2H" } });
    const all = await records();
    expect(
      all.map((r) => [r.trigger_event_type, JSON.parse(r.notification_content!).version_id]),
    ).toEqual([["SECRET_VERSION_EXPIRED", "v2"]]);
  });

  it("records are kept three months by the server clock", async () => {
    await createEvent("e", ["SECRET_ROTATED"]);
    await createSecret("s", ["e"]);
    await csms.rotateSecret({ params: { path: { secret_name: "s" } } });
    expect(await records()).toHaveLength(1);
    await admin.setClock({ body: { advance: "P89D" } });
    await csms.rotateSecret({ params: { path: { secret_name: "s" } } });
    expect(await records()).toHaveLength(2);
    await admin.setClock({ body: { advance: "P2D" } });
    const kept = await records();
    expect(kept).toHaveLength(1);
    expect(JSON.parse(kept[0]!.notification_content!).version_id).toBe("v3");
  });
});

describe("Done when (issue 15)", () => {
  it("event → subscribed secret → version + rotate → SUCCESS records and signed SMN messages → expiry", async () => {
    // 1. an event with SECRET_VERSION_CREATED and SECRET_ROTATED, ENABLED;
    await createEvent("rotation", ["SECRET_VERSION_CREATED", "SECRET_ROTATED"]);
    // 2. a secret subscribed to it;
    await createSecret("db-password", ["rotation"]);
    // 3. a version, then a rotation;
    const now = (await admin.getClock()).data!.now;
    await csms.createSecretVersion({
      params: { path: { secret_name: "db-password" } },
      body: { secret_string: "second", expire_time: now + 24 * 3_600_000 },
    });
    await csms.rotateSecret({ params: { path: { secret_name: "db-password" } } });
    // 4. a SUCCESS record and a signed SMN delivery for each event that fired;
    const fired = await awaitRecords(3);
    const types = fired.map((r) => r.trigger_event_type);
    expect(types.filter((t) => t === "SECRET_VERSION_CREATED").length).toBeGreaterThanOrEqual(1);
    expect(types.filter((t) => t === "SECRET_ROTATED")).toHaveLength(1);
    expect(fired.every((r) => r.notification_status === "SUCCESS")).toBe(true);
    const messages = receiver.received.filter((r) => r.path === "/smn");
    expect(messages).toHaveLength(fired.length);
    const pem = (await admin.getSmnSigningCert()).data as string;
    for (const [i, m] of messages.entries()) {
      expect(webhookSchema("smnNotification")(m.json)).toBe(true);
      const notification = parseSmnNotification(m.json);
      expect(await verifySmnSignature(notification, pem)).toBe(true);
      expect(notification.subject).toBe("CSMS event notification: rotation");
      expect(notification.message).toBe(fired[i]?.notification_content);
    }
    // 5. past a version's expire_time, an event subscribed to SECRET_VERSION_EXPIRED records
    // exactly one expiry.
    await csms.updateSecretEvent({
      params: { path: { event_name: "rotation" } },
      body: { event_types: ["SECRET_VERSION_EXPIRED"] },
    });
    await admin.setClock({ body: { advance: "PT25H" } });
    await admin.setClock({ body: { advance: "PT1H" } });
    const after = await records();
    const expired = after.filter((r) => r.trigger_event_type === "SECRET_VERSION_EXPIRED");
    expect(expired).toHaveLength(1);
    expect(expired[0]?.notification_status).toBe("SUCCESS");
    expect(JSON.parse(expired[0]!.notification_content!).version_id).toBe("v2");
    // And an event with SECRET_ROTATED_FAILED can be created.
    const created = await csms.createSecretEvent({
      body: {
        name: "failures",
        event_types: ["SECRET_ROTATED_FAILED"],
        state: "ENABLED",
        notification: { target_type: "SMN", target_id: TOPIC, target_name: "t" },
      },
    });
    expect(created.data?.event.event_types).toEqual(["SECRET_ROTATED_FAILED"]);
  });

  it("the admin rotation-failure route needs an existing secret (404 in the admin envelope)", async () => {
    const err = await admin
      .failSecretRotation({ params: { path: { project_id: P, secret_name: "nope" } } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HuaweiApiError);
    expect((err as HuaweiApiError).status).toBe(404);
  });
});
