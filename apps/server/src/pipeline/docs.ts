/**
 * Stage 0: the routes that are documents, not operations: the bundled specs at
 * /openapi/{api}.json (byte for byte), the built docs site at /docs, and `/` (the docs, or an
 * index of the routes). They need no credentials. Every other request passes straight on.
 */
import { existsSync, statSync } from "node:fs";
import express, { type RequestHandler } from "express";
import { ApiError } from "../errors.js";
import { rootHandler } from "../root.js";
import { specFiles } from "../spec.js";
import { isDocsPath } from "./hardening.js";

export function docs(docsDir: string | undefined): RequestHandler {
  const docsServed = Boolean(docsDir && existsSync(docsDir) && statSync(docsDir).isDirectory());
  const files = new Map<string, RequestHandler>(
    Object.entries(specFiles).map(([name, file]) => [
      `/openapi/${name}.json`,
      (_req, res) => {
        res.type("application/json").sendFile(file);
      },
    ]),
  );
  files.set("/", rootHandler(docsServed));
  const site =
    docsServed && docsDir
      ? express.Router().use("/docs", express.static(docsDir, { index: "index.html" }))
      : undefined;
  return (req, res, next) => {
    const serve = files.get(req.path);
    if (serve !== undefined) {
      if (req.method !== "GET") {
        throw new ApiError("method_not_allowed", `${req.method} is not allowed; use GET`, {
          Allow: "GET",
        });
      }
      serve(req, res, next);
      return;
    }
    if (site && isDocsPath(req.path)) return site(req, res, next);
    next();
  };
}
