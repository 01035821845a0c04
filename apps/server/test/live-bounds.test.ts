/**
 * The live stream's bounds without a network: a client that leaves more than `MAX_BUFFERED`
 * bytes unread is cut off, and `close()` ends every open stream.
 */
import { EventEmitter } from "node:events";
import type { Request, Response } from "express";
import { expect, it } from "vitest";
import { liveStreams, MAX_BUFFERED } from "../src/admin/live.js";

const P = "24edf66e79d04187acb99a463e610764";

/** Just enough of a response: written chunks, an adjustable unread backlog, end and destroy. */
function response(unread: () => number) {
  const res = Object.assign(new EventEmitter(), {
    locals: { route: { op: { operationId: "streamLiveEvents" } } },
    written: [] as string[],
    ended: false,
    destroyed: false,
    headers: {} as Record<string, unknown>,
    status: () => res,
    setHeader: (name: string, value: unknown) => {
      res.headers[name] = value;
    },
    flushHeaders: () => {},
    write: (chunk: string) => {
      res.written.push(chunk);
      return true;
    },
    end: () => {
      res.ended = true;
    },
    destroy: () => {
      res.destroyed = true;
    },
  });
  // A getter (Object.assign would copy its value once).
  Object.defineProperty(res, "writableLength", { get: unread });
  return res;
}

const sources = {
  store: {
    traces: { list: async () => ({ items: [] }) },
    notificationRecords: { page: async () => ({ items: [] }) },
    notifications: {},
  },
  events: { deliveries: { list: () => [] } },
  journal: { entries: () => [] },
} as never;

const request = { query: { project_id: P }, headers: {} } as unknown as Request;

it("cuts off a client that does not read, and close() ends the others", async () => {
  const live = liveStreams(sources);
  let backlog = 0;
  const slow = response(() => backlog);
  const fine = response(() => 0);
  live.stage(request, slow as unknown as Response, () => {});
  live.stage(request, fine as unknown as Response, () => {});
  expect(live.open()).toBe(2);
  expect(slow.headers["Content-Type"]).toBe("text/event-stream; charset=utf-8");

  // The next write finds more than the bound unread: the stream is closed and its socket cut.
  backlog = MAX_BUFFERED + 1;
  await new Promise((resolve) => setTimeout(resolve, 700));
  expect(fine.ended).toBe(false);
  expect(live.open()).toBe(2);
  // Polls write nothing when nothing is new; the heartbeat would. Force a write: a new entry.
  (sources as { journal: { entries: () => unknown[] } }).journal.entries = () => [
    { id: "1", operation_id: "getHealth" },
  ];
  await new Promise((resolve) => setTimeout(resolve, 700));
  expect(slow.written.join("")).toContain("event: request");
  expect(slow.destroyed).toBe(true);
  expect(slow.ended).toBe(true);
  expect(fine.destroyed).toBe(false);
  expect(live.open()).toBe(1);

  live.close();
  expect(fine.ended).toBe(true);
  expect(live.open()).toBe(0);
});
