/**
 * Waits on deliveries' outcomes on PGlite or PostgreSQL (the memory one: `../deliveryWaits.ts`),
 * in the `delivery_waits` and `delivery_wait_members` tables (migration 009). A settled delivery
 * deletes its member row and counts down its wait in one statement; concurrent settles of one
 * wait's deliveries on several replicas queue on the wait's row, so exactly one sees it reach 0.
 */
import { failureOf } from "../deliveryWaits.js";
import type {
  Delivery,
  DeliveryFailure,
  DeliveryWait,
  DeliveryWaitKind,
  DeliveryWaitRepository,
  SettledWait,
} from "../types.js";
import type { SqlDatabase } from "./driver.js";

interface Row {
  wait_id: string;
  project_id: string;
  kind: DeliveryWaitKind;
  body: string;
  open: number;
  attempts: number;
  failure: string | null;
}

export class SqlDeliveryWaitRepository implements DeliveryWaitRepository {
  constructor(private readonly db: SqlDatabase) {}

  async add(
    wait: DeliveryWait,
    deliveryIds: readonly string[],
    failure?: DeliveryFailure,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO delivery_waits (wait_id, project_id, kind, body, open, failure)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          wait.waitId,
          wait.projectId,
          wait.kind,
          JSON.stringify(wait.body),
          deliveryIds.length,
          failure ? JSON.stringify(failure) : null,
        ],
      );
      await tx.query(
        `INSERT INTO delivery_wait_members (delivery_id, wait_id)
         SELECT id, $2 FROM unnest($1::text[]) AS id`,
        [deliveryIds, wait.waitId],
      );
    });
  }

  async settle(delivery: Delivery): Promise<SettledWait | undefined> {
    const failure = failureOf(delivery);
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<Row>(
        `WITH gone AS (DELETE FROM delivery_wait_members WHERE delivery_id = $1 RETURNING wait_id)
         UPDATE delivery_waits w SET open = w.open - 1,
           attempts = GREATEST(w.attempts, $2::int), failure = COALESCE(w.failure, $3)
         FROM gone WHERE w.wait_id = gone.wait_id
         RETURNING w.wait_id, w.project_id, w.kind, w.body, w.open, w.attempts, w.failure`,
        [delivery.delivery_id, delivery.attempts, failure ? JSON.stringify(failure) : null],
      );
      const row = rows[0];
      if (!row || Number(row.open) > 0) return undefined;
      await tx.query("DELETE FROM delivery_waits WHERE wait_id = $1", [row.wait_id]);
      const settled: SettledWait = {
        waitId: row.wait_id,
        projectId: row.project_id,
        kind: row.kind,
        body: JSON.parse(row.body),
        attempts: Number(row.attempts),
      };
      if (row.failure !== null) settled.failure = JSON.parse(row.failure) as DeliveryFailure;
      return settled;
    });
  }

  async clear(projectId?: string): Promise<void> {
    if (projectId === undefined) await this.db.query("DELETE FROM delivery_waits");
    else await this.db.query("DELETE FROM delivery_waits WHERE project_id = $1", [projectId]);
  }
}
