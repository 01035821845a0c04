// The trace of a write is recorded and matched before the write is answered, so whatever the
// client sends next (a read of the traces, a delete or a create of a notification, a reset, a
// flush) comes after it. The store here answers traces and notification lists slowly and, like
// PostgreSQL's, is not process-local (every trace reads the notifications afresh): recording a
// trace after the answer, as the server once did, let each of the next requests overtake it.
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../src/store/memory.js";
import type { Store } from "../src/store/types.js";
import { start } from "./helpers.js";

const P = "24edf66e79d04187acb99a463e610764";
const TOPIC = `urn:smn:cn-north-4:${P}:ops`;
/** Long beside a request over loopback, so a trace recorded after its answer is always overtaken. */
const SLOW_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function slowStore(): Store {
  const inner = createMemoryStore();
  const { notifications: n, traces: t } = inner;
  return {
    ...inner,
    processLocal: false,
    notifications: {
      get: (p, id) => n.get(p, id),
      insert: (p, notification) => n.insert(p, notification),
      update: (p, id, changes) => n.update(p, id, changes),
      deleteMany: (p, ids) => n.deleteMany(p, ids),
      clear: (p) => n.clear(p),
      list: async (p, type, name) => {
        await sleep(SLOW_MS);
        return n.list(p, type, name);
      },
    },
    traces: {
      get: (p, id) => t.get(p, id),
      list: (p, request) => t.list(p, request),
      clear: (p) => t.clear(p),
      append: async (p, trace) => {
        await sleep(SLOW_MS);
        return t.append(p, trace);
      },
    },
  };
}

const server = await start({ store: slowStore() });

const create = (name: string) =>
  server.call("POST", `/v3/${P}/notifications`, {
    body: { notification_name: name, operation_type: "complete", topic_id: TOPIC },
  });
const traceNames = async () => {
  const r = await server.call("GET", `/v3/${P}/traces?trace_type=system&limit=200`);
  expect(r.status).toBe(200);
  return r.body.traces.map((t: { trace_name: string }) => t.trace_name);
};
/** Deliveries logged for P, per notification (the topic has no sink: each is logged, not sent). */
const deliveries = async () => {
  expect((await server.call("POST", "/_admin/deliveries/flush")).status).toBe(204);
  const r = await server.call("GET", `/_admin/deliveries?project_id=${P}`);
  expect(r.status).toBe(200);
  const bySource: Record<string, number> = {};
  for (const d of r.body.deliveries) bySource[d.source] = (bySource[d.source] ?? 0) + 1;
  return bySource;
};
const reset = async () => expect((await server.call("POST", "/_admin/reset")).status).toBe(204);

describe("a write's trace comes before the client's next request", () => {
  it("the trace list read right after a write holds its trace", async () => {
    await reset();
    expect((await create("read-after")).status).toBe(201);
    expect(await traceNames()).toEqual(["createNotification"]);
  });

  it("a notification deleted right after its creation was still matched by it", async () => {
    await reset();
    const made = await create("deleted-next");
    expect(made.status).toBe(201);
    const id = made.body.notification_id;
    const gone = await server.call("DELETE", `/v3/${P}/notifications?notification_id=${id}`);
    expect(gone.status).toBe(204);
    // Its own creation matched it; the delete's trace found no notification left.
    expect(await deliveries()).toEqual({ [id]: 1 });
  });

  it("a notification created right after a write is not matched by that write's trace", async () => {
    await reset();
    const first = await create("first");
    const second = await create("second");
    expect([first.status, second.status]).toEqual([201, 201]);
    const [a, b] = [first.body.notification_id, second.body.notification_id];
    // "first" matches both creations, "second" only its own.
    expect(await deliveries()).toEqual({ [a]: 2, [b]: 1 });
  });

  it("a reset right after writes leaves none of their traces or deliveries", async () => {
    await reset();
    for (let i = 0; i < 3; i++) {
      expect((await create(`before-reset-${i}`)).status).toBe(201);
      await reset();
      expect(await traceNames()).toEqual([]);
      expect(await deliveries()).toEqual({});
    }
  });

  it("a write held by a hang fault does not hold up a reset, and is not traced", async () => {
    await reset();
    const rule = await server.call("POST", "/_admin/faults", {
      body: { operation_id: "createNotification", action: "hang" },
    });
    expect(rule.status).toBe(201);
    const held = fetch(`${server.url}/v3/${P}/notifications`, {
      method: "POST",
      headers: { "X-Auth-Token": "t", "Content-Type": "application/json" },
      body: JSON.stringify({ notification_name: "held", operation_type: "complete" }),
    }).then(
      (r) => r.status,
      () => "closed",
    );
    await expect
      .poll(async () => {
        const list = await server.call("GET", "/_admin/faults");
        return list.body.rules.find((r: { id: string }) => r.id === rule.body.id)?.hits;
      })
      .toBe(1);
    // The reset clears the rule, which lets the held request go (its connection is closed).
    await reset();
    expect(await held).toBe("closed");
    expect(await traceNames()).toEqual([]);
  });
});
