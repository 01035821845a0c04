import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CsmsApiError,
  CtsApiError,
  createCsmsClient,
  createCtsClient,
  csmsPageCursors,
  csmsPagination,
  ctsPageCursors,
  ctsPagination,
  paginate,
  paginateNotificationRecords,
  paginateSecretEvents,
  paginateTraces,
} from "../src/index.js";
import { startServer, type TestServer } from "./server.js";

const names = Array.from({ length: 7 }, (_, i) => `event-${i}`);
const event = (name: string) => ({
  name,
  event_id: "bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e",
  event_types: ["SECRET_ROTATED"],
  state: "ENABLED",
  create_time: 1,
  update_time: 1,
  notification: { target_type: "SMN", target_id: "urn:smn:r:p:t", target_name: "t" },
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
    for await (const e of paginateSecretEvents(client(), { params: { query: { limit: 3 } } })) {
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
    for await (const r of paginateNotificationRecords(client())) times.push(r.create_time);
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
    for await (const e of paginateSecretEvents(client(), {
      params: { query: { marker: "event-4" } },
    })) {
      seen.push(e.name);
    }
    expect(seen).toEqual(["event-5", "event-6"]);
  });

  it("an error page throws the API error", async () => {
    const it = paginateNotificationRecords(client(), { params: { query: { marker: "boom" } } });
    await expect(it.next()).rejects.toBeInstanceOf(CsmsApiError);
  });

  it("the trace list pages with next / meta_data.marker", async () => {
    const cts = createCtsClient({ endpoint: server.url, projectId: "p", auth: { token: "t" } });
    server.requests.length = 0;
    const seen: string[] = [];
    for await (const t of paginateTraces(cts, {
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
    const failing = paginateTraces(cts, {
      params: { query: { trace_type: "system", next: "boom" } },
    });
    await expect(failing.next()).rejects.toBeInstanceOf(CtsApiError);
  });

  it("paged operations, and how they page, come from the spec", () => {
    expect(csmsPagination).toEqual({
      listNotificationRecords: "records",
      listSecretEvents: "events",
    });
    expect(ctsPagination).toEqual({ listTraces: "traces" });
    expect(csmsPageCursors.listSecretEvents).toEqual({
      param: "marker",
      next: ["page_info", "next_marker"],
    });
    expect(ctsPageCursors).toEqual({
      listTraces: { param: "next", next: ["meta_data", "marker"] },
    });
  });

  it("refuses an operation that does not page", async () => {
    const cts = createCtsClient({ endpoint: server.url, projectId: "p", auth: { token: "t" } });
    // @ts-expect-error listNotifications is not a paged operation
    const iterator = paginate(cts, "listNotifications");
    await expect(iterator.next()).rejects.toThrow(/not a paged operation/);
  });
});
