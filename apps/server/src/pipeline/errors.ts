/**
 * Stage 7: every failure becomes the service's own envelope with a status the operation
 * declares. Unexpected failures are logged with the request id and answered with a generic 500.
 */
import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { classify, errorResponse } from "../errors.js";
import { apiForPath } from "../spec.js";

export function errors(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const op = res.locals.route?.op;
    const api = op?.api ?? apiForPath(req.path);
    let { kind, message, headers } = classify(err);
    if (kind === "internal") {
      // A database failure arrives stripped of values (store/sql/driver.ts: DatabaseFailure).
      const operationId = op?.operationId;
      logger.error({ reqId: res.locals.requestId, operationId, err }, "unexpected failure");
      message = `Internal error; request id ${res.locals.requestId}`;
    }
    if (res.headersSent) {
      // Too late for an envelope; make the failure visible to the client.
      res.destroy();
      return;
    }
    const response = errorResponse(api, op, kind, message, headers);
    res.locals.rejection = response.body;
    if (response.headers) res.set(response.headers);
    res.status(response.status).json(response.body);
  };
}
