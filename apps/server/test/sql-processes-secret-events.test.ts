/**
 * A CSMS secret event's deliveries across real server processes on one PostgreSQL database: they
 * are stored in the transaction of the write that fired the event (the outbox). A replica killed
 * with `kill -9` after acknowledging the write loses none: the other replica takes the delivery
 * over, delivers it with the SMN `message_id` it was stored with, and writes the event's
 * notification record; a rotation function's call is taken over the same way, and the other
 * replica completes the rotation. A replica killed before its delivery's INSERT ran keeps
 * neither the write nor its delivery: never the write alone, whose event would then be lost. A
 * sweep's take of a due expiry goes the same way: a replica killed before its event's delivery
 * is stored keeps neither, and another replica's sweep takes the expiry again. And a clock move
 * through one replica answers only once what another replica's sweep was storing (a rotation,
 * an expiry) is stored.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestPostgres, testPostgres } from "../src/testing/postgres.js";
import { deliveryLog, holdingRoute } from "./events/holding.js";
import { startReceiver } from "./events/support.js";
import { request } from "./helpers.js";
import { type Process, running, SQL_START_MS, STARTUP_MS, serve } from "./processes.js";

const P = "7d2c4e6a8b0f41d3a5c7e9b1d3f5a7c9";
const TOPIC = `urn:smn:cn-north-4:${P}:secrets`;
const FUNCTION = `urn:fss:cn-north-4:${P}:function:default:rotate-rds`;
const receiver = await startReceiver();

describe("secret event deliveries of a replica killed with kill -9", {
  timeout: 3 * STARTUP_MS,
}, () => {
  let pgServer: TestPostgres;
  let databaseUrl: string;
  let a: Process;
  let b: Process;
  let c: Process;
  beforeAll(async () => {
    pgServer = await testPostgres();
    databaseUrl = await pgServer.database();
    a = serve(["--database-url", named("replica-a")]);
    b = serve(["--database-url", named("replica-b")]);
    c = serve(["--database-url", named("replica-c")]);
    await Promise.all([a.url, b.url, c.url]);
  }, SQL_START_MS);
  afterAll(async () => {
    await Promise.all([...running].map((p) => p.kill()));
    await pgServer?.close();
  });

  /**
   * The database's URL for a replica whose sessions carry `name` (pg_stat_activity's
   * application_name): a test can tell its statements from the other replicas' background work.
   */
  function named(name: string): string {
    const url = new URL(databaseUrl);
    url.searchParams.set("application_name", name);
    return url.href;
  }

  /** The event type and status of each delivery of secret event `event` in the delivery log. */
  async function delivered(url: string, event: string): Promise<[string, string][]> {
    return (await deliveryLog(url, P))
      .filter((d) => d.source === event)
      .map((d) => [JSON.parse(JSON.parse(d.payload).message).event_type, d.status]);
  }

  interface LockedDeliveries {
    /** The replicas whose INSERT of a delivery waits for the lock. */
    storing(): Promise<string[]>;
    /** The replicas whose statement holding `text` waits for any lock. */
    waiting(text: string): Promise<string[]>;
    /** Ends a killed replica's sessions, their statements unrun. */
    end(replica: string): Promise<void>;
  }

  /**
   * Runs `fn` while a session of the test's own holds the deliveries table, so that storing a
   * delivery waits. Another session reads who waits, outside any transaction: in one,
   * pg_stat_activity keeps its first reading. The other replicas' background work (a retry, a
   * claim) may wait on the same lock: only INSERTs are counted.
   */
  async function whileDeliveriesLocked(fn: (db: LockedDeliveries) => Promise<void>) {
    const holder = new pg.Client({ connectionString: databaseUrl });
    await holder.connect();
    const observer = new pg.Client({ connectionString: databaseUrl });
    await observer.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE deliveries IN SHARE MODE");
      const waiting = async (text: string) =>
        (
          await observer.query<{ name: string }>(
            `SELECT a.application_name AS name FROM pg_locks l
               JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE NOT l.granted AND a.application_name LIKE 'replica-%'
                AND strpos(a.query, $1) > 0`,
            [text],
          )
        ).rows.map((r) => r.name);
      await fn({
        storing: () => waiting("INSERT INTO deliveries"),
        waiting,
        async end(replica) {
          await observer.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            [replica],
          );
        },
      });
    } finally {
      await holder.query("ROLLBACK").catch(() => {});
      await holder.end();
      await observer.end();
    }
  }

  /** Once the receiver holds a call at `path`, kills `replica` with SIGKILL and lets calls through. */
  async function killWhileHeld(
    replica: Process,
    route: ReturnType<typeof holdingRoute>,
    path: string,
  ): Promise<void> {
    await expect
      .poll(() => receiver.received.filter((r) => r.path === path).length)
      .toBeGreaterThan(0);
    expect(await replica.kill("SIGKILL")).toBe(null);
    route.release();
  }

  /** The sinks of the event's topic and the function, and an event that fires on `types`. */
  async function watch(
    url: string,
    path: string,
    event: string,
    types = ["SECRET_VERSION_CREATED"],
  ): Promise<void> {
    const sinks = {
      [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}${path}` }],
      [FUNCTION]: { endpoint: `${receiver.url}${path}-function` },
    };
    expect((await request(url, "PUT", "/_admin/sinks", { body: sinks })).status).toBe(200);
    const created = await request(url, "POST", `/v1/${P}/csms/events`, {
      body: {
        name: event,
        event_types: types,
        state: "ENABLED",
        notification: { target_type: "SMN", target_id: TOPIC, target_name: "secrets" },
      },
    });
    expect(created.status, created.text).toBe(200);
  }

  /**
   * Secret `name`, subscribed to an event of the same name that fires on SECRET_VERSION_EXPIRED
   * (delivered at `/name`), with a version v2 that expires an hour from now.
   */
  async function expiringSecret(url: string, name: string): Promise<void> {
    await watch(url, `/${name}`, name, ["SECRET_VERSION_EXPIRED"]);
    const created = await request(url, "POST", `/v1/${P}/secrets`, {
      body: { name, secret_string: "v1", event_subscriptions: [name] },
    });
    expect(created.status, created.text).toBe(200);
    const { now } = (await request(url, "GET", "/_admin/clock")).body;
    const version = await request(url, "POST", `/v1/${P}/secrets/${name}/versions`, {
      body: { secret_string: "v2", expire_time: now + 3_600_000 },
    });
    expect(version.status, version.text).toBe(200);
  }

  it("a write acknowledged before the kill: the other replica delivers its event, with the same message_id", async () => {
    const [urlA, urlB] = await Promise.all([a.url, b.url]);
    // The receiver holds every request until A is gone: the event's delivery stays pending.
    const route = holdingRoute(receiver, "/acknowledged");
    await watch(urlA, "/acknowledged", "acknowledged");
    const created = await request(urlA, "POST", `/v1/${P}/secrets`, {
      body: { name: "kept", secret_string: "v1", event_subscriptions: ["acknowledged"] },
    });
    expect(created.status, created.text).toBe(200);
    await killWhileHeld(a, route, "/acknowledged");

    // A's lease runs out (10 s); B takes the delivery over and delivers it.
    const fired = async () =>
      (await deliveryLog(urlB, P)).filter((d) => d.source === "acknowledged");
    await expect
      .poll(async () => (await fired()).map((d) => d.status), { timeout: 90_000, interval: 500 })
      .toEqual(["delivered"]);
    const [delivery] = await fired();
    const sent = JSON.parse(delivery.payload);
    expect(JSON.parse(sent.message)).toMatchObject({
      event_name: "acknowledged",
      event_type: "SECRET_VERSION_CREATED",
      secret_name: "kept",
      version_id: "v1",
    });
    expect(delivery.headers["x-smn-message-id"]).toBe(sent.message_id);
    expect(route.answered).toContain(sent.message_id);
    // The held attempt and the one after the take-over carried the same message_id.
    for (const r of receiver.received.filter((r) => r.path === "/acknowledged")) {
      expect(r.json.message_id).toBe(sent.message_id);
    }
    // B, which delivered it, writes the event's notification record.
    const records = async () =>
      (await request(urlB, "GET", `/v1/${P}/csms/notification-records`)).body.records.filter(
        (r: { event_name: string }) => r.event_name === "acknowledged",
      );
    await expect.poll(records, { timeout: 30_000 }).toHaveLength(1);
    expect((await records())[0]).toMatchObject({
      trigger_event_type: "SECRET_VERSION_CREATED",
      secret_name: "kept",
      notification_status: "SUCCESS",
      notification_target_id: TOPIC,
    });
  });

  it("a rotation acknowledged before the kill: the other replica calls the function and completes it", async () => {
    const [urlB, urlC] = await Promise.all([b.url, c.url]);
    await watch(urlB, "/rotated", "rotated", ["SECRET_ROTATED"]);
    const created = await request(urlB, "POST", `/v1/${P}/secrets`, {
      body: {
        name: "rds",
        secret_string: "p",
        secret_type: "RDS-FG",
        rotation_config: '{"instance_id":"rds-1"}',
        rotation_func_urn: FUNCTION,
        event_subscriptions: ["rotated"],
      },
    });
    expect(created.status, created.text).toBe(200);
    // The function holds every call until B is gone: the rotation's task stays RUNNING.
    const route = holdingRoute(receiver, "/rotated-function");
    const rotated = await request(urlB, "POST", `/v1/${P}/secrets/rds/rotate`);
    expect(rotated.status, rotated.text).toBe(200);
    await killWhileHeld(b, route, "/rotated-function");

    // C takes the call over; once the function answers, C completes the rotation.
    const task = async () =>
      (await request(urlC, "GET", `/v1/${P}/csms/tasks?secret_name=rds`)).body.tasks[0];
    await expect
      .poll(async () => (await task())?.task_status, { timeout: 90_000, interval: 500 })
      .toBe("SUCCESS");
    expect(await task()).toMatchObject({
      task_id: rotated.body.rotation_task_id,
      operate_type: "MANUAL",
      rotation_func_urn: FUNCTION,
    });
    const versions = await request(urlC, "GET", `/v1/${P}/secrets/rds/versions`);
    expect(versions.body.version_metadatas.at(-1)).toMatchObject({
      id: rotated.body.version_id,
      version_stages: ["SYSCURRENT"],
    });
    // The held call and the one after the take-over were the same call (one task, one version).
    const calls = receiver.received.filter((r) => r.path === "/rotated-function");
    expect(new Set(calls.map((r) => r.body)).size).toBe(1);
    // And the rotation's event, fired in C's completion, is delivered by C.
    await expect
      .poll(() => delivered(urlC, "rotated"), { timeout: 30_000 })
      .toContainEqual(["SECRET_ROTATED", "delivered"]);
  });

  it("a write still being stored at the kill: neither the write nor its event's delivery is kept", async () => {
    const urlC = await c.url;
    // The other replicas' background work (a retry, a sweep) may wait on the same lock as D's
    // write: only D's is the one to catch.
    const d = serve(["--database-url", named("replica-d")]);
    const urlD = await d.url;
    await watch(urlD, "/in-progress", "in-progress");
    await whileDeliveriesLocked(async (db) => {
      const write = request(urlD, "POST", `/v1/${P}/secrets`, {
        body: { name: "cut", secret_string: "v1", event_subscriptions: ["in-progress"] },
      }).then(
        () => "answered",
        () => "cut",
      );
      // D is storing the event's delivery: its INSERT waits for the lock.
      await expect.poll(db.storing, { timeout: 30_000 }).toContain("replica-d");
      expect(await d.kill("SIGKILL")).toBe(null);
      expect(await write).toBe("cut");
      // D died before its INSERT ran: its sessions go too, the statement unrun.
      await db.end("replica-d");
    });
    const secret = await request(urlC, "GET", `/v1/${P}/secrets/cut`);
    const fired = (await deliveryLog(urlC, P)).filter((d) => d.source === "in-progress");
    // The write is kept with its event's delivery, or not at all ...
    expect(fired.length, `secret ${secret.status}`).toBe(secret.status === 200 ? 1 : 0);
    // ... and here not at all: it was never committed.
    expect(secret.status).toBe(404);
  });

  it("an expiry being stored at the kill: another replica's sweep fires it, once", async () => {
    const urlC = await c.url;
    const e = serve(["--database-url", named("replica-e")]);
    const urlE = await e.url;
    await expiringSecret(urlC, "expiring");
    let survivor = urlC;
    let moved: Promise<unknown> = Promise.resolve();
    // Storing the expiry event's delivery waits for the lock.
    await whileDeliveriesLocked(async (db) => {
      // Past the expiry: the sweep of the replica whose clock moved, or another replica's
      // sweep (once a second), takes it. The move's answer may wait for the lock too (when C
      // swept first, E's own sweep and claims): awaited once the lock is gone.
      moved = request(urlE, "POST", "/_admin/clock", { body: { advance: "PT2H" } }).catch(
        () => undefined,
      );
      await expect.poll(db.storing, { timeout: 30_000 }).toHaveLength(1);
      const [name] = await db.storing();
      const replicas: Record<string, Process> = { a, b, c, e };
      const victim = replicas[String(name).replace("replica-", "")];
      if (!victim) throw new Error(`a sweep on an unknown replica: ${name}`);
      survivor = victim === e ? urlC : urlE;
      expect(await victim.kill("SIGKILL")).toBe(null);
      await db.end(String(name));
    });
    await moved;
    // The sweep's take went with its write: the survivor's sweep takes the expiry again.
    await expect
      .poll(() => delivered(survivor, "expiring"), { timeout: 30_000, interval: 500 })
      .toEqual([["SECRET_VERSION_EXPIRED", "delivered"]]);
  });

  describe("a clock move through another replica than the one storing what it made due", () => {
    let urlF: string;
    let urlG: string;
    beforeAll(async () => {
      const f = serve(["--database-url", named("replica-f")]);
      const g = serve(["--database-url", named("replica-g")]);
      [urlF, urlG] = await Promise.all([f.url, g.url]);
    }, SQL_START_MS);

    /**
     * Moves the clock by `advance` through F while the deliveries table is locked: the sweep
     * that takes what the move made due (F's own, or another replica's, once a second) waits
     * to store its event's delivery. Then moves it again through a replica that is not storing
     * it, and returns that replica and what `seen` read through it right after its answer. The
     * second move's sweep waits for the holder's write: its take (a statement holding `take`)
     * waits for a lock.
     */
    async function movedMeanwhile<T>(
      advance: string,
      take: string,
      seen: (url: string) => Promise<T>,
    ) {
      const move = (url: string, by: string) =>
        request(url, "POST", "/_admin/clock", { body: { advance: by } });
      let first: Promise<{ status: number }> | undefined;
      let second: Promise<{ status: number; seen: T }> | undefined;
      let other = urlG;
      await whileDeliveriesLocked(async (db) => {
        first = move(urlF, advance);
        await expect.poll(db.storing, { timeout: 30_000 }).toHaveLength(1);
        const [holder] = await db.storing();
        const name = holder === "replica-g" ? "replica-f" : "replica-g";
        other = name === "replica-f" ? urlF : urlG;
        second = move(other, "PT1S").then(async (moved) => ({
          status: moved.status,
          seen: await seen(other),
        }));
        // Its sweep waits for the holder's write (or, wrongly, answers at once).
        await Promise.race([
          second,
          expect.poll(() => db.waiting(take), { timeout: 30_000 }).toContain(name),
        ]);
      });
      const answered = await second;
      expect(answered?.status).toBe(200);
      expect((await first)?.status).toBe(200);
      return { url: other, seen: answered?.seen };
    }

    it("answers once the rotation another replica's sweep is storing is stored", async () => {
      await watch(urlF, "/scheduled", "scheduled", ["SECRET_ROTATED"]);
      const created = await request(urlF, "POST", `/v1/${P}/secrets`, {
        body: {
          name: "scheduled",
          secret_string: "v1",
          auto_rotation: true,
          rotation_period: "6h",
          event_subscriptions: ["scheduled"],
        },
      });
      expect(created.status, created.text).toBe(200);
      const { url, seen } = await movedMeanwhile("PT7H", "SET next_rotation_time", async (url) =>
        (
          await request(url, "GET", `/v1/${P}/secrets/scheduled/versions`)
        ).body.version_metadatas.map((v: { id: string }) => v.id),
      );
      expect(seen).toEqual(["v1", "v2"]);
      const tasks = await request(url, "GET", `/v1/${P}/csms/tasks?secret_name=scheduled`);
      expect(tasks.body.tasks.map((t: { operate_type: string }) => t.operate_type)).toEqual([
        "AUTO",
      ]);
      await expect
        .poll(() => delivered(url, "scheduled"), { timeout: 30_000, interval: 500 })
        .toEqual([["SECRET_ROTATED", "delivered"]]);
    });

    it("answers once the expiry another replica's sweep is storing is stored", async () => {
      await expiringSecret(urlF, "expired");
      // The expiry's delivery is stored with its take: listed right after the answer.
      const { url, seen } = await movedMeanwhile("PT2H", "SET expiry_taken", async (url) =>
        (await delivered(url, "expired")).map(([type]) => type),
      );
      expect(seen).toEqual(["SECRET_VERSION_EXPIRED"]);
      await expect
        .poll(() => delivered(url, "expired"), { timeout: 30_000, interval: 500 })
        .toEqual([["SECRET_VERSION_EXPIRED", "delivered"]]);
    });
  });
});
