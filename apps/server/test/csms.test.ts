import { beforeEach, describe, expect, it } from "vitest";
import { example, start } from "./helpers.js";

const server = await start();
const events = (p = "p1") => `/v1/${p}/csms/events`;

function event(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    event_types: ["SECRET_ROTATED"],
    state: "ENABLED",
    notification: { target_type: "SMN", target_id: "urn:smn:r:p:t", target_name: "t" },
    ...extra,
  };
}

async function create(body: unknown, project = "p1") {
  const res = await server.call("POST", events(project), { body });
  expect(res.status, res.text).toBe(200);
  return res.body.event;
}

beforeEach(async () => {
  await server.reset();
});

describe("create (POST /v1/{project_id}/csms/events)", () => {
  it("accepts the seed example as sent → 200 { event }", async () => {
    const body = example("csms", "SeedCreateRequest");
    const before = Date.now();
    const res = await server.call("POST", events(), { body });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(["event"]);
    const e = res.body.event;
    expect(e).toMatchObject(body);
    expect(e.event_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(e.create_time).toBe(e.update_time);
    expect(e.create_time).toBeGreaterThanOrEqual(before);
  });

  it("duplicate name → 400 CSMS.0002 naming name", async () => {
    await create(event("dup"));
    const res = await server.call("POST", events(), { body: event("dup") });
    expect(res.status).toBe(400);
    expect(res.body.error.error_code).toBe("CSMS.0002");
    expect(res.body.error.error_msg).toContain("name");
  });

  it("schema violations → 400 CSMS.0002 naming the field", async () => {
    const cases: [unknown, string][] = [
      [
        event("a", { state: "Enabled" }),
        "request/body/state must be equal to one of the allowed values: ENABLED, DISABLED",
      ],
      [event("a", { event_types: [] }), "request/body/event_types"],
      [
        event("a", { event_types: ["SECRET_ROTATED", "SECRET_ROTATED"] }),
        "request/body/event_types",
      ],
      [event("a", { event_types: ["SECRET_ROTATE_FAILED"] }), "request/body/event_types/0"],
      [event("bad name"), "request/body/name"],
      [event("a", { event_id: "x" }), 'unknown property "event_id"'],
      [event("a", { notification: { target_type: "SMN", target_id: "x" } }), "target_name"],
      [{ name: "a" }, "request/body"],
    ];
    for (const [body, field] of cases) {
      const res = await server.call("POST", events(), { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.error_code).toBe("CSMS.0002");
      expect(res.body.error.error_msg).toContain(field);
    }
  });
});

describe("show / update / delete (/v1/{project_id}/csms/events/{event_name})", () => {
  it("show returns the event; unknown → 404 CSMS.0005", async () => {
    const e = await create(event("shown"));
    const res = await server.call("GET", `${events()}/shown`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ event: e });
    const missing = await server.call("GET", `${events()}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.error_code).toBe("CSMS.0005");
    const bad = await server.call("GET", `${events()}/${"x".repeat(65)}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.error_msg).toContain("event_name");
  });

  it("update merges given fields; update_time strictly increases; identity fields never change", async () => {
    const e = await create(event("u", { event_types: ["SECRET_DELETED", "SECRET_ROTATED"] }));
    let previous = e;
    for (let i = 0; i < 5; i++) {
      const res = await server.call("PUT", `${events()}/u`, {
        body: { state: i % 2 ? "ENABLED" : "DISABLED" },
      });
      expect(res.status).toBe(200);
      const updated = res.body.event;
      expect(updated.update_time).toBeGreaterThan(previous.update_time);
      expect(updated.create_time).toBe(e.create_time);
      expect(updated.event_id).toBe(e.event_id);
      expect(updated.name).toBe("u");
      expect(updated.event_types).toEqual(e.event_types);
      expect(updated.notification).toEqual(e.notification);
      previous = updated;
    }
    const body = example("csms", "UpdateRequest");
    const res = await server.call("PUT", `${events()}/u`, { body });
    expect(res.status).toBe(200);
    expect(res.body.event).toMatchObject(body);
    const shown = await server.call("GET", `${events()}/u`);
    expect(shown.body.event).toEqual(res.body.event);
  });

  it("update: unknown → 404 CSMS.0005; read-only fields → 400; name cannot be changed", async () => {
    const missing = await server.call("PUT", `${events()}/nope`, { body: { state: "ENABLED" } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.error_code).toBe("CSMS.0005");
    await create(event("ro"));
    for (const body of [
      { name: "other" },
      { create_time: 1 },
      { event_id: "x" },
      { state: "on" },
    ]) {
      const res = await server.call("PUT", `${events()}/ro`, { body });
      expect(res.status).toBe(400);
      expect(res.body.error.error_code).toBe("CSMS.0002");
    }
  });

  it("delete → 204, then 404", async () => {
    await create(event("d"));
    const res = await server.call("DELETE", `${events()}/d`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect((await server.call("GET", `${events()}/d`)).status).toBe(404);
    const again = await server.call("DELETE", `${events()}/d`);
    expect(again.status).toBe(404);
    expect(again.body.error.error_code).toBe("CSMS.0005");
    // The name is free again.
    await create(event("d"));
  });
});

describe("list (GET /v1/{project_id}/csms/events?limit&marker)", () => {
  it("pages 123 events by 10: each exactly once, in name order, no next_marker on the last page", async () => {
    const names = Array.from(
      { length: 123 },
      (_, i) => `ev-${String((i * 37) % 123).padStart(3, "0")}`,
    );
    for (const name of names) await create(event(name));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    for (;;) {
      const q = marker === undefined ? "?limit=10" : `?limit=10&marker=${marker}`;
      const res = await server.call("GET", `${events()}${q}`);
      expect(res.status).toBe(200);
      pages++;
      const info = res.body.page_info;
      expect(info.current_count).toBe(res.body.events.length);
      expect(info.previous_marker).toBe(marker);
      seen.push(...res.body.events.map((e: any) => e.name));
      if (info.next_marker === undefined) break;
      expect(info.next_marker).toBe(res.body.events.at(-1).name);
      marker = info.next_marker;
    }
    expect(pages).toBe(13);
    expect(seen).toEqual([...names].sort());
  });

  it("default limit is the spec's (50); limit over the spec's maximum → 400", async () => {
    for (let i = 0; i < 55; i++) await create(event(`e${String(i).padStart(2, "0")}`));
    const first = await server.call("GET", events());
    expect(first.body.events).toHaveLength(50);
    expect(first.body.page_info).toEqual({ current_count: 50, next_marker: "e49" });
    const all = await server.call("GET", `${events()}?limit=1000`);
    expect(all.body.events).toHaveLength(55);
    expect(all.body.page_info).toEqual({ current_count: 55 });
    for (const q of ["limit=1001", "limit=0", "limit=abc", "limit=1.5"]) {
      const res = await server.call("GET", `${events()}?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.error_msg).toContain("limit");
    }
    const badMarker = await server.call("GET", `${events()}?marker=a%20b`);
    expect(badMarker.status).toBe(400);
    expect(badMarker.body.error.error_msg).toContain("marker");
  });

  it("a marker that no longer exists (deleted event) still continues after it", async () => {
    for (const n of ["a", "b", "c", "d"]) await create(event(n));
    const page = await server.call("GET", `${events()}?limit=2`);
    expect(page.body.page_info.next_marker).toBe("b");
    await server.call("DELETE", `${events()}/b`);
    const next = await server.call("GET", `${events()}?limit=2&marker=b`);
    expect(next.body.events.map((e: any) => e.name)).toEqual(["c", "d"]);
    expect(next.body.page_info).toEqual({ current_count: 2, previous_marker: "b" });
    const between = await server.call("GET", `${events()}?marker=bb`);
    expect(between.body.events.map((e: any) => e.name)).toEqual(["c", "d"]);
    const past = await server.call("GET", `${events()}?marker=zzz`);
    expect(past.body).toEqual({
      events: [],
      page_info: { current_count: 0, previous_marker: "zzz" },
    });
  });

  it("orders by code point (upper case before lower case, digits first)", async () => {
    for (const n of ["b", "B", "a", "_", "-", "1", "A"]) await create(event(n));
    const res = await server.call("GET", events());
    expect(res.body.events.map((e: any) => e.name)).toEqual(["-", "1", "A", "B", "_", "a", "b"]);
  });
});

describe("notification records (GET /v1/{project_id}/csms/notification-records)", () => {
  it("is empty until events fire", async () => {
    await create(event("x"));
    const res = await server.call("GET", "/v1/p1/csms/notification-records");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ records: [], page_info: { current_count: 0 } });
  });

  it("pages records put into the repository, oldest first, each exactly once", async () => {
    const times = [5, 1, 3, 3, 3, 2, 9, 9, 4, 7, 6, 8];
    // Within the three months of retention.
    const recent = Date.now() - 60_000;
    for (const [i, t] of times.entries()) {
      await server.store.notificationRecords.append("p1", {
        event_name: `e${i}`,
        trigger_event_type: "SECRET_ROTATED",
        create_time: recent + t,
        notification_status: "SUCCESS",
      });
    }
    await server.store.notificationRecords.append("p2", {
      event_name: "other",
      trigger_event_type: "SECRET_DELETED",
      create_time: 1,
      notification_status: "FAIL",
    });
    const seen: string[] = [];
    const stamps: number[] = [];
    let marker: string | undefined;
    for (;;) {
      const q = marker === undefined ? "?limit=5" : `?limit=5&marker=${marker}`;
      const res = await server.call("GET", `/v1/p1/csms/notification-records${q}`);
      expect(res.status).toBe(200);
      expect(res.body.page_info.previous_marker).toBe(marker);
      seen.push(...res.body.records.map((r: any) => r.event_name));
      stamps.push(...res.body.records.map((r: any) => r.create_time));
      if (!res.body.page_info.next_marker) break;
      marker = res.body.page_info.next_marker;
    }
    expect(seen).toHaveLength(times.length);
    expect(new Set(seen).size).toBe(times.length);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    // Equal timestamps keep arrival order.
    expect(seen.filter((n) => ["e2", "e3", "e4"].includes(n))).toEqual(["e2", "e3", "e4"]);

    const unknown = await server.call("GET", "/v1/p1/csms/notification-records?marker=not-ours");
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.error_msg).toContain("marker");
    const p3 = await server.call("GET", "/v1/p3/csms/notification-records");
    expect(p3.body).toEqual({ records: [], page_info: { current_count: 0 } });
  });
});

describe("deviations from the official SDK (openapi/README.md decisions 13, 29, 30, 31)", () => {
  it("29: SECRET_ROTATED_FAILED is accepted in create and update bodies and returned", async () => {
    const created = await create(event("rf", { event_types: ["SECRET_ROTATED_FAILED"] }));
    expect(created.event_types).toEqual(["SECRET_ROTATED_FAILED"]);
    const updated = await server.call("PUT", `${events()}/rf`, {
      body: { event_types: ["SECRET_ROTATED", "SECRET_ROTATED_FAILED"] },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.event.event_types).toEqual(["SECRET_ROTATED", "SECRET_ROTATED_FAILED"]);
    const shown = await server.call("GET", `${events()}/rf`);
    expect(shown.body.event.event_types).toEqual(["SECRET_ROTATED", "SECRET_ROTATED_FAILED"]);
  });

  it("30: secret_type is the SDK's enum, COMMON | RDS-FG | GaussDB-FG, in records and secrets", async () => {
    const res = await server.call("GET", "/openapi/csms.json");
    const schemas = res.body.components.schemas;
    expect(schemas.SecretType.enum).toEqual(["COMMON", "RDS-FG", "GaussDB-FG"]);
    expect(schemas.NotificationRecord.properties.secret_type.$ref).toBe(
      "#/components/schemas/SecretType",
    );
  });

  it("31: an event name with '.' is rejected, naming name (the international rule)", async () => {
    const res = await server.call("POST", events(), { body: event("demo.event") });
    expect(res.status).toBe(400);
    expect(res.body.error.error_code).toBe("CSMS.0002");
    expect(res.body.error.error_msg).toContain("request/body/name");
  });

  it("13: without limit/marker (the current SDK's request) one page holds up to 1000 records", async () => {
    const now = Date.now();
    for (let i = 0; i < 60; i++) {
      await server.store.notificationRecords.append("p1", {
        event_name: `e${i}`,
        trigger_event_type: "SECRET_ROTATED",
        create_time: now - 60_000 + i,
        notification_status: "SUCCESS",
      });
    }
    const all = await server.call("GET", "/v1/p1/csms/notification-records");
    expect(all.status).toBe(200);
    expect(all.body.records).toHaveLength(60);
    expect(all.body.page_info).toEqual({ current_count: 60 });
    const paged = await server.call("GET", "/v1/p1/csms/notification-records?limit=50");
    expect(paged.body.records).toHaveLength(50);
    expect(paged.body.page_info.next_marker).toBeTypeOf("string");
  });
});

describe("project isolation", () => {
  it("an event of p1 is invisible, unchangeable and undeletable from p2", async () => {
    const e = await create(event("mine"));
    expect((await server.call("GET", events("p2"))).body.events).toEqual([]);
    expect((await server.call("GET", `${events("p2")}/mine`)).status).toBe(404);
    expect(
      (await server.call("PUT", `${events("p2")}/mine`, { body: { state: "DISABLED" } })).status,
    ).toBe(404);
    expect((await server.call("DELETE", `${events("p2")}/mine`)).status).toBe(404);
    // p2 may use the same name independently.
    await create(event("mine"), "p2");
    expect((await server.call("GET", `${events()}/mine`)).body.event).toEqual(e);
  });
});
