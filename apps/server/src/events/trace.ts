/**
 * Management trace records: from an operation the server served, and from a partial trace a
 * user injects to test what any cloud service would trigger. Both come out as the spec's
 * `Trace` and go through the same matching and delivery.
 */
import type { admin } from "@cts-csms/types";
import type { Clock, IdGenerator } from "../operation.js";
import type { Trace } from "../store/types.js";

export type TraceRating = Trace["trace_rating"];
export type TraceUser = Trace["user"];

/**
 * `trace_rating` of an operation that answered `status`: `normal` when it succeeded, `warning`
 * when it failed (4xx), `incident` for a service failure (5xx), after the trace-structure page.
 */
export function ratingOf(status: number): TraceRating {
  if (status >= 500) return "incident";
  if (status >= 400) return "warning";
  return "normal";
}

/** One operation the server served, as the CTS and CSMS handlers know it. */
export interface OperationRecord {
  service_type: string;
  resource_type: string;
  trace_name: string;
  resource_id?: string;
  resource_name?: string;
  /** HTTP status the server answered. */
  status: number;
  /** The caller, from its credentials (never the credentials themselves). */
  user: TraceUser;
  source_ip: string;
  request_id?: string;
  api_version?: string;
  /** Request and response bodies (secret-free by construction); stored as JSON strings. */
  request?: unknown;
  response?: unknown;
  /** When the operation happened, in ms. */
  time: number;
}

export interface TraceContext {
  clock: Clock;
  ids: IdGenerator;
}

function json(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

/** The trace of an operation the server served: `ApiCall`, code and rating from the status. */
export function traceFromOperation(op: OperationRecord, ctx: TraceContext): Trace {
  const trace: Trace = {
    trace_id: ctx.ids.next(),
    trace_name: op.trace_name,
    trace_rating: ratingOf(op.status),
    trace_type: "ApiCall",
    service_type: op.service_type,
    resource_type: op.resource_type,
    source_ip: op.source_ip,
    code: String(op.status),
    time: op.time,
    record_time: ctx.clock.now(),
    user: op.user,
  };
  if (op.resource_id !== undefined) trace.resource_id = op.resource_id;
  if (op.resource_name !== undefined) trace.resource_name = op.resource_name;
  if (op.request_id !== undefined) trace.request_id = op.request_id;
  if (op.api_version !== undefined) trace.api_version = op.api_version;
  const request = json(op.request);
  const response = json(op.response);
  if (request !== undefined) trace.request = request;
  if (response !== undefined) trace.response = response;
  return trace;
}

/**
 * A partial trace to inject (the admin spec's `TraceInput`): `service_type`, `resource_type` and
 * `trace_name` are required; `trace_id` and `record_time` are always the server's.
 */
export type TraceInput = admin.components["schemas"]["TraceInput"];

/** The user of an injected trace that names none. */
export const DEFAULT_TRACE_USER: TraceUser = Object.freeze({
  name: "test-user",
  domain: Object.freeze({ name: "test-domain" }),
}) as TraceUser;

/**
 * The defaults of an injected trace, applied to what it leaves out:
 * - `trace_type`: `ApiCall`;
 * - `code`: `"200"`; `trace_rating`: the rating of `code` (see {@link ratingOf}), `normal` when
 *   `code` is not a number;
 * - `user`: {@link DEFAULT_TRACE_USER}; `source_ip`: `""` (as for a system-triggered trace);
 * - `time`: now; and always a new `trace_id` and `record_time` now.
 * Every other field is kept as given, or left out.
 */
export function traceFromInput(input: TraceInput, ctx: TraceContext): Trace {
  const now = ctx.clock.now();
  const code = input.code ?? "200";
  const status = /^\d{1,3}$/.test(code) ? Number(code) : 200;
  return {
    ...structuredClone(input),
    trace_id: ctx.ids.next(),
    trace_type: input.trace_type ?? "ApiCall",
    code,
    trace_rating: input.trace_rating ?? ratingOf(status),
    user: input.user ? structuredClone(input.user) : structuredClone(DEFAULT_TRACE_USER),
    source_ip: input.source_ip ?? "",
    time: input.time ?? now,
    record_time: now,
  };
}
