/**
 * Stage 4: the body, read as raw bytes of any media type (signatures are checked over exactly
 * what was sent), up to 1 MiB; larger → 413. Parsing waits until the caller is authenticated.
 */
import express, { type RequestHandler } from "express";
import { BODY_LIMIT_BYTES } from "../errors.js";

// Typed as Express's own handler, so the declaration file names no package the server does not
// depend on (express.raw's inferred type comes from `connect`).
export const readBody: RequestHandler = express.raw({
  type: () => true,
  limit: BODY_LIMIT_BYTES,
  inflate: false,
});

/** The raw bytes read for this request (empty when there were none). */
export function rawBody(body: unknown): Uint8Array {
  return Buffer.isBuffer(body) ? body : EMPTY_BODY;
}

const EMPTY_BODY = new Uint8Array(0);
