/**
 * Stage 2: the body, read as raw bytes of any media type (signatures are checked over exactly
 * what was sent), up to 1 MiB; larger → 413. Parsing waits until the caller is authenticated.
 * The 413 itself waits too ({@link refuseTooLarge}): an authenticated caller's oversized write
 * is traced like any other failed write.
 */
import express, { type RequestHandler } from "express";
import { BODY_LIMIT_BYTES } from "../errors.js";
import { syntheticBody } from "../inject.js";

const readRaw = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES, inflate: false });

export const readBody: RequestHandler = (req, res, next) => {
  // The server's own requests (warm-up, self-check, seed) hand their body over in-process.
  const body = syntheticBody(req);
  if (body === undefined) {
    return readRaw(req, res, (err?: unknown) => {
      if ((err as { type?: unknown } | undefined)?.type !== "entity.too.large") return next(err);
      res.locals.tooLarge = err;
      req.body = undefined;
      next();
    });
  }
  req.body = body;
  next();
};

/** The held 413, once the request is authenticated and traced (stage 4, before parsing). */
export const refuseTooLarge: RequestHandler = (_req, res, next) => {
  next(res.locals.tooLarge);
};

/** The raw bytes read for this request (empty when there were none). */
export function rawBody(body: unknown): Uint8Array {
  return Buffer.isBuffer(body) ? body : EMPTY_BODY;
}

const EMPTY_BODY = new Uint8Array(0);
