/**
 * The SQL stores across real server processes (the built binary): an acknowledged write on
 * `--data-dir` survives `kill -9`, a second server on the same dir is refused, and two replicas
 * on one PostgreSQL database behave as one server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestPostgres, testPostgres } from "../src/testing/postgres.js";
import { example, expectEnvelope, request, tempDir } from "./helpers.js";
import { running, SQL_START_MS, STARTUP_MS, serve } from "./processes.js";

describe("--data-dir across processes", { timeout: 3 * STARTUP_MS }, () => {
  const dir = `${tempDir("durable")}/state`;

  it("keeps an acknowledged write across kill -9 and refuses a second server", async () => {
    const first = serve(["--data-dir", dir]);
    const event = { ...example("csms", "SeedCreateRequest"), name: "durable" };
    const created = await request(await first.url, "POST", "/v1/p1/csms/events", { body: event });
    expect(created.status).toBe(200);
    await first.kill("SIGKILL");

    const second = serve(["--data-dir", dir]);
    const url = await second.url;
    const shown = await request(url, "GET", "/v1/p1/csms/events/durable");
    expect(shown.status).toBe(200);
    expect(shown.body.event).toEqual(created.body.event);

    const third = serve(["--data-dir", dir]);
    expect(await third.exit).toBe(2);
    expect(third.err()).toMatch(/is in use by another server \(pid \d+\)/);
    // The running server was not disturbed.
    expect((await request(url, "GET", "/v1/p1/csms/events/durable")).status).toBe(200);
    expect(await second.kill()).toBe(0);
  });
});

describe("two replicas on one PostgreSQL database", { timeout: 3 * STARTUP_MS }, () => {
  let pg: TestPostgres;
  let a: string;
  let b: string;
  beforeAll(async () => {
    pg = await testPostgres();
    const databaseUrl = await pg.database();
    const [one, two] = [
      serve(["--database-url", databaseUrl]),
      serve(["--database-url", databaseUrl]),
    ];
    [a, b] = await Promise.all([one.url, two.url]);
  }, SQL_START_MS);
  afterAll(async () => {
    await Promise.all([...running].map((p) => p.kill()));
    await pg?.close();
  });

  it("lets exactly one of 50 concurrent creates of one name win", async () => {
    const body = { ...example("cts", "SeedCreateCompleteRequest"), notification_name: "race" };
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        request(i % 2 ? a : b, "POST", "/v3/p1/notifications", { body }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(400);
      expectEnvelope("/v3/", r.body, "CTS.0400");
    }
  });

  it("reads, lists and deletes through B what was written through A", async () => {
    const event = { ...example("csms", "SeedCreateRequest"), name: "shared" };
    expect((await request(a, "POST", "/v1/p2/csms/events", { body: event })).status).toBe(200);
    const shown = await request(b, "GET", "/v1/p2/csms/events/shared");
    expect(shown.body.event.name).toBe("shared");
    const list = await request(b, "GET", "/v1/p2/csms/events");
    expect(list.body.events.map((e: any) => e.name)).toEqual(["shared"]);
    expect((await request(b, "DELETE", "/v1/p2/csms/events/shared")).status).toBe(204);
    expect((await request(a, "GET", "/v1/p2/csms/events/shared")).status).toBe(404);
  });

  it("loses none of 20 concurrent updates through both replicas", async () => {
    const event = { ...example("csms", "SeedCreateRequest"), name: "updated" };
    const created = await request(a, "POST", "/v1/p3/csms/events", { body: event });
    const updates = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(i % 2 ? a : b, "PUT", "/v1/p3/csms/events/updated", {
          body: { state: i % 3 ? "ENABLED" : "DISABLED" },
        }),
      ),
    );
    expect(updates.every((u) => u.status === 200)).toBe(true);
    // Each update saw the one before it: 20 distinct update_times, all after the creation.
    const times = updates.map((u) => u.body.event.update_time as number);
    expect(new Set(times).size).toBe(20);
    expect(Math.min(...times)).toBeGreaterThan(created.body.event.update_time);
    const final = await request(b, "GET", "/v1/p3/csms/events/updated");
    expect(final.body.event.update_time).toBe(Math.max(...times));
  });

  it("rotates a due secret once when both replicas move the shared clock past its rotation", async () => {
    const secrets = "/v1/p4/secrets";
    const body = { name: "due", secret_string: "x", auto_rotation: true, rotation_period: "6h" };
    expect((await request(a, "POST", secrets, { body })).status).toBe(200);
    // The replicas share one clock offset: 3.5 h through each, at once, is 7 h (one period
    // passed, not two). Each sweeps before it answers, so both may find the rotation due: one
    // UPDATE claims it.
    const moved = await Promise.all(
      [a, b].map((url) => request(url, "POST", "/_admin/clock", { body: { advance: "PT3H30M" } })),
    );
    expect(moved.every((m) => m.status === 200)).toBe(true);
    expect((await request(b, "GET", "/_admin/clock")).body.offset_ms).toBe(7 * 3_600_000);
    const versions = await request(b, "GET", `${secrets}/due/versions`);
    expect(versions.body.version_metadatas.map((v: any) => v.id)).toEqual(["v1", "v2"]);
    const tasks = await request(a, "GET", "/v1/p4/csms/tasks");
    expect(tasks.body.tasks.map((t: any) => [t.secret_name, t.operate_type])).toEqual([
      ["due", "AUTO"],
    ]);
  });
});
