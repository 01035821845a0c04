/**
 * Waits on deliveries' outcomes in memory. The SQL store keeps the same in its `delivery_waits`
 * tables (sql/deliveryWaits.ts); both follow the rules of `DeliveryWaitRepository` (types.ts).
 */
import { onRollback } from "./transaction.js";
import type {
  Delivery,
  DeliveryFailure,
  DeliveryWait,
  DeliveryWaitRepository,
  SettledWait,
} from "./types.js";

interface Entry {
  wait: DeliveryWait;
  open: Set<string>;
  attempts: number;
  failure?: DeliveryFailure;
}

/** The failure a settled delivery stands for, if it failed. */
export function failureOf(delivery: Delivery): DeliveryFailure | undefined {
  if (delivery.status === "delivered") return undefined;
  return {
    status: delivery.status,
    ...(delivery.response_status !== undefined && { response_status: delivery.response_status }),
    ...(delivery.error !== undefined && { error: delivery.error }),
  };
}

export class MemoryDeliveryWaitRepository implements DeliveryWaitRepository {
  private readonly waits = new Map<string, Entry>();
  /** The wait each open delivery counts for. */
  private readonly byDelivery = new Map<string, Entry>();

  add(wait: DeliveryWait, deliveryIds: readonly string[], failure?: DeliveryFailure): void {
    const entry: Entry = { wait, open: new Set(deliveryIds), attempts: 0 };
    if (failure) entry.failure = failure;
    this.waits.set(wait.waitId, entry);
    for (const id of deliveryIds) this.byDelivery.set(id, entry);
    onRollback(() => this.remove(entry));
  }

  private remove(entry: Entry): void {
    if (this.waits.get(entry.wait.waitId) === entry) this.waits.delete(entry.wait.waitId);
    for (const id of entry.open) if (this.byDelivery.get(id) === entry) this.byDelivery.delete(id);
  }

  settle(delivery: Delivery): SettledWait | undefined {
    const id = delivery.delivery_id;
    const entry = this.byDelivery.get(id);
    if (!entry) return undefined;
    const before = { attempts: entry.attempts, failure: entry.failure };
    this.byDelivery.delete(id);
    entry.open.delete(id);
    entry.attempts = Math.max(entry.attempts, delivery.attempts);
    entry.failure ??= failureOf(delivery);
    const last = entry.open.size === 0;
    if (last) this.waits.delete(entry.wait.waitId);
    // The waiter's work failed: the delivery counts again, for a later settle.
    onRollback(() => {
      entry.open.add(id);
      this.byDelivery.set(id, entry);
      entry.attempts = before.attempts;
      if (before.failure) entry.failure = before.failure;
      else delete entry.failure;
      if (last) this.waits.set(entry.wait.waitId, entry);
    });
    if (!last) return undefined;
    const settled: SettledWait = { ...entry.wait, attempts: entry.attempts };
    if (entry.failure) settled.failure = entry.failure;
    return settled;
  }

  clear(projectId?: string): void {
    for (const entry of [...this.waits.values()]) {
      if (projectId === undefined || entry.wait.projectId === projectId) this.remove(entry);
    }
  }
}
