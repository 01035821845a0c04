/**
 * The routes that are documents, not operations: the bundled specs at /openapi/{api}.json (byte
 * for byte) and the built docs site at /docs. They need no credentials.
 */
import { existsSync, statSync } from "node:fs";
import express, { type RequestHandler, type Router } from "express";
import { ApiError } from "../errors.js";
import { specFiles } from "../spec.js";

export function docs(docsDir: string | undefined): Router {
  const router = express.Router({ caseSensitive: true, strict: false });
  for (const [name, file] of Object.entries(specFiles)) {
    const serve: RequestHandler = (_req, res) => {
      res.type("application/json").sendFile(file);
    };
    router.all(`/openapi/${name}.json`, (req, res, next) => {
      if (req.method !== "GET") {
        throw new ApiError("method_not_allowed", `${req.method} is not allowed; use GET`, {
          Allow: "GET",
        });
      }
      serve(req, res, next);
    });
  }
  if (docsDir && existsSync(docsDir) && statSync(docsDir).isDirectory()) {
    router.use("/docs", express.static(docsDir, { index: "index.html", fallthrough: true }));
  }
  return router;
}
