/**
 * ListTraces over HTTP: paging with `next`/`meta_data.marker`, the time window, filters,
 * `trace_id`, project isolation and the retention cap. Traces are put into the store directly
 * (recording them from operations and the admin API is the event engine's job).
 */
import { describe, expect, it } from "vitest";
import { createMemoryStore, MemoryTraceRepository } from "../src/store/memory.js";
import type { Trace } from "../src/store/types.js";
import { expectEnvelope, start } from "./helpers.js";

const store = createMemoryStore();
const server = await start({ store });
const P = "p1";
const now = Date.now();

function trace(n: number, extra: Partial<Trace> = {}): Trace {
  const hex = n.toString(16).padStart(12, "0");
  return {
    trace_id: `00000000-0000-4000-8000-${hex}`,
    trace_name: n % 2 ? "deleteTracker" : "createTracker",
    trace_rating: n % 3 ? "normal" : "warning",
    trace_type: "ApiCall",
    service_type: "CTS",
    resource_type: "tracker",
    resource_name: `tracker-${n}`,
    source_ip: "127.0.0.1",
    code: "200",
    time: now - 60_000 + n,
    record_time: now - 60_000 + n,
    user: { name: n % 2 ? "alice" : "bob", access_key_id: n % 2 ? "AKALICE" : "AKBOB" },
    ...extra,
  };
}

for (let n = 1; n <= 25; n++) await store.traces.append(P, trace(n));
await store.traces.append("p2", trace(100, { trace_name: "otherProject" }));

const list = (query: string, project = P) =>
  server.call("GET", `/v3/${project}/traces?trace_type=system${query}`);
const ids = (body: any) => body.traces.map((t: Trace) => t.trace_id.slice(-2));

describe("listTraces", () => {
  it("lists the newest 10 first by default, with a marker to the next page", async () => {
    const r = await list("");
    expect(r.status).toBe(200);
    expect(r.body.traces).toHaveLength(10);
    expect(r.body.traces[0].trace_id).toBe(trace(25).trace_id);
    expect(r.body.meta_data).toEqual({ count: 10, marker: trace(16).trace_id });
  });

  it("pages through every trace exactly once with next, and the last page has no marker", async () => {
    const seen: string[] = [];
    let next = "";
    for (let i = 0; i < 10; i++) {
      const r = await list(`&limit=7${next}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.traces.map((t: Trace) => t.trace_id));
      if (r.body.meta_data.marker === undefined) break;
      expect(r.body.meta_data.marker).toBe(r.body.traces.at(-1).trace_id);
      next = `&next=${r.body.meta_data.marker}`;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => trace(25 - i).trace_id));
  });

  it("filters by exact fields, user name and access key", async () => {
    const byUser = await list("&user=alice&limit=200");
    expect(byUser.body.traces.every((t: Trace) => t.user.name === "alice")).toBe(true);
    expect(byUser.body.meta_data.count).toBe(13);
    const byKey = await list("&access_key_id=AKBOB&limit=200");
    expect(byKey.body.meta_data.count).toBe(12);
    const combined = await list("&trace_name=createTracker&trace_rating=warning&limit=200");
    expect(ids(combined.body)).toEqual(["18", "12", "0c", "06"]);
    const byName = await list("&resource_name=tracker-7");
    expect(ids(byName.body)).toEqual(["07"]);
    const none = await list("&service_type=VPC");
    expect(none.body).toEqual({ traces: [], meta_data: { count: 0 } });
  });

  it("applies from/to as exclusive bounds on time, and rejects from >= to", async () => {
    const t5 = trace(5).time;
    const r = await list(`&from=${t5}&to=${t5 + 4}`);
    expect(ids(r.body)).toEqual(["08", "07", "06"]);
    const bad = await list(`&from=${t5}&to=${t5}`);
    expect(bad.status).toBe(400);
    expectEnvelope("/v3/", bad.body, "CTS.0003");
    expect(bad.body.error_msg).toContain("from");
  });

  it("lists only the last hour by default and never beyond seven days", async () => {
    const old = "p-old";
    await store.traces.append(old, trace(1, { time: now - 2 * 3600_000 }));
    await store.traces.append(old, trace(2, { time: now - 8 * 24 * 3600_000 }));
    expect((await list("", old)).body.meta_data.count).toBe(0);
    const wide = await list(`&from=${now - 9 * 24 * 3600_000}&to=${now}`, old);
    expect(ids(wide.body)).toEqual(["01"]);
  });

  it("trace_id returns that trace only, ignoring every other criterion", async () => {
    const id = trace(3).trace_id;
    const r = await list(`&trace_id=${id}&service_type=VPC&from=1&to=2`);
    expect(ids(r.body)).toEqual(["03"]);
    expect(r.body.meta_data).toEqual({ count: 1 });
    const other = await list(`&trace_id=${trace(100).trace_id}`);
    expect(other.body.meta_data.count).toBe(0);
  });

  it("keeps projects apart, also for markers", async () => {
    const p2 = await list("", "p2");
    expect(p2.body.traces.map((t: Trace) => t.trace_name)).toEqual(["otherProject"]);
    const foreign = await list(`&next=${trace(100).trace_id}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error_msg).toContain("next");
  });

  it("answers data traces and other trackers with an empty list", async () => {
    const data = await server.call("GET", `/v3/${P}/traces?trace_type=data`);
    expect(data.body).toEqual({ traces: [], meta_data: { count: 0 } });
    const tracker = await list("&tracker_name=mytracker");
    expect(tracker.body.meta_data.count).toBe(0);
    expect((await list("&tracker_name=system")).body.meta_data.count).toBe(10);
  });

  it("validates the query against the spec", async () => {
    const missing = await server.call("GET", `/v3/${P}/traces`);
    expect(missing.status).toBe(400);
    expect(missing.body.error_msg).toContain("trace_type");
    for (const q of ["&limit=0", "&limit=201", "&trace_rating=fatal", "&next=nope", "&from=-1"]) {
      const r = await list(q);
      expect(r.status, q).toBe(400);
      expectEnvelope("/v3/", r.body, "CTS.0003");
    }
  });
});

describe("MemoryTraceRepository", () => {
  it("keeps the newest traces up to its cap and forgets the dropped ones' markers", () => {
    const repo = new MemoryTraceRepository(undefined, 5);
    for (let n = 1; n <= 8; n++) repo.append("p", trace(n));
    const all = repo.list("p", { limit: 100, since: 0, until: now, filter: {} });
    expect(all?.items.map((t) => t.trace_id.slice(-1))).toEqual(["8", "7", "6", "5", "4"]);
    expect(repo.get("p", trace(3).trace_id)).toBeUndefined();
    expect(repo.get("p", trace(4).trace_id)?.resource_name).toBe("tracker-4");
    expect(
      repo.list("p", { limit: 1, since: 0, until: now, next: trace(2).trace_id, filter: {} }),
    ).toBeUndefined();
    const after5 = repo.list("p", {
      limit: 1,
      since: 0,
      until: now,
      next: trace(5).trace_id,
      filter: {},
    });
    expect(after5).toEqual({ items: [expect.objectContaining({ resource_name: "tracker-4" })] });
  });
});
