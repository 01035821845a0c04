/**
 * The delivery log and queue on PGlite or PostgreSQL (the memory one: `../deliveries.ts`), in the
 * `deliveries` table (migration 007). Only the replica holding a pending delivery writes its
 * record, in single UPDATEs guarded by `owner` and `status`, so a replica that lost a delivery
 * (taken over, dropped, cleared) changes nothing. Take-overs claim rows with `FOR UPDATE SKIP
 * LOCKED`: each expired lease goes to one replica. Plain SQL rather than a job-queue library
 * (pg-boss, graphile-worker): those need a real PostgreSQL connection (LISTEN/NOTIFY, their own
 * schema and workers) and do not run on PGlite, and the log's shape is the admin API's.
 */
import { afterCommit } from "../transaction.js";
import type { Delivery, DeliveryHold, DeliveryRepository, HeldDelivery } from "../types.js";
import type { SqlDatabase } from "./driver.js";

type Body = { body: string };

/** `seq` of the oldest delivery the project's log shows whatever its status; `$1` the project, `$2` the limit. */
const LOG_START = `COALESCE((SELECT seq FROM deliveries WHERE project_id = $1
  ORDER BY seq DESC OFFSET $2::int - 1 LIMIT 1), 0)`;

export class SqlDeliveryRepository implements DeliveryRepository {
  /** Inserts per project since its last trim, by this process. */
  private readonly inserted = new Map<string, number>();

  constructor(private readonly db: SqlDatabase) {}

  async insert(
    delivery: Delivery,
    hold: DeliveryHold | undefined,
    logLimit: number,
    maxPending?: number,
  ): Promise<boolean> {
    const held = delivery.status === "pending" ? hold : undefined;
    const bound =
      delivery.status === "pending" && maxPending !== undefined && Number.isFinite(maxPending)
        ? maxPending
        : null;
    // The queue's bound in the same statement: one round trip per delivery.
    const { rows } = await this.db.query(
      `INSERT INTO deliveries (delivery_id, project_id, status, owner, lease_until, due_at, body)
       SELECT $1, $2, $3, $4, $5::bigint, $6::bigint, $7
       WHERE $8::int IS NULL
         OR (SELECT count(*) FROM deliveries WHERE status = 'pending') < $8::int
       RETURNING 1`,
      [
        delivery.delivery_id,
        delivery.project_id,
        delivery.status,
        held?.owner ?? null,
        held?.leaseUntil ?? null,
        held?.dueAt ?? null,
        JSON.stringify(delivery),
        bound,
      ],
    );
    if (rows.length === 0) return false;
    // Reads show the newest `logLimit` whatever is stored; older finished ones are deleted in
    // batches (a tenth of the limit), after the write, without a scan per insert.
    const project = delivery.project_id;
    const count = (this.inserted.get(project) ?? 0) + 1;
    if (count < Math.max(1, Math.ceil(logLimit / 10))) {
      this.inserted.set(project, count);
      return true;
    }
    this.inserted.delete(project);
    await afterCommit(async () => {
      await this.db.query(
        `DELETE FROM deliveries WHERE project_id = $1 AND status <> 'pending' AND seq < ${LOG_START}`,
        [project, logLimit],
      );
    });
    return true;
  }

  async list(projectId: string, logLimit: number): Promise<Delivery[]> {
    const { rows } = await this.db.query<Body>(
      `SELECT body FROM deliveries
       WHERE project_id = $1 AND (status = 'pending' OR seq >= ${LOG_START})
       ORDER BY seq`,
      [projectId, logLimit],
    );
    return rows.map((r) => JSON.parse(r.body) as Delivery);
  }

  async start(delivery: Delivery, owner: string, leaseUntil: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE deliveries SET body = $3, in_flight = true, lease_until = $4
       WHERE delivery_id = $1 AND owner = $2 AND status = 'pending' RETURNING 1`,
      [delivery.delivery_id, owner, JSON.stringify(delivery), leaseUntil],
    );
    return rows.length === 1;
  }

  async record(delivery: Delivery, owner: string, dueAt: number | undefined): Promise<boolean> {
    const pending = delivery.status === "pending";
    const { rows } = await this.db.query(
      `UPDATE deliveries SET body = $3, status = $4, in_flight = false, due_at = $5,
         owner = CASE WHEN $4 = 'pending' THEN owner END,
         lease_until = CASE WHEN $4 = 'pending' THEN lease_until END
       WHERE delivery_id = $1 AND owner = $2 AND status = 'pending' RETURNING 1`,
      [
        delivery.delivery_id,
        owner,
        JSON.stringify(delivery),
        delivery.status,
        pending ? (dueAt ?? null) : null,
      ],
    );
    return rows.length === 1;
  }

  async renew(owner: string, leaseUntil: number): Promise<void> {
    await this.db.query(
      "UPDATE deliveries SET lease_until = $2 WHERE owner = $1 AND status = 'pending'",
      [owner, leaseUntil],
    );
  }

  async release(owner: string): Promise<void> {
    await this.db.query(
      `UPDATE deliveries SET lease_until = 0, in_flight = false
       WHERE owner = $1 AND status = 'pending'`,
      [owner],
    );
  }

  async takeOver(
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<HeldDelivery[]> {
    const { rows } = await this.db.query<{ seq: string; due_at: string | null; body: string }>(
      `UPDATE deliveries SET owner = $1, lease_until = $3, in_flight = false
       WHERE seq IN (
         SELECT seq FROM deliveries
         WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < $2)
         ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING seq::text AS seq, due_at::text AS due_at, body`,
      [owner, now, leaseUntil, limit],
    );
    return rows
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map((r) => ({
        delivery: JSON.parse(r.body) as Delivery,
        dueAt: r.due_at === null ? now : Number(r.due_at),
      }));
  }

  async pendingCount(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM deliveries WHERE status = 'pending'",
    );
    return Number(rows[0]?.n ?? 0);
  }

  dropOldest(error: string, updatedTime: number): Promise<Delivery | undefined> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ seq: string; body: string }>(
        `SELECT seq::text AS seq, body FROM deliveries
         WHERE status = 'pending' AND NOT in_flight
         ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
      );
      const row = rows[0];
      if (!row) return undefined;
      const d = JSON.parse(row.body) as Delivery;
      d.status = "failed";
      d.error = error;
      d.updated_time = updatedTime;
      delete d.next_attempt_time;
      await tx.query(
        `UPDATE deliveries SET status = 'failed', owner = NULL, lease_until = NULL, body = $2
         WHERE seq = $1`,
        [row.seq, JSON.stringify(d)],
      );
      return d;
    });
  }

  async anyDue(time: number, projectId?: string): Promise<boolean> {
    const { rows } = await this.db.query(
      `SELECT 1 FROM deliveries WHERE status = 'pending' AND (in_flight OR due_at <= $1)
       ${projectId === undefined ? "" : "AND project_id = $2"} LIMIT 1`,
      projectId === undefined ? [time] : [time, projectId],
    );
    return rows.length > 0;
  }

  async clear(projectId?: string): Promise<void> {
    if (projectId === undefined) {
      this.inserted.clear();
      await this.db.query("DELETE FROM deliveries");
    } else {
      this.inserted.delete(projectId);
      await this.db.query("DELETE FROM deliveries WHERE project_id = $1", [projectId]);
    }
  }
}
