/**
 * The delivery engine: deliveries as data. Each delivery is one payload for one endpoint, kept
 * in a per-project log with its status, attempts and the receiver's answers. A bounded queue
 * feeds a few concurrent workers; each attempt has a timeout; failures are retried on an
 * exponential schedule with jitter; a full queue drops its oldest waiting delivery (logged).
 * Nothing here waits for a receiver on behalf of an API request.
 *
 * Security: requests go only to the endpoint a delivery was created with, which the caller took
 * from the sink configuration, and `allowed` is asked again before every attempt (a sink removed
 * in the meantime is not called); redirects are not followed. Payloads and headers stay in the
 * log; the logger only ever sees ids, URNs, endpoints and statuses.
 */
import type { admin } from "@cts-csms/types";
import type { Clock, IdGenerator } from "../operation.js";
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
  /** Told each delivery's final outcome (`delivered` or `failed`, retries done), as a copy. */
  onSettled?(delivery: Delivery): void;
}

export interface DeliveryQueue {
  /** Logs a delivery and queues its first attempt (or logs it as `no_sink`). */
  enqueue(job: DeliveryJob): Delivery;
  /** A project's deliveries, oldest first (copies). */
  list(projectId: string): Delivery[];
  /**
   * Resolves once every delivery queued so far has completed its current attempt (those waiting
   * for a retry have already completed theirs).
   */
  flush(): Promise<void>;
  /** Resolves once no delivery is pending (delivered, failed or dropped, retries included). */
  idle(): Promise<void>;
  /** Drops one project's log, or all, with their pending deliveries. */
  clear(projectId?: string): void;
  /** Stops: pending deliveries are failed, in-flight attempts aborted. */
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

interface Entry {
  record: Delivery;
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

export function createDeliveryQueue(options: DeliveryOptions): DeliveryQueue {
  const maxQueue = options.maxQueue ?? 1000;
  const concurrency = options.concurrency ?? 4;
  const timeoutMs = options.attemptTimeoutMs ?? 5000;
  const logLimit = options.logLimit ?? 1000;
  const schedule: RetrySchedule = {
    maxAttempts: 5,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    jitter: 0.5,
    ...options.retry,
  };
  const { clock, ids, logger } = options;

  const logs = new Map<string, Entry[]>();
  /** Pending entries in the order they were queued (oldest first). */
  const pending = new Set<Entry>();
  const ready: Entry[] = [];
  let active = 0;
  let closed = false;
  let idleWaiters: Deferred[] = [];

  const log = (fields: Entry["record"], message: string, level: "warn" | "info" = "info") => {
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

  function remember(entry: Entry): void {
    let list = logs.get(entry.record.project_id);
    if (!list) {
      list = [];
      logs.set(entry.record.project_id, list);
    }
    list.push(entry);
    if (list.length > logLimit) {
      const oldestFinished = list.findIndex((e) => !pending.has(e));
      if (oldestFinished >= 0) list.splice(oldestFinished, 1);
    }
  }

  function settle(entry: Entry, status: "delivered" | "failed", error?: string): void {
    const now = clock.now();
    const record = entry.record;
    record.status = status;
    record.updated_time = now;
    delete record.next_attempt_time;
    if (status === "delivered") {
      record.delivered_time = now;
      delete record.error;
    } else if (error !== undefined) record.error = error;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    const index = ready.indexOf(entry);
    if (index >= 0) ready.splice(index, 1);
    pending.delete(entry);
    options.onSettled?.({ ...record, headers: { ...record.headers } });
    entry.attempt?.resolve();
    entry.attempt = undefined;
    if (pending.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  function queue(entry: Entry): void {
    entry.attempt = deferred();
    ready.push(entry);
    pump();
  }

  function pump(): void {
    while (!closed && active < concurrency && ready.length > 0) {
      const entry = ready.shift() as Entry;
      void attempt(entry);
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
    const fault = await options.fault?.(record);
    try {
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

  async function attempt(entry: Entry): Promise<void> {
    const record = entry.record;
    // In flight from here: the sinks may be read from the store, and `pump` must count it.
    entry.inFlight = true;
    active++;
    const allowed = options.allowed(record.project_id, record.target, record.endpoint as string);
    // A fixed sink configuration answers at once: the refusal is then settled within `enqueue`.
    if (!(allowed instanceof Promise ? await allowed : allowed)) {
      entry.inFlight = false;
      active--;
      if (pending.has(entry)) {
        settle(
          entry,
          "failed",
          "not attempted: the endpoint is no longer configured for this target",
        );
        log(record, "delivery not attempted: sink removed", "warn");
      }
      pump();
      return;
    }
    record.attempts++;
    record.updated_time = clock.now();
    const failure = await send(entry);
    entry.inFlight = false;
    active--;
    // Cleared, closed or dropped while in flight: nothing more to record.
    if (pending.has(entry)) {
      if (failure === undefined) {
        settle(entry, "delivered");
        log(record, "delivered");
      } else if (record.attempts >= schedule.maxAttempts || closed) {
        settle(entry, "failed", failure);
        log(record, "delivery failed", "warn");
      } else {
        record.error = failure;
        record.updated_time = clock.now();
        const delay = retryDelay(schedule, record.attempts);
        record.next_attempt_time = record.updated_time + delay;
        entry.attempt?.resolve();
        entry.attempt = undefined;
        entry.timer = setTimeout(() => {
          entry.timer = undefined;
          if (pending.has(entry)) queue(entry);
        }, delay);
        entry.timer.unref?.();
      }
    }
    pump();
  }

  /** Makes room for one more pending delivery by dropping the oldest one not in flight. */
  function makeRoom(): boolean {
    if (pending.size < maxQueue) return true;
    for (const entry of pending) {
      if (entry.inFlight) continue;
      settle(entry, "failed", "dropped: the delivery queue was full");
      log(entry.record, "delivery queue full: dropped the oldest pending delivery", "warn");
      return true;
    }
    return false;
  }

  return {
    enqueue(job) {
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
      const entry: Entry = { record, inFlight: false };
      if (job.endpoint === undefined) {
        record.error = job.reason ?? "no sink is configured for this target";
        remember(entry);
        log(record, "no sink for target");
        return { ...record, headers: { ...record.headers } };
      }
      if (closed || !makeRoom()) {
        record.status = "failed";
        record.error = closed
          ? "the delivery queue is closed"
          : "dropped: the delivery queue was full";
        remember(entry);
        log(record, "delivery dropped", "warn");
        return { ...record, headers: { ...record.headers } };
      }
      pending.add(entry);
      remember(entry);
      queue(entry);
      return { ...record, headers: { ...record.headers } };
    },

    list(projectId) {
      return (logs.get(projectId) ?? []).map((e) => ({
        ...e.record,
        headers: { ...e.record.headers },
      }));
    },

    async flush() {
      const waits: Promise<void>[] = [];
      for (const entry of pending) if (entry.attempt) waits.push(entry.attempt.promise);
      await Promise.all(waits);
    },

    idle() {
      if (pending.size === 0) return Promise.resolve();
      const waiter = deferred();
      idleWaiters.push(waiter);
      return waiter.promise;
    },

    clear(projectId) {
      for (const entry of [...pending]) {
        if (projectId === undefined || entry.record.project_id === projectId) {
          entry.abort?.abort();
          settle(entry, "failed", "cleared");
        }
      }
      if (projectId === undefined) logs.clear();
      else logs.delete(projectId);
    },

    async close() {
      closed = true;
      for (const entry of [...pending]) {
        entry.abort?.abort();
        settle(entry, "failed", "the delivery queue was closed");
      }
    },
  };
}
