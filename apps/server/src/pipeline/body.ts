/**
 * Stage 2: the body, read as raw bytes of any media type (signatures are checked over exactly
 * what was sent), up to 1 MiB; larger → 413. Parsing waits until the caller is authenticated.
 */
import express, { type RequestHandler } from "express";
import { BODY_LIMIT_BYTES } from "../errors.js";
import { syntheticBody } from "../inject.js";

const readRaw = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES, inflate: false });

export const readBody: RequestHandler = (req, res, next) => {
  // The server's own requests (warm-up, self-check, seed) hand their body over in-process.
  const body = syntheticBody(req);
  if (body === undefined) return readRaw(req, res, next);
  req.body = body;
  next();
};

/** The raw bytes read for this request (empty when there were none). */
export function rawBody(body: unknown): Uint8Array {
  return Buffer.isBuffer(body) ? body : EMPTY_BODY;
}

const EMPTY_BODY = new Uint8Array(0);
