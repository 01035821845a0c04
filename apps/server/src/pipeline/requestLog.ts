/** Stage 0: the request id (echoed or generated) and one access-log line per client request. */
import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import type { Logger } from "pino";
import { syntheticPurpose } from "../inject.js";

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestLog(logger: Logger): RequestHandler {
  const logRequests = logger.isLevelEnabled("info");
  return (req, res, next) => {
    const incoming = req.headers["x-request-id"];
    const id =
      typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    // The server's own requests (warm-up, self-check, seed) are not traffic.
    if (logRequests && syntheticPurpose(req) === undefined) {
      const start = process.hrtime.bigint();
      const url = req.originalUrl;
      res.on("finish", () => {
        logger.info(
          {
            reqId: id,
            method: req.method,
            url,
            status: res.statusCode,
            ms: Number(process.hrtime.bigint() - start) / 1e6,
            ak: res.locals.ak,
          },
          "request",
        );
      });
    }
    next();
  };
}
