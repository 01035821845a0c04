/**
 * The SQL store: the four repositories over one `SqlDatabase` (PGlite or PostgreSQL). The rules
 * that must hold across processes are the database's: unique constraints for names, row locks
 * for updates, one statement for a batch delete, and `seq` positions for markers and for the
 * trace cap (reads see the newest traces only; older ones are deleted in batches).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { processLocalAdminState } from "../admin.js";
import { MAX_TRACES_PER_PROJECT } from "../memory.js";
import {
  RECORD_MARKER,
  type StoredVersion,
  secretVersionOf,
  updatedNotification,
  updatedSecret,
  updatedSecretEvent,
  withNewVersion,
} from "../rows.js";
import {
  restoredSecret,
  type StageMove,
  scheduledSecret,
  stageOf,
  withStageDeleted,
  withStageMoved,
} from "../stages.js";
import { afterCommit, withUndo } from "../transaction.js";
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
  TraceListRequest,
  TraceOperation,
  TraceRepository,
  VersionMetadata,
} from "../types.js";
import { SqlAdminStateRepository } from "./admin.js";
import { SqlDeliveryRepository } from "./deliveries.js";
import { SqlDeliveryWaitRepository } from "./deliveryWaits.js";
import { isUniqueViolation, lockFor, type SqlClient, type SqlDatabase } from "./driver.js";
import { SqlRotationRepository } from "./rotations.js";

type Body = { body: string };
const parse = <T>(rows: Body[]): T[] => rows.map((r) => JSON.parse(r.body) as T);

/** `DELETE` of one project's rows, or of every project's. */
async function clear(db: SqlDatabase, table: string, projectId?: string): Promise<void> {
  if (projectId === undefined) await db.query(`DELETE FROM ${table}`);
  else await db.query(`DELETE FROM ${table} WHERE project_id = $1`, [projectId]);
}

class SqlNotificationRepository implements NotificationRepository {
  constructor(private readonly db: SqlDatabase) {}

  async get(projectId: string, notificationId: string): Promise<Notification | undefined> {
    const { rows } = await this.db.query<Body>(
      "SELECT body FROM notifications WHERE project_id = $1 AND notification_id = $2",
      [projectId, notificationId],
    );
    return parse<Notification>(rows)[0];
  }

  async insert(projectId: string, n: Notification): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO notifications (project_id, notification_id, notification_name, notification_type, body)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (project_id, notification_name) DO NOTHING RETURNING 1`,
      [projectId, n.notification_id, n.notification_name, n.notification_type, JSON.stringify(n)],
    );
    return rows.length === 1;
  }

  async update(
    projectId: string,
    notificationId: string,
    changes: NotificationChanges,
  ): Promise<Notification | "not_found" | "duplicate_name"> {
    try {
      return await this.db.transaction(async (tx) => {
        // The row lock makes concurrent updates (from any replica) apply one after the other.
        const { rows } = await tx.query<Body>(
          "SELECT body FROM notifications WHERE project_id = $1 AND notification_id = $2 FOR UPDATE",
          [projectId, notificationId],
        );
        const previous = parse<Notification>(rows)[0];
        if (!previous) return "not_found" as const;
        const n = updatedNotification(previous, changes);
        await tx.query(
          `UPDATE notifications SET notification_name = $3, notification_type = $4, body = $5
           WHERE project_id = $1 AND notification_id = $2`,
          [projectId, notificationId, n.notification_name, n.notification_type, JSON.stringify(n)],
        );
        return n;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return "duplicate_name";
      throw err;
    }
  }

  async list(projectId: string, type: NotificationType, name?: string): Promise<Notification[]> {
    const { rows } =
      name === undefined
        ? await this.db.query<Body>(
            "SELECT body FROM notifications WHERE project_id = $1 AND notification_type = $2 ORDER BY seq",
            [projectId, type],
          )
        : await this.db.query<Body>(
            `SELECT body FROM notifications
             WHERE project_id = $1 AND notification_type = $2 AND notification_name = $3`,
            [projectId, type, name],
          );
    return parse<Notification>(rows);
  }

  async deleteMany(projectId: string, notificationIds: readonly string[]): Promise<string[]> {
    const { rows } = await this.db.query<{ notification_id: string }>(
      `DELETE FROM notifications WHERE project_id = $1 AND notification_id = ANY($2::text[])
       RETURNING notification_id`,
      [projectId, [...notificationIds]],
    );
    const deleted = new Set(rows.map((r) => r.notification_id));
    return notificationIds.filter((id) => !deleted.has(id));
  }

  async candidates(projectId: string, operation: TraceOperation): Promise<Notification[]> {
    // Two indexed reads (migration 005), disjoint: `complete` ones have no operation keys.
    const { rows } = await this.db.query<Body>(
      `SELECT body FROM (
         SELECT notification_type, seq, body FROM notifications
         WHERE project_id = $1 AND status = 'enabled' AND operation_type = 'complete'
         UNION ALL
         SELECT notification_type, seq, body FROM notifications
         WHERE project_id = $1 AND status = 'enabled'
           AND operation_keys @> ARRAY[jsonb_build_array($1::text, $2::text, $3::text, $4::text)::text]
       ) AS candidate
       ORDER BY notification_type = 'fun', seq`,
      [projectId, operation.service_type, operation.resource_type, operation.trace_name],
    );
    return parse<Notification>(rows);
  }

  clear(projectId?: string): Promise<void> {
    return clear(this.db, "notifications", projectId);
  }
}

class SqlSecretEventRepository implements SecretEventRepository {
  constructor(private readonly db: SqlDatabase) {}

  async get(projectId: string, name: string): Promise<SecretEvent | undefined> {
    const { rows } = await this.db.query<Body>(
      "SELECT body FROM secret_events WHERE project_id = $1 AND name = $2",
      [projectId, name],
    );
    return parse<SecretEvent>(rows)[0];
  }

  async insert(projectId: string, event: SecretEvent): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO secret_events (project_id, name, body) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [projectId, event.name, JSON.stringify(event)],
    );
    return rows.length === 1;
  }

  update(
    projectId: string,
    name: string,
    changes: SecretEventChanges,
    now: number,
  ): Promise<SecretEvent | undefined> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<Body>(
        "SELECT body FROM secret_events WHERE project_id = $1 AND name = $2 FOR UPDATE",
        [projectId, name],
      );
      const previous = parse<SecretEvent>(rows)[0];
      if (!previous) return undefined;
      const event = updatedSecretEvent(previous, changes, now);
      await tx.query("UPDATE secret_events SET body = $3 WHERE project_id = $1 AND name = $2", [
        projectId,
        name,
        JSON.stringify(event),
      ]);
      return event;
    });
  }

  async delete(projectId: string, name: string): Promise<boolean> {
    const { rows } = await this.db.query(
      "DELETE FROM secret_events WHERE project_id = $1 AND name = $2 RETURNING 1",
      [projectId, name],
    );
    return rows.length === 1;
  }

  async page(projectId: string, request: PageRequest): Promise<Page<SecretEvent>> {
    const { rows } = await this.db.query<Body & { name: string }>(
      `SELECT name, body FROM secret_events WHERE project_id = $1 AND ($2::text IS NULL OR name > $2)
       ORDER BY name LIMIT $3`,
      [projectId, request.marker ?? null, request.limit + 1],
    );
    const more = rows.length > request.limit;
    const kept = rows.slice(0, request.limit);
    const page: Page<SecretEvent> = { items: parse<SecretEvent>(kept) };
    const last = kept[kept.length - 1];
    if (more && last) page.nextMarker = last.name;
    return page;
  }

  clear(projectId?: string): Promise<void> {
    return clear(this.db, "secret_events", projectId);
  }
}

class SqlNotificationRecordRepository implements NotificationRecordRepository {
  constructor(private readonly db: SqlDatabase) {}

  async append(projectId: string, record: NotificationRecord, place?: number): Promise<string> {
    const { rows } = await this.db.query<{ seq: string }>(
      `INSERT INTO notification_records (project_id, create_time, seq, body)
       VALUES ($1, $2, COALESCE($4::bigint, nextval(pg_get_serial_sequence('notification_records', 'seq'))), $3)
       RETURNING seq::text AS seq`,
      [projectId, record.create_time, JSON.stringify(record), place ?? null],
    );
    return `${record.create_time}-${rows[0]?.seq}`;
  }

  async reserve(): Promise<number> {
    const { rows } = await this.db.query<{ seq: string }>(
      "SELECT nextval(pg_get_serial_sequence('notification_records', 'seq'))::text AS seq",
    );
    return Number(rows[0]?.seq);
  }

  async page(
    projectId: string,
    request: PageRequest & { since?: number },
  ): Promise<Page<NotificationRecord> | undefined> {
    let after: [string, string] = ["-1", "0"];
    if (request.marker !== undefined) {
      const m = RECORD_MARKER.exec(request.marker);
      if (!m) return undefined;
      after = [m[1] as string, m[2] as string];
      // A record that aged out of the list was issued; any other marker naming no record was not.
      if (request.since === undefined || Number(after[0]) >= request.since) {
        const { rows } = await this.db.query(
          `SELECT 1 FROM notification_records
           WHERE project_id = $1 AND create_time = $2::bigint AND seq = $3::bigint`,
          [projectId, after[0], after[1]],
        );
        if (rows.length === 0) return undefined;
      }
    }
    const { rows } = await this.db.query<Body & { create_time: string; seq: string }>(
      `SELECT create_time::text AS create_time, seq::text AS seq, body FROM notification_records
       WHERE project_id = $1 AND (create_time, seq) > ($2::bigint, $3::bigint)
         AND ($5::bigint IS NULL OR create_time >= $5::bigint)
       ORDER BY create_time, seq LIMIT $4`,
      [projectId, after[0], after[1], request.limit + 1, request.since ?? null],
    );
    const kept = rows.slice(0, request.limit);
    const page: Page<NotificationRecord> = { items: parse<NotificationRecord>(kept) };
    const last = kept[kept.length - 1];
    if (rows.length > request.limit && last) page.nextMarker = `${last.create_time}-${last.seq}`;
    return page;
  }

  async dropBefore(time: number): Promise<void> {
    await this.db.query("DELETE FROM notification_records WHERE create_time < $1", [time]);
  }

  clear(projectId?: string): Promise<void> {
    return clear(this.db, "notification_records", projectId);
  }
}

interface VersionRow {
  number: number;
  body: string;
  secret_string: string | null;
  secret_binary: string | null;
  expiry_taken: boolean;
}

function storedVersion(row: VersionRow): StoredVersion {
  const stored: StoredVersion = {
    metadata: JSON.parse(row.body) as VersionMetadata,
    expiryTaken: row.expiry_taken,
  };
  if (row.secret_string !== null) stored.secret_string = JSON.parse(row.secret_string) as string;
  if (row.secret_binary !== null) stored.secret_binary = JSON.parse(row.secret_binary) as string;
  return stored;
}

const VERSION_COLUMNS = "number, body, secret_string, secret_binary, expiry_taken";

/**
 * Inserts a version row. The value goes only into its columns, never into a message or log, and
 * JSON-encoded: PostgreSQL text cannot hold U+0000, which a secret_string may contain.
 */
async function insertVersion(
  tx: SqlClient,
  projectId: string,
  name: string,
  v: StoredVersion,
): Promise<void> {
  await tx.query(
    `INSERT INTO secret_versions
       (project_id, secret_name, number, body, secret_string, secret_binary, expire_time)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      projectId,
      name,
      Number(v.metadata.id.slice(1)),
      JSON.stringify(v.metadata),
      v.secret_string === undefined ? null : JSON.stringify(v.secret_string),
      v.secret_binary === undefined ? null : JSON.stringify(v.secret_binary),
      v.metadata.expire_time ?? null,
    ],
  );
}

/** PostgreSQL's `integer`, the type of a version's number. */
const MAX_VERSION_NUMBER = 2 ** 31 - 1;

/**
 * A version id's number (`v12` → 12). The spec allows ids of up to ten digits; a number past the
 * column's range names no version (`undefined`), where a query would fail with a 500.
 */
function versionNumber(versionId: string): number | undefined {
  const number = Number(versionId.slice(1));
  return number <= MAX_VERSION_NUMBER ? number : undefined;
}

class SqlSecretRepository implements SecretRepository {
  constructor(private readonly db: SqlDatabase) {}

  async get(projectId: string, name: string): Promise<Secret | undefined> {
    const { rows } = await this.db.query<Body>(
      "SELECT body FROM secrets WHERE project_id = $1 AND name = $2",
      [projectId, name],
    );
    return parse<Secret>(rows)[0];
  }

  async insert(projectId: string, secret: Secret, first: NewVersion): Promise<boolean> {
    const added = withNewVersion([], secret.name, secret.kms_key_id, 1, first);
    if (added === "full") return false;
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `INSERT INTO secrets (project_id, name, last_version, body) VALUES ($1, $2, 1, $3)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [projectId, secret.name, JSON.stringify(secret)],
      );
      if (rows.length !== 1) return false;
      await insertVersion(tx, projectId, secret.name, added.added);
      return true;
    });
  }

  update(
    projectId: string,
    name: string,
    changes: SecretChanges,
    now: number,
  ): Promise<Secret | undefined> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<Body>(
        "SELECT body FROM secrets WHERE project_id = $1 AND name = $2 FOR UPDATE",
        [projectId, name],
      );
      const previous = parse<Secret>(rows)[0];
      if (!previous) return undefined;
      const secret = updatedSecret(previous, changes, now);
      await tx.query("UPDATE secrets SET body = $3 WHERE project_id = $1 AND name = $2", [
        projectId,
        name,
        JSON.stringify(secret),
      ]);
      return secret;
    });
  }

  async delete(projectId: string, name: string): Promise<Secret | undefined> {
    const { rows } = await this.db.query<Body>(
      "DELETE FROM secrets WHERE project_id = $1 AND name = $2 RETURNING body",
      [projectId, name],
    );
    return parse<Secret>(rows)[0];
  }

  async page(projectId: string, request: SecretPageRequest): Promise<Page<Secret>> {
    const { rows } = await this.db.query<Body & { name: string }>(
      `SELECT name, body FROM secrets WHERE project_id = $1 AND ($2::text IS NULL OR name > $2)
         AND ($4::text IS NULL OR (body::jsonb)->'event_subscriptions' ? $4::text)
       ORDER BY name LIMIT $3`,
      [projectId, request.marker ?? null, request.limit + 1, request.eventName ?? null],
    );
    const kept = rows.slice(0, request.limit);
    const page: Page<Secret> = { items: parse<Secret>(kept) };
    const last = kept[kept.length - 1];
    if (rows.length > request.limit && last) page.nextMarker = last.name;
    return page;
  }

  addVersion(
    projectId: string,
    name: string,
    version: NewVersion,
  ): Promise<VersionMetadata | "not_found" | "full"> {
    return this.db.transaction(async (tx) => {
      // The secret's row lock serialises version changes of one secret across replicas.
      const { rows } = await tx.query<Body & { last_version: number }>(
        "SELECT body, last_version FROM secrets WHERE project_id = $1 AND name = $2 FOR UPDATE",
        [projectId, name],
      );
      const row = rows[0];
      if (!row) return "not_found" as const;
      const secret = JSON.parse(row.body) as Secret;
      const existing = await tx.query<VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM secret_versions
         WHERE project_id = $1 AND secret_name = $2 ORDER BY number`,
        [projectId, name],
      );
      const before = existing.rows.map(storedVersion);
      const next = withNewVersion(before, name, secret.kms_key_id, row.last_version + 1, version);
      if (next === "full") return "full" as const;
      for (const v of next.versions) {
        const old = before.find((b) => b.metadata.id === v.metadata.id);
        if (old && old !== v) {
          await tx.query(
            `UPDATE secret_versions SET body = $4
             WHERE project_id = $1 AND secret_name = $2 AND number = $3`,
            [projectId, name, Number(v.metadata.id.slice(1)), JSON.stringify(v.metadata)],
          );
        }
      }
      if (next.removed.length > 0) {
        await tx.query(
          `DELETE FROM secret_versions
           WHERE project_id = $1 AND secret_name = $2 AND number = ANY($3::int[])`,
          [projectId, name, next.removed.map((id) => Number(id.slice(1)))],
        );
      }
      await insertVersion(tx, projectId, name, next.added);
      await tx.query(
        "UPDATE secrets SET last_version = last_version + 1 WHERE project_id = $1 AND name = $2",
        [projectId, name],
      );
      return next.added.metadata;
    });
  }

  async getVersion(
    projectId: string,
    name: string,
    versionId: string,
  ): Promise<SecretVersion | undefined> {
    const number = versionId === "latest" ? undefined : versionNumber(versionId);
    if (versionId !== "latest" && number === undefined) return undefined;
    const { rows } =
      versionId === "latest"
        ? await this.db.query<VersionRow>(
            `SELECT ${VERSION_COLUMNS} FROM secret_versions
             WHERE project_id = $1 AND secret_name = $2
               AND (body::jsonb)->'version_stages' ? 'SYSCURRENT'`,
            [projectId, name],
          )
        : await this.db.query<VersionRow>(
            `SELECT ${VERSION_COLUMNS} FROM secret_versions
             WHERE project_id = $1 AND secret_name = $2 AND number = $3`,
            [projectId, name, number],
          );
    const row = rows[0];
    return row && secretVersionOf(storedVersion(row));
  }

  async pageVersions(
    projectId: string,
    name: string,
    request: PageRequest,
  ): Promise<Page<VersionMetadata> | undefined> {
    if (!(await this.get(projectId, name))) return undefined;
    const after =
      request.marker === undefined ? 0 : (versionNumber(request.marker) ?? MAX_VERSION_NUMBER);
    const { rows } = await this.db.query<Body & { number: number }>(
      `SELECT number, body FROM secret_versions
       WHERE project_id = $1 AND secret_name = $2 AND number > $3 ORDER BY number LIMIT $4`,
      [projectId, name, after, request.limit + 1],
    );
    const kept = rows.slice(0, request.limit);
    const page: Page<VersionMetadata> = { items: parse<VersionMetadata>(kept) };
    const last = kept[kept.length - 1];
    if (rows.length > request.limit && last) page.nextMarker = `v${last.number}`;
    return page;
  }

  setExpiry(
    projectId: string,
    name: string,
    versionId: string,
    expireTime: number,
  ): Promise<VersionMetadata | undefined> {
    const number = versionNumber(versionId);
    if (number === undefined) return Promise.resolve(undefined);
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<Body>(
        `SELECT body FROM secret_versions
         WHERE project_id = $1 AND secret_name = $2 AND number = $3 FOR UPDATE`,
        [projectId, name, number],
      );
      const previous = parse<VersionMetadata>(rows)[0];
      if (!previous) return undefined;
      // Built as the memory store builds it, so both return the same JSON.
      const metadata: VersionMetadata = { ...previous, expire_time: expireTime };
      await tx.query(
        `UPDATE secret_versions SET expire_time = $4, body = $5
         WHERE project_id = $1 AND secret_name = $2 AND number = $3`,
        [projectId, name, number, expireTime, JSON.stringify(metadata)],
      );
      return metadata;
    });
  }

  async takeExpired(now: number, limit: number, wait = false): Promise<DueExpiry[]> {
    const { rows } = await this.db.query<{ project_id: string; version: string; secret: string }>(
      `WITH taken AS (
         UPDATE secret_versions SET expiry_taken = true
         WHERE (project_id, secret_name, number) IN (
           SELECT project_id, secret_name, number FROM secret_versions
           WHERE expire_time IS NOT NULL AND NOT expiry_taken AND expire_time <= $1
           ORDER BY expire_time, project_id COLLATE "C", secret_name COLLATE "C", number
           LIMIT $2 ${lockFor(wait)})
         RETURNING project_id, secret_name, number, expire_time, body)
       SELECT t.project_id, t.body AS version, s.body AS secret
       FROM taken t JOIN secrets s ON s.project_id = t.project_id AND s.name = t.secret_name
       ORDER BY t.expire_time, t.project_id COLLATE "C", t.secret_name COLLATE "C", t.number`,
      [now, limit],
    );
    return rows.map((r) => ({
      projectId: r.project_id,
      secret: JSON.parse(r.secret) as Secret,
      version: JSON.parse(r.version) as VersionMetadata,
    }));
  }

  clear(projectId?: string): Promise<void> {
    return clear(this.db, "secrets", projectId);
  }

  /** The secret's versions and stage moves, under its row lock when `lock` (in `tx`). */
  private async stagesOf(tx: SqlClient, projectId: string, name: string, lock: boolean) {
    const { rows } = await tx.query<Body>(
      `SELECT body FROM secrets WHERE project_id = $1 AND name = $2${lock ? " FOR UPDATE" : ""}`,
      [projectId, name],
    );
    if (rows.length === 0) return undefined;
    const versions = await tx.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM secret_versions
       WHERE project_id = $1 AND secret_name = $2 ORDER BY number`,
      [projectId, name],
    );
    const moves = await tx.query<{ stage: string; version_id: string; update_time: string }>(
      "SELECT stage, version_id, update_time FROM secret_stages WHERE project_id = $1 AND secret_name = $2",
      [projectId, name],
    );
    return {
      versions: versions.rows.map(storedVersion),
      moves: new Map<string, StageMove>(
        moves.rows.map((m) => [m.stage, { versionId: m.version_id, time: Number(m.update_time) }]),
      ),
    };
  }

  /** Writes the bodies of the versions that changed. */
  private async writeVersions(
    tx: SqlClient,
    projectId: string,
    name: string,
    before: readonly StoredVersion[],
    after: readonly StoredVersion[],
  ): Promise<void> {
    for (const [i, v] of after.entries()) {
      if (v === before[i]) continue;
      await tx.query(
        `UPDATE secret_versions SET body = $4
         WHERE project_id = $1 AND secret_name = $2 AND number = $3`,
        [projectId, name, Number(v.metadata.id.slice(1)), JSON.stringify(v.metadata)],
      );
    }
  }

  async getStage(projectId: string, name: string, stage: string): Promise<Stage | undefined> {
    const found = await this.stagesOf(this.db, projectId, name, false);
    return found && stageOf(found.versions, found.moves, name, stage);
  }

  moveStage(
    projectId: string,
    name: string,
    stage: string,
    versionId: string,
    now: number,
  ): Promise<Stage | "not_found" | "version_not_found" | "too_many_stages" | "version_full"> {
    return this.db.transaction(async (tx) => {
      const found = await this.stagesOf(tx, projectId, name, true);
      if (!found) return "not_found" as const;
      const next = withStageMoved(found.versions, stage, versionId, now);
      if (typeof next === "string") return next;
      await this.writeVersions(tx, projectId, name, found.versions, next.versions);
      for (const [s, move] of next.moved) {
        await tx.query(
          `INSERT INTO secret_stages (project_id, secret_name, stage, version_id, update_time)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (project_id, secret_name, stage)
           DO UPDATE SET version_id = EXCLUDED.version_id, update_time = EXCLUDED.update_time`,
          [projectId, name, s, move.versionId, move.time],
        );
      }
      const moves = new Map([...found.moves, ...next.moved]);
      return stageOf(next.versions, moves, name, stage) as Stage;
    });
  }

  deleteStage(projectId: string, name: string, stage: string): Promise<true | "not_found"> {
    return this.db.transaction(async (tx) => {
      const found = await this.stagesOf(tx, projectId, name, true);
      const next = found && withStageDeleted(found.versions, stage);
      if (!found || !next) return "not_found" as const;
      await this.writeVersions(tx, projectId, name, found.versions, next);
      return true as const;
    });
  }

  /** Replaces the secret's body (and its deletion time) with `change(previous)` when allowed. */
  private changeSecret<R extends string>(
    projectId: string,
    name: string,
    change: (previous: Secret) => Secret | R,
  ): Promise<Secret | R | "not_found"> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<Body>(
        "SELECT body FROM secrets WHERE project_id = $1 AND name = $2 FOR UPDATE",
        [projectId, name],
      );
      const previous = parse<Secret>(rows)[0];
      if (!previous) return "not_found" as const;
      const secret = change(previous);
      if (typeof secret === "string") return secret;
      await tx.query(
        `UPDATE secrets SET body = $3, scheduled_delete_time = $4
         WHERE project_id = $1 AND name = $2`,
        [projectId, name, JSON.stringify(secret), secret.scheduled_delete_time ?? null],
      );
      return secret;
    });
  }

  scheduleDeletion(
    projectId: string,
    name: string,
    days: number,
    now: number,
  ): Promise<Secret | "not_found" | "pending"> {
    return this.changeSecret(projectId, name, (previous) =>
      previous.state === "PENDING_DELETE" ? "pending" : scheduledSecret(previous, days, now),
    );
  }

  restore(
    projectId: string,
    name: string,
    now: number,
  ): Promise<Secret | "not_found" | "not_pending"> {
    return this.changeSecret(projectId, name, (previous) =>
      previous.state === "PENDING_DELETE" ? restoredSecret(previous, now) : "not_pending",
    );
  }

  async takeDueDeletions(now: number, limit: number, wait = false): Promise<DueDeletion[]> {
    // One DELETE takes each due secret: a replica that reaches it later finds it gone (or
    // locked: skipped, or waited for and then found gone), so its SECRET_DELETED fires once.
    const { rows } = await this.db.query<{ project_id: string; body: string }>(
      `WITH taken AS (
         DELETE FROM secrets WHERE (project_id, name) IN (
           SELECT project_id, name FROM secrets
           WHERE scheduled_delete_time IS NOT NULL AND scheduled_delete_time <= $1
           ORDER BY scheduled_delete_time, project_id COLLATE "C", name COLLATE "C"
           LIMIT $2 ${lockFor(wait)})
         RETURNING project_id, name, scheduled_delete_time, body)
       SELECT project_id, body FROM taken
       ORDER BY scheduled_delete_time, project_id COLLATE "C", name COLLATE "C"`,
      [now, limit],
    );
    return rows.map((r) => ({ projectId: r.project_id, secret: JSON.parse(r.body) as Secret }));
  }
}

/** Trace list filters as JSON paths into the stored trace. */
const TRACE_FILTER_PATHS: Record<string, string> = {
  service_type: "body->>'service_type'",
  resource_type: "body->>'resource_type'",
  resource_id: "body->>'resource_id'",
  resource_name: "body->>'resource_name'",
  trace_name: "body->>'trace_name'",
  trace_rating: "body->>'trace_rating'",
  user: "body->'user'->>'name'",
  access_key_id: "body->'user'->>'access_key_id'",
  enterprise_project_id: "body->>'enterprise_project_id'",
};

/**
 * Traces in `seq` order per project. An append is one INSERT, with no lock: concurrent writes
 * to one project do not wait for each other. The cap is kept in two halves: every read sees only
 * the project's newest `maxPerProject` (`VISIBLE`), and every `trimEvery`th append of a project
 * (counted in this process) deletes the older ones once its write is kept, so a project holds at
 * most `maxPerProject` plus a batch per replica, and no write scans the project's traces.
 */
class SqlTraceRepository implements TraceRepository {
  private readonly maxPerProject: number;
  private readonly trimEvery: number;
  /** Appends per project since its last trim, by this process. */
  private readonly appended = new Map<string, number>();

  constructor(
    private readonly db: SqlDatabase,
    cap: TraceCap = {},
  ) {
    this.maxPerProject = cap.maxPerProject ?? MAX_TRACES_PER_PROJECT;
    this.trimEvery = cap.trimEvery ?? Math.max(1, Math.ceil(this.maxPerProject / 100));
  }

  /** `seq` of the oldest trace a read may see, `$1` the project (one index-only read of the cap). */
  private get visible(): string {
    return `seq > COALESCE((SELECT seq FROM traces WHERE project_id = $1
      ORDER BY seq DESC OFFSET ${this.maxPerProject} LIMIT 1), 0)`;
  }

  async append(projectId: string, trace: Trace): Promise<void> {
    await this.db.query(
      "INSERT INTO traces (project_id, trace_id, time, body) VALUES ($1, $2, $3, $4::jsonb)",
      [projectId, trace.trace_id, trace.time, JSON.stringify(trace)],
    );
    const count = (this.appended.get(projectId) ?? 0) + 1;
    if (count < this.trimEvery) {
      this.appended.set(projectId, count);
      return;
    }
    this.appended.delete(projectId);
    // After the write's transaction, so that it holds no row of the project meanwhile; rows
    // another trim holds are skipped (that trim deletes them), so trims never wait or deadlock.
    await afterCommit(async () => {
      await this.db.query(
        `DELETE FROM traces WHERE project_id = $1 AND seq IN (
           SELECT seq FROM traces WHERE project_id = $1 AND NOT (${this.visible})
           FOR UPDATE SKIP LOCKED)`,
        [projectId],
      );
    });
  }

  async get(projectId: string, traceId: string): Promise<Trace | undefined> {
    const { rows } = await this.db.query<{ body: Trace }>(
      `SELECT body FROM traces WHERE project_id = $1 AND trace_id = $2 AND ${this.visible}`,
      [projectId, traceId],
    );
    return rows[0]?.body;
  }

  async list(projectId: string, request: TraceListRequest): Promise<Page<Trace> | undefined> {
    const params: unknown[] = [projectId, request.since, request.until];
    const where = ["project_id = $1", "time > $2", "time <= $3", this.visible];
    if (request.next !== undefined) {
      const { rows } = await this.db.query<{ seq: string }>(
        `SELECT seq::text AS seq FROM traces WHERE project_id = $1 AND trace_id = $2 AND ${this.visible}`,
        [projectId, request.next],
      );
      if (!rows[0]) return undefined;
      params.push(rows[0].seq);
      where.push(`seq < $${params.length}::bigint`);
    }
    for (const [key, value] of Object.entries(request.filter)) {
      const path = TRACE_FILTER_PATHS[key];
      if (value === undefined || !path) continue;
      params.push(value);
      where.push(`${path} = $${params.length}`);
    }
    params.push(request.limit + 1);
    const { rows } = await this.db.query<{ body: Trace }>(
      `SELECT body FROM traces WHERE ${where.join(" AND ")} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, request.limit).map((r) => r.body);
    const page: Page<Trace> = { items };
    const last = items[items.length - 1];
    if (rows.length > request.limit && last) page.nextMarker = last.trace_id;
    return page;
  }

  clear(projectId?: string): Promise<void> {
    if (projectId === undefined) this.appended.clear();
    else this.appended.delete(projectId);
    return clear(this.db, "traces", projectId);
  }
}

interface OpenTransaction {
  client: SqlClient;
  open: boolean;
  savepoints: number;
}

/**
 * The database as the repositories see it, joined to the write in progress: inside
 * `Store.transaction` every statement the write makes (in its async context) runs in that one
 * database transaction, and a repository's own transaction becomes a savepoint in it. Work the
 * write leaves running after it ends uses the database as usual.
 */
function ambient(db: SqlDatabase): { db: SqlDatabase; transaction: Store["transaction"] } {
  const current = new AsyncLocalStorage<OpenTransaction>();
  const open = () => {
    const tx = current.getStore();
    return tx?.open ? tx : undefined;
  };
  const joined: SqlDatabase = {
    query: (text, params) => (open()?.client ?? db).query(text, params),
    exec: (script) => (open()?.client ?? db).exec(script),
    async transaction(fn) {
      const tx = open();
      if (!tx) return db.transaction(fn);
      const savepoint = `repository_${++tx.savepoints}`;
      await tx.client.query(`SAVEPOINT ${savepoint}`);
      try {
        const result = await fn(tx.client);
        await tx.client.query(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (err) {
        await tx.client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
        throw err;
      }
    },
    close: () => db.close(),
  };
  const transaction = <T>(fn: () => Promise<T>): Promise<T> =>
    // withUndo as well: caches of the rows (the matching index) forget what a rollback undid.
    withUndo(() =>
      db.transaction(async (client) => {
        const tx: OpenTransaction = { client, open: true, savepoints: 0 };
        try {
          return await current.run(tx, fn);
        } finally {
          tx.open = false;
        }
      }),
    );
  return { db: joined, transaction };
}

/**
 * `processLocal`: this process is the database's only writer (PGlite, whose data dir one server
 * holds), so caches of its rows, such as the event engine's matching index and the admin state
 * read by every request, stay true.
 */
export function createSqlStore(
  database: SqlDatabase,
  { processLocal = false, traceCap = {} as TraceCap } = {},
): Store {
  const { db, transaction } = ambient(database);
  return {
    processLocal,
    transaction,
    admin: processLocal
      ? processLocalAdminState(new SqlAdminStateRepository(db))
      : new SqlAdminStateRepository(db),
    notifications: new SqlNotificationRepository(db),
    secretEvents: new SqlSecretEventRepository(db),
    notificationRecords: new SqlNotificationRecordRepository(db),
    secrets: new SqlSecretRepository(db),
    traces: new SqlTraceRepository(db, traceCap),
    rotations: new SqlRotationRepository(db),
    deliveries: new SqlDeliveryRepository(db),
    deliveryWaits: new SqlDeliveryWaitRepository(db),
    close: () => db.close(),
  };
}
