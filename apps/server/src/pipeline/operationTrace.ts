/**
 * Stage 5b: a management trace for each CTS and CSMS write operation the server serves, through
 * the event engine's "an operation was served" port. It runs after authentication, so every
 * authenticated write is traced, the ones that fail (4xx) included, as CTS does; handlers know
 * nothing about it.
 *
 * When: once the response is final (its status and body decided) and before its first byte is
 * written, the trace is recorded and matched, and its deliveries are queued; then the response
 * goes out. So a client that has the answer of a write also sees its trace, and every request it
 * sends next (a delete of the notification that matched, a reset, a flush) comes after the
 * matching, on every store: with PostgreSQL the matching takes real I/O, and recording it after
 * the answer let the client's next request overtake it. A request that is never answered (a fault
 * rule's `hang`) is never traced, so nothing waits for it.
 *
 * What a trace holds: the service and resource type of the API, `trace_name` = the operationId,
 * the resource's id and name (from the reply, the request body, the path or the query), the
 * status as `code` and `trace_rating`, the caller (the AK of an AK/SK request, else the fixed
 * name `token-user`: never a token or a secret key), the source IP, the request id, the request
 * body and the response body of a success, both without secret values: `secret_string` and
 * `secret_binary` are replaced by a fixed mark before the trace exists (CSMS writes that carry a
 * value: createSecret, createSecretVersion). A rejected write (any 4xx or 5xx: too large, not
 * JSON, the wrong media type, refused by validation or by the handler) keeps no request body,
 * whatever it looks like, and holds the error envelope it was answered with as its response.
 */
import type { RequestHandler } from "express";
import type { Logger } from "pino";
import type { OperationRecord, TraceUser } from "../events/trace.js";
import { syntheticPurpose } from "../inject.js";
import type { Clock } from "../operation.js";
import { type ApiName, models } from "../spec.js";

/** "An operation was served": the event engine's port, as the pipeline sees it. */
export interface OperationServedPort {
  operationServed(projectId: string, operation: OperationRecord): Promise<unknown>;
}

/** Service type, resource type and API version of the traces of each API's operations. */
const SERVICES: Partial<
  Record<ApiName, { service_type: string; resource_type: string; api_version: string }>
> = {
  cts: { service_type: "CTS", resource_type: "notification", api_version: "v3" },
  csms: { service_type: "CSMS", resource_type: "event", api_version: "v1" },
};

/** What a trace shows instead of a secret value. */
export const REDACTED = "******";
const SECRET_VALUE_KEYS = new Set(["secret_string", "secret_binary"]);

/** A copy of a body with every secret value replaced by {@link REDACTED}, at any depth. */
export function withoutSecretValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecretValues);
  if (typeof value !== "object" || value === null) return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) {
    out[key] = SECRET_VALUE_KEYS.has(key) ? REDACTED : withoutSecretValues(v);
  }
  return out;
}

/**
 * A body without its secret values, or `undefined` when it cannot be walked (nested beyond the
 * stack): the trace (or journal entry) is recorded without it rather than not at all.
 */
export function walked(body: unknown): unknown {
  if (body === undefined) return undefined;
  try {
    return withoutSecretValues(body);
  } catch {
    return undefined;
  }
}

/**
 * The request body a trace keeps, and so the request journal: a JSON object of a request
 * answered below 400, secret values masked. A refused request's body may be anything (a value
 * under a misspelt key, too deep to walk, not JSON at all): none is kept, whatever it holds.
 */
export function keptRequestBody(status: number, body: unknown): unknown {
  return status < 400 ? walked(object(body)) : undefined;
}

/** The user of a token-authenticated operation (a token says nothing else that may be shown). */
export const TOKEN_USER: TraceUser = { name: "token-user" };

type Json = Record<string, unknown>;

/** The `maxLength` of the trace's free-text fields, from the CTS spec's `Trace`. */
const TRACE_FIELDS = (() => {
  const props = (models.cts.document.components?.schemas?.Trace as Json | undefined)?.properties as
    | Record<string, { maxLength?: number }>
    | undefined;
  const max = (name: string) => props?.[name]?.maxLength ?? 256;
  return { resource_id: max("resource_id"), resource_name: max("resource_name") };
})();

function object(value: unknown): Json | undefined {
  return typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value)
    ? (value as Json)
    : undefined;
}

/** The first non-empty string, cut to the trace field's `maxLength` (a failed request's may be longer). */
/**
 * Text no store can keep: U+0000 and unpaired surrogates, which PostgreSQL's text refuses (the
 * trace's insert failed and the write went untraced there, while memory kept it). A refused
 * body's name may hold them; such a value is not recorded, on every store.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is what it looks for
const UNSTORABLE = /\u0000|\p{Cs}/u;

function text(max: number, ...values: unknown[]): string | undefined {
  return values
    .find((v): v is string => typeof v === "string" && v.length > 0 && !UNSTORABLE.test(v))
    ?.slice(0, max);
}

function sourceIp(address: string | undefined): string {
  if (!address) return "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/**
 * The step, and a way to wait for the traces it is still recording: a reset or a flush waits for
 * those of the writes being answered while it arrives.
 */
export type OperationTraceStep = RequestHandler & { settled(): Promise<void> };

export function operationTrace(
  port: OperationServedPort,
  clock: Clock,
  logger: Logger,
): OperationTraceStep {
  const recording = new Set<Promise<unknown>>();
  const step: RequestHandler = (req, res, next) => {
    const route = res.locals.route;
    const service = route && SERVICES[route.op.api];
    if (!route || !service || route.op.method === "GET" || syntheticPurpose(req) !== undefined) {
      return next();
    }
    const time = clock.now();
    const record = (): OperationRecord => {
      const { op, params } = route;
      const body = object(req.body);
      const reply = object(res.locals.reply);
      const event = object(reply?.event);
      const secret = object(reply?.secret);
      const ak = res.locals.ak;
      const query = object(req.query);
      const onSecret = route.op.api === "csms" && op.path.includes("/secrets");
      const record: OperationRecord = {
        ...service,
        ...(onSecret && { resource_type: "secret" }),
        trace_name: op.operationId,
        status: res.statusCode,
        user: ak === undefined ? { ...TOKEN_USER } : { name: ak, access_key_id: ak },
        source_ip: sourceIp(req.socket.remoteAddress),
        request_id: res.locals.requestId,
        time,
      };
      const resourceId = text(
        TRACE_FIELDS.resource_id,
        reply?.notification_id,
        event?.event_id,
        secret?.id,
        body?.notification_id,
        query?.notification_id,
      );
      const resourceName = text(
        TRACE_FIELDS.resource_name,
        reply?.notification_name,
        event?.name,
        secret?.name,
        body?.notification_name,
        params.event_name,
        params.secret_name,
        body?.name,
      );
      if (resourceId !== undefined) record.resource_id = resourceId;
      if (resourceName !== undefined) record.resource_name = resourceName;
      if (res.statusCode < 400) {
        const request = keptRequestBody(res.statusCode, body);
        if (request !== undefined) record.request = request;
        if (reply !== undefined) record.response = withoutSecretValues(reply);
      } else if (res.locals.rejection !== undefined) {
        // A rejected body may be anything (a value under a misspelt key, too deep to walk, not
        // JSON at all): the trace keeps what the client was answered, never the body.
        record.response = res.locals.rejection;
      }
      return record;
    };
    // Every answer is sent through `end` (`res.json` ends with it too): hold it until traced.
    const end = res.end;
    res.end = ((...args: unknown[]) => {
      res.end = end;
      const recorded = (async () => {
        await port.operationServed(route.params.project_id ?? "", record());
      })().catch((err: Error) => {
        logger.error({ reqId: res.locals.requestId, err: err.message }, "trace not recorded");
      });
      recording.add(recorded);
      void recorded.finally(() => {
        recording.delete(recorded);
        if (!res.writableEnded) Reflect.apply(end, res, args);
      });
      return res;
    }) as typeof res.end;
    next();
  };
  return Object.assign(step, {
    settled: async () => {
      await Promise.all([...recording]);
    },
  });
}
