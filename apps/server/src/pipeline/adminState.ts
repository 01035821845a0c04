/**
 * Stage 2½ (after routing): the request's one read of the admin state that replicas share
 * (`Store.admin`; one query on SQL, none in memory). This replica's clock takes on the offset
 * `POST /_admin/clock` gave it, on whichever replica, before anything reads the time; the live
 * request fault rules go to the faults stage.
 */
import type { RequestHandler } from "express";
import type { ServerClock } from "../operation.js";
import type { AdminStateRepository, RequestAdminState } from "../store/types.js";

/** Operations that read no state: the health check answers while the database is away. */
const STATELESS = new Set(["getHealth"]);

export function adminState(store: AdminStateRepository, clock: ServerClock): RequestHandler {
  return (_req, res, next) => {
    if (STATELESS.has(res.locals.route?.op.operationId ?? "")) {
      next();
      return;
    }
    const take = (state: RequestAdminState) => {
      clock.sync(state.clockOffsetMs);
      res.locals.faultRules = state.requestRules;
      next();
    };
    const read = store.requestState();
    // The in-memory store answers at once: no turn of the event loop for it.
    if (read instanceof Promise) read.then(take, next);
    else take(read);
  };
}
