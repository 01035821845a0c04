/**
 * The candidate index: after any sequence of inserts, replaces, deletes and clears through it,
 * matching its candidates gives exactly what matching every stored notification gives.
 */
import { describe, expect, it } from "vitest";
import { candidateIndex } from "../../src/events/candidates.js";
import { matchingNotifications } from "../../src/events/matching.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { Notification, Trace } from "../../src/store/types.js";

const P = "p1";
const OPS = [
  ["ECS", "ecs", "deleteServer"],
  ["ECS", "ecs", "createServer"],
  ["VPC", "eip", "deleteEip"],
] as const;

function notification(i: number, pick: number): Notification {
  const complete = pick % 4 === 0;
  const [service_type, resource_type, name] = OPS[pick % OPS.length] as readonly string[];
  return {
    notification_id: `id-${i}`,
    notification_name: `n${i}`,
    operation_type: complete ? "complete" : "customized",
    operations: complete
      ? []
      : [
          {
            service_type: service_type as string,
            resource_type: resource_type as string,
            trace_names: [name as string],
          },
        ],
    notify_user_list: [],
    status: pick % 5 === 0 ? "disabled" : "enabled",
    // An enabled notification has a topic (decision 3); without one it delivers nothing.
    topic_id: "urn:smn:region:p1:topic",
    notification_type: pick % 2 === 0 ? "smn" : "fun",
    project_id: P,
    create_time: 1000 + i,
  } as Notification;
}

function trace([service_type, resource_type, trace_name]: readonly string[]): Trace {
  return {
    trace_id: "t",
    trace_name: trace_name as string,
    trace_rating: "normal",
    trace_type: "ApiCall",
    service_type: service_type as string,
    resource_type: resource_type as string,
    source_ip: "",
    time: 1,
    record_time: 1,
    user: { name: "u" },
  };
}

async function all(store: ReturnType<typeof createMemoryStore>) {
  const [smn, fun] = await Promise.all([
    store.notifications.list(P, "smn"),
    store.notifications.list(P, "fun"),
  ]);
  return [...smn, ...fun].sort((a, b) => a.create_time - b.create_time);
}

describe("candidateIndex", () => {
  it("gives the same matches as a full scan, through inserts, replaces, deletes and clears", async () => {
    const store = createMemoryStore();
    // Some notifications exist before the index is first consulted.
    for (let i = 0; i < 5; i++) await store.notifications.insert(P, notification(i, i));
    const index = candidateIndex(store.notifications);
    const repo = index.repository;
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    let checks = 0;
    for (let step = 0; step < 300; step++) {
      const r = next() % 10;
      const id = next() % 40;
      if (r < 5) await repo.insert(P, notification(id + 100 * step, next()));
      else if (r < 7) {
        const existing = (await all(store))[id % Math.max(1, (await all(store)).length)];
        if (existing) {
          const {
            notification_id: _id,
            project_id: _project,
            create_time: _created,
            notification_type: _type,
            ...changes
          } = notification(0, next());
          await repo.update(P, existing.notification_id, {
            ...changes,
            notification_name: existing.notification_name,
          });
        }
      } else if (r < 9) {
        const existing = (await all(store))[id % Math.max(1, (await all(store)).length)];
        if (existing) await repo.deleteMany(P, [existing.notification_id]);
      } else if (step % 50 === 0) await repo.clear(P);
      for (const op of OPS) {
        const t = trace(op);
        const expected = matchingNotifications(await all(store), t).map((n) => n.notification_id);
        const got = matchingNotifications(await index.candidates(P, t), t).map(
          (n) => n.notification_id,
        );
        expect(got).toEqual(expected);
        checks += expected.length;
      }
    }
    expect(checks).toBeGreaterThan(100);
  });

  it("a trace that names no customized operation gets only the complete notifications", async () => {
    const store = createMemoryStore();
    const index = candidateIndex(store.notifications);
    await index.repository.insert(P, notification(1, 1)); // customized ECS createServer
    await index.repository.insert(P, notification(2, 4)); // complete
    const got = await index.candidates(P, trace(["CTS", "notification", "createNotification"]));
    expect(got.map((n) => n.notification_id)).toEqual(["id-2"]);
  });
});
