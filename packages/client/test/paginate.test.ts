import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminPaging } from "../src/generated/admin-operations.js";
import {
  CsmsApiError,
  CtsApiError,
  createCsmsClient,
  createCtsClient,
  csmsPaging,
  ctsPaging,
  paginate,
} from "../src/index.js";
import { pages } from "../src/paginate.js";
import { startServer, type TestServer } from "./server.js";

const names = Array.from({ length: 7 }, (_, i) => `event-${i}`);
const event = (name: string) => ({
  name,
  event_id: "bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e",
  event_types: ["SECRET_ROTATED"],
  state: "ENABLED",
  create_time: 1,
  update_time: 1,
  notification: { target_type: "SMN" as const, target_id: "urn:smn:r:p:t", target_name: "t" },
});

const traceIds = Array.from({ length: 5 }, (_, i) => `00000000-0000-4000-8000-00000000000${5 - i}`);

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req) => {
    const limit = Number(req.query.limit ?? 3);
    if (req.path.endsWith("/traces")) {
      if (req.query.next === "boom")
        return { status: 500, body: { error_code: "CTS.9500", error_msg: "x" } };
      // Newest first; the marker is the id of the last trace of the previous page.
      const start = req.query.next ? traceIds.indexOf(req.query.next) + 1 : 0;
      const ids = traceIds.slice(start, start + limit);
      const more = start + limit < traceIds.length;
      return {
        body: {
          traces: ids.map((trace_id) => ({ trace_id, trace_name: "deleteTracker" })),
          meta_data: { count: ids.length, ...(more ? { marker: ids.at(-1) } : {}) },
        },
      };
    }
    if (req.path.endsWith("/notification-records")) {
      if (req.query.marker === "boom")
        return { status: 500, body: { error: { error_code: "CSMS.9500", error_msg: "x" } } };
      const start = req.query.marker ? Number(req.query.marker) : 0;
      const records = [0, 1, 2, 3, 4].slice(start, start + 2).map((n) => ({
        event_name: "e",
        trigger_event_type: "SECRET_ROTATED",
        create_time: n,
        notification_status: "SUCCESS",
      }));
      const next = start + 2 < 5 ? String(start + 2) : undefined;
      return {
        body: {
          records,
          page_info: { current_count: records.length, ...(next ? { next_marker: next } : {}) },
        },
      };
    }
    // Events ordered by name; the marker is the name of the last event of the previous page.
    const start = req.query.marker ? names.indexOf(req.query.marker) + 1 : 0;
    const events = names.slice(start, start + limit).map(event);
    const more = start + limit < names.length;
    return {
      body: {
        events,
        page_info: {
          current_count: events.length,
          ...(more ? { next_marker: events.at(-1)!.name } : {}),
          ...(req.query.marker ? { previous_marker: req.query.marker } : {}),
        },
      },
    };
  });
});
afterAll(() => server.close());

const client = () =>
  createCsmsClient({ endpoint: server.url, projectId: "p", auth: { token: "t" } });

describe("pagination", () => {
  it("follows next_marker over 3 pages and yields every item once", async () => {
    server.requests.length = 0;
    const seen: string[] = [];
    for await (const e of paginate(client(), "listSecretEvents", {
      params: { query: { limit: 3 } },
    })) {
      seen.push(e.name);
    }
    expect(seen).toEqual(names);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => r.query)).toEqual([
      { limit: "3" },
      { limit: "3", marker: "event-2" },
      { limit: "3", marker: "event-5" },
    ]);
  });

  it("notification records, with an opaque marker", async () => {
    const times: number[] = [];
    for await (const r of paginate(client(), "listNotificationRecords")) {
      times.push(r.create_time);
    }
    expect(times).toEqual([0, 1, 2, 3, 4]);
  });

  it("generic paginate by operationId; can stop early", async () => {
    server.requests.length = 0;
    for await (const e of paginate(client(), "listSecretEvents", {
      params: { query: { limit: 2 } },
    })) {
      expect(e.name).toBe("event-0");
      break;
    }
    expect(server.requests).toHaveLength(1);
  });

  it("starts from a given marker", async () => {
    const seen: string[] = [];
    for await (const e of paginate(client(), "listSecretEvents", {
      params: { query: { marker: "event-4" } },
    })) {
      seen.push(e.name);
    }
    expect(seen).toEqual(["event-5", "event-6"]);
  });

  it("an error page throws the API error", async () => {
    const it = paginate(client(), "listNotificationRecords", {
      params: { query: { marker: "boom" } },
    });
    await expect(it.next()).rejects.toBeInstanceOf(CsmsApiError);
  });

  it("the trace list pages with next / meta_data.marker", async () => {
    const cts = createCtsClient({ endpoint: server.url, projectId: "p", auth: { token: "t" } });
    server.requests.length = 0;
    const seen: string[] = [];
    for await (const t of paginate(cts, "listTraces", {
      params: { query: { trace_type: "system", limit: 2 } },
    })) {
      seen.push(t.trace_id);
    }
    expect(seen).toEqual(traceIds);
    expect(server.requests.map((r) => r.query)).toEqual([
      { trace_type: "system", limit: "2" },
      { trace_type: "system", limit: "2", next: traceIds[1] },
      { trace_type: "system", limit: "2", next: traceIds[3] },
    ]);
    const from3: string[] = [];
    for await (const t of paginate(cts, "listTraces", {
      params: { query: { trace_type: "system", next: traceIds[2] } },
    })) {
      from3.push(t.trace_id);
    }
    expect(from3).toEqual(traceIds.slice(3));
    const failing = paginate(cts, "listTraces", {
      params: { query: { trace_type: "system", next: "boom" } },
    });
    await expect(failing.next()).rejects.toBeInstanceOf(CtsApiError);
  });

  it("paged operations and their style come from the spec's x-paging", () => {
    const marker = { style: "marker", marker: "marker", nextMarker: ["page_info", "next_marker"] };
    expect(csmsPaging).toEqual({
      listNotificationRecords: { ...marker, items: "records" },
      listSecretEvents: { ...marker, items: "events" },
      listSecrets: { ...marker, items: "secrets" },
      listSecretVersions: { ...marker, items: "version_metadatas" },
      listSecretTask: { ...marker, items: "tasks", nextMarker: ["next_marker"] },
    });
    expect(ctsPaging).toEqual({
      listTraces: {
        style: "marker",
        items: "traces",
        marker: "next",
        nextMarker: ["meta_data", "marker"],
      },
    });
    // The reference server's request journal pages like the CSMS lists.
    expect(adminPaging).toEqual({ listRequests: { ...marker, items: "requests" } });
  });

  it("offset style advances by the page's length until a short page", async () => {
    const all = Array.from({ length: 7 }, (_, i) => i);
    const queries: Record<string, unknown>[] = [];
    const paging = {
      style: "offset",
      items: "things",
      offset: "start",
      limit: { name: "size", default: 3 },
    } as const;
    const seen: unknown[] = [];
    for await (const item of pages(
      async (query) => {
        queries.push(query);
        const start = Number(query.start);
        return { things: all.slice(start, start + Number(query.size ?? 3)) };
      },
      paging,
      "listThings",
      {},
    )) {
      seen.push(item);
    }
    expect(seen).toEqual(all);
    expect(queries).toEqual([{ start: 0 }, { start: 3 }, { start: 6 }]);
  });

  it("refuses an operation that does not page", async () => {
    const cts = createCtsClient({ endpoint: server.url, projectId: "p", auth: { token: "t" } });
    // @ts-expect-error listNotifications is not a paged operation
    const iterator = paginate(cts, "listNotifications");
    await expect(iterator.next()).rejects.toThrow(/not a paged operation/);
  });
});
