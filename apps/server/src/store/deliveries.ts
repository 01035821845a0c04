/**
 * The delivery log and queue in memory. The SQL store keeps the same in its `deliveries` table
 * (sql/deliveries.ts); both follow the rules of `DeliveryRepository` (types.ts), so the delivery
 * engine (events/delivery.ts) behaves alike on every store.
 */
import { onRollback } from "./transaction.js";
import type { Delivery, DeliveryHold, DeliveryRepository, HeldDelivery } from "./types.js";

interface Row {
  delivery: Delivery;
  owner?: string | undefined;
  leaseUntil?: number | undefined;
  dueAt?: number | undefined;
  inFlight: boolean;
}

const copy = (d: Delivery): Delivery => ({ ...d, headers: { ...d.headers } });

/** What a project's log shows: its newest `logLimit` rows and any older pending one. */
export function shownInLog<T>(
  rows: readonly T[],
  logLimit: number,
  pending: (row: T) => boolean,
): T[] {
  const from = Math.max(0, rows.length - logLimit);
  return rows.filter((row, i) => i >= from || pending(row));
}

export class MemoryDeliveryRepository implements DeliveryRepository {
  private readonly byProject = new Map<string, Row[]>();
  private readonly byId = new Map<string, Row>();
  /** Pending rows in the order they were logged (oldest first). */
  private readonly pending = new Set<Row>();

  insert(
    delivery: Delivery,
    hold: DeliveryHold | undefined,
    logLimit: number,
    maxPending = Number.POSITIVE_INFINITY,
  ): boolean {
    const pending = delivery.status === "pending";
    if (pending && this.pending.size >= maxPending) return false;
    const row: Row = { delivery: copy(delivery), inFlight: false };
    if (pending && hold) {
      row.owner = hold.owner;
      row.leaseUntil = hold.leaseUntil;
      row.dueAt = hold.dueAt;
      this.pending.add(row);
    }
    let rows = this.byProject.get(delivery.project_id);
    if (!rows) {
      rows = [];
      this.byProject.set(delivery.project_id, rows);
    }
    rows.push(row);
    this.byId.set(delivery.delivery_id, row);
    onRollback(() => this.remove(row));
    if (rows.length > logLimit) {
      const from = rows.length - logLimit;
      const kept = rows.filter((r, i) => {
        const keep = i >= from || this.pending.has(r);
        if (!keep) this.byId.delete(r.delivery.delivery_id);
        return keep;
      });
      this.byProject.set(delivery.project_id, kept);
    }
    return true;
  }

  private remove(row: Row): void {
    const rows = this.byProject.get(row.delivery.project_id);
    const i = rows?.indexOf(row) ?? -1;
    if (rows && i >= 0) rows.splice(i, 1);
    this.byId.delete(row.delivery.delivery_id);
    this.pending.delete(row);
  }

  list(projectId: string, logLimit: number): Delivery[] {
    return shownInLog(this.byProject.get(projectId) ?? [], logLimit, (r) =>
      this.pending.has(r),
    ).map((r) => copy(r.delivery));
  }

  private held(deliveryId: string, owner: string): Row | undefined {
    const row = this.byId.get(deliveryId);
    return row && this.pending.has(row) && row.owner === owner ? row : undefined;
  }

  start(delivery: Delivery, owner: string, leaseUntil: number): boolean {
    const row = this.held(delivery.delivery_id, owner);
    if (!row) return false;
    row.delivery = copy(delivery);
    row.inFlight = true;
    row.leaseUntil = leaseUntil;
    return true;
  }

  record(delivery: Delivery, owner: string, dueAt: number | undefined): boolean {
    const row = this.held(delivery.delivery_id, owner);
    if (!row) return false;
    row.delivery = copy(delivery);
    row.inFlight = false;
    if (delivery.status === "pending") row.dueAt = dueAt;
    else {
      this.pending.delete(row);
      row.owner = undefined;
      row.leaseUntil = undefined;
      row.dueAt = undefined;
    }
    return true;
  }

  renew(owner: string, leaseUntil: number): void {
    for (const row of this.pending) if (row.owner === owner) row.leaseUntil = leaseUntil;
  }

  release(owner: string): void {
    for (const row of this.pending) {
      if (row.owner !== owner) continue;
      row.leaseUntil = 0;
      row.inFlight = false;
    }
  }

  takeOver(owner: string, now: number, leaseUntil: number, limit: number): HeldDelivery[] {
    const taken: HeldDelivery[] = [];
    for (const row of this.pending) {
      if (taken.length >= limit) break;
      if ((row.leaseUntil ?? 0) >= now) continue;
      row.owner = owner;
      row.leaseUntil = leaseUntil;
      row.inFlight = false;
      taken.push({ delivery: copy(row.delivery), dueAt: row.dueAt ?? now });
    }
    return taken;
  }

  pendingCount(): number {
    return this.pending.size;
  }

  dropOldest(error: string, updatedTime: number): Delivery | undefined {
    for (const row of this.pending) {
      if (row.inFlight) continue;
      const d = row.delivery;
      d.status = "failed";
      d.error = error;
      d.updated_time = updatedTime;
      delete d.next_attempt_time;
      this.pending.delete(row);
      row.owner = undefined;
      return copy(d);
    }
    return undefined;
  }

  anyDue(time: number, projectId?: string): boolean {
    for (const row of this.pending) {
      if (projectId !== undefined && row.delivery.project_id !== projectId) continue;
      if (row.inFlight || (row.dueAt ?? 0) <= time) return true;
    }
    return false;
  }

  clear(projectId?: string): void {
    for (const [project, rows] of this.byProject) {
      if (projectId !== undefined && project !== projectId) continue;
      for (const row of rows) {
        this.pending.delete(row);
        this.byId.delete(row.delivery.delivery_id);
      }
      this.byProject.delete(project);
    }
  }
}
