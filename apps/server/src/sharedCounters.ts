/**
 * `--deterministic` as one server across replicas on one database. The clock's reads and the
 * numbers of the sequential ids are kept in the store (`Store.admin`, beside the clock's offset):
 * each unit of work takes them on as it starts (a request, with its one read of the admin state;
 * work no request asks for: what a settled delivery sets off) and keeps them as it ends (a
 * request before its answer is sent). A replica runs no periodic sweep in this mode (app.ts): a
 * clock move sweeps what it made due. Requests sent one at a time then see one sequence of ids
 * and times, whichever replica serves each. Requests served at the same time by different
 * replicas get no order: they may be given the same ids. A store that one process alone writes
 * to (memory, PGlite) needs none of this: its counters are that process's.
 */
import type { Logger } from "pino";
import type { ServerClock } from "./operation.js";
import type { DeterministicCounterSource } from "./options.js";
import type { AdminStateRepository, DeterministicCounters, StoredCounters } from "./store/types.js";

export interface SharedCounters {
  /**
   * Takes on the stored counters when they are newer than the ones this replica last took or
   * kept (its own may have moved on since; a read made before its last keep is older), unless
   * it is keeping its own.
   */
  take(stored: StoredCounters): void;
  /**
   * Keeps this replica's counters in the store, if they moved since it last took or kept them
   * (a store that fails is logged: the answer goes out all the same).
   */
  keep(): Promise<void>;
  /** Runs `work` between a read of the admin state (clock and counters) and keeping them. */
  around<T>(work: () => Promise<T>): Promise<T>;
}

const same = (a: DeterministicCounters, b: DeterministicCounters) =>
  a.clockReads === b.clockReads &&
  a.ids === b.ids &&
  a.eventIds === b.eventIds &&
  a.messageIds === b.messageIds;

export function sharedCounters(
  source: DeterministicCounterSource,
  admin: Pick<AdminStateRepository, "keepCounters" | "requestState">,
  clock: ServerClock,
  logger: Pick<Logger, "warn">,
): SharedCounters {
  /** The stored version this replica's counters continue (versions only grow); -1 before the first. */
  let version = -1;
  let synced: DeterministicCounters | undefined;
  let keeping: Promise<void> = Promise.resolve();
  let unkept = 0;
  const keep = () => {
    unkept++;
    keeping = keeping
      .then(async () => {
        const counters = source.get();
        if (synced && same(counters, synced)) return;
        version = await admin.keepCounters(counters);
        synced = counters;
      })
      .catch((err: Error) => logger.warn({ err: err.message }, "deterministic counters not kept"))
      .finally(() => {
        unkept--;
      });
    return keeping;
  };
  const take = (stored: StoredCounters) => {
    if (unkept > 0 || stored.version <= version) return;
    const { clockReads, ids, eventIds, messageIds } = stored;
    synced = { clockReads, ids, eventIds, messageIds };
    source.set(synced);
    version = stored.version;
  };
  return {
    take,
    keep,
    async around(work) {
      const state = await admin.requestState();
      // The offset first: a smaller one (a full reset) restarts the clock, reads included.
      clock.sync(state.clockOffsetMs, state.clockResets);
      take(state.counters);
      try {
        return await work();
      } finally {
        await keep();
      }
    },
  };
}
