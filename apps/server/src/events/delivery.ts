/**
 * The delivery engine: deliveries as data. Each delivery is one payload for one endpoint, kept
 * in a per-project log with its status, attempts and the receiver's answers. A bounded queue
 * feeds a few concurrent workers; each attempt has a timeout; failures are retried on an
 * exponential schedule with jitter; a full queue drops its oldest waiting delivery (logged).
 * Nothing here waits for a receiver on behalf of an API request.
 *
 * The log and the queue are the store's (`Store.deliveries`, an outbox): a delivery is stored
 * when it is queued (with the trace that caused it, when that is written in one transaction),
 * and held by the replica that queued it, which attempts it and renews its lease while it lives.
 * A replica that dies lets its lease run out; another replica then takes its pending deliveries
 * over (each one replica) and attempts them. So delivery is at least once, with the payload
 * (and the SMN `message_id` in it) built once, at enqueue. Bounds are counted in the store.
 *
 * Security: requests go only to the endpoint a delivery was created with, which the caller took
 * from the sink configuration, and `allowed` is asked again before every attempt (a sink removed
 * in the meantime is not called); redirects are not followed. Payloads and headers stay in the
 * log; the logger only ever sees ids, URNs, endpoints and statuses.
 */

import { randomUUID } from "node:crypto";
import type { admin } from "@cts-csms/types";
import type { Clock, IdGenerator } from "../operation.js";
import { MemoryDeliveryRepository } from "../store/deliveries.js";
import { afterCommit, onRollback } from "../store/transaction.js";
import type { DeliveryRepository } from "../store/types.js";
import { type AttemptFault, faulted } from "./attemptFault.js";

/** `pending`, `delivered`, `failed` or `no_sink` (the admin spec's `DeliveryStatus`). */
export type DeliveryStatus = admin.components["schemas"]["DeliveryStatus"];

/** One delivery, as the delivery log lists it (the admin spec's `Delivery`). */
export type Delivery = admin.components["schemas"]["Delivery"];

export interface DeliveryJob {
  projectId: string;
  source: string;
  /** The trace that caused it (a key event notification's delivery). */
  traceId?: string | undefined;
  target: string;
  /** `undefined`: no sink; the delivery is logged as `no_sink` and never attempted. */
  endpoint?: string;
  headers: Record<string, string>;
  payload: string;
  /** Logged as the `error` of a `no_sink` delivery. */
  reason?: string;
}

export interface DeliveryLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  info?(fields: Record<string, unknown>, message: string): void;
}

export interface RetrySchedule {
  /** Attempts in all, the first included (default 5). */
  maxAttempts: number;
  /** Delay before the first retry (default 500 ms); doubles with each further retry. */
  baseDelayMs: number;
  /** Cap on one delay (default 30 s). */
  maxDelayMs: number;
  /** Share of each delay that is random, 0 to 1 (default 0.5: between half and all of it). */
  jitter: number;
}

export interface DeliveryOptions {
  clock: Clock;
  ids: IdGenerator;
  /** Asked before every attempt: is this endpoint still configured for this target? */
  allowed(projectId: string, target: string, endpoint: string): boolean | Promise<boolean>;
  /** Asked before every attempt (its number already counted): does a fault rule apply to it? */
  fault?(
    delivery: Readonly<Delivery>,
  ): AttemptFault | undefined | Promise<AttemptFault | undefined>;
  logger?: DeliveryLogger;
  /** Deliveries waiting or in flight, at most (default 1000). */
  maxQueue?: number;
  /** Attempts in flight at once (default 4). */
  concurrency?: number;
  /** Time limit of one attempt, answer included (default 5 s). */
  attemptTimeoutMs?: number;
  retry?: Partial<RetrySchedule>;
  /** Log entries kept per project (default 1000); the oldest finished ones go first. */
  logLimit?: number;
  /**
   * Told each delivery's final outcome (`delivered` or `failed`, retries done), as a copy, by
   * the replica that settled it. What it returns (the work the outcome sets off: a notification
   * record, a rotation's completion) is awaited before the outcome is stored, so that a flush
   * through any replica, which waits for the outcome, waits for that work too.
   */
  onSettled?(delivery: Delivery): void | Promise<void>;
  /** Where the log and the queue live (default: this process's memory). */
  store?: DeliveryRepository;
  /** How long a hold on a pending delivery lasts unless renewed (default 10 s). */
  leaseMs?: number;
  /** How often to look for deliveries whose holder died (default 1 s). */
  pollMs?: number;
}

export interface DeliveryQueue {
  /** Logs a delivery and queues its first attempt (or logs it as `no_sink`). */
  enqueue(job: DeliveryJob): Promise<Delivery>;
  /** A project's deliveries, oldest first, whichever replica queued them. */
  list(projectId: string): Promise<Delivery[]>;
  /**
   * Resolves once every delivery (of the project, when given) that is due or in flight has
   * completed its current attempt, whichever replica holds it (those waiting for a retry have
   * already completed theirs).
   */
  flush(projectId?: string): Promise<void>;
  /** Resolves once this replica holds no pending delivery (delivered, failed, dropped). */
  idle(): Promise<void>;
  /** Drops one project's log, or all, with their pending deliveries. */
  clear(projectId?: string): Promise<void>;
  /**
   * Stops: attempts in flight are aborted, and the pending deliveries this replica holds are let
   * go, for another replica (or this store's next server) to take over.
   */
  close(): Promise<void>;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A pending delivery this replica holds. */
interface Entry {
  record: Delivery;
  /** When its next attempt is due (ms, wall time). */
  dueAt: number;
  /** Settles when the current (queued or in-flight) attempt completes. */
  attempt?: Deferred;
  inFlight: boolean;
  timer?: NodeJS.Timeout;
  abort?: AbortController;
}

/** The delay before retry number `retry` (1 = the first retry). */
export function retryDelay(schedule: RetrySchedule, retry: number, random = Math.random): number {
  const full = Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** (retry - 1));
  return Math.round(full * (1 - schedule.jitter * random()));
}

function failureOf(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError") return `timeout: no answer within ${timeoutMs} ms`;
  if (e?.name === "AbortError") return "aborted";
  const cause = e?.cause?.code ?? e?.cause?.message ?? (error as Error)?.message ?? "unknown";
  return `network error: ${cause}`;
}

const copy = (d: Delivery): Delivery => ({ ...d, headers: { ...d.headers } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Deliveries taken over per look (the rest at the next). */
const TAKE_OVER_BATCH = 100;

export function createDeliveryQueue(options: DeliveryOptions): DeliveryQueue {
  const maxQueue = options.maxQueue ?? 1000;
  const concurrency = options.concurrency ?? 4;
  const timeoutMs = options.attemptTimeoutMs ?? 5000;
  const logLimit = options.logLimit ?? 1000;
  const leaseMs = options.leaseMs ?? 10_000;
  const pollMs = options.pollMs ?? 1000;
  const schedule: RetrySchedule = {
    maxAttempts: 5,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    jitter: 0.5,
    ...options.retry,
  };
  const { clock, ids, logger } = options;
  const repo = options.store ?? new MemoryDeliveryRepository();
  /** This replica, as the holder of deliveries. */
  const owner = randomUUID();

  /** The pending deliveries this replica holds, by id, in the order they were queued. */
  const held = new Map<string, Entry>();
  const ready: Entry[] = [];
  let active = 0;
  let closed = false;
  let idleWaiters: Deferred[] = [];
  /** Whether the store failed last time: told once, not at every look. */
  let storeFailing = false;

  const log = (fields: Delivery, message: string, level: "warn" | "info" = "info") => {
    const safe = {
      delivery_id: fields.delivery_id,
      project_id: fields.project_id,
      source: fields.source,
      target: fields.target,
      endpoint: fields.endpoint,
      status: fields.status,
      attempts: fields.attempts,
      response_status: fields.response_status,
      error: fields.error,
    };
    if (level === "warn") logger?.warn(safe, message);
    else logger?.info?.(safe, message);
  };

  /** The store failed (unreachable, slow, closing): a log line, and the work is tried again. */
  const storeFailed = (err: unknown, fields: Record<string, unknown> = {}) => {
    if (storeFailing && Object.keys(fields).length === 0) return;
    storeFailing = true;
    logger?.warn(
      { ...fields, err: (err as Error)?.message ?? String(err) },
      "delivery store unavailable; retrying",
    );
  };
  const storeAnswered = () => {
    if (!storeFailing) return;
    storeFailing = false;
    logger?.info?.({}, "delivery store available again");
  };

  /** This replica no longer holds the entry (settled, lost, cleared). */
  function forget(entry: Entry): void {
    if (held.get(entry.record.delivery_id) !== entry) return;
    held.delete(entry.record.delivery_id);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    const index = ready.indexOf(entry);
    if (index >= 0) ready.splice(index, 1);
    entry.attempt?.resolve();
    entry.attempt = undefined;
    if (held.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  async function settled(record: Delivery): Promise<void> {
    try {
      await options.onSettled?.(copy(record));
    } catch (err) {
      logger?.warn(
        { delivery_id: record.delivery_id, err: (err as Error)?.message ?? String(err) },
        "work after a delivery's outcome failed",
      );
    }
  }

  /**
   * Records the final outcome, once the work it sets off is done (`onSettled`): the delivery as
   * settled, or `undefined` when another replica had it meanwhile (that work is done all the
   * same: delivery is at least once). When the store fails, the entry stays as it was
   * (pending): tried again.
   */
  async function settle(
    entry: Entry,
    status: "delivered" | "failed",
    error?: string,
  ): Promise<Delivery | undefined> {
    const now = clock.now();
    const record = copy(entry.record);
    record.status = status;
    record.updated_time = now;
    delete record.next_attempt_time;
    if (status === "delivered") {
      record.delivered_time = now;
      delete record.error;
    } else if (error !== undefined) record.error = error;
    await settled(record);
    const kept = await repo.record(record, owner, undefined);
    forget(entry);
    if (!kept) return undefined;
    entry.record = record;
    return record;
  }

  function queue(entry: Entry): void {
    if (held.get(entry.record.delivery_id) !== entry || closed) return;
    entry.attempt ??= deferred();
    ready.push(entry);
    pump();
  }

  /** Queues the entry's attempt when it is due. */
  function whenDue(entry: Entry): void {
    const delay = entry.dueAt - Date.now();
    if (delay <= 0) {
      queue(entry);
      return;
    }
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      queue(entry);
    }, delay);
    entry.timer.unref?.();
  }

  /** Attempts under way, awaited by `close` so that none uses the store after it. */
  const running = new Set<Promise<void>>();
  function pump(): void {
    while (!closed && active < concurrency && ready.length > 0) {
      const entry = ready.shift() as Entry;
      const run = attempt(entry);
      running.add(run);
      void run.finally(() => running.delete(run));
    }
  }

  /** One HTTP attempt; `undefined` when the receiver answered 2xx, else why it failed. */
  async function send(entry: Entry): Promise<string | undefined> {
    const record = entry.record;
    const abort = new AbortController();
    entry.abort = abort;
    // Our own timer, not `AbortSignal.any([…, AbortSignal.timeout()])`: Node 20 lets a timeout
    // signal inside a composite be garbage-collected before it fires (nodejs/node#57736), and the
    // attempt would then wait for a hanging receiver forever. The timer holds the controller.
    const timer = setTimeout(
      () => abort.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")),
      timeoutMs,
    );
    const signal = abort.signal;
    try {
      const fault = await options.fault?.(record);
      if (fault) {
        const failure = await faulted(fault, record, signal).catch((e) => failureOf(e, timeoutMs));
        // The error names the rule, so the log tells a fault from a receiver's answer.
        if (failure !== undefined) return `${failure} (fault rule ${fault.source})`;
      }
      const response = await fetch(record.endpoint as string, {
        method: "POST",
        headers: record.headers,
        body: record.payload,
        redirect: "manual",
        signal,
      });
      // The answer's body is of no interest; release the connection.
      await response.body?.cancel().catch(() => {});
      record.response_status = response.status;
      return response.status >= 200 && response.status <= 299
        ? undefined
        : `HTTP ${response.status}`;
    } catch (error) {
      return failureOf(error, timeoutMs);
    } finally {
      clearTimeout(timer);
      entry.abort = undefined;
    }
  }

  const mine = (entry: Entry) => held.get(entry.record.delivery_id) === entry;

  async function attempt(entry: Entry): Promise<void> {
    const record = entry.record;
    // In flight from here: the sinks may be read from the store, and `pump` must count it.
    entry.inFlight = true;
    active++;
    // An attempt counts once its start is stored.
    let counted = false;
    let started = false;
    try {
      const allowed = await options.allowed(
        record.project_id,
        record.target,
        record.endpoint as string,
      );
      if (!mine(entry)) return;
      if (!allowed) {
        const refused = await settle(
          entry,
          "failed",
          "not attempted: the endpoint is no longer configured for this target",
        );
        if (refused) log(refused, "delivery not attempted: sink removed", "warn");
        return;
      }
      record.attempts++;
      record.updated_time = clock.now();
      counted = true;
      if (!(await repo.start(record, owner, Date.now() + leaseMs))) {
        // Taken over, dropped or cleared meanwhile: another replica's (or nobody's) now.
        forget(entry);
        return;
      }
      started = true;
      const failure = await send(entry);
      // Cleared or closed while in flight: nothing more to record.
      if (!mine(entry)) return;
      if (failure === undefined) {
        const done = await settle(entry, "delivered");
        if (done) log(done, "delivered");
      } else if (record.attempts >= schedule.maxAttempts) {
        const done = await settle(entry, "failed", failure);
        if (done) log(done, "delivery failed", "warn");
      } else {
        record.error = failure;
        record.updated_time = clock.now();
        const delay = retryDelay(schedule, record.attempts);
        record.next_attempt_time = record.updated_time + delay;
        entry.dueAt = Date.now() + delay;
        if (!(await repo.record(record, owner, entry.dueAt))) {
          forget(entry);
          return;
        }
        entry.attempt?.resolve();
        entry.attempt = undefined;
        whenDue(entry);
      }
      storeAnswered();
    } catch (err) {
      // The store failed (the receiver's failures are answers, above): tried again later.
      storeFailed(err, { delivery_id: record.delivery_id });
      if (counted && !started) entry.record.attempts--;
      if (mine(entry)) {
        entry.dueAt = Date.now() + pollMs;
        entry.attempt?.resolve();
        entry.attempt = undefined;
        whenDue(entry);
      }
    } finally {
      entry.inFlight = false;
      active--;
      pump();
    }
  }

  /** Takes over the deliveries whose holder died, and renews this replica's holds. */
  let lastRenewal = Date.now();
  let looking: Promise<void> | undefined;
  function lookOnce(): Promise<void> {
    if (looking || closed) return looking ?? Promise.resolve();
    looking = look().finally(() => {
      looking = undefined;
    });
    return looking;
  }
  async function look(): Promise<void> {
    try {
      const now = Date.now();
      if (held.size > 0 && now - lastRenewal >= leaseMs / 3) {
        await repo.renew(owner, now + leaseMs);
        lastRenewal = now;
      }
      const room = Math.min(TAKE_OVER_BATCH, maxQueue - held.size);
      if (room > 0) {
        const taken = await repo.takeOver(owner, now, now + leaseMs, room);
        for (const { delivery, dueAt } of taken) {
          if (closed) break;
          if (held.has(delivery.delivery_id)) continue; // this replica's own, late renewal
          const entry: Entry = { record: delivery, dueAt, inFlight: false };
          held.set(delivery.delivery_id, entry);
          log(delivery, "delivery taken over from a replica that stopped");
          whenDue(entry);
        }
      }
      storeAnswered();
    } catch (err) {
      storeFailed(err);
    }
  }
  const poller = setInterval(() => void lookOnce(), pollMs);
  poller.unref?.();

  return {
    async enqueue(job) {
      const now = clock.now();
      const record: Delivery = {
        delivery_id: ids.next(),
        project_id: job.projectId,
        source: job.source,
        ...(job.traceId !== undefined && { trace_id: job.traceId }),
        target: job.target,
        status: job.endpoint === undefined ? "no_sink" : "pending",
        attempts: 0,
        headers: { ...job.headers },
        payload: job.payload,
        created_time: now,
        updated_time: now,
      };
      if (job.endpoint !== undefined) record.endpoint = job.endpoint;
      if (job.endpoint === undefined) {
        record.error = job.reason ?? "no sink is configured for this target";
        await repo.insert(record, undefined, logLimit);
        log(record, "no sink for target");
        return copy(record);
      }
      if (closed) {
        record.status = "failed";
        record.error = "the delivery queue is closed";
        await repo.insert(record, undefined, logLimit);
        log(record, "delivery dropped", "warn");
        return copy(record);
      }
      const dueAt = Date.now();
      const hold = { owner, leaseUntil: dueAt + leaseMs, dueAt };
      // Stored only while the queue (every replica's pending deliveries) has room.
      if (!(await repo.insert(record, hold, logLimit, maxQueue))) {
        const dropped = await repo.dropOldest("dropped: the delivery queue was full", now);
        if (!dropped) {
          record.status = "failed";
          record.error = "dropped: the delivery queue was full";
          await repo.insert(record, undefined, logLimit);
          log(record, "delivery dropped", "warn");
          return copy(record);
        }
        const entry = held.get(dropped.delivery_id);
        if (entry) {
          entry.abort?.abort();
          forget(entry);
        }
        log(dropped, "delivery queue full: dropped the oldest pending delivery", "warn");
        void settled(dropped);
        await repo.insert(record, hold, logLimit);
      }
      const entry: Entry = { record, dueAt, inFlight: false, attempt: deferred() };
      held.set(record.delivery_id, entry);
      // Attempted once the write that queued it is kept (its transaction committed); a write
      // rolled back takes its delivery with it. On the next turn, so that the caller has the
      // delivery (and waits for its outcome) before it can settle.
      onRollback(() => forget(entry));
      void afterCommit(async () => {
        setImmediate(() => queue(entry));
      });
      return copy(record);
    },

    list(projectId) {
      return Promise.resolve(repo.list(projectId, logLimit));
    },

    async flush(projectId) {
      const since = Date.now();
      const waits: Promise<void>[] = [];
      for (const entry of held.values()) {
        if (projectId !== undefined && entry.record.project_id !== projectId) continue;
        if (entry.attempt) waits.push(entry.attempt.promise);
      }
      await Promise.all(waits);
      // Those other replicas hold (or this one took over meanwhile).
      while (await repo.anyDue(since, projectId)) await sleep(25);
    },

    idle() {
      if (held.size === 0) return Promise.resolve();
      const waiter = deferred();
      idleWaiters.push(waiter);
      return waiter.promise;
    },

    async clear(projectId) {
      for (const entry of [...held.values()]) {
        if (projectId === undefined || entry.record.project_id === projectId) {
          entry.abort?.abort();
          forget(entry);
        }
      }
      await repo.clear(projectId);
    },

    async close() {
      closed = true;
      clearInterval(poller);
      for (const entry of [...held.values()]) {
        entry.abort?.abort();
        forget(entry);
      }
      await Promise.all([looking, ...running]);
      try {
        await repo.release(owner);
      } catch (err) {
        storeFailed(err);
      }
    },
  };
}
