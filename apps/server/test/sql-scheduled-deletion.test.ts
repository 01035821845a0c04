/**
 * Scheduled deletion across replicas: two servers on one PostgreSQL database both move the
 * (shared) clock past a secret's `scheduled_delete_time` at once. Each sweeps; the database hands
 * the secret to one of them, so `SECRET_DELETED` fires once: one notification record, one delivery.
 */
import { expect, it } from "vitest";
import type { RunningServer } from "../src/index.js";
import { request } from "./helpers.js";
import { replicasOnPostgres } from "./stores.js";

const P = "24edf66e79d04187acb99a463e610764";
const replicas = replicasOnPostgres(2);

it("fires SECRET_DELETED once when two replicas pass scheduled_delete_time together", async () => {
  const [a, b] = replicas.servers as [RunningServer, RunningServer];
  const call = (server: RunningServer, method: string, path: string, body?: unknown) =>
    request(server.url, method, path, body === undefined ? {} : { body });
  const event = await call(a, "POST", `/v1/${P}/csms/events`, {
    name: "deleted",
    event_types: ["SECRET_DELETED"],
    state: "ENABLED",
    notification: { target_type: "SMN", target_id: `urn:smn:r:${P}:none`, target_name: "n" },
  });
  expect(event.status, event.text).toBe(200);
  for (const name of ["s1", "s2", "s3"]) {
    const created = await call(a, "POST", `/v1/${P}/secrets`, {
      name,
      secret_string: "x",
      event_subscriptions: ["deleted"],
    });
    expect(created.status, created.text).toBe(200);
    const scheduled = await call(
      b,
      "POST",
      `/v1/${P}/secrets/${name}/scheduled-deleted-tasks/create`,
      { recovery_window_in_days: 7 },
    );
    expect(scheduled.body.secret.state).toBe("PENDING_DELETE");
  }
  // Both replicas see the same pending secret.
  expect((await call(a, "GET", `/v1/${P}/secrets/s2`)).body.secret.state).toBe("PENDING_DELETE");
  const moved = await Promise.all(
    [a, b].map((r) => call(r, "POST", "/_admin/clock", { advance: "P8D" })),
  );
  expect(moved.map((m) => m.status)).toEqual([200, 200]);
  await Promise.all([a, b].map((r) => call(r, "POST", "/_admin/deliveries/flush")));
  for (const r of [a, b]) {
    expect((await call(r, "GET", `/v1/${P}/secrets/s1`)).status).toBe(404);
  }
  const records = await call(a, "GET", `/v1/${P}/csms/notification-records`);
  expect(
    records.body.records.map((x: any) => [x.trigger_event_type, x.secret_name]).sort(),
  ).toEqual([
    ["SECRET_DELETED", "s1"],
    ["SECRET_DELETED", "s2"],
    ["SECRET_DELETED", "s3"],
  ]);
  // Each deletion's reason (no subscription) is logged once, by whichever replica took it, in
  // the one log both replicas show.
  const [logA, logB] = await Promise.all(
    [a, b].map(async (r) => (await call(r, "GET", `/_admin/deliveries?project_id=${P}`)).body),
  );
  expect(logB).toEqual(logA);
  expect(logA.deliveries).toHaveLength(3);
  for (const d of logA.deliveries) {
    expect(d).toMatchObject({ source: "deleted", status: "no_sink" });
  }
});
