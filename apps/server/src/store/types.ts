/**
 * Repository interfaces: the handlers only see these, so the in-memory store and the SQL store
 * (PGlite or PostgreSQL, `sql/`) are interchangeable. Every method may return a promise, and each
 * one is atomic at this boundary: a handler never reads, modifies and writes back across awaits,
 * so concurrent requests (or replicas sharing one database) lose no change.
 * Everything is keyed by project id: nothing crosses projects.
 */
import type { admin, csms, cts } from "@cts-csms/types";
import type { SinkConfig } from "../events/sinks.js";
import type { RotationRepository } from "./rotations.js";

export type FaultRuleRequest = admin.components["schemas"]["FaultRuleRequest"];
export type Notification = cts.components["schemas"]["Notification"];
export type NotificationType = cts.components["schemas"]["NotificationType"];
export type SecretEvent = csms.components["schemas"]["SecretEvent"];
export type NotificationRecord = csms.components["schemas"]["NotificationRecord"];
export type Trace = cts.components["schemas"]["Trace"];
export type Secret = csms.components["schemas"]["Secret"];
export type VersionMetadata = csms.components["schemas"]["VersionMetadata"];
/** A version with its value: what ShowSecretVersion returns, and nothing else does. */
export type SecretVersion = csms.components["schemas"]["SecretVersion"];
export type Stage = csms.components["schemas"]["Stage"];
/** One rotation, as ListSecretTask shows it. */
export type SecretTask = csms.components["schemas"]["SecretTask"];

/** What an update replaces: everything but identity and creation time; the type is optional. */
export type NotificationChanges = Omit<
  Notification,
  "notification_id" | "project_id" | "create_time" | "notification_type"
> & { notification_type?: NotificationType };

/** What an update may change in a secret event. */
export type SecretEventChanges = Partial<
  Pick<SecretEvent, "state" | "event_types" | "notification">
>;

/** What an update may change in a secret. */
export type SecretChanges = Partial<
  Pick<
    Secret,
    | "kms_key_id"
    | "description"
    | "auto_rotation"
    | "rotation_period"
    | "event_subscriptions"
    | "rotation_time"
    | "rotation_config"
    | "rotation_func_urn"
  >
> & {
  /** When the next automatic rotation is due; `null` removes it (rotation turned off). */
  next_rotation_time?: number | null;
};

/** A new version, before the repository numbers it and moves the stages. */
export interface NewVersion {
  create_time: number;
  expire_time?: number;
  /** Custom stages; `SYSCURRENT` is always added (and `SYSPREVIOUS` moved) by the repository. */
  version_stages: string[];
  secret_string?: string;
  secret_binary?: string;
}

/** A version whose `expire_time` has passed, taken once for its `SECRET_VERSION_EXPIRED`. */
export interface DueExpiry {
  projectId: string;
  secret: Secret;
  version: VersionMetadata;
}

export type Awaitable<T> = T | Promise<T>;

/** One page of a list ordered by the repository; `nextMarker` is set only when more follow. */
export interface Page<T> {
  items: T[];
  nextMarker?: string;
}

export interface PageRequest {
  limit: number;
  /** Start strictly after this marker; first page when absent. */
  marker?: string;
}

/** What `customized` notifications name in their `operations`. */
export type TraceOperation = Pick<Trace, "service_type" | "resource_type" | "trace_name">;

export interface NotificationRepository {
  get(projectId: string, notificationId: string): Awaitable<Notification | undefined>;
  /** Adds a notification; `false` (and nothing stored) when its name is taken in the project. */
  insert(projectId: string, notification: Notification): Awaitable<boolean>;
  /**
   * Replaces the notification's configuration in one step, keeping its id, project, creation
   * time and place in creation order (and its type when `changes` has none); the new row.
   */
  update(
    projectId: string,
    notificationId: string,
    changes: NotificationChanges,
  ): Awaitable<Notification | "not_found" | "duplicate_name">;
  /** Notifications of one type, oldest first; only the one named `name` when given. */
  list(projectId: string, type: NotificationType, name?: string): Awaitable<Notification[]>;
  /** Deletes every listed id that exists, in one step; the ids that were not found. */
  deleteMany(projectId: string, notificationIds: readonly string[]): Awaitable<string[]>;
  /**
   * The notifications that could match a trace of this operation, read through indexes rather
   * than all of the project's: the enabled `complete` ones and the enabled `customized` ones
   * whose `operations` name it (a superset of the matches). `smn` ones first, then `fun`, each
   * oldest first, as `list` gives them. A store without it has every trace read them all.
   */
  candidates?(projectId: string, operation: TraceOperation): Awaitable<Notification[]>;
  /** Drops one project's notifications, or every project's. */
  clear(projectId?: string): Awaitable<void>;
}

export interface SecretEventRepository {
  get(projectId: string, name: string): Awaitable<SecretEvent | undefined>;
  /** Adds an event; `false` (and nothing stored) when the name is taken in the project. */
  insert(projectId: string, event: SecretEvent): Awaitable<boolean>;
  /**
   * Applies `changes` in one step and sets `update_time` to `now`, or to one more than the
   * previous `update_time` when that is not earlier (strictly increasing); the new row, or
   * `undefined` when there is no such event.
   */
  update(
    projectId: string,
    name: string,
    changes: SecretEventChanges,
    now: number,
  ): Awaitable<SecretEvent | undefined>;
  delete(projectId: string, name: string): Awaitable<boolean>;
  /** Events ordered by name (code-point order); the marker is an event name. */
  page(projectId: string, request: PageRequest): Awaitable<Page<SecretEvent>>;
  clear(projectId?: string): Awaitable<void>;
}

export interface NotificationRecordRepository {
  /**
   * Stores a record (kept in `create_time` order, then in the order of their places) and returns
   * its opaque marker. Without `place`, it takes the next one.
   */
  append(projectId: string, record: NotificationRecord, place?: number): Awaitable<string>;
  /**
   * A place for a record appended later (once its deliveries settle): records with the same
   * `create_time` are listed in the order their places were taken, whenever each is appended.
   */
  reserve(projectId: string): Awaitable<number>;
  /**
   * Records oldest first, only those with `create_time` at least `since` when given;
   * `undefined` when `marker` is not one this repository issued.
   */
  page(
    projectId: string,
    request: PageRequest & { since?: number },
  ): Awaitable<Page<NotificationRecord> | undefined>;
  /** Drops the records (of every project) created before `time`. */
  dropBefore(time: number): Awaitable<void>;
  clear(projectId?: string): Awaitable<void>;
}

export interface SecretPageRequest extends PageRequest {
  /** Only the secrets that subscribe to this event. */
  eventName?: string;
}

/**
 * Secrets and their versions. A version's value is stored with it and read back only by
 * `getVersion`; no other method returns one.
 */
/** A secret whose `scheduled_delete_time` has passed, deleted (once) for its `SECRET_DELETED`. */
export interface DueDeletion {
  projectId: string;
  secret: Secret;
}

/** Version stages and scheduled deletion (store/stages.ts holds the rules every store applies). */
export interface SecretStageRepository {
  /** The stage of the secret; `undefined` when the secret or the stage is unknown. */
  getStage(projectId: string, name: string, stage: string): Awaitable<Stage | undefined>;
  /** Puts `stage` on `versionId` in one step (`withStageMoved`); the stage where it now is. */
  moveStage(
    projectId: string,
    name: string,
    stage: string,
    versionId: string,
    now: number,
  ): Awaitable<Stage | "not_found" | "version_not_found" | "too_many_stages" | "version_full">;
  /** Removes `stage` from its version; `"not_found"` when the secret or the stage is unknown. */
  deleteStage(projectId: string, name: string, stage: string): Awaitable<true | "not_found">;
  /** Puts the secret in `PENDING_DELETE` (`scheduledSecret`); `"pending"` when it already is. */
  scheduleDeletion(
    projectId: string,
    name: string,
    days: number,
    now: number,
  ): Awaitable<Secret | "not_found" | "pending">;
  /** Puts a `PENDING_DELETE` secret back in `ENABLED`; `"not_pending"` when it is not pending. */
  restore(
    projectId: string,
    name: string,
    now: number,
  ): Awaitable<Secret | "not_found" | "not_pending">;
  /**
   * Deletes the secrets (of every project) whose `scheduled_delete_time` is at most `now`, at
   * most `limit`, with their versions; each is returned once only, whichever process asks.
   * `wait`: see `takeExpired`.
   */
  takeDueDeletions(now: number, limit: number, wait?: boolean): Awaitable<DueDeletion[]>;
}

export interface SecretRepository extends SecretStageRepository {
  get(projectId: string, name: string): Awaitable<Secret | undefined>;
  /** Adds a secret with its first version (`v1`, `SYSCURRENT`); `false` when the name is taken. */
  insert(projectId: string, secret: Secret, first: NewVersion): Awaitable<boolean>;
  /** Applies `changes` and sets `update_time` (strictly increasing); `undefined` when unknown. */
  update(
    projectId: string,
    name: string,
    changes: SecretChanges,
    now: number,
  ): Awaitable<Secret | undefined>;
  /** Deletes the secret with its versions; the deleted secret, or `undefined` when unknown. */
  delete(projectId: string, name: string): Awaitable<Secret | undefined>;
  /** Secrets ordered by name (code-point order); the marker is a secret name. */
  page(projectId: string, request: SecretPageRequest): Awaitable<Page<Secret>>;
  /**
   * Adds the next version (`v<n+1>`): `SYSCURRENT` moves to it, the previous `SYSCURRENT`
   * becomes `SYSPREVIOUS`, custom stages move to it. Beyond 20 versions the oldest version
   * without a stage is removed; `"full"` when every version has one.
   */
  addVersion(
    projectId: string,
    name: string,
    version: NewVersion,
  ): Awaitable<VersionMetadata | "not_found" | "full">;
  /** A version with its value; `latest` is the `SYSCURRENT` version. */
  getVersion(
    projectId: string,
    name: string,
    versionId: string,
  ): Awaitable<SecretVersion | undefined>;
  /** Versions oldest first; the marker is a version id. `undefined` when the secret is unknown. */
  pageVersions(
    projectId: string,
    name: string,
    request: PageRequest,
  ): Awaitable<Page<VersionMetadata> | undefined>;
  /** Sets a version's `expire_time`; `undefined` when the secret or version is unknown. */
  setExpiry(
    projectId: string,
    name: string,
    versionId: string,
    expireTime: number,
  ): Awaitable<VersionMetadata | undefined>;
  /**
   * Versions (of every project) whose `expire_time` is at most `now` and whose expiry was not
   * taken yet, at most `limit`; each is marked in the same step, so it is returned once only,
   * whichever process asks. What another process's write holds is skipped, or with `wait` (a
   * sweep a request asks for; `limit` 1, so that the take holds no row while it waits) waited
   * for: once that write is kept, it is not due any more; once rolled back, it is taken here.
   */
  takeExpired(now: number, limit: number, wait?: boolean): Awaitable<DueExpiry[]>;
  clear(projectId?: string): Awaitable<void>;
}

/** Exact-match criteria of the trace list; `user` is `user.name`, `access_key_id` `user.access_key_id`. */
export interface TraceFilter {
  service_type?: string;
  resource_type?: string;
  resource_id?: string;
  resource_name?: string;
  trace_name?: string;
  trace_rating?: Trace["trace_rating"];
  user?: string;
  access_key_id?: string;
  enterprise_project_id?: string;
}

export interface TraceListRequest {
  limit: number;
  /** Only traces whose `time` is strictly greater. */
  since: number;
  /** Only traces whose `time` is at most this. */
  until: number;
  /** Start with the trace recorded just before this one (a `trace_id`). */
  next?: string;
  filter: TraceFilter;
}

/** A trace repository's cap (tests set a small one; the server keeps the defaults). */
export interface TraceCap {
  /** Traces a project keeps (default `MAX_TRACES_PER_PROJECT`); the oldest go first. */
  maxPerProject?: number;
  /**
   * SQL: appends to a project, by one process, between two deletions of the traces beyond the
   * cap (default a hundredth of the cap); reads never see those meanwhile.
   */
  trimEvery?: number;
}

export interface TraceRepository {
  /** Records a trace; the oldest traces of the project are dropped beyond the repository's cap. */
  append(projectId: string, trace: Trace): Awaitable<void>;
  get(projectId: string, traceId: string): Awaitable<Trace | undefined>;
  /**
   * Matching traces, newest recorded first; `nextMarker` (the last trace's id) only when more
   * match. `undefined` when `next` is not a trace of this project.
   */
  list(projectId: string, request: TraceListRequest): Awaitable<Page<Trace> | undefined>;
  clear(projectId?: string): Awaitable<void>;
}

/**
 * A fault rule as the admin API shows it (`openapi/admin`), counters included. Only the counters
 * change once it is stored.
 */
export type StoredFaultRule = admin.components["schemas"]["FaultRule"];

/** What every request reads of the admin state: one read per request, whichever the store. */
export interface RequestAdminState {
  /** How far `POST /_admin/clock` has moved the server clock (ms). */
  clockOffsetMs: number;
  /** How many full resets set the clock back (the offset only grows between two). */
  clockResets: number;
  /** The request rules (no `delivery`) whose `count` is not used up, oldest first. */
  requestRules: StoredFaultRule[];
  /** `--deterministic`'s counters as a replica last kept them. */
  counters: StoredCounters;
}

/**
 * `--deterministic`'s counters: the clock's reads since its last restart (each read is 1 ms) and
 * the last number of each sequence of ids (resources', the event engine's, SMN messages').
 */
export interface DeterministicCounters {
  clockReads: number;
  ids: number;
  eventIds: number;
  messageIds: number;
}

/** The counters as stored, with the number of times they were kept (which replica's are newer). */
export interface StoredCounters extends DeterministicCounters {
  version: number;
}

/**
 * What the admin API sets (`/_admin/sinks`, `/_admin/faults`, `/_admin/clock`), kept in the store
 * so that replicas on one database act as one server. Not keyed by project: sinks are keyed by
 * their URN (which names the project), a fault rule has an optional `project_id`, the clock is
 * the server's.
 */
export interface AdminStateRepository {
  /** The clock offset and the live request rules, in one read (one query on SQL). */
  requestState(): Awaitable<RequestAdminState>;
  /** Adds `offsetMs` (≥ 0) to the clock offset in one step; the new offset. */
  advanceClock(offsetMs: number): Awaitable<number>;
  /**
   * Sets the clock offset and `--deterministic`'s counters back to 0 (a full reset); the number
   * of resets, this one included.
   */
  resetClock(): Awaitable<number>;
  /** Stores `--deterministic`'s counters as this replica has them; their new `version`. */
  keepCounters(counters: DeterministicCounters): Awaitable<number>;
  /** The sink configuration as it was last stored, in its own key order; `undefined` if never. */
  sinks(): Awaitable<SinkConfig | undefined>;
  /** Replaces the whole sink configuration (checked by the caller). */
  replaceSinks(config: SinkConfig): Awaitable<void>;
  /** Stores `config` only when no configuration is stored yet (a first start). */
  initSinks(config: SinkConfig): Awaitable<void>;
  /** Stores a rule with its `seed`; it gets the next id (`f1`, `f2`, …; never reused). */
  addFaultRule(rule: FaultRuleRequest, seed: number): Awaitable<StoredFaultRule>;
  /** Every rule, oldest first. */
  faultRules(): Awaitable<StoredFaultRule[]>;
  /** The delivery rules whose `count` is not used up, oldest first. */
  deliveryRules(): Awaitable<StoredFaultRule[]>;
  /** Deletes one rule (`false` when there is none), or every rule. */
  deleteFaultRules(id?: string): Awaitable<boolean>;
  /** Deletes the rules scoped to one project (`project_id`). */
  clearFaultRules(projectId: string): Awaitable<void>;
  /**
   * Counts a match of the rule (and a hit too when `hit`) in one step, unless its `count` is used
   * up or it is gone: the rule's `matched` after this match, else `undefined`.
   */
  matchFaultRule(id: string, hit: boolean): Awaitable<number | undefined>;
  /** Counts a hit of the rule unless its `count` is used up or it is gone; whether it did. */
  hitFaultRule(id: string): Awaitable<boolean>;
}

/** One delivery, as the delivery log lists it (the admin spec's `Delivery`). */
export type Delivery = admin.components["schemas"]["Delivery"];

/** Who holds a pending delivery, until when, and when its next attempt is due (ms, wall time). */
export interface DeliveryHold {
  owner: string;
  leaseUntil: number;
  dueAt: number;
}

/** A pending delivery as a replica holds it: the record and when its next attempt is due. */
export interface HeldDelivery {
  delivery: Delivery;
  dueAt: number;
}

/**
 * The delivery log and queue (the outbox, events/delivery.ts), shared by the replicas on one
 * database. A pending delivery is held by one replica (`owner`, its lease renewed while it
 * lives); only the holder records its attempts, and the writes that record them change nothing
 * once the holder lost it (taken over, dropped, cleared). What a project's log shows: its newest
 * `logLimit` deliveries, and any older one still pending.
 */
export interface DeliveryRepository {
  /**
   * Logs a delivery; a pending one is held as `hold` says, and only while fewer than
   * `maxPending` deliveries (of every project) are pending: else nothing is stored (`false`, the
   * queue is full). The project's log is kept to `logLimit` (the older finished ones go).
   */
  insert(
    delivery: Delivery,
    hold: DeliveryHold | undefined,
    logLimit: number,
    maxPending?: number,
  ): Awaitable<boolean>;
  /** The project's log, oldest first. */
  list(projectId: string, logLimit: number): Awaitable<Delivery[]>;
  /**
   * Starts an attempt of a delivery `owner` holds: stores `delivery` as the holder has it now
   * (its `attempts` counted), in flight, its lease renewed; `false` (nothing changed) when the
   * owner no longer holds it.
   */
  start(delivery: Delivery, owner: string, leaseUntil: number): Awaitable<boolean>;
  /**
   * Stores the delivery as the holder now sees it (an attempt's outcome): no longer in flight,
   * released when it is no longer pending, else due at `dueAt`. `false` (nothing changed) when
   * `owner` no longer holds it.
   */
  record(delivery: Delivery, owner: string, dueAt: number | undefined): Awaitable<boolean>;
  /** Renews the leases of the pending deliveries `owner` holds. */
  renew(owner: string, leaseUntil: number): Awaitable<void>;
  /** Lets go of what `owner` holds (it stops): others may take it over at once. */
  release(owner: string): Awaitable<void>;
  /**
   * Takes over at most `limit` pending deliveries whose lease ran out by `now` (their holder
   * died): held by `owner` until `leaseUntil`, no longer in flight, each taken by one replica.
   */
  takeOver(
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Awaitable<HeldDelivery[]>;
  /** Pending deliveries, of every project. */
  pendingCount(): Awaitable<number>;
  /**
   * Fails the oldest pending delivery that is not in flight (with `error`, at `updatedTime`);
   * that delivery, or `undefined` when every pending one is in flight.
   */
  dropOldest(error: string, updatedTime: number): Awaitable<Delivery | undefined>;
  /** Whether a pending delivery (of the project, when given) is in flight or due by `time`. */
  anyDue(time: number, projectId?: string): Awaitable<boolean>;
  /** Drops one project's deliveries, or every project's, pending ones included. */
  clear(projectId?: string): Awaitable<void>;
}

/** What a wait is for: a secret event's notification record, or a rotation function's task. */
export type DeliveryWaitKind = "secret_event_record" | "rotation";

/** Why a waited-for delivery did not arrive: the first one that failed. */
export type DeliveryFailure = Pick<Delivery, "status" | "response_status" | "error">;

/** Something that happens once every one of some deliveries has its final outcome. */
export interface DeliveryWait {
  waitId: string;
  projectId: string;
  kind: DeliveryWaitKind;
  /** What the waiter needs to finish (JSON-able; never a secret value). */
  body: unknown;
}

/** A wait whose last delivery settled, with what its deliveries came to. */
export interface SettledWait extends DeliveryWait {
  /** The most attempts any of its deliveries took. */
  attempts: number;
  /** The first of its deliveries that failed; absent when all were delivered. */
  failure?: DeliveryFailure;
}

/**
 * Waits on deliveries' outcomes (a secret event's record, a rotation's completion), shared by
 * the replicas on one database: a wait is stored with the deliveries it waits for (in the write
 * that queued them), and the replica that settles its last delivery, whichever that is (the one
 * that queued it, or one that took it over), is handed the wait, once.
 */
export interface DeliveryWaitRepository {
  /** Stores `wait` on `deliveryIds` (at least one), `failure` when one already failed. */
  add(
    wait: DeliveryWait,
    deliveryIds: readonly string[],
    failure?: DeliveryFailure,
  ): Awaitable<void>;
  /**
   * One of a wait's deliveries settled: counted once. When it was the wait's last, the wait is
   * removed and returned (to this caller only); else `undefined` (also for a delivery no wait
   * is on).
   */
  settle(delivery: Delivery): Awaitable<SettledWait | undefined>;
  /** Drops one project's waits, or all. */
  clear(projectId?: string): Awaitable<void>;
}

export interface Store {
  /** The delivery log and queue, shared by every replica. */
  deliveries: DeliveryRepository;
  /** What waits on deliveries' outcomes, shared by every replica. */
  deliveryWaits: DeliveryWaitRepository;
  /** Sinks, fault rules and the clock offset (`/_admin/…`), shared by every replica. */
  admin: AdminStateRepository;
  notifications: NotificationRepository;
  /** Automatic rotation schedules and rotation tasks (store/rotations.ts). */
  rotations: RotationRepository;
  secretEvents: SecretEventRepository;
  notificationRecords: NotificationRecordRepository;
  secrets: SecretRepository;
  traces: TraceRepository;
  /**
   * Every write goes through this process (the in-memory store), so a cache of its rows stays
   * true. A shared database (other replicas write to it too) leaves this unset.
   */
  processLocal?: boolean;
  /**
   * Runs `fn` (one write operation's calls) as one unit: all its changes are kept when it
   * resolves, none when it throws, and nothing it changed is seen by others before it resolves
   * (SQL; the in-memory store's changes happen without I/O between them). The pipeline runs each
   * CTS and CSMS write in one, up to the check of its response (pipeline/handlers.ts).
   */
  transaction?<T>(fn: () => Promise<T>): Promise<T>;
  /** Releases connections, files and locks; the store is unusable afterwards. */
  close(): Awaitable<void>;
}
