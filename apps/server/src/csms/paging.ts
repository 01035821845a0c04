/**
 * The `limit`/`marker` paging shared by the CSMS list operations (and the admin API's request
 * journal), bounds read from the spec.
 */
import type { csms } from "@cts-csms/types";
import { models } from "../spec.js";
import type { Page } from "../store/types.js";

type PageInfo = csms.components["schemas"]["PageInfo"];

export interface PagingQuery {
  limit?: number;
  marker?: string;
}

/** Each list operation's `limit` bounds, from its `x-paging` in the spec, read once at start-up. */
const boundsByOperation = new Map(
  [...models.csms.operations, ...models.admin.operations].flatMap((op) =>
    op.paging?.limit ? [[op.operationId, op.paging.limit] as const] : [],
  ),
);

/** `limit` after validation (coerced, defaulted); the default/maximum come from the spec. */
export function pageRequest(operationId: string, query: PagingQuery) {
  const bounds = boundsByOperation.get(operationId);
  if (!bounds) throw new Error(`spec: ${operationId} declares no paged limit (x-paging.limit)`);
  const raw = Number(query.limit ?? bounds.default);
  const limit = Number.isInteger(raw) && raw >= 1 ? Math.min(raw, bounds.maximum) : bounds.default;
  return query.marker === undefined ? { limit } : { limit, marker: query.marker };
}

export function pageInfo<T>(page: Page<T>, marker: string | undefined): PageInfo {
  const info: PageInfo = { current_count: page.items.length };
  if (page.nextMarker !== undefined) info.next_marker = page.nextMarker;
  if (marker !== undefined) info.previous_marker = marker;
  return info;
}
