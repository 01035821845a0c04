/**
 * Stage 0: the routes that are documents, not operations: the bundled specs at
 * /openapi/{api}.json (byte for byte) and the built docs site at /docs. They need no
 * credentials. Every other request passes straight on.
 */
import { existsSync, statSync } from "node:fs";
import express, { type RequestHandler } from "express";
import { ApiError } from "../errors.js";
import { specFiles } from "../spec.js";
import { isDocsPath } from "./hardening.js";

export function docs(docsDir: string | undefined): RequestHandler {
  const files = new Map(
    Object.entries(specFiles).map(([name, file]) => [`/openapi/${name}.json`, file]),
  );
  const site =
    docsDir && existsSync(docsDir) && statSync(docsDir).isDirectory()
      ? express.Router().use("/docs", express.static(docsDir, { index: "index.html" }))
      : undefined;
  return (req, res, next) => {
    const file = files.get(req.path);
    if (file !== undefined) {
      if (req.method !== "GET") {
        throw new ApiError("method_not_allowed", `${req.method} is not allowed; use GET`, {
          Allow: "GET",
        });
      }
      res.type("application/json").sendFile(file);
      return;
    }
    if (site && isDocsPath(req.path)) return site(req, res, next);
    next();
  };
}
