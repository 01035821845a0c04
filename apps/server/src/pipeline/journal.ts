/**
 * Stage 1b: the request journal (journal/journal.ts). Every request routed to an operation is
 * journaled as its answer is sent, before the first byte is written: a client that has an
 * answer finds its request in the journal, whatever it asks next (a verify, a HAR export).
 *
 * Bodies are masked by the traces' own code (operationTrace.ts): the request body as a trace
 * keeps it (none for a refused request), the answer with its secret values replaced. Headers
 * are not kept, so no credential is; the caller is the AK, or `token` (never the token).
 *
 * Not journaled: the journal's own routes and `resetState` (reading or verifying the journal
 * never changes a count, and a reset leaves it empty), the live page and its stream (watching
 * the journal does not add to it), and the server's own requests.
 */
import type { Request, RequestHandler, Response } from "express";
import { syntheticPurpose } from "../inject.js";
import type { JournalEntry, RequestJournal } from "../journal/journal.js";
import type { Clock } from "../operation.js";
import { keptRequestBody, walked } from "./operationTrace.js";

/** Operations that are not journaled (see above). */
const UNJOURNALED = new Set([
  "listRequests",
  "clearRequests",
  "verifyRequests",
  "exportRequestsHar",
  "resetState",
  "getLivePage",
  "streamLiveEvents",
]);

/** Bodies larger than this (in bytes, as received or sent) are not kept; their size is. */
export const JOURNAL_BODY_LIMIT = 64 * 1024;

type Json = Record<string, unknown>;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** The request's project: the path's, else (admin requests) the query's, else the body's. */
function projectOf(req: Request, res: Response): string | undefined {
  const route = res.locals.route;
  const body = req.body as Json | undefined;
  return (
    text(route?.params.project_id) ??
    text((req.query as Json).project_id) ??
    (typeof body === "object" && body !== null && !Buffer.isBuffer(body)
      ? text(body.project_id)
      : undefined)
  );
}

/** The query as sent (before validation coerces it): strings, lists for repeated parameters. */
function queryOf(req: Request): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const at = req.originalUrl.indexOf("?");
  if (at === -1) return out;
  for (const [name, value] of new URLSearchParams(req.originalUrl.slice(at + 1))) {
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else out[name] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/** Whether a body of `size` bytes is small enough to keep (unknown: kept). */
function keepable(size: number | undefined): boolean {
  return size === undefined || size <= JOURNAL_BODY_LIMIT;
}

function jsonSize(value: unknown): number | undefined {
  return value === undefined ? undefined : Buffer.byteLength(JSON.stringify(value));
}

/**
 * The answer's body as sent, and its size. JSON is kept as its text, to be parsed (and masked)
 * only when the journal is read (journal/journal.ts): most entries are never read, and parsing
 * every answer again cost a list of 50 events about a tenth of its CPU. An answer that may hold
 * a secret value (its text names `secret_string` or `secret_binary`, or escapes a character,
 * which could spell one) is parsed and masked now, so the journal never holds a secret value.
 * Other text is kept as is.
 */
function responseOf(
  res: Response,
  chunk: unknown,
): { value?: unknown; json?: string; size?: number } {
  if (typeof chunk !== "string" && !Buffer.isBuffer(chunk)) return {};
  const size = Buffer.byteLength(chunk);
  // Too large to keep: not even parsed.
  if (!keepable(size)) return { size };
  const raw = typeof chunk === "string" ? chunk : chunk.toString("utf8");
  const type = String(res.getHeader("content-type") ?? "");
  if (!/json/i.test(type)) return { value: raw, size };
  if (!mayHoldSecret(raw)) return { json: raw, size };
  return { value: maskedJson(raw), size };
}

/** Whether a JSON text may hold a secret value: it names one, or escapes a character (`\\`). */
function mayHoldSecret(json: string): boolean {
  // Three substring scans: ~1 µs for a page of 50 events, where one regular expression took ~12.
  return json.includes("secret_string") || json.includes("secret_binary") || json.includes("\\");
}

/** A JSON text parsed with its secret values masked, or `undefined` if it is not JSON. */
export function maskedJson(raw: string): unknown {
  try {
    return walked(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

export function journalRequests(journal: RequestJournal, clock: Clock): RequestHandler {
  return (req, res, next) => {
    const route = res.locals.route;
    if (!route || UNJOURNALED.has(route.op.operationId) || syntheticPurpose(req) !== undefined) {
      return next();
    }
    const start = process.hrtime.bigint();
    const time = new Date(clock.now()).toISOString();
    const path = req.path;
    const end = res.end;
    res.end = ((...args: unknown[]) => {
      res.end = end;
      try {
        const response = responseOf(res, args[0]);
        const entry = entryOf(req, res, response, { time, path, start, id: journal.nextId() });
        journal.add(entry, { protocol: req.protocol, host: req.headers.host }, response.json);
      } catch {
        // The journal never stands between a client and its answer.
      }
      return Reflect.apply(end, res, args);
    }) as typeof res.end;
    next();
  };
}

function entryOf(
  req: Request,
  res: Response,
  response: ReturnType<typeof responseOf>,
  at: { time: string; path: string; start: bigint; id: string },
): JournalEntry {
  const { op, params } = res.locals.route as NonNullable<typeof res.locals.route>;
  const entry: JournalEntry = {
    id: at.id,
    time: at.time,
    api: op.api,
    operation_id: op.operationId,
    method: req.method,
    path: at.path,
    path_params: { ...params },
    query: queryOf(req),
    status: res.statusCode,
    duration_ms: Number(process.hrtime.bigint() - at.start) / 1e6,
    request_id: res.locals.requestId,
  };
  const project = projectOf(req, res);
  if (project !== undefined) entry.project_id = project;
  if (res.locals.ak !== undefined) entry.caller = { type: "ak", access_key_id: res.locals.ak };
  else if (res.locals.authenticated) entry.caller = { type: "token" };
  const contentType = text(req.headers["content-type"]);
  if (contentType !== undefined) entry.content_type = contentType;
  const length = Number(req.headers["content-length"]);
  const size = Number.isSafeInteger(length) && length >= 0 ? length : undefined;
  if (size !== undefined) entry.body_size = size;
  const kept = keepable(size) ? keptRequestBody(res.statusCode, req.body) : undefined;
  // A body sent without Content-Length (chunked) is measured as kept.
  const body = size === undefined && !keepable(jsonSize(kept)) ? undefined : kept;
  if (body !== undefined) entry.body = body;
  if (response.value !== undefined) entry.response = response.value;
  const responseType = text(res.getHeader("content-type"));
  if (responseType !== undefined) entry.response_content_type = responseType;
  if (response.size !== undefined) entry.response_size = response.size;
  return entry;
}
