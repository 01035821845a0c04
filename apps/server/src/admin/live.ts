/**
 * The live page's event stream (`streamLiveEvents`, openapi/admin/paths/_admin_live_events.yaml):
 * Server-Sent Events of one project's traces (each with its explanation, from the same
 * `explainTrace` the admin route answers with), deliveries, CSMS notification records and
 * journal entries.
 *
 * Each stream looks for what is new twice a second rather than hooking into every writer: it
 * sees the same repositories the admin routes read (also a shared database's traces written by
 * another replica), and a stream costs nothing between polls. What a stream remembers (ids
 * already sent) is bounded by the stores' own retention.
 *
 * Bounds: a client that leaves more than `MAX_BUFFERED` bytes unread is cut off (its
 * EventSource reconnects); `close()` ends every stream, so a server's close never waits on one.
 */
import type { Request, RequestHandler, Response } from "express";
import { explainTrace } from "../events/explain.js";
import { syntheticPurpose } from "../inject.js";
import type { RequestJournal } from "../journal/journal.js";
import type { ServerEvents } from "../serverEvents.js";
import type { Store } from "../store/types.js";

/** How often a stream looks for new events. */
const POLL_MS = 500;
/** A comment line this often keeps proxies and idle timeouts from closing the stream. */
const HEARTBEAT_MS = 15_000;
/** Unread bytes a client may leave queued before its stream is closed. */
export const MAX_BUFFERED = 1024 * 1024;
/** On connecting, at most this many of each kind, the newest. */
const BACKLOG = 50;

export interface LiveSources {
  store: Pick<Store, "notifications" | "traces" | "notificationRecords">;
  events: Pick<ServerEvents, "deliveries">;
  journal: Pick<RequestJournal, "entries">;
}

export interface LiveStreams {
  /** Pipeline stage: serves `streamLiveEvents` requests, passes every other on. */
  stage: RequestHandler;
  /** Ends every open stream. */
  close(): void;
  /** Open streams (for tests). */
  open(): number;
}

/** Ids kept to recognise what was sent; insertion-ordered, the oldest forgotten beyond `cap`. */
class Seen<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly cap: number) {}
  get(key: string): V | undefined {
    return this.#map.get(key);
  }
  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.cap) {
      const oldest = this.#map.keys().next().value as string;
      this.#map.delete(oldest);
    }
  }
}

function stream(sources: LiveSources, projectId: string, res: Response, done: () => void) {
  const traces = new Seen<true>(20_000);
  const deliveries = new Seen<string>(5_000);
  const records = new Seen<true>(5_000);
  let journalId = 0;
  let recordsSince = 0;
  let closed = false;
  let polling = false;

  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(poll);
    clearInterval(heartbeat);
    done();
    res.end();
  };
  const write = (chunk: string) => {
    if (closed) return;
    res.write(chunk);
    // Backpressure: what the socket has not taken yet stays in memory; a client that does not
    // read is cut off rather than let it grow.
    if (res.writableLength > MAX_BUFFERED) {
      close();
      res.destroy();
    }
  };
  const send = (event: string, data: unknown) =>
    write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  const tick = async () => {
    const { store, events, journal } = sources;
    const page = await store.traces.list(projectId, {
      limit: BACKLOG,
      since: 0,
      until: Number.MAX_SAFE_INTEGER,
      filter: {},
    });
    // Newest first from the store: sent oldest first.
    for (const trace of [...(page?.items ?? [])].reverse()) {
      if (traces.get(trace.trace_id)) continue;
      traces.set(trace.trace_id, true);
      const explanation = await explainTrace(store, events.deliveries, projectId, trace.trace_id);
      if (explanation) send("trace", explanation);
    }
    for (const delivery of (await events.deliveries.list(projectId)).slice(-BACKLOG)) {
      const state = `${delivery.status}/${delivery.attempts}/${delivery.updated_time ?? ""}`;
      if (deliveries.get(delivery.delivery_id) === state) continue;
      deliveries.set(delivery.delivery_id, state);
      send("delivery", delivery);
    }
    // Records have no id: those created since the newest one sent (inclusive), told apart whole.
    const recordPage = await store.notificationRecords.page(projectId, {
      limit: 1000,
      since: recordsSince,
    });
    for (const record of (recordPage?.items ?? []).slice(-BACKLOG)) {
      const key = JSON.stringify(record);
      if (records.get(key)) continue;
      records.set(key, true);
      recordsSince = Math.max(recordsSince, record.create_time);
      send("record", record);
    }
    const fresh = journal.entries(projectId).filter((e) => Number(e.id) > journalId);
    for (const entry of fresh.slice(-BACKLOG)) send("request", entry);
    const last = fresh.at(-1);
    if (last) journalId = Number(last.id);
  };
  const run = () => {
    if (polling || closed) return;
    polling = true;
    tick()
      .catch(() => {
        // A store that failed (closing, unreachable): the next poll tries again.
      })
      .finally(() => {
        polling = false;
      });
  };
  const poll = setInterval(run, POLL_MS);
  const heartbeat = setInterval(() => write(": heartbeat\n\n"), HEARTBEAT_MS);
  poll.unref();
  heartbeat.unref();
  res.on("close", close);
  run();
  return close;
}

export function liveStreams(sources: LiveSources): LiveStreams {
  const open = new Set<() => void>();
  const stage: RequestHandler = (req: Request, res: Response, next) => {
    const route = res.locals.route;
    if (route?.op.operationId !== "streamLiveEvents" || syntheticPurpose(req) !== undefined) {
      return next();
    }
    const projectId = String((req.query as Record<string, unknown>).project_id);
    res.status(200);
    res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
    res.setHeader("Cache-Control", "no-cache, no-transform");
    res.setHeader("X-Accel-Buffering", "no");
    res.flushHeaders();
    // Tells EventSource how long to wait before reconnecting.
    res.write("retry: 2000\n\n");
    const close = stream(sources, projectId, res, () => open.delete(close));
    open.add(close);
  };
  return {
    stage,
    close() {
      for (const close of [...open]) close();
    },
    open: () => open.size,
  };
}
