/** Stage 0: request-target size, helmet's hardening headers (a Redoc-friendly CSP on /docs), CORS. */
import cors from "cors";
import type { RequestHandler } from "express";
import helmet from "helmet";
import { ApiError } from "../errors.js";

/** Longer request targets are refused (Node already caps the whole header block at 16 KiB). */
const MAX_URL_LENGTH = 8 * 1024;

export function isDocsPath(path: string): boolean {
  return path === "/docs" || path.startsWith("/docs/");
}

/** Pages for a browser (the docs and the live page): the docs' CSP, which allows inline script. */
function isPagePath(path: string): boolean {
  return isDocsPath(path) || path === "/_admin/live";
}

export function hardening(options: { cors?: boolean | undefined }): RequestHandler[] {
  const limitUrl: RequestHandler = (req, _res, next) => {
    if (req.originalUrl.length > MAX_URL_LENGTH) {
      throw new ApiError("validation", `Request URI longer than ${MAX_URL_LENGTH} characters`);
    }
    next();
  };
  // The server speaks plain HTTP on a local port, so no HSTS and no upgrade-insecure-requests;
  // Redoc on /docs needs inline scripts/styles and blob: workers.
  const apiHelmet = helmet({
    strictTransportSecurity: false,
    contentSecurityPolicy: { directives: { "upgrade-insecure-requests": null } },
  });
  const docsHelmet = helmet({
    strictTransportSecurity: false,
    contentSecurityPolicy: {
      directives: {
        "upgrade-insecure-requests": null,
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "worker-src": ["'self'", "blob:"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
      },
    },
  });
  const headers: RequestHandler = (req, res, next) =>
    (isPagePath(req.path) ? docsHelmet : apiHelmet)(req, res, next);
  const stages = [limitUrl, headers];
  if (options.cors) stages.push(cors({ exposedHeaders: ["X-Request-Id"] }));
  return stages;
}
