/**
 * Stage 3: authentication over the raw bytes, for operations whose spec requires credentials:
 * 401 or 403. It runs before parsing, so an unauthenticated caller gets 401 whatever the body.
 */
import type { RequestHandler } from "express";
import type { Authenticator } from "../auth.js";
import { ApiError } from "../errors.js";
import { syntheticPurpose } from "../inject.js";
import { rawBody } from "./body.js";

export function security(authenticate: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const route = res.locals.route;
    // No credentials for operations that declare none (admin), nor for the server's own requests.
    if (!route || route.op.security.length === 0 || syntheticPurpose(req) !== undefined) {
      return next();
    }
    const result = await authenticate(
      { method: req.method, url: req.originalUrl, headers: req.headers, body: rawBody(req.body) },
      route.params.project_id ?? "",
    );
    if (!result.ok) {
      // An oversized body's signature cannot be checked (its bytes were not kept): its 413
      // stands, untraced, as before authentication.
      if (res.locals.tooLarge !== undefined) throw res.locals.tooLarge;
      throw new ApiError(result.kind, result.message);
    }
    if (result.ak !== undefined) res.locals.ak = result.ak;
    res.locals.authenticated = true;
    next();
  };
}
