/**
 * One write operation as one unit: `withUndo` runs it, and when it throws, every undo step
 * registered while it ran (`onRollback`) runs, newest first. The in-memory store registers the
 * inverse of each change it makes, and caches of a store's rows (the event engine's matching
 * index) register forgetting what they learnt, so a write that is refused after it reached the
 * store (its response failed validation) leaves nothing behind. The SQL store adds a database
 * transaction around the same unit (store/sql/store.ts).
 *
 * The unit follows the async context (AsyncLocalStorage): only the calls the write makes itself
 * register, never those of requests served meanwhile.
 */
import { AsyncLocalStorage } from "node:async_hooks";

interface Unit {
  undo: (() => void)[];
  after: (() => Promise<void>)[];
  open: boolean;
}

const current = new AsyncLocalStorage<Unit>();

/** Runs `fn` as one write; when it throws, its changes are undone and the error rethrown. */
export async function withUndo<T>(fn: () => Promise<T>): Promise<T> {
  const unit: Unit = { undo: [], after: [], open: true };
  let result: T;
  try {
    result = await current.run(unit, fn);
  } catch (err) {
    for (const step of unit.undo.reverse()) step();
    throw err;
  } finally {
    // Work the write started and left running (a delivery) no longer belongs to it.
    unit.open = false;
  }
  for (const task of unit.after) await task();
  return result;
}

/**
 * Runs `task` once the write in progress is kept (at once outside a write): what a write sets
 * off beyond its transaction (a stored delivery's first attempt, a trim) happens only for a
 * write that stays. The write's caller waits for it before answering.
 */
export function afterCommit(task: () => Promise<void>): Promise<void> {
  const unit = current.getStore();
  if (!unit?.open) return task();
  unit.after.push(task);
  return Promise.resolve();
}

/** Registers the inverse of a change just made, when a write is in progress. */
export function onRollback(step: () => void): void {
  const unit = current.getStore();
  if (unit?.open) unit.undo.push(step);
}

/**
 * Runs `fn` in the write in progress (joined, not nested), or else as a write of its own through
 * `transaction` (a store's; without one, as it is).
 */
export function inTransaction<T>(
  transaction: (<U>(fn: () => Promise<U>) => Promise<U>) | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  return transaction && !inWrite() ? transaction(fn) : fn();
}

/** Whether a write is in progress in this async context (its changes are not kept yet). */
export function inWrite(): boolean {
  return current.getStore()?.open === true;
}
