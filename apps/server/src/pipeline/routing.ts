/**
 * Stage 1: route matching against the spec's paths (compiled once): unknown path → 404, wrong
 * method → 405 with `Allow`. Client requests that arrive before start-up has finished wait here.
 */
import type { RequestHandler } from "express";
import { ApiError } from "../errors.js";
import { syntheticPurpose } from "../inject.js";
import { matchRoute, type RouteMatch } from "../spec.js";

/** Start-up: done once validators are compiled and checked and the seed is applied. */
export interface Readiness {
  done(): boolean;
  /** Settles when start-up has finished (rejects if it failed). */
  wait(): Promise<void>;
}

export function routing(readiness: Readiness): RequestHandler {
  return (req, res, next) => {
    let match: RouteMatch | undefined;
    try {
      match = matchRoute(req.path);
    } catch {
      throw new ApiError("validation", "The request path is not valid percent-encoding");
    }
    if (!match) {
      throw new ApiError("route_not_found", `No such route: ${req.method} ${req.path}`);
    }
    const { route, params } = match;
    const op = route.operations.get(req.method);
    if (!op) {
      throw new ApiError(
        "method_not_allowed",
        `${req.method} is not allowed on ${route.path}; allowed: ${route.allow}`,
        { Allow: route.allow },
      );
    }
    res.locals.route = { op, params };
    // The server's own start-up requests are what readiness waits for.
    if (readiness.done() || syntheticPurpose(req) !== undefined) return next();
    readiness.wait().then(() => next(), next);
  };
}
