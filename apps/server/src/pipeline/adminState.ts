/**
 * Stage 2½ (after routing): the request's one read of the admin state that replicas share
 * (`Store.admin`; one query on SQL, none in memory). This replica's clock takes on the offset
 * `POST /_admin/clock` gave it, on whichever replica, before anything reads the time; the live
 * request fault rules go to the faults stage. With `--deterministic` on a shared database, the
 * clock's reads and the ids' numbers are taken on here too, and kept before the answer goes out
 * (sharedCounters.ts).
 */
import type { RequestHandler } from "express";
import { syntheticPurpose } from "../inject.js";
import type { ServerClock } from "../operation.js";
import type { SharedCounters } from "../sharedCounters.js";
import type { AdminStateRepository, RequestAdminState } from "../store/types.js";

/** Operations that read no state: the health check answers while the database is away. */
const STATELESS = new Set(["getHealth"]);

export function adminState(
  store: AdminStateRepository,
  clock: ServerClock,
  counters?: SharedCounters,
  /** Whether start-up's boot check is over (the server is ready). */
  ready: () => boolean = () => true,
): RequestHandler {
  return (req, res, next) => {
    // The boot check's requests, before the server is ready, read no state: they check
    // validation, which must not wait on the database, and no fault rule applies to them. (The
    // warm-up after it comes through here: with --deterministic's shared counters it takes on
    // and keeps the ids it uses, as a request does.)
    const booting = syntheticPurpose(req) !== undefined && !ready();
    if (STATELESS.has(res.locals.route?.op.operationId ?? "") || booting) {
      next();
      return;
    }
    const take = (state: RequestAdminState) => {
      clock.sync(state.clockOffsetMs, state.clockResets);
      res.locals.faultRules = state.requestRules;
      if (counters) {
        counters.take(state.counters);
        // Every answer is sent through `end`, after the trace's recording (installed later, so
        // it runs first): hold it until the counters are kept.
        const end = res.end;
        res.end = ((...args: unknown[]) => {
          res.end = end;
          void counters.keep().finally(() => {
            if (!res.writableEnded) Reflect.apply(end, res, args);
          });
          return res;
        }) as typeof res.end;
      }
      next();
    };
    const read = store.requestState();
    // The in-memory store answers at once: no turn of the event loop for it.
    if (read instanceof Promise) read.then(take, next);
    else take(read);
  };
}
