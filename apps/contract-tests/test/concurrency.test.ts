// Concurrency against the real server process: parallel creates, racing duplicate names, and
// racing update/delete of one resource. Never a 5xx, never a lost or resurrected resource.
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { type Harness, startHarness } from "../src/context.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());
beforeEach(() => h.reset());

const target = { target_type: "SMN", target_id: "t", target_name: "n" };
const event = (name: string) => ({
  name,
  event_types: ["SECRET_ROTATED"],
  state: "ENABLED",
  notification: target,
});

it("200 concurrent creates with distinct names all persist and are listed", async () => {
  const names = Array.from({ length: 200 }, (_, i) => `c-${i}`);
  const results = await Promise.all(
    names.map((n) => h.csms("p1").createSecretEvent({ body: event(n) })),
  );
  expect(results.map((r: any) => r.response.status)).toEqual(names.map(() => 200));
  const listed = await h.csms("p1").listSecretEvents({ params: { query: { limit: 1000 } } });
  expect(listed.data.events.map((e: any) => e.name).sort()).toEqual([...names].sort());
  const ids = new Set(results.map((r: any) => r.data.event.event_id));
  expect(ids.size).toBe(200);
});

it("50 concurrent creates with the same name give exactly one success", async () => {
  const results = await Promise.all(
    Array.from({ length: 50 }, () => h.csms("p1").createSecretEvent({ body: event("same") })),
  );
  const statuses = results.map((r: any) => r.response.status);
  expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  expect(statuses.filter((s) => s === 400)).toHaveLength(49);
  const notifications = await Promise.all(
    Array.from({ length: 50 }, () =>
      h
        .cts("p1")
        .createNotification({ body: { notification_name: "same", operation_type: "complete" } }),
    ),
  );
  expect(notifications.filter((r: any) => r.response.status === 201)).toHaveLength(1);
});

it("racing updates and deletes of one event never 5xx and never resurrect it", async () => {
  for (let round = 0; round < 20; round++) {
    const name = `race-${round}`;
    expect((await h.csms("p1").createSecretEvent({ body: event(name) })).response.status).toBe(200);
    const path = { params: { path: { event_name: name } } };
    const ops = Array.from({ length: 20 }, (_, i) =>
      i % 5 === 2
        ? h.csms("p1").deleteSecretEvent(path)
        : h
            .csms("p1")
            .updateSecretEvent({ ...path, body: { state: i % 2 ? "ENABLED" : "DISABLED" } }),
    );
    const statuses = (await Promise.all(ops)).map((r: any) => r.response.status);
    for (const s of statuses) expect([200, 204, 404]).toContain(s);
    expect(statuses.filter((s) => s === 204)).toHaveLength(1);
    // Deleted once; no later update may bring it back.
    expect((await h.csms("p1").showSecretEvent(path)).response.status).toBe(404);
  }
});

it("racing modify and delete of one notification never 5xx and never resurrect it", async () => {
  for (let round = 0; round < 20; round++) {
    const created = await h.cts("p1").createNotification({
      body: { notification_name: `race_${round}`, operation_type: "complete" },
    });
    const id = created.data.notification_id;
    const ops = Array.from({ length: 20 }, (_, i) =>
      i % 5 === 2
        ? h.cts("p1").deleteNotification({ params: { query: { notification_id: id } } })
        : h.cts("p1").updateNotification({
            body: {
              notification_id: id,
              notification_name: `race_${round}`,
              operation_type: "complete",
              status: "disabled",
            },
          }),
    );
    const statuses = (await Promise.all(ops)).map((r: any) => r.response.status);
    for (const s of statuses) expect([200, 204, 404]).toContain(s);
    expect(statuses.filter((s) => s === 204)).toHaveLength(1);
    const list = await h
      .cts("p1")
      .listNotifications({ params: { path: { notification_type: "smn" } } });
    expect(list.data.notifications.map((n: any) => n.notification_id)).not.toContain(id);
  }
});
