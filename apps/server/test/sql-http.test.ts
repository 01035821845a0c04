/**
 * The HTTP API on the SQL stores (a reduced form of cts/csms/admin suites): the same requests
 * and answers as on the in-memory store, through a real server on PGlite and on PostgreSQL.
 * Also: PostgreSQL going away answers 503 (500 where an operation declares no 503) in the
 * service's envelope, and the server recovers when it is back.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type RunningServer } from "../src/index.js";
import { type TestPostgres, testPostgres } from "../src/testing/postgres.js";
import { example, expectEnvelope, request, TOKEN, tempDir } from "./helpers.js";
import { SQL_START_MS, serverOn, stores } from "./stores.js";

const { pglite, postgres } = stores(tempDir("sql-http"));

describe.each(Object.entries({ pglite, postgres }))(
  "the HTTP API on %s",
  { timeout: 120_000 },
  (_, setup) => {
    const running = serverOn(setup);
    const call = (method: string, path: string, body?: unknown) =>
      request(running.server.url, method, path, body === undefined ? {} : { body });

    it("creates, lists, updates and deletes CTS notifications with the same errors", async () => {
      const body = example("cts", "SeedCreateCompleteRequest");
      const created = await call("POST", "/v3/p1/notifications", body);
      expect(created.status).toBe(201);
      // Deterministic mode: sequential ids and the fixed clock, on every store.
      expect(created.body.notification_id).toBe("00000000-0000-4000-8000-000000000001");
      const duplicate = await call("POST", "/v3/p1/notifications", body);
      expect(duplicate.status).toBe(400);
      expectEnvelope("/v3/", duplicate.body, "CTS.0400");
      const other = await call("POST", "/v3/p2/notifications", body);
      expect(other.status).toBe(201);
      const list = await call("GET", "/v3/p1/notifications/smn");
      expect(list.body.notifications).toEqual([created.body]);
      const update = await call("PUT", "/v3/p1/notifications", {
        notification_id: created.body.notification_id,
        notification_name: "renamed",
        operation_type: "complete",
        status: "disabled",
      });
      expect(update.status).toBe(200);
      expect(update.body).toMatchObject({
        notification_id: created.body.notification_id,
        notification_name: "renamed",
        create_time: created.body.create_time,
        notification_type: created.body.notification_type,
      });
      const missing = "00000000-0000-4000-8000-00000000ffff";
      const del = await call(
        "DELETE",
        `/v3/p1/notifications?notification_id=${created.body.notification_id},${missing}`,
      );
      expect(del.status).toBe(404);
      expect(del.body.error_msg).toContain(missing);
      expect((await call("GET", "/v3/p1/notifications/smn")).body.notifications).toEqual([]);
    });

    it("serves CSMS secret events with paging and strictly increasing update_time", async () => {
      const event = example("csms", "SeedCreateRequest");
      for (const name of ["c", "a", "b"]) {
        expect((await call("POST", "/v1/p1/csms/events", { ...event, name })).status).toBe(200);
      }
      const dup = await call("POST", "/v1/p1/csms/events", { ...event, name: "a" });
      expect(dup.status).toBe(400);
      expectEnvelope("/v1/", dup.body, "CSMS.0002");
      const page = await call("GET", "/v1/p1/csms/events?limit=2");
      expect(page.body.events.map((e: any) => e.name)).toEqual(["a", "b"]);
      const next = await call(
        "GET",
        `/v1/p1/csms/events?limit=2&marker=${page.body.page_info.next_marker}`,
      );
      expect(next.body.events.map((e: any) => e.name)).toEqual(["c"]);
      const before = (await call("GET", "/v1/p1/csms/events/a")).body.event;
      const updates = await Promise.all(
        Array.from({ length: 5 }, () => call("PUT", "/v1/p1/csms/events/a", { state: "DISABLED" })),
      );
      expect(updates.map((u) => u.status)).toEqual([200, 200, 200, 200, 200]);
      const times = updates.map((u) => u.body.event.update_time).sort();
      expect(new Set(times).size).toBe(5);
      expect((await call("GET", "/v1/p1/csms/events/a")).body.event.update_time).toBe(
        Math.max(...times),
      );
      expect(Math.min(...times)).toBeGreaterThan(before.update_time);
      expect((await call("DELETE", "/v1/p1/csms/events/b")).status).toBe(204);
      expect((await call("GET", "/v1/p1/csms/events/b")).status).toBe(404);
    });

    it("resets one project or all through /_admin/reset", async () => {
      const event = { ...example("csms", "SeedCreateRequest"), name: "kept" };
      await call("POST", "/v1/p3/csms/events", event);
      await call("POST", "/v1/p4/csms/events", event);
      expect((await call("POST", "/_admin/reset?project_id=p3")).status).toBe(204);
      expect((await call("GET", "/v1/p3/csms/events/kept")).status).toBe(404);
      expect((await call("GET", "/v1/p4/csms/events/kept")).status).toBe(200);
      expect((await call("POST", "/_admin/reset")).status).toBe(204);
      expect((await call("GET", "/v1/p4/csms/events/kept")).status).toBe(404);
      // The deterministic ids restart too.
      const again = await call(
        "POST",
        "/v3/p1/notifications",
        example("cts", "SeedCreateCompleteRequest"),
      );
      expect(again.body.notification_id).toBe("00000000-0000-4000-8000-000000000001");
    });

    it("records and matches every one of 40 concurrent writes to one project, once", async () => {
      const p = "p40";
      const topic = `urn:smn:cn-north-4:${p}:ops`;
      const notification = (name: string, operations: unknown[]) => ({
        notification_name: name,
        operation_type: "customized",
        operations,
        topic_id: topic,
      });
      const op = (trace_name: string) => ({
        service_type: "CTS",
        resource_type: "notification",
        trace_names: [trace_name],
      });
      const creates = await call(
        "POST",
        `/v3/${p}/notifications`,
        notification("creates", [op("createNotification")]),
      );
      expect(creates.status).toBe(201);
      const id = creates.body.notification_id as string;
      const bySource = async () => {
        expect((await call("POST", "/_admin/deliveries/flush")).status).toBe(204);
        const log = await call("GET", `/_admin/deliveries?project_id=${p}`);
        const counts: Record<string, number> = {};
        for (const d of log.body.deliveries) counts[d.source] = (counts[d.source] ?? 0) + 1;
        return counts;
      };
      const before = await bySource();
      const writes = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          call("POST", `/v3/${p}/notifications`, notification(`w${i}`, [op("deleteNotification")])),
        ),
      );
      expect(writes.map((w) => w.status)).toEqual(writes.map(() => 201));
      // Each write's trace matched "creates" once; none matched another write's notification.
      const after = await bySource();
      expect(Object.keys(after)).toEqual([id]);
      expect(after[id]).toBe((before[id] ?? 0) + 40);
      const traces = await call("GET", `/v3/${p}/traces?trace_type=system&limit=200`);
      const names = traces.body.traces
        .filter((t: { trace_name: string }) => t.trace_name === "createNotification")
        .map((t: { resource_name: string }) => t.resource_name);
      expect(names.sort()).toEqual(["creates", ...writes.map((_, i) => `w${i}`)].sort());
    });

    it("keeps secrets and versions, fires their events into records, expires by the clock", async () => {
      const p = "p7";
      const target = { target_type: "SMN", target_id: "urn:smn:r:p7:none", target_name: "n" };
      const event = await call("POST", `/v1/${p}/csms/events`, {
        name: "all",
        event_types: ["SECRET_VERSION_CREATED", "SECRET_ROTATED", "SECRET_VERSION_EXPIRED"],
        state: "ENABLED",
        notification: target,
      });
      expect(event.status).toBe(200);
      const created = await call("POST", `/v1/${p}/secrets`, {
        name: "db.password",
        secret_string: "first",
        event_subscriptions: ["all"],
      });
      expect(created.status, created.text).toBe(200);
      const day = Date.UTC(2024, 0, 2);
      const v2 = await call("POST", `/v1/${p}/secrets/db.password/versions`, {
        secret_binary: "c2Vjb25k",
        expire_time: day,
      });
      expect(v2.body.version_metadata).toMatchObject({ id: "v2", expire_time: day });
      expect((await call("POST", `/v1/${p}/secrets/db.password/rotate`)).status).toBe(200);
      const versions = await call("GET", `/v1/${p}/secrets/db.password/versions`);
      expect(versions.body.version_metadatas.map((v: any) => [v.id, v.version_stages])).toEqual([
        ["v1", []],
        ["v2", ["SYSPREVIOUS"]],
        ["v3", ["SYSCURRENT"]],
      ]);
      const shown = await call("GET", `/v1/${p}/secrets/db.password/versions/v2`);
      expect(shown.body.version.secret_binary).toBe("c2Vjb25k");
      // The deterministic clock moves by the duration.
      const clock = await call("POST", "/_admin/clock", { advance: "PT25H" });
      expect(clock.status).toBe(200);
      expect(clock.body.now).toBeGreaterThanOrEqual(Date.UTC(2024, 0, 2, 1));
      expect(clock.body.now).toBeLessThan(Date.UTC(2024, 0, 2, 2));
      await call("POST", "/_admin/clock", { advance: "PT1H" });
      const records = await call("GET", `/v1/${p}/csms/notification-records`);
      expect(
        records.body.records.map((r: any) => [
          r.trigger_event_type,
          JSON.parse(r.notification_content).version_id,
          r.notification_status,
        ]),
      ).toEqual([
        ["SECRET_VERSION_CREATED", "v1", "INVALID"],
        ["SECRET_VERSION_CREATED", "v2", "INVALID"],
        ["SECRET_ROTATED", "v3", "INVALID"],
        ["SECRET_VERSION_EXPIRED", "v2", "INVALID"],
      ]);
      expect((await call("DELETE", `/v1/${p}/secrets/db.password`)).status).toBe(204);
      expect((await call("GET", `/v1/${p}/secrets/db.password/versions/v1`)).status).toBe(404);
    });

    it("keeps the sinks, a counted fault rule and the clock in the store; a full reset restores them", async () => {
      const statusOf = async (path: string) => {
        const res = await fetch(running.server.url + path, { headers: TOKEN });
        await res.arrayBuffer();
        return res.status;
      };
      const sinks = {
        "urn:smn:cn-north-4:p1:b": [{ protocol: "http", endpoint: "http://127.0.0.1:9/b" }],
        "urn:smn:cn-north-4:p1:a": [{ protocol: "http", endpoint: "http://127.0.0.1:9/a" }],
      };
      expect((await call("PUT", "/_admin/sinks", sinks)).body).toEqual(sinks);
      const stored = (await call("GET", "/_admin/sinks")).body;
      expect(Object.keys(stored)).toEqual(Object.keys(sinks));
      const rule = { operation_id: "listSecretEvents", status: 429, count: 1 };
      expect((await call("POST", "/_admin/faults", rule)).status).toBe(201);
      expect([await statusOf("/v1/p1/csms/events"), await statusOf("/v1/p1/csms/events")]).toEqual([
        429, 200,
      ]);
      expect((await call("GET", "/_admin/faults")).body.rules).toMatchObject([
        { hits: 1, matched: 1, rule },
      ]);
      const offset = (await call("GET", "/_admin/clock")).body.offset_ms;
      await call("POST", "/_admin/clock", { advance: "PT1H" });
      expect((await call("GET", "/_admin/clock")).body.offset_ms).toBe(offset + 3_600_000);

      expect((await call("POST", "/_admin/reset")).status).toBe(204);
      expect((await call("GET", "/_admin/sinks")).body).toEqual({});
      expect((await call("GET", "/_admin/faults")).body.rules).toEqual([]);
      expect((await call("GET", "/_admin/clock")).body.offset_ms).toBe(0);
    });
  },
);

describe("PostgreSQL outage", { timeout: 120_000 }, () => {
  let pg: TestPostgres;
  let server: RunningServer;
  beforeAll(async () => {
    pg = await testPostgres({ restartable: true });
    server = await createServer({ port: 0, logger: false, databaseUrl: await pg.database() });
  }, SQL_START_MS);
  afterAll(async () => {
    await server?.close();
    await pg?.close();
  });

  it("answers 503 in the envelope while the database is down, and recovers", async () => {
    const raw = (method: string, path: string, body?: unknown) =>
      fetch(server.url + path, {
        method,
        headers: { ...TOKEN, "Content-Type": "application/json" },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    const body = example("cts", "SeedCreateCompleteRequest");
    expect((await raw("POST", "/v3/p1/notifications", body)).status).toBe(201);
    await pg.stop();
    const down = await raw("GET", "/v3/p1/notifications/smn");
    expect(down.status).toBe(503);
    expectEnvelope("/v3/", await down.json(), "CTS.9503");
    // CSMS declares no 503: a 500 in its envelope.
    const csms = await raw("GET", "/v1/p1/csms/events");
    expect([500, 503]).toContain(csms.status);
    expectEnvelope("/v1/", await csms.json());
    // The health check reads nothing from the database: the process is up.
    expect((await raw("GET", "/_admin/health")).status).toBe(200);
    await pg.start();
    const back = await raw("GET", "/v3/p1/notifications/smn");
    expect(back.status).toBe(200);
    expect((await back.json()).notifications).toHaveLength(1);
  });
});
