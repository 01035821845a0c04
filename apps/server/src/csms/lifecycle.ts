/**
 * What happens to a secret fires its event: "a secret event fired" becomes a notification record
 * and an SMN delivery through the event engine's deliver port (the same sinks and delivery queue
 * as CTS key event notifications).
 *
 *   secret lifecycle (version created, rotated, deleted, expired, rotation failed)
 *     └─► subscribed event ENABLED and listing the type? ─► deliver(target_id, signed SMN message)
 *                                                              │ final outcome of each delivery
 *                                                              ▼
 *                                         notification record: SUCCESS | FAIL | INVALID
 *
 * An event fires in the transaction of the write that caused it (the outbox): its deliveries, and
 * its `INVALID` record or its wait for their outcome (`Store.deliveryWaits`), are kept with the
 * write or not at all. The record is written once the outcome is known (decision 32 in
 * openapi/README.md), by the replica that settles the last delivery, whichever it is. Expiry and
 * scheduled deletion are found by a sweep (on every clock move and once a second), bounded per run, never inside an API
 * request. Secret values never reach this module: a record and a message name the secret and the
 * version, never their value.
 */
import { randomUUID } from "node:crypto";
import type { admin, csms } from "@cts-csms/types";
import type { Logger } from "pino";
import type { Delivery } from "../events/delivery.js";
import type { DeliverPort } from "../events/ports.js";
import { targetKind } from "../events/sinks.js";
import { finishWaits } from "../events/waits.js";
import type { Clock } from "../operation.js";
import { failureOf } from "../store/deliveryWaits.js";
import { inTransaction, onRollback } from "../store/transaction.js";
import type { Awaitable, NotificationRecord, Secret, SecretEvent, Store } from "../store/types.js";

export type EventType = csms.components["schemas"]["EventType"];
type RecordStatus = NotificationRecord["notification_status"];

/** Huawei keeps notification records for three months: 90 days here. */
export const RECORD_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
/** Expiries taken per store call, and calls per sweep: the bound on one sweep's work. */
const SWEEP_BATCH = 200;
const SWEEP_ROUNDS = 10;
const SWEEP_INTERVAL_MS = 1000;

/** Occurrences kept per project for `explainSecretEvents`, oldest dropped first. */
export const OCCURRENCES_KEPT = 1000;

/** Why an event did not fire (the admin spec's `SecretEventConsidered.reason`). */
export type FireReason = NonNullable<
  admin.components["schemas"]["SecretEventConsidered"]["reason"]
>;

/**
 * The first rule that stops `secret`'s subscribed event (`eventName`, found as `event`) from
 * firing for `type`, or `null` when it fires. `fire` decides by it, and `explainSecretEvents`
 * reports it: the explanation is the decision.
 */
export function fireReason(
  secret: Pick<Secret, "name">,
  eventName: string | undefined,
  event: Pick<SecretEvent, "state" | "event_types"> | undefined,
  type: EventType,
): FireReason | null {
  if (eventName === undefined) {
    return {
      code: "not_subscribed",
      message: `not subscribed: ${secret.name} subscribes to no event`,
    };
  }
  if (!event) {
    return {
      code: "event_not_found",
      message: `event not found: ${secret.name} subscribes to ${eventName}, which the project does not have`,
    };
  }
  if (event.state !== "ENABLED") {
    return {
      code: "event_disabled",
      message: `event disabled: ${eventName} is ${event.state}`,
    };
  }
  if (!event.event_types.includes(type)) {
    return {
      code: "event_type_not_listed",
      message: `event type not listed: ${eventName} lists ${event.event_types.join(", ")}, not ${type}`,
    };
  }
  return null;
}

/**
 * One thing that happened to a secret, as `fire` decided it: the subscribed event as it was,
 * the reason it did not fire (or none), then the record and deliveries it produced.
 */
export interface SecretOccurrence {
  occurrence_id: string;
  secret_name: string;
  event_type: EventType;
  version_id?: string;
  time: number;
  /** The secret's subscribed event's name, as it was. */
  subscribed?: string;
  /** That event, as it was (absent when the project had none of that name). */
  event?: Pick<SecretEvent, "state" | "event_types">;
  reason: FireReason | null;
  record?: NotificationRecord;
  deliveryIds: string[];
}

/** The SMN subject of a secret event's message. */
export function secretEventSubject(eventName: string): string {
  return `CSMS event notification: ${eventName}`;
}

export interface SecretLifecycleOptions {
  store: Pick<
    Store,
    "secretEvents" | "secrets" | "notificationRecords" | "deliveryWaits" | "transaction"
  >;
  deliver: DeliverPort;
  /** Registers for each delivery's final outcome; what the listener returns is awaited. */
  onDeliverySettled(listener: (delivery: Delivery) => void | Promise<void>): void;
  clock: Clock;
  logger: Logger;
  /** Run before each sweep reads the clock: takes on the clock's shared offset (Store.admin). */
  beforeSweep?: () => Promise<void>;
  /**
   * Runs work no request asks for, the periodic sweep and a settled event's record (default: as
   * it is; `--deterministic` on a shared database keeps its counters around it).
   */
  background?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface SecretLifecycle {
  /** What happened to a secret of the project, newest first (the last {@link OCCURRENCES_KEPT}). */
  occurrences(
    projectId: string,
    secretName: string,
    filter?: { eventType?: EventType | undefined; versionId?: string | undefined },
  ): SecretOccurrence[];
  /**
   * `type` happened to `secret`: when the secret's event is `ENABLED` and lists `type`, its
   * notification is delivered (or found invalid). Resolves once it is queued, or its `INVALID`
   * record written.
   */
  fire(projectId: string, secret: Secret, type: EventType, versionId?: string): Promise<void>;
  /**
   * Fires the expiries due by now and drops records past retention (serialised, bounded). With
   * `wait` (a sweep a request asks for: a clock move), what another replica's sweep is taking
   * is waited for rather than skipped, so that it is stored when this resolves.
   */
  sweep(wait?: boolean): Promise<void>;
  /** Resolves once the records of the deliveries settled so far are written. */
  settled(): Promise<void>;
  /**
   * Forgets one project's occurrences, or all (the records still waiting for an outcome are
   * the store's: cleared with it).
   */
  reset(projectId?: string): void;
  /**
   * Adds work to every sweep (scheduled rotation: csms/rotation.ts), run after the expiries;
   * it is given the sweep's `wait`.
   */
  alsoSweep(work: (wait: boolean) => Promise<void>): void;
  /** Starts the periodic sweep (unref'd timer). */
  start(): void;
  /** Stops it. */
  close(): void;
}

/** A notification record without its time and status, as it waits for its deliveries. */
type WaitingRecord = Omit<NotificationRecord, "create_time" | "notification_status">;

/** What a secret event's wait on its deliveries holds (`Store.deliveryWaits`). */
interface RecordWait {
  occurrence_id: string;
  record: WaitingRecord;
  /** The record's place, taken as the event fired (`NotificationRecordRepository.reserve`). */
  place?: number;
}

export function createSecretLifecycle(options: SecretLifecycleOptions): SecretLifecycle {
  const { store, deliver, clock, logger } = options;
  let sweeping: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const alsoSwept: ((wait: boolean) => Promise<void>)[] = [];
  const journal = new Map<string, SecretOccurrence[]>();

  function remember(projectId: string, occurrence: SecretOccurrence): void {
    const list = journal.get(projectId) ?? [];
    journal.set(projectId, list);
    list.push(occurrence);
    if (list.length > OCCURRENCES_KEPT) list.splice(0, list.length - OCCURRENCES_KEPT);
    // A write rolled back did not happen: nothing to explain.
    onRollback(() => {
      const i = list.indexOf(occurrence);
      if (i >= 0) list.splice(i, 1);
    });
  }

  /**
   * Writes the notification record, in the transaction in progress (the firing write's, or the
   * one that takes a settled wait): a record that cannot be written fails it.
   */
  async function write(
    projectId: string,
    occurrence: SecretOccurrence | undefined,
    waiting: WaitingRecord,
    status: RecordStatus,
    place?: number,
  ): Promise<void> {
    const { event_name, trigger_event_type, ...rest } = waiting;
    const record: NotificationRecord = {
      event_name,
      trigger_event_type,
      create_time: clock.now(),
      ...rest,
      notification_status: status,
    };
    await store.notificationRecords.append(projectId, record, place);
    if (occurrence) occurrence.record = record;
  }

  /** This replica's occurrence, when it fired the event and still remembers it. */
  const occurrenceOf = (projectId: string, id: string) =>
    journal.get(projectId)?.find((o) => o.occurrence_id === id);

  // The record is written by the replica that settles the event's last delivery, in the
  // transaction that takes the wait from the store: once, whichever replica delivered.
  const waits = finishWaits({
    store,
    onDeliverySettled: options.onDeliverySettled,
    kind: "secret_event_record",
    // A secret event notifies an SMN topic.
    target: "smn",
    finish: async (wait) => {
      const { occurrence_id, record, place } = wait.body as RecordWait;
      const occurrence = occurrenceOf(wait.projectId, occurrence_id);
      const status = wait.failure ? "FAIL" : "SUCCESS";
      await write(wait.projectId, occurrence, record, status, place);
    },
    logger,
    ...(options.background && { background: options.background }),
  });

  /**
   * Fires in the write in progress, or else in a transaction of its own (a sweep, an admin
   * call): the event's record, deliveries and wait are stored with it (the outbox), and the
   * deliveries are attempted once it commits, after their wait is stored.
   */
  const fire: SecretLifecycle["fire"] = (...args) =>
    inTransaction(store.transaction, () => fireInWrite(...args));

  async function fireInWrite(
    projectId: string,
    secret: Secret,
    type: EventType,
    versionId?: string,
  ): Promise<void> {
    const eventName = secret.event_subscriptions[0];
    const event =
      eventName === undefined ? undefined : await store.secretEvents.get(projectId, eventName);
    const reason = fireReason(secret, eventName, event, type);
    const occurrence: SecretOccurrence = {
      occurrence_id: randomUUID(),
      secret_name: secret.name,
      event_type: type,
      ...(versionId !== undefined && { version_id: versionId }),
      time: clock.now(),
      ...(eventName !== undefined && { subscribed: eventName }),
      ...(event && { event: { state: event.state, event_types: [...event.event_types] } }),
      reason,
      deliveryIds: [],
    };
    remember(projectId, occurrence);
    if (reason !== null || !event) return;
    const { target_type, target_id, target_name } = event.notification;
    const content = JSON.stringify({
      event_name: event.name,
      event_type: type,
      secret_name: secret.name,
      secret_type: secret.secret_type,
      ...(versionId !== undefined && { version_id: versionId }),
      trigger_time: clock.now(),
    });
    const record: WaitingRecord = {
      event_name: event.name,
      trigger_event_type: type,
      secret_name: secret.name,
      secret_type: secret.secret_type,
      notification_target_name: target_name,
      notification_target_id: target_id,
      notification_content: content,
    };
    const refused =
      target_type !== "SMN"
        ? `target_type ${target_type} is not SMN: a secret event notifies SMN topics only`
        : targetKind(target_id) !== "smn"
          ? "target_id is not an SMN topic URN (urn:smn:…): a secret event notifies SMN topics only"
          : undefined;
    if (refused !== undefined) {
      // Logged with the content, so the record's INVALID has its reason in the delivery log.
      const refusal = await deliver.refuse(
        { projectId, source: event.name, target: target_id },
        content,
        refused,
      );
      occurrence.deliveryIds.push(refusal.delivery_id);
      await write(projectId, occurrence, record, "INVALID");
      return;
    }
    const deliveries = await deliver.deliver({
      projectId,
      source: event.name,
      target: target_id,
      smn: { subject: secretEventSubject(event.name), message: content },
    });
    occurrence.deliveryIds.push(...deliveries.map((d) => d.delivery_id));
    if (deliveries.every((d) => d.status === "no_sink")) {
      await write(projectId, occurrence, record, "INVALID");
      return;
    }
    const open = deliveries.filter((d) => d.status === "pending").map((d) => d.delivery_id);
    const failed = deliveries.find((d) => d.status !== "pending" && d.status !== "delivered");
    if (open.length === 0) {
      await write(projectId, occurrence, record, failed ? "FAIL" : "SUCCESS");
      return;
    }
    // Stored with the deliveries (in the same transaction), before any of them is attempted. Its
    // place in the records is taken now: events fired together are listed in firing order,
    // whichever delivery settles first.
    const place = await store.notificationRecords.reserve(projectId);
    const body: RecordWait = { occurrence_id: occurrence.occurrence_id, record, place };
    const wait = {
      waitId: occurrence.occurrence_id,
      projectId,
      kind: "secret_event_record" as const,
      body,
    };
    await store.deliveryWaits.add(wait, open, failed ? failureOf(failed) : undefined);
  }

  /**
   * Takes what is due, `SWEEP_BATCH` at a time for at most `SWEEP_ROUNDS` store calls, and fires
   * each one's event in the same write: a replica that dies (or a store that fails) between the
   * two keeps neither, and the next sweep, on any replica, takes it again. The store hands each
   * one to a single caller, so its event fires once across replicas. With `wait`, what another
   * replica's sweep holds is then waited for, one at a time: a take that waits holds no row of
   * its own meanwhile, so it cannot deadlock with a write that holds one.
   */
  async function sweepRounds<T>(
    take: (limit: number, wait: boolean) => Awaitable<T[]>,
    fireOne: (due: T) => Promise<void>,
    wait: boolean,
  ): Promise<void> {
    const round = (limit: number, waiting: boolean) =>
      inTransaction(store.transaction, async () => {
        const due = await take(limit, waiting);
        for (const one of due) await fireOne(one);
        return due.length;
      });
    let left = SWEEP_ROUNDS * SWEEP_BATCH;
    for (let n = 0; n < SWEEP_ROUNDS; n++) {
      const taken = await round(SWEEP_BATCH, false);
      left -= taken;
      if (taken < SWEEP_BATCH) break;
    }
    while (wait && left > 0 && (await round(1, true)) > 0) left--;
  }

  async function sweepOnce(wait: boolean): Promise<void> {
    await options.beforeSweep?.();
    const now = clock.now();
    await sweepRounds(
      (limit, waiting) => store.secrets.takeExpired(now, limit, waiting),
      ({ projectId, secret, version }) =>
        fire(projectId, secret, "SECRET_VERSION_EXPIRED", version.id),
      wait,
    );
    await sweepRounds(
      (limit, waiting) => store.secrets.takeDueDeletions(now, limit, waiting),
      ({ projectId, secret }) => fire(projectId, secret, "SECRET_DELETED"),
      wait,
    );
    await store.notificationRecords.dropBefore(now - RECORD_RETENTION_MS);
    for (const work of alsoSwept) await work(wait);
  }

  const lifecycle: SecretLifecycle = {
    fire,
    occurrences(projectId, secretName, filter = {}) {
      return (journal.get(projectId) ?? [])
        .filter(
          (o) =>
            o.secret_name === secretName &&
            (filter.eventType === undefined || o.event_type === filter.eventType) &&
            (filter.versionId === undefined || o.version_id === filter.versionId),
        )
        .reverse();
    },
    sweep(wait = false) {
      sweeping = sweeping.catch(() => {}).then(() => sweepOnce(wait));
      return sweeping;
    },
    async settled() {
      await waits.settled();
    },
    alsoSweep(work) {
      alsoSwept.push(work);
    },
    reset(projectId) {
      if (projectId === undefined) journal.clear();
      else journal.delete(projectId);
    },
    start() {
      if (timer) return;
      let running = false;
      timer = setInterval(() => {
        if (running) return;
        running = true;
        (options.background ?? ((work) => work()))(() => lifecycle.sweep())
          .catch((err: Error) => logger.warn({ err: err.message }, "secret expiry sweep failed"))
          .finally(() => {
            running = false;
          });
      }, SWEEP_INTERVAL_MS);
      timer.unref();
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
  return lifecycle;
}
