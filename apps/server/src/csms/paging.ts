/** The `limit`/`marker` paging shared by the CSMS list operations, bounds read from the spec. */
import type { csms } from "@cts-csms/types";
import { pagingLimits } from "../spec.js";
import type { Page } from "../store/types.js";

type PageInfo = csms.components["schemas"]["PageInfo"];

export interface PagingQuery {
  limit?: number;
  marker?: string;
}

/** Each list operation's `limit` default and maximum, read from the spec once, not per request. */
const boundsByOperation = new Map<string, ReturnType<typeof pagingLimits>>();

/** `limit` after validation (coerced, defaulted); the default/maximum come from the spec. */
export function pageRequest(operationId: string, query: PagingQuery) {
  let bounds = boundsByOperation.get(operationId);
  if (!bounds) {
    bounds = pagingLimits("csms", operationId);
    boundsByOperation.set(operationId, bounds);
  }
  const raw = Number(query.limit ?? bounds.default);
  const limit = Number.isInteger(raw) && raw >= 1 ? Math.min(raw, bounds.max) : bounds.default;
  return query.marker === undefined ? { limit } : { limit, marker: query.marker };
}

export function pageInfo<T>(page: Page<T>, marker: string | undefined): PageInfo {
  const info: PageInfo = { current_count: page.items.length };
  if (page.nextMarker !== undefined) info.next_marker = page.nextMarker;
  if (marker !== undefined) info.previous_marker = marker;
  return info;
}
