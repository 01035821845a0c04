/**
 * Stage 5½ (after authentication): faults on demand. A request's fault comes from the first
 * fault rule that applies (`/_admin/faults`, as the admin state stage read them), else from its Prism-compatible `Prefer` header:
 *
 *   Prefer: code=503        answer that status (the operation must declare it) with its example
 *   Prefer: example=NAME    answer that named example of the operation
 *   Prefer: delay=MS        wait before answering (at most the admin spec's delay_ms maximum)
 *
 * With `rateLimit` (`--rate-limit N/s`), each AK or token may send N requests a second (a token
 * bucket of N); beyond that the request is answered `429` with `Retry-After`, as the gateway does.
 *
 * Delays, resets and hangs happen here; a status or example answer is only decided here and
 * sent by `answer`, mounted after validation, so the request is still validated (an invalid one
 * gets its 400) and the faulted answer goes through response validation like any other.
 */
import type { Socket } from "node:net";
import type { Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { ApiError } from "../errors.js";
import type { Fault, FaultRules } from "../faults/rules.js";
import { syntheticPurpose } from "../inject.js";
import { type ApiName, type Operation, specNumber } from "../spec.js";

/** The decided answer of a faulted request. */
interface FaultReply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

declare global {
  namespace Express {
    interface Locals {
      /** Set by the faults stage when the request is answered by a fault instead of its handler. */
      fault?: FaultReply;
    }
  }
}

/** The longest delay, from the admin spec (`FaultRuleRequest.delay_ms.maximum`). */
export const MAX_DELAY_MS = specNumber(
  "admin",
  "#/components/schemas/FaultRuleRequest/properties/delay_ms",
  "maximum",
);

/** The preferences this server honours; others are ignored, as RFC 7240 asks. */
interface Preferences {
  code?: string;
  example?: string;
  delay?: string;
}

function parsePrefer(header: string | string[] | undefined): Preferences {
  const prefs: Preferences = {};
  const text = Array.isArray(header) ? header.join(",") : (header ?? "");
  for (const part of text.split(",")) {
    // `name=value; parameters`: the parameters are not used.
    const [pair = ""] = part.split(";");
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim().toLowerCase();
    const value = pair
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    if (name === "code" || name === "example" || name === "delay") prefs[name] = value;
  }
  return prefs;
}

const bad = (message: string): never => {
  throw new ApiError("validation", `Prefer: ${message}`);
};

/** The fault a `Prefer` header asks for, checked against the operation (400 naming the problem). */
function preferred(
  op: Operation<ApiName>,
  header: string | string[] | undefined,
): Fault | undefined {
  const prefs = parsePrefer(header);
  if (prefs.code === undefined && prefs.example === undefined && prefs.delay === undefined) {
    return undefined;
  }
  const fault: Fault = { source: "prefer" };
  if (prefs.delay !== undefined) {
    const ms = /^\d{1,9}$/.test(prefs.delay) ? Number(prefs.delay) : Number.NaN;
    if (!(ms <= MAX_DELAY_MS)) {
      bad(`delay=${prefs.delay} must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}`);
    }
    fault.delayMs = ms;
  }
  if (prefs.code !== undefined) {
    const status = /^\d{3}$/.test(prefs.code) ? Number(prefs.code) : Number.NaN;
    if (!op.statuses.has(status)) {
      bad(
        `code=${prefs.code} is not a status ${op.operationId} declares (${[...op.statuses].join(", ")})`,
      );
    }
    fault.status = status;
  }
  if (prefs.example !== undefined) {
    const name = prefs.example;
    const candidates = op.responses.filter(
      (r) => fault.status === undefined || r.status === String(fault.status),
    );
    // The success response first, as Prism does, then the others in the spec's order.
    candidates.sort(
      (a, b) =>
        Number(b.status === String(op.successStatus)) -
        Number(a.status === String(op.successStatus)),
    );
    const found = candidates.find((r) => Object.hasOwn(r.examples, name));
    if (!found) {
      const names = candidates.flatMap((r) => Object.keys(r.examples));
      const where = fault.status === undefined ? "" : ` ${fault.status}`;
      bad(
        `example=${name} is not an example of ${op.operationId}${where} (its examples: ${names.join(", ") || "none"})`,
      );
    }
    fault.status = Number(found?.status);
    fault.example = name;
  }
  return fault;
}

/** The answer of a status/example fault: the operation's documented example for that status. */
function replyOf(op: Operation<ApiName>, fault: Fault, requestId: string): FaultReply {
  const status = fault.status as number;
  const response = op.responses.find((r) => r.status === String(status));
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers["Retry-After"] = String(fault.retryAfter);
  if (!response || response.schema === undefined) return { status, body: undefined, headers };
  const examples = response.examples;
  const name = fault.example ?? Object.keys(examples)[0];
  if (name === undefined) {
    bad(`${op.operationId} documents no example for ${status} to answer with`);
  }
  const body = structuredClone(examples[name as string]) as Record<string, unknown>;
  // The gateway's envelope carries the request's id.
  if (typeof body === "object" && body !== null && "request_id" in body) {
    body.request_id = requestId.replace(/[^A-Za-z0-9]/g, "");
  }
  return { status, body, headers };
}

function wait(ms: number, res: Response): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once("close", done);
    function done() {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    }
  });
}

export interface FaultStages {
  /** After authentication: decides the fault, delays, resets or hangs. */
  decide: RequestHandler;
  /** After validation, before the handlers: sends a status/example fault's answer. */
  answer: RequestHandler;
}

/**
 * Token buckets per caller (AK, else token): `perSecond` tokens, refilled continuously. Returns
 * the seconds to wait when the caller has none left, `undefined` when the request may pass.
 */
export function rateLimiter(perSecond: number, now: () => number = Date.now) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (caller: string): number | undefined => {
    const t = now();
    const bucket = buckets.get(caller) ?? { tokens: perSecond, at: t };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
    bucket.at = t;
    buckets.set(caller, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
  };
}

export interface FaultOptions {
  /** Requests per second per AK or token; beyond it, 429 with Retry-After. */
  rateLimit?: number | undefined;
}

export function faults(rules: FaultRules, logger: Logger, options: FaultOptions = {}): FaultStages {
  const limit = options.rateLimit === undefined ? undefined : rateLimiter(options.rateLimit);
  const throttled = (req: Request, res: Response): Fault | undefined => {
    if (!limit) return undefined;
    const token = req.headers["x-auth-token"];
    const caller = res.locals.ak ?? (typeof token === "string" ? `token:${token}` : undefined);
    if (caller === undefined) return undefined;
    const wait = limit(caller);
    if (wait === undefined) return undefined;
    const fault: Fault = { status: 429, retryAfter: wait, source: "rate-limit" };
    return fault;
  };
  const decide: RequestHandler = async (req, res, next) => {
    const route = res.locals.route;
    if (!route || route.op.api === "admin" || syntheticPurpose(req) !== undefined) return next();
    const { op, params } = route;
    const live = res.locals.faultRules ?? [];
    const fault =
      throttled(req, res) ??
      (live.length > 0
        ? await rules.decide({ op, params, query: req.query as Record<string, unknown> }, live)
        : undefined) ??
      preferred(op, req.headers.prefer);
    if (!fault) return next();
    const { status, delayMs, action, source } = fault;
    logger.info(
      {
        reqId: res.locals.requestId,
        operationId: op.operationId,
        fault: source,
        status,
        delayMs,
        action,
      },
      "fault applied",
    );
    if (delayMs) {
      await wait(delayMs, res);
      if (res.destroyed || req.destroyed) return;
    }
    const socket = req.socket as Socket;
    if (action === "reset") {
      socket.resetAndDestroy();
      return;
    }
    if (action === "hang") {
      await new Promise<void>((resolve) => {
        const unhold = rules.hold(source, resolve);
        res.once("close", () => {
          unhold();
          resolve();
        });
      });
      if (!res.writableEnded) socket.destroy();
      return;
    }
    if (status !== undefined) res.locals.fault = replyOf(op, fault, res.locals.requestId);
    next();
  };
  const answer: RequestHandler = (_req, res, next) => {
    const reply = res.locals.fault;
    if (!reply) return next();
    res.set(reply.headers);
    res.status(reply.status);
    if (reply.body === undefined) res.end();
    else res.json(reply.body);
  };
  return { decide, answer };
}
