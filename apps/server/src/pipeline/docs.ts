/**
 * The routes that are documents, not operations: the bundled specs at /openapi/{api}.json (byte
 * for byte), the built docs site at /docs, and `/` (the docs, or an index of the routes). They
 * need no credentials.
 */
import { existsSync, statSync } from "node:fs";
import express, { type RequestHandler, type Router } from "express";
import { ApiError } from "../errors.js";
import { rootHandler } from "../root.js";
import { specFiles } from "../spec.js";

/** Answers GET only; any other method gets 405 with `Allow: GET`. */
function getOnly(serve: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "GET") {
      throw new ApiError("method_not_allowed", `${req.method} is not allowed; use GET`, {
        Allow: "GET",
      });
    }
    serve(req, res, next);
  };
}

export function docs(docsDir: string | undefined): Router {
  const router = express.Router({ caseSensitive: true, strict: false });
  for (const [name, file] of Object.entries(specFiles)) {
    router.all(
      `/openapi/${name}.json`,
      getOnly((_req, res) => {
        res.type("application/json").sendFile(file);
      }),
    );
  }
  const docsServed = Boolean(docsDir && existsSync(docsDir) && statSync(docsDir).isDirectory());
  router.all("/", getOnly(rootHandler(docsServed)));
  if (docsServed && docsDir) {
    router.use("/docs", express.static(docsDir, { index: "index.html", fallthrough: true }));
  }
  return router;
}
