/**
 * What waits on deliveries' outcomes (a secret event's notification record, a rotation
 * function's task) is finished by the replica that settles a wait's last delivery, whichever
 * that is: the wait is taken from the store (`Store.deliveryWaits`) and its work done in one
 * transaction, so the work is done once, and not at all by a replica that dies half way.
 */
import type { Logger } from "pino";
import { inTransaction } from "../store/transaction.js";
import type { DeliveryWaitKind, SettledWait, Store } from "../store/types.js";
import type { Delivery } from "./delivery.js";
import { targetKind } from "./sinks.js";

export interface WaitsOptions {
  store: Pick<Store, "deliveryWaits" | "transaction">;
  /**
   * Registers for each delivery's final outcome, on the replica that settled it; what the
   * listener returns is awaited before the outcome is stored, so a flush through any replica
   * also waits for the wait's work.
   */
  onDeliverySettled(listener: (delivery: Delivery) => void | Promise<void>): void;
  /** The kind of wait this waiter finishes. */
  kind: DeliveryWaitKind;
  /**
   * The sinks its waits' deliveries go to: SMN topics (a secret event) or functions (a rotation).
   * Other deliveries, and a key event notification's (it has a trace), cost no store call.
   */
  target: "smn" | "function";
  /** The waiter's work, once all of a wait's deliveries have their outcome. */
  finish(wait: SettledWait): Promise<void>;
  logger?: Pick<Logger, "warn">;
  /** Runs work no request asks for (`--deterministic` on a shared database keeps its counters around it). */
  background?: <T>(work: () => Promise<T>) => Promise<T>;
}

/** Finishes waits as their deliveries settle; `settled` resolves once those so far are done. */
export function finishWaits(options: WaitsOptions): { settled(): Promise<void> } {
  const { store, kind, target, finish, logger } = options;
  const running = new Set<Promise<void>>();
  options.onDeliverySettled((delivery) => {
    if (delivery.trace_id !== undefined || targetKind(delivery.target) !== target) return;
    const run = async () => {
      const wait = await store.deliveryWaits.settle(delivery);
      if (wait?.kind === kind) await finish(wait);
    };
    const inStore = () => inTransaction(store.transaction, run);
    const done = (options.background ?? ((work) => work()))(inStore).catch((err: Error) => {
      logger?.warn(
        { delivery_id: delivery.delivery_id, project_id: delivery.project_id, err: err.message },
        "outcome of a delivery not recorded",
      );
    });
    running.add(done);
    void done.finally(() => running.delete(done));
    return done;
  });
  return {
    async settled() {
      await Promise.all([...running]);
    },
  };
}
