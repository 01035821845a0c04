/**
 * How JSON responses are sent: serialised once and written with exactly the headers a JSON
 * answer needs, instead of Express's `res.json` → `res.send`, which looks the content type up
 * again, re-parses it to add a charset and checks freshness on every response.
 *
 * Installed before validation, as the response's own `json`: the validator wraps whatever `json`
 * it finds, checks the body against the spec, then calls this. Every response still goes through
 * the check; only the sending after it is cheaper. A write's answer is held here, checked, until
 * its store transaction has ended (pipeline/handlers.ts).
 */
import type { RequestHandler, Response } from "express";

function sendJson(this: Response, body: unknown): Response {
  const text = JSON.stringify(body);
  this.setHeader("Content-Type", "application/json; charset=utf-8");
  this.setHeader("Content-Length", Buffer.byteLength(text));
  const held = this.locals.held;
  if (held?.active) held.text = text;
  else this.end(text);
  return this;
}

export const respond: RequestHandler = (_req, res, next) => {
  res.json = sendJson;
  next();
};
