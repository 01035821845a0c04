/**
 * Durable deliveries across real server processes on one PostgreSQL database: a replica killed
 * with `kill -9` while it holds pending deliveries loses none of them. Its leases run out, the
 * other replica takes them over and delivers each at least once, with the SMN `message_id` the
 * delivery was queued with.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestPostgres, testPostgres } from "../src/testing/postgres.js";
import { deliveryLog, everythingTo, holdingRoute } from "./events/holding.js";
import { startReceiver } from "./events/support.js";
import { request } from "./helpers.js";
import { type Process, running, SQL_START_MS, STARTUP_MS, serve } from "./processes.js";

const P = "5a1c2e0d9b7f4c3aa8e6d4b2c0f1e3d5";
const TOPIC = `urn:smn:cn-north-4:${P}:ops`;
const receiver = await startReceiver();

describe("deliveries of a replica killed with kill -9", { timeout: 3 * STARTUP_MS }, () => {
  let pg: TestPostgres;
  let a: Process;
  let b: Process;
  beforeAll(async () => {
    pg = await testPostgres();
    const databaseUrl = await pg.database();
    a = serve(["--database-url", databaseUrl]);
    b = serve(["--database-url", databaseUrl]);
    await Promise.all([a.url, b.url]);
  }, SQL_START_MS);
  afterAll(async () => {
    await Promise.all([...running].map((p) => p.kill()));
    await pg?.close();
  });

  it("are taken over by the other replica and arrive at least once, with the same message_id", async () => {
    const [urlA, urlB] = await Promise.all([a.url, b.url]);
    // The receiver holds every request until A is gone: A's deliveries stay pending.
    const route = holdingRoute(receiver, "/smn");
    // Each write's trace through A matches every notification so far: each queues deliveries.
    const names = ["everything", "n1", "n2", "n3", "n4", "n5", "n6"];
    await everythingTo(urlA, P, TOPIC, `${receiver.url}/smn`, names);
    const logOf = (url: string) => deliveryLog(url, P);
    // A has started its first attempts (the receiver holds them); B's log shows them pending.
    await expect.poll(() => receiver.received.length).toBeGreaterThan(0);
    const before = await logOf(urlB);
    expect(before.length).toBeGreaterThanOrEqual(6);
    expect(before.filter((d) => d.status === "pending").length).toBeGreaterThan(0);

    expect(await a.kill("SIGKILL")).toBe(null);
    route.release();

    // A's leases run out (10 s); B takes the deliveries over and delivers each.
    await expect
      .poll(async () => (await logOf(urlB)).every((d) => d.status === "delivered"), {
        timeout: 90_000,
        interval: 500,
      })
      .toBe(true);
    const after = await logOf(urlB);
    expect(after.map((d) => d.delivery_id)).toEqual(before.map((d) => d.delivery_id));
    const ids = after.map((d) => JSON.parse(d.payload).message_id as string);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [i, d] of after.entries()) {
      // Queued with this message_id, and received with it.
      expect(d.headers["x-smn-message-id"]).toBe(ids[i]);
      expect(route.answered).toContain(ids[i]);
    }
    // Every request the receiver got, held ones included, carried one of the log's message_ids:
    // an attempt resent after the take-over is a duplicate a receiver can tell by it.
    for (const r of receiver.received.filter((r) => r.path === "/smn")) {
      expect(ids).toContain(r.json.message_id);
    }
    // B's flush has nothing left to wait for.
    expect((await request(urlB, "POST", "/_admin/deliveries/flush")).status).toBe(204);
  });
});
