// Every operation through the generated client against the real server: the success path and
// every error status the server can produce for it, each response checked against the spec by
// the suite's own validator.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  assertConforms,
  credentials,
  type Harness,
  received,
  startHarness,
  urlFor,
} from "../src/context.js";
import { operation } from "../src/spec.js";
import { errorCode } from "../src/validate.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());
beforeEach(() => h.reset());

const topic = "urn:smn:cn-north-4:24edf66e79d04187acb99a463e610764:ops";
const notificationBody = (name = `n_${randomUUID().slice(0, 8)}`) => ({
  notification_name: name,
  operation_type: "customized",
  operations: [{ service_type: "CTS", resource_type: "tracker", trace_names: ["deleteTracker"] }],
  topic_id: topic,
});
const eventBody = (name = `e-${randomUUID().slice(0, 8)}`) => ({
  name,
  event_types: ["SECRET_VERSION_CREATED"],
  state: "ENABLED",
  notification: { target_type: "SMN", target_id: topic, target_name: "ops" },
});

/** Calls an operation by operationId through the client and checks the response conforms. */
async function call(id: string, init: any, project: "p1" | "p2" = "p1") {
  const op = operation(id);
  const result = await h.clientFor(op, project)[id](init);
  const res = await received(result);
  assertConforms(op, res, undefined);
  return { ...res, data: result.data, error: result.error };
}

/** The same operation with a raw request (bad credentials, bad media type, …). */
async function raw(
  id: string,
  init: { path: any; query?: any; headers?: Record<string, string>; body?: string },
) {
  const op = operation(id);
  const res = await h.send({
    method: op.method.toUpperCase(),
    url: urlFor(h.url, op, init.path, init.query),
    headers: init.headers ?? {},
    body: init.body,
  });
  assertConforms(op, res, res.sent);
  return res;
}
const token = (p: "p1" | "p2") => ({ "X-Auth-Token": credentials.tokens[p] });

describe("createNotification", () => {
  it("201 with the server-assigned fields", async () => {
    const r = await call("createNotification", { body: notificationBody("ops_watch") });
    expect(r.status).toBe(201);
    expect(r.data).toMatchObject({
      notification_name: "ops_watch",
      notification_type: "smn",
      status: "enabled",
      project_id: "p1",
    });
    expect(r.data.notification_id).toMatch(/^[0-9a-f-]{36}$/);
  });
  it("400 CTS.0400 on a duplicate name, 400 CTS.0003 on a schema violation", async () => {
    await call("createNotification", { body: notificationBody("dup") });
    const dup = await call("createNotification", { body: notificationBody("dup") });
    expect([dup.status, errorCode("cts", dup.error)]).toEqual([400, "CTS.0400"]);
    const bad = await call("createNotification", {
      body: { ...notificationBody(), operation_type: "all" },
    });
    expect([bad.status, errorCode("cts", bad.error)]).toEqual([400, "CTS.0003"]);
    expect(bad.error.error_msg).toContain("operation_type");
  });
  it("401 without credentials, 403 with another project's token", async () => {
    const body = JSON.stringify(notificationBody());
    const json = { "Content-Type": "application/json" };
    expect(
      (await raw("createNotification", { path: { project_id: "p1" }, headers: json, body })).status,
    ).toBe(401);
    expect(
      (
        await raw("createNotification", {
          path: { project_id: "p1" },
          headers: { ...json, ...token("p2") },
          body,
        })
      ).status,
    ).toBe(403);
  });
  it("413 over 1 MiB, 415 for a non-JSON body", async () => {
    const big = JSON.stringify({ ...notificationBody(), notification_name: "x".repeat(1_100_000) });
    const r413 = await raw("createNotification", {
      path: { project_id: "p1" },
      headers: { ...token("p1"), "Content-Type": "application/json" },
      body: big,
    });
    expect(r413.status).toBe(413);
    const r415 = await raw("createNotification", {
      path: { project_id: "p1" },
      headers: { ...token("p1"), "Content-Type": "text/plain" },
      body: "hello",
    });
    expect(r415.status).toBe(415);
  });
});

describe("updateNotification", () => {
  it("200 with the full resource, 404 for an unknown id, 400 for enabled without topic", async () => {
    const created = await call("createNotification", { body: notificationBody("to_update") });
    const id = created.data.notification_id;
    const ok = await call("updateNotification", {
      body: { ...notificationBody("renamed"), notification_id: id, status: "disabled" },
    });
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({
      notification_id: id,
      notification_name: "renamed",
      status: "disabled",
      create_time: created.data.create_time,
    });
    const missing = await call("updateNotification", {
      body: { ...notificationBody(), notification_id: randomUUID(), status: "disabled" },
    });
    expect([missing.status, errorCode("cts", missing.error)]).toEqual([404, "CTS.0403"]);
    const { topic_id: _, ...noTopic } = notificationBody();
    const bad = await call("updateNotification", {
      body: { ...noTopic, notification_id: id, status: "enabled" },
    });
    expect(bad.status).toBe(400);
    expect(bad.error.error_msg).toContain("topic_id");
  });
  it("403 with another project's token, 404 when the id belongs to another project", async () => {
    const created = await call("createNotification", { body: notificationBody() });
    const body = {
      ...notificationBody(),
      notification_id: created.data.notification_id,
      status: "disabled",
    };
    const r403 = await raw("updateNotification", {
      path: { project_id: "p1" },
      headers: { ...token("p2"), "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(r403.status).toBe(403);
    const other = await call("updateNotification", { body }, "p2");
    expect(other.status).toBe(404);
  });
});

describe("listNotifications", () => {
  it("200 filtered by type and name; 400 for an unknown type", async () => {
    await call("createNotification", { body: notificationBody("smn_one") });
    await call("createNotification", {
      body: {
        ...notificationBody("fun_one"),
        topic_id: "urn:fss:cn-north-4:24edf66e79d04187acb99a463e610764:function:default:fn",
      },
    });
    const smn = await call("listNotifications", { params: { path: { notification_type: "smn" } } });
    expect(smn.data.notifications.map((n: any) => n.notification_name)).toEqual(["smn_one"]);
    const fun = await call("listNotifications", {
      params: { path: { notification_type: "fun" }, query: { notification_name: "fun_one" } },
    });
    expect(fun.data.notifications).toHaveLength(1);
    const bad = await raw("listNotifications", {
      path: { project_id: "p1", notification_type: "sms" },
      headers: token("p1"),
    });
    expect(bad.status).toBe(400);
    expect(
      (await raw("listNotifications", { path: { project_id: "p1", notification_type: "smn" } }))
        .status,
    ).toBe(401);
    expect(
      (
        await raw("listNotifications", {
          path: { project_id: "p1", notification_type: "smn" },
          headers: token("p2"),
        })
      ).status,
    ).toBe(403);
  });
});

describe("deleteNotification", () => {
  it("204 for a batch; 404 naming the missing ids, the others still deleted; 400 for a bad id", async () => {
    const a = (await call("createNotification", { body: notificationBody() })).data.notification_id;
    const b = (await call("createNotification", { body: notificationBody() })).data.notification_id;
    const c = (await call("createNotification", { body: notificationBody() })).data.notification_id;
    const ok = await call("deleteNotification", {
      params: { query: { notification_id: `${a},${b}` } },
    });
    expect(ok.status).toBe(204);
    const ghost = randomUUID();
    const partial = await call("deleteNotification", {
      params: { query: { notification_id: `${c},${ghost}` } },
    });
    expect([partial.status, errorCode("cts", partial.error)]).toEqual([404, "CTS.0403"]);
    expect(partial.error.error_msg).toContain(ghost);
    const left = await call("listNotifications", {
      params: { path: { notification_type: "smn" } },
    });
    expect(left.data.notifications).toEqual([]);
    const bad = await call("deleteNotification", {
      params: { query: { notification_id: "not-a-uuid" } },
    });
    expect(bad.status).toBe(400);
    expect(bad.error.error_msg).toContain("notification_id");
    expect(
      (
        await raw("deleteNotification", {
          path: { project_id: "p1" },
          query: { notification_id: a },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await raw("deleteNotification", {
          path: { project_id: "p1" },
          query: { notification_id: a },
          headers: token("p2"),
        })
      ).status,
    ).toBe(403);
  });
});

describe("createSecretEvent", () => {
  it("200 {event}; 400 CSMS.0002 on a duplicate or a bad field; 401; 403; 413; 415", async () => {
    const ok = await call("createSecretEvent", { body: eventBody("demo-event") });
    expect(ok.status).toBe(200);
    expect(ok.data.event).toMatchObject({ name: "demo-event", state: "ENABLED" });
    expect(ok.data.event.create_time).toBe(ok.data.event.update_time);
    const dup = await call("createSecretEvent", { body: eventBody("demo-event") });
    expect([dup.status, errorCode("csms", dup.error)]).toEqual([400, "CSMS.0002"]);
    const bad = await call("createSecretEvent", { body: { ...eventBody(), state: "Enabled" } });
    expect([bad.status, errorCode("csms", bad.error)]).toEqual([400, "CSMS.0002"]);
    expect(bad.error.error.error_msg).toContain("state");
    const body = JSON.stringify(eventBody());
    const json = { "Content-Type": "application/json" };
    expect(
      (await raw("createSecretEvent", { path: { project_id: "p1" }, headers: json, body })).status,
    ).toBe(401);
    expect(
      (
        await raw("createSecretEvent", {
          path: { project_id: "p1" },
          headers: { ...json, ...token("p2") },
          body,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await raw("createSecretEvent", {
          path: { project_id: "p1" },
          headers: { ...json, ...token("p1") },
          body: "x".repeat(1_100_000),
        })
      ).status,
    ).toBe(413);
    expect(
      (
        await raw("createSecretEvent", {
          path: { project_id: "p1" },
          headers: { "Content-Type": "text/plain", ...token("p1") },
          body,
        })
      ).status,
    ).toBe(415);
    const malformed = await raw("createSecretEvent", {
      path: { project_id: "p1" },
      headers: { ...json, ...token("p1") },
      body: '{"name":',
    });
    expect([malformed.status, errorCode("csms", malformed.body)]).toEqual([400, "CSMS.0004"]);
  });
});

describe("showSecretEvent / updateSecretEvent / deleteSecretEvent", () => {
  it("200, 404 for an unknown name, 400 for a bad name, 401, 403", async () => {
    const created = (await call("createSecretEvent", { body: eventBody("lifecycle") })).data.event;
    const path = { event_name: "lifecycle" };
    expect((await call("showSecretEvent", { params: { path } })).data.event).toEqual(created);
    const updated = await call("updateSecretEvent", {
      params: { path },
      body: { state: "DISABLED" },
    });
    expect(updated.data.event).toMatchObject({
      state: "DISABLED",
      event_id: created.event_id,
      create_time: created.create_time,
    });
    expect(updated.data.event.update_time).toBeGreaterThan(created.update_time);
    for (const id of ["showSecretEvent", "updateSecretEvent", "deleteSecretEvent"]) {
      const init: any = { params: { path: { event_name: "ghost" } } };
      if (id === "updateSecretEvent") init.body = { state: "ENABLED" };
      const missing = await call(id, init);
      expect([missing.status, errorCode("csms", missing.error)], id).toEqual([404, "CSMS.0005"]);
      const bad = await raw(id, {
        path: { project_id: "p1", event_name: "bad name!" },
        headers: { ...token("p1"), "Content-Type": "application/json" },
        body: id === "updateSecretEvent" ? "{}" : undefined,
      });
      expect(bad.status, id).toBe(400);
      expect(
        (
          await raw(id, {
            path: { project_id: "p1", event_name: "lifecycle" },
            headers: { "Content-Type": "application/json" },
            body: id === "updateSecretEvent" ? "{}" : undefined,
          })
        ).status,
        id,
      ).toBe(401);
      expect(
        (
          await raw(id, {
            path: { project_id: "p1", event_name: "lifecycle" },
            headers: { ...token("p2"), "Content-Type": "application/json" },
            body: id === "updateSecretEvent" ? "{}" : undefined,
          })
        ).status,
        id,
      ).toBe(403);
    }
    const bad = await call("updateSecretEvent", { params: { path }, body: { event_types: [] } });
    expect(bad.status).toBe(400);
    expect((await call("deleteSecretEvent", { params: { path } })).status).toBe(204);
    expect((await call("showSecretEvent", { params: { path } })).status).toBe(404);
  });
});

describe("listSecretEvents / listNotificationRecords", () => {
  it("200 pages; 400 for a bad limit or marker; 401; 403", async () => {
    for (const n of ["c", "a", "b"]) await call("createSecretEvent", { body: eventBody(n) });
    const first = await call("listSecretEvents", { params: { query: { limit: 2 } } });
    expect(first.data.events.map((e: any) => e.name)).toEqual(["a", "b"]);
    expect(first.data.page_info).toMatchObject({ next_marker: "b", current_count: 2 });
    const last = await call("listSecretEvents", { params: { query: { limit: 2, marker: "b" } } });
    expect(last.data.events.map((e: any) => e.name)).toEqual(["c"]);
    expect(last.data.page_info.next_marker).toBeUndefined();
    const records = await call("listNotificationRecords", { params: { query: { limit: 10 } } });
    expect(records.data).toEqual({ records: [], page_info: { current_count: 0 } });
    for (const id of ["listSecretEvents", "listNotificationRecords"]) {
      for (const limit of ["0", "1001", "abc"]) {
        expect(
          (await raw(id, { path: { project_id: "p1" }, query: { limit }, headers: token("p1") }))
            .status,
          `${id} limit=${limit}`,
        ).toBe(400);
      }
      expect(
        (
          await raw(id, {
            path: { project_id: "p1" },
            query: { marker: "bad marker!" },
            headers: token("p1"),
          })
        ).status,
      ).toBe(400);
      expect((await raw(id, { path: { project_id: "p1" } })).status).toBe(401);
      expect((await raw(id, { path: { project_id: "p1" }, headers: token("p2") })).status).toBe(
        403,
      );
    }
  });
});
