/**
 * In-memory repositories. Per project: maps for O(1) lookup by id and by name, a sorted key list
 * for O(log n + limit) event pages, and a time-ordered array for records. Stored objects are the
 * response objects themselves (no copies) with repeated strings shared, which keeps 100k
 * resources lean; handlers never mutate a stored object, they store a new one.
 *
 * Inside a write (`transaction`, store/transaction.ts) each change registers its inverse, which
 * runs if the write is refused after it: a row comes back as it was, a deleted notification at
 * the end of creation order (deletes are a write's last change and answer no body, so nothing
 * refuses them after the fact).
 */

import { MemoryAdminStateRepository } from "./admin.js";
import { MemoryDeliveryRepository } from "./deliveries.js";
import { MemoryDeliveryWaitRepository } from "./deliveryWaits.js";
import { StringPool } from "./intern.js";
import { MemoryRotationRepository } from "./rotations.js";
import {
  RECORD_MARKER,
  type StoredVersion,
  secretVersionOf,
  updatedNotification,
  updatedSecret,
  updatedSecretEvent,
  withNewVersion,
} from "./rows.js";
import { byCodeUnits, SortedKeys } from "./sortedKeys.js";
import {
  restoredSecret,
  type StageMove,
  scheduledSecret,
  stageOf,
  withStageDeleted,
  withStageMoved,
} from "./stages.js";
import { onRollback, withUndo } from "./transaction.js";
import type {
  DueDeletion,
  DueExpiry,
  NewVersion,
  Notification,
  NotificationChanges,
  NotificationRecord,
  NotificationRecordRepository,
  NotificationRepository,
  NotificationType,
  Page,
  PageRequest,
  Secret,
  SecretChanges,
  SecretEvent,
  SecretEventChanges,
  SecretEventRepository,
  SecretPageRequest,
  SecretRepository,
  SecretVersion,
  Stage,
  Store,
  Trace,
  TraceCap,
  TraceFilter,
  TraceListRequest,
  TraceRepository,
  VersionMetadata,
} from "./types.js";

/** Lazily created per-project state, dropped on reset. */
class Projects<T> {
  private readonly byProject = new Map<string, T>();
  constructor(private readonly create: () => T) {}

  /** The project's state, created on first write. */
  of(projectId: string): T {
    let state = this.byProject.get(projectId);
    if (!state) {
      state = this.create();
      this.byProject.set(projectId, state);
    }
    return state;
  }

  /** Every project's state. */
  all(): IterableIterator<T> {
    return this.byProject.values();
  }

  /** The project's state if it has any (reads never create state). */
  peek(projectId: string): T | undefined {
    return this.byProject.get(projectId);
  }

  clear(projectId?: string): void {
    if (projectId === undefined) this.byProject.clear();
    else this.byProject.delete(projectId);
  }
}

interface NotificationState {
  /** Insertion order is creation order, and `set` on an existing key keeps its place. */
  byId: Map<string, Notification>;
  idByName: Map<string, string>;
}

const UNIQUE_NOTIFICATION_KEYS = new Set(["notification_id", "notification_name"]);
const UNIQUE_EVENT_KEYS = new Set(["name", "event_id"]);
const UNIQUE_RECORD_KEYS = new Set<string>();

export class MemoryNotificationRepository implements NotificationRepository {
  constructor(private readonly strings = new StringPool()) {}

  private readonly projects = new Projects<NotificationState>(() => ({
    byId: new Map(),
    idByName: new Map(),
  }));

  get(projectId: string, notificationId: string): Notification | undefined {
    return this.projects.peek(projectId)?.byId.get(notificationId);
  }

  insert(projectId: string, notification: Notification): boolean {
    const state = this.projects.of(projectId);
    if (state.idByName.has(notification.notification_name)) return false;
    this.strings.shareAll(notification, UNIQUE_NOTIFICATION_KEYS);
    state.byId.set(notification.notification_id, notification);
    state.idByName.set(notification.notification_name, notification.notification_id);
    onRollback(() => {
      state.byId.delete(notification.notification_id);
      state.idByName.delete(notification.notification_name);
    });
    return true;
  }

  update(
    projectId: string,
    notificationId: string,
    changes: NotificationChanges,
  ): Notification | "not_found" | "duplicate_name" {
    const state = this.projects.peek(projectId);
    const previous = state?.byId.get(notificationId);
    if (!state || !previous) return "not_found";
    const owner = state.idByName.get(changes.notification_name);
    if (owner !== undefined && owner !== notificationId) return "duplicate_name";
    const notification = updatedNotification(previous, changes);
    this.strings.shareAll(notification, UNIQUE_NOTIFICATION_KEYS);
    state.idByName.delete(previous.notification_name);
    state.idByName.set(notification.notification_name, notificationId);
    state.byId.set(notificationId, notification);
    onRollback(() => {
      state.idByName.delete(notification.notification_name);
      state.idByName.set(previous.notification_name, notificationId);
      state.byId.set(notificationId, previous);
    });
    return notification;
  }

  list(projectId: string, type: NotificationType, name?: string): Notification[] {
    const state = this.projects.peek(projectId);
    if (!state) return [];
    if (name !== undefined) {
      const id = state.idByName.get(name);
      const found = id === undefined ? undefined : state.byId.get(id);
      return found && found.notification_type === type ? [found] : [];
    }
    const out: Notification[] = [];
    for (const n of state.byId.values()) if (n.notification_type === type) out.push(n);
    return out;
  }

  deleteMany(projectId: string, notificationIds: readonly string[]): string[] {
    const state = this.projects.peek(projectId);
    const missing: string[] = [];
    for (const id of notificationIds) {
      const found = state?.byId.get(id);
      if (!state || !found) {
        missing.push(id);
        continue;
      }
      state.byId.delete(id);
      state.idByName.delete(found.notification_name);
      onRollback(() => {
        state.byId.set(id, found);
        state.idByName.set(found.notification_name, id);
      });
    }
    return missing;
  }

  clear(projectId?: string): void {
    this.projects.clear(projectId);
  }
}

interface EventState {
  byName: Map<string, SecretEvent>;
  names: SortedKeys;
}

export class MemorySecretEventRepository implements SecretEventRepository {
  constructor(private readonly strings = new StringPool()) {}

  private readonly projects = new Projects<EventState>(() => ({
    byName: new Map(),
    names: new SortedKeys(),
  }));

  get(projectId: string, name: string): SecretEvent | undefined {
    return this.projects.peek(projectId)?.byName.get(name);
  }

  insert(projectId: string, event: SecretEvent): boolean {
    const state = this.projects.of(projectId);
    if (state.byName.has(event.name)) return false;
    state.byName.set(event.name, this.strings.shareAll(event, UNIQUE_EVENT_KEYS));
    state.names.insert(event.name);
    onRollback(() => {
      state.byName.delete(event.name);
      state.names.delete(event.name);
    });
    return true;
  }

  update(
    projectId: string,
    name: string,
    changes: SecretEventChanges,
    now: number,
  ): SecretEvent | undefined {
    const previous = this.projects.peek(projectId)?.byName.get(name);
    if (!previous) return undefined;
    const event = updatedSecretEvent(previous, changes, now);
    const state = this.projects.of(projectId);
    state.byName.set(name, this.strings.shareAll(event, UNIQUE_EVENT_KEYS));
    onRollback(() => state.byName.set(name, previous));
    return event;
  }

  delete(projectId: string, name: string): boolean {
    const state = this.projects.peek(projectId);
    const found = state?.byName.get(name);
    if (!state || !found) return false;
    state.byName.delete(name);
    state.names.delete(name);
    onRollback(() => {
      state.byName.set(name, found);
      state.names.insert(name);
    });
    return true;
  }

  page(projectId: string, request: PageRequest): Page<SecretEvent> {
    const state = this.projects.peek(projectId);
    if (!state) return { items: [] };
    const { keys, more } = state.names.slice(request.marker, request.limit);
    const items = keys.map((k) => state.byName.get(k) as SecretEvent);
    const page: Page<SecretEvent> = { items };
    if (more && keys.length > 0) page.nextMarker = keys[keys.length - 1] as string;
    return page;
  }

  clear(projectId?: string): void {
    this.projects.clear(projectId);
  }
}

interface StoredRecord {
  time: number;
  seq: number;
  record: NotificationRecord;
}

interface RecordState {
  /** Ordered by (create_time, seq): oldest first, ties in arrival order. */
  records: StoredRecord[];
  nextSeq: number;
}

function before(a: { time: number; seq: number }, b: { time: number; seq: number }): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** First index whose entry is strictly after `key`. */
function upperBound(records: readonly StoredRecord[], key: { time: number; seq: number }): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(key, records[mid] as StoredRecord)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export class MemoryNotificationRecordRepository implements NotificationRecordRepository {
  constructor(private readonly strings = new StringPool()) {}

  private readonly projects = new Projects<RecordState>(() => ({ records: [], nextSeq: 1 }));

  append(projectId: string, record: NotificationRecord, place?: number): string {
    const state = this.projects.of(projectId);
    this.strings.shareAll(record, UNIQUE_RECORD_KEYS);
    const entry: StoredRecord = { time: record.create_time, seq: place ?? state.nextSeq++, record };
    const records = state.records;
    // Records normally arrive in time order: append; otherwise insert in place.
    const last = records[records.length - 1];
    if (!last || before(last, entry)) records.push(entry);
    else records.splice(upperBound(records, entry), 0, entry);
    onRollback(() => {
      const i = state.records.indexOf(entry);
      if (i >= 0) state.records.splice(i, 1);
    });
    return `${entry.time}-${entry.seq}`;
  }

  reserve(projectId: string): number {
    return this.projects.of(projectId).nextSeq++;
  }

  page(
    projectId: string,
    request: PageRequest & { since?: number },
  ): Page<NotificationRecord> | undefined {
    let start = 0;
    const state = this.projects.peek(projectId);
    if (request.marker !== undefined) {
      const m = RECORD_MARKER.exec(request.marker);
      if (!m) return undefined;
      const at = { time: Number(m[1]), seq: Number(m[2]) };
      start = state ? upperBound(state.records, at) : 0;
      const named = state?.records[start - 1];
      const issued = named !== undefined && named.time === at.time && named.seq === at.seq;
      // A record that aged out of the list was issued; any other marker naming no record was not.
      if (!issued && (request.since === undefined || at.time >= request.since)) return undefined;
    }
    if (!state) return { items: [] };
    if (request.since !== undefined) {
      start = Math.max(
        start,
        upperBound(state.records, { time: request.since - 1, seq: Infinity }),
      );
    }
    const slice = state.records.slice(start, start + request.limit);
    const page: Page<NotificationRecord> = { items: slice.map((e) => e.record) };
    const last = slice[slice.length - 1];
    if (last && start + slice.length < state.records.length) {
      page.nextMarker = `${last.time}-${last.seq}`;
    }
    return page;
  }

  dropBefore(time: number): void {
    for (const state of this.projects.all()) {
      const first = upperBound(state.records, { time: time - 1, seq: Infinity });
      if (first > 0) state.records.splice(0, first);
    }
  }

  clear(projectId?: string): void {
    this.projects.clear(projectId);
  }
}

interface SecretEntry {
  secret: Secret;
  versions: StoredVersion[];
  /** The number of the last version created (versions removed keep their numbers used). */
  lastVersion: number;
  /** Stages moved by UpdateSecretStage (store/stages.ts); replaced, never mutated. */
  stageMoves?: ReadonlyMap<string, StageMove>;
}

interface SecretState {
  byName: Map<string, SecretEntry>;
  names: SortedKeys;
}

const UNIQUE_SECRET_KEYS = new Set(["id", "name", "description"]);

/**
 * Secrets with their versions, per project, plus an index of the versions whose expiry is
 * still to be taken, so the periodic expiry check does not scan every version.
 */
export class MemorySecretRepository implements SecretRepository {
  constructor(private readonly strings = new StringPool()) {}

  private readonly projects = new Projects<SecretState>(() => ({
    byName: new Map(),
    names: new SortedKeys(),
  }));
  /** Versions with an `expire_time` whose expiry is not taken: project → secret → ids. */
  private readonly armed = new Map<string, Map<string, Set<string>>>();

  private arm(projectId: string, name: string, version: StoredVersion): void {
    if (version.metadata.expire_time === undefined || version.expiryTaken) return;
    let secrets = this.armed.get(projectId);
    if (!secrets) {
      secrets = new Map();
      this.armed.set(projectId, secrets);
    }
    let ids = secrets.get(name);
    if (!ids) {
      ids = new Set();
      secrets.set(name, ids);
    }
    ids.add(version.metadata.id);
  }

  private disarm(projectId: string, name: string, versionId?: string): void {
    const secrets = this.armed.get(projectId);
    if (!secrets) return;
    if (versionId === undefined) secrets.delete(name);
    else secrets.get(name)?.delete(versionId);
  }

  get(projectId: string, name: string): Secret | undefined {
    return this.projects.peek(projectId)?.byName.get(name)?.secret;
  }

  insert(projectId: string, secret: Secret, first: NewVersion): boolean {
    const state = this.projects.of(projectId);
    if (state.byName.has(secret.name)) return false;
    const added = withNewVersion([], secret.name, secret.kms_key_id, 1, first);
    if (added === "full") return false;
    state.byName.set(secret.name, {
      secret: this.strings.shareAll(secret, UNIQUE_SECRET_KEYS),
      versions: added.versions,
      lastVersion: 1,
    });
    state.names.insert(secret.name);
    this.arm(projectId, secret.name, added.added);
    onRollback(() => {
      state.byName.delete(secret.name);
      state.names.delete(secret.name);
      this.disarm(projectId, secret.name);
    });
    return true;
  }

  update(projectId: string, name: string, changes: SecretChanges, now: number): Secret | undefined {
    const entry = this.projects.peek(projectId)?.byName.get(name);
    if (!entry) return undefined;
    const previous = entry.secret;
    entry.secret = this.strings.shareAll(updatedSecret(previous, changes, now), UNIQUE_SECRET_KEYS);
    onRollback(() => {
      entry.secret = previous;
    });
    return entry.secret;
  }

  delete(projectId: string, name: string): Secret | undefined {
    const state = this.projects.peek(projectId);
    const entry = state?.byName.get(name);
    if (!state || !entry) return undefined;
    state.byName.delete(name);
    state.names.delete(name);
    this.disarm(projectId, name);
    onRollback(() => {
      state.byName.set(name, entry);
      state.names.insert(name);
      for (const v of entry.versions) this.arm(projectId, name, v);
    });
    return entry.secret;
  }

  page(projectId: string, request: SecretPageRequest): Page<Secret> {
    const state = this.projects.peek(projectId);
    if (!state) return { items: [] };
    if (request.eventName === undefined) {
      const { keys, more } = state.names.slice(request.marker, request.limit);
      const page: Page<Secret> = {
        items: keys.map((k) => (state.byName.get(k) as SecretEntry).secret),
      };
      if (more && keys.length > 0) page.nextMarker = keys[keys.length - 1] as string;
      return page;
    }
    // Filtered: walk the names in order from the marker until the page is full.
    const items: Secret[] = [];
    let marker = request.marker;
    for (;;) {
      const { keys, more } = state.names.slice(marker, 256);
      for (const k of keys) {
        const secret = (state.byName.get(k) as SecretEntry).secret;
        if (!secret.event_subscriptions.includes(request.eventName)) continue;
        if (items.length === request.limit) {
          const last = items[items.length - 1] as Secret;
          return { items, nextMarker: last.name };
        }
        items.push(secret);
      }
      if (!more || keys.length === 0) return { items };
      marker = keys[keys.length - 1];
    }
  }

  addVersion(
    projectId: string,
    name: string,
    version: NewVersion,
  ): VersionMetadata | "not_found" | "full" {
    const entry = this.projects.peek(projectId)?.byName.get(name);
    if (!entry) return "not_found";
    const next = withNewVersion(
      entry.versions,
      name,
      entry.secret.kms_key_id,
      entry.lastVersion + 1,
      version,
    );
    if (next === "full") return "full";
    const previous = { versions: entry.versions, lastVersion: entry.lastVersion };
    entry.versions = next.versions;
    entry.lastVersion++;
    for (const id of next.removed) this.disarm(projectId, name, id);
    this.arm(projectId, name, next.added);
    onRollback(() => this.restoreVersions(projectId, name, entry, previous));
    return next.added.metadata;
  }

  /** A secret's versions put back as they were, with their expiry index. */
  private restoreVersions(
    projectId: string,
    name: string,
    entry: SecretEntry,
    previous: Pick<SecretEntry, "versions" | "lastVersion">,
  ): void {
    entry.versions = previous.versions;
    entry.lastVersion = previous.lastVersion;
    this.disarm(projectId, name);
    for (const v of entry.versions) this.arm(projectId, name, v);
  }

  private version(projectId: string, name: string, versionId: string) {
    const entry = this.projects.peek(projectId)?.byName.get(name);
    if (!entry) return undefined;
    const found =
      versionId === "latest"
        ? entry.versions.find((v) => v.metadata.version_stages.includes("SYSCURRENT"))
        : entry.versions.find((v) => v.metadata.id === versionId);
    return found && { entry, found };
  }

  getVersion(projectId: string, name: string, versionId: string): SecretVersion | undefined {
    const hit = this.version(projectId, name, versionId);
    return hit && secretVersionOf(hit.found);
  }

  pageVersions(
    projectId: string,
    name: string,
    request: PageRequest,
  ): Page<VersionMetadata> | undefined {
    const entry = this.projects.peek(projectId)?.byName.get(name);
    if (!entry) return undefined;
    const after = request.marker === undefined ? 0 : Number(request.marker.slice(1));
    const rest = entry.versions.filter((v) => Number(v.metadata.id.slice(1)) > after);
    const slice = rest.slice(0, request.limit);
    const page: Page<VersionMetadata> = { items: slice.map((v) => v.metadata) };
    const last = slice[slice.length - 1];
    if (last && rest.length > slice.length) page.nextMarker = last.metadata.id;
    return page;
  }

  setExpiry(
    projectId: string,
    name: string,
    versionId: string,
    expireTime: number,
  ): VersionMetadata | undefined {
    const hit = this.version(projectId, name, versionId);
    if (!hit) return undefined;
    const updated: StoredVersion = {
      ...hit.found,
      metadata: { ...hit.found.metadata, expire_time: expireTime },
    };
    const previous = { versions: hit.entry.versions, lastVersion: hit.entry.lastVersion };
    hit.entry.versions = hit.entry.versions.map((v) => (v === hit.found ? updated : v));
    this.arm(projectId, name, updated);
    onRollback(() => this.restoreVersions(projectId, name, hit.entry, previous));
    return updated.metadata;
  }

  takeExpired(now: number, limit: number): DueExpiry[] {
    const due: { projectId: string; name: string; entry: SecretEntry; version: StoredVersion }[] =
      [];
    for (const [projectId, secrets] of this.armed) {
      for (const [name, ids] of secrets) {
        const entry = this.projects.peek(projectId)?.byName.get(name);
        for (const id of ids) {
          const version = entry?.versions.find((v) => v.metadata.id === id);
          if (!entry || !version) {
            ids.delete(id);
            continue;
          }
          if ((version.metadata.expire_time as number) <= now) {
            due.push({ projectId, name, entry, version });
          }
        }
        if (ids.size === 0) secrets.delete(name);
      }
      if (secrets.size === 0) this.armed.delete(projectId);
    }
    // In the SQL stores' order: by expiry, then project, secret and version number.
    const number = (v: StoredVersion) => Number(v.metadata.id.slice(1));
    due.sort(
      (x, y) =>
        (x.version.metadata.expire_time as number) - (y.version.metadata.expire_time as number) ||
        byCodeUnits(x.projectId, y.projectId) ||
        byCodeUnits(x.name, y.name) ||
        number(x.version) - number(y.version),
    );
    return due.slice(0, limit).map(({ projectId, name, entry, version }) => {
      this.armed.get(projectId)?.get(name)?.delete(version.metadata.id);
      const taken = { ...version, expiryTaken: true };
      entry.versions = entry.versions.map((v) => (v === version ? taken : v));
      // Taken in a sweep's write that rolls back: handed out again by the next sweep.
      onRollback(() => {
        entry.versions = entry.versions.map((v) => (v === taken ? version : v));
        this.arm(projectId, name, version);
      });
      return { projectId, secret: entry.secret, version: version.metadata };
    });
  }

  clear(projectId?: string): void {
    this.projects.clear(projectId);
    if (projectId === undefined) this.armed.clear();
    else this.armed.delete(projectId);
  }

  /** Secrets scheduled for deletion: project → names. Checked against the secret when taken. */
  private readonly scheduled = new Map<string, Set<string>>();

  private entry(projectId: string, name: string): SecretEntry | undefined {
    return this.projects.peek(projectId)?.byName.get(name);
  }

  getStage(projectId: string, name: string, stage: string): Stage | undefined {
    const entry = this.entry(projectId, name);
    return entry && stageOf(entry.versions, entry.stageMoves ?? new Map(), name, stage);
  }

  moveStage(
    projectId: string,
    name: string,
    stage: string,
    versionId: string,
    now: number,
  ): Stage | "not_found" | "version_not_found" | "too_many_stages" | "version_full" {
    const entry = this.entry(projectId, name);
    if (!entry) return "not_found";
    const next = withStageMoved(entry.versions, stage, versionId, now);
    if (typeof next === "string") return next;
    const previous = { versions: entry.versions, stageMoves: entry.stageMoves };
    entry.versions = next.versions;
    entry.stageMoves = new Map([...(entry.stageMoves ?? []), ...next.moved]);
    onRollback(() => {
      entry.versions = previous.versions;
      entry.stageMoves = previous.stageMoves;
    });
    return stageOf(entry.versions, entry.stageMoves, name, stage) as Stage;
  }

  deleteStage(projectId: string, name: string, stage: string): true | "not_found" {
    const entry = this.entry(projectId, name);
    const next = entry && withStageDeleted(entry.versions, stage);
    if (!entry || !next) return "not_found";
    const previous = entry.versions;
    entry.versions = next;
    onRollback(() => {
      entry.versions = previous;
    });
    return true;
  }

  scheduleDeletion(
    projectId: string,
    name: string,
    days: number,
    now: number,
  ): Secret | "not_found" | "pending" {
    const entry = this.entry(projectId, name);
    if (!entry) return "not_found";
    if (entry.secret.state === "PENDING_DELETE") return "pending";
    const previous = entry.secret;
    entry.secret = this.strings.shareAll(scheduledSecret(previous, days, now), UNIQUE_SECRET_KEYS);
    this.schedule(projectId, name);
    onRollback(() => {
      entry.secret = previous;
    });
    return entry.secret;
  }

  private schedule(projectId: string, name: string): void {
    let names = this.scheduled.get(projectId);
    if (!names) {
      names = new Set();
      this.scheduled.set(projectId, names);
    }
    names.add(name);
  }

  restore(projectId: string, name: string, now: number): Secret | "not_found" | "not_pending" {
    const entry = this.entry(projectId, name);
    if (!entry) return "not_found";
    if (entry.secret.state !== "PENDING_DELETE") return "not_pending";
    const previous = entry.secret;
    entry.secret = this.strings.shareAll(restoredSecret(previous, now), UNIQUE_SECRET_KEYS);
    onRollback(() => {
      entry.secret = previous;
    });
    return entry.secret;
  }

  takeDueDeletions(now: number, limit: number): DueDeletion[] {
    const due: (DueDeletion & { name: string; at: number })[] = [];
    for (const [projectId, names] of this.scheduled) {
      for (const name of names) {
        const secret = this.entry(projectId, name)?.secret;
        const at = secret?.state === "PENDING_DELETE" ? secret.scheduled_delete_time : undefined;
        if (!secret || at === undefined) {
          names.delete(name);
          continue;
        }
        if (at <= now) due.push({ projectId, name, at, secret });
      }
      if (names.size === 0) this.scheduled.delete(projectId);
    }
    // In the SQL stores' order: by deletion time, then project and name.
    due.sort(
      (x, y) => x.at - y.at || byCodeUnits(x.projectId, y.projectId) || byCodeUnits(x.name, y.name),
    );
    return due.slice(0, limit).map(({ projectId, name, secret }) => {
      this.scheduled.get(projectId)?.delete(name);
      this.delete(projectId, name);
      // Taken in a sweep's write that rolls back: the secret is back (delete's own undo) and
      // handed out again by the next sweep.
      onRollback(() => this.schedule(projectId, name));
      return { projectId, secret };
    });
  }
}

/** Traces kept per project (the trace list's description states it); the oldest go first. */
export const MAX_TRACES_PER_PROJECT = 10_000;

interface TraceState {
  /** Oldest recorded first; `traces[i]` has sequence number `dropped + i`. */
  traces: Trace[];
  dropped: number;
  seqById: Map<string, number>;
}

const UNIQUE_TRACE_KEYS = new Set(["trace_id", "request_id", "request", "response"]);

function traceMatches(trace: Trace, filter: TraceFilter): boolean {
  return (
    (filter.service_type === undefined || trace.service_type === filter.service_type) &&
    (filter.resource_type === undefined || trace.resource_type === filter.resource_type) &&
    (filter.resource_id === undefined || trace.resource_id === filter.resource_id) &&
    (filter.resource_name === undefined || trace.resource_name === filter.resource_name) &&
    (filter.trace_name === undefined || trace.trace_name === filter.trace_name) &&
    (filter.trace_rating === undefined || trace.trace_rating === filter.trace_rating) &&
    (filter.user === undefined || trace.user.name === filter.user) &&
    (filter.access_key_id === undefined || trace.user.access_key_id === filter.access_key_id) &&
    (filter.enterprise_project_id === undefined ||
      trace.enterprise_project_id === filter.enterprise_project_id)
  );
}

/**
 * Traces in recording order per project, capped. A list scans newest to oldest (at most the cap),
 * so any mix of filters costs the same; `next` is found in O(1) through the id index.
 */
export class MemoryTraceRepository implements TraceRepository {
  constructor(
    private readonly strings = new StringPool(),
    private readonly maxPerProject = MAX_TRACES_PER_PROJECT,
  ) {}

  private readonly projects = new Projects<TraceState>(() => ({
    traces: [],
    dropped: 0,
    seqById: new Map(),
  }));

  append(projectId: string, trace: Trace): void {
    const state = this.projects.of(projectId);
    this.strings.shareAll(trace, UNIQUE_TRACE_KEYS);
    state.seqById.set(trace.trace_id, state.dropped + state.traces.length);
    state.traces.push(trace);
    while (state.traces.length > this.maxPerProject) {
      const oldest = state.traces.shift() as Trace;
      state.seqById.delete(oldest.trace_id);
      state.dropped++;
    }
  }

  get(projectId: string, traceId: string): Trace | undefined {
    const state = this.projects.peek(projectId);
    const seq = state?.seqById.get(traceId);
    return state && seq !== undefined ? state.traces[seq - state.dropped] : undefined;
  }

  list(projectId: string, request: TraceListRequest): Page<Trace> | undefined {
    const state = this.projects.peek(projectId);
    let start = state ? state.traces.length - 1 : -1;
    if (request.next !== undefined) {
      const seq = state?.seqById.get(request.next);
      if (!state || seq === undefined) return undefined;
      start = seq - state.dropped - 1;
    }
    const items: Trace[] = [];
    let more = false;
    for (let i = start; i >= 0; i--) {
      const trace = (state as TraceState).traces[i] as Trace;
      if (trace.time <= request.since || trace.time > request.until) continue;
      if (!traceMatches(trace, request.filter)) continue;
      if (items.length === request.limit) {
        more = true;
        break;
      }
      items.push(trace);
    }
    const page: Page<Trace> = { items };
    const last = items[items.length - 1];
    if (more && last) page.nextMarker = last.trace_id;
    return page;
  }

  clear(projectId?: string): void {
    this.projects.clear(projectId);
  }
}

export function createMemoryStore({ traceCap = {} as TraceCap } = {}): Store {
  const strings = new StringPool();
  return {
    admin: new MemoryAdminStateRepository(),
    deliveries: new MemoryDeliveryRepository(),
    deliveryWaits: new MemoryDeliveryWaitRepository(),
    notifications: new MemoryNotificationRepository(strings),
    secretEvents: new MemorySecretEventRepository(strings),
    notificationRecords: new MemoryNotificationRecordRepository(strings),
    secrets: new MemorySecretRepository(strings),
    traces: new MemoryTraceRepository(strings, traceCap.maxPerProject),
    rotations: new MemoryRotationRepository(),
    processLocal: true,
    transaction: withUndo,
    close() {},
  };
}
