/**
 * CTS v3 trace list. Traces are recorded by the event engine (the server's own write operations,
 * and traces injected through the admin API); this module only reads them, adding exactly the
 * operation description's "Server-enforced rules".
 */
import type { cts } from "@cts-csms/types";
import { ApiError } from "../errors.js";
import type { Context, OperationHandler } from "../operation.js";
import { models } from "../spec.js";
import type { TraceFilter, TraceListRequest } from "../store/types.js";

type ListTraces = cts.operations["listTraces"];
type ListTracesQuery = ListTraces["parameters"]["query"];

const HOUR_MS = 60 * 60 * 1000;
/** CTS lists the traces of the last seven days. */
export const TRACE_LIST_WINDOW_MS = 7 * 24 * HOUR_MS;
/** The only tracker of management traces. */
const MANAGEMENT_TRACKER = "system";

const FILTER_KEYS = [
  "service_type",
  "resource_type",
  "resource_id",
  "resource_name",
  "trace_name",
  "trace_rating",
  "user",
  "access_key_id",
  "enterprise_project_id",
] as const satisfies readonly (keyof TraceFilter & keyof ListTracesQuery)[];

function filterOf(query: ListTracesQuery): TraceFilter {
  const filter: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const value = query[key];
    if (value !== undefined) filter[key] = value;
  }
  return filter as TraceFilter;
}

/** Query parameters arrive coerced by the validator; a direct caller may pass strings. */
function integer(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function traceHandlers(ctx: Context): { listTraces: OperationHandler<ListTraces> } {
  const { traces } = ctx.store;
  // The page size's bounds, from the operation's `x-paging` in the spec.
  const limits = models.cts.operation("listTraces").paging?.limit;
  if (!limits) throw new Error("spec: listTraces declares no paged limit (x-paging.limit)");
  return {
    async listTraces({ projectId, query }) {
      const empty = { status: 200 as const, body: { traces: [], meta_data: { count: 0 } } };
      if (query.trace_type !== "system") return empty;
      if (query.tracker_name !== undefined && query.tracker_name !== MANAGEMENT_TRACKER) {
        return empty;
      }
      if (query.trace_id !== undefined) {
        const trace = await traces.get(projectId, query.trace_id);
        return trace ? { status: 200, body: { traces: [trace], meta_data: { count: 1 } } } : empty;
      }

      const now = ctx.clock.now();
      const to = integer(query.to);
      const from = integer(query.from);
      // `to` is exclusive when given; the default includes the current millisecond. `from` is
      // exclusive, one hour before `to` by default, and never more than seven days ago.
      const until = to === undefined ? now : to - 1;
      const since = Math.max(from ?? (to ?? now) - HOUR_MS, now - TRACE_LIST_WINDOW_MS);
      if (from !== undefined && to !== undefined && from >= to) {
        throw new ApiError(
          "validation",
          "request/query/from must be earlier than request/query/to",
        );
      }
      const raw = integer(query.limit) ?? limits.default;
      const request: TraceListRequest = {
        limit: Math.min(Math.max(raw, 1), limits.maximum),
        since,
        until,
        filter: filterOf(query),
      };
      if (query.next !== undefined) request.next = query.next;
      const page = await traces.list(projectId, request);
      if (!page) {
        throw new ApiError(
          "validation",
          "request/query/next is not a marker returned by this server for this project (pass meta_data.marker)",
        );
      }
      const meta: cts.components["schemas"]["MetaData"] = { count: page.items.length };
      if (page.nextMarker !== undefined) meta.marker = page.nextMarker;
      return { status: 200, body: { traces: page.items, meta_data: meta } };
    },
  };
}
