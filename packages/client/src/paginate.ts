import type { CsmsClient, CtsClient } from "./client.js";
import { clientPagination } from "./client.js";
import { unwrap } from "./errors.js";
import type { pagedOperations } from "./types.js";

type PagedOf<C> = C extends { readonly [pagedOperations]?: infer P } ? NonNullable<P> : never;

/** The operationIds of `C` that page (`marker` / `page_info.next_marker`, `next` / `meta_data.marker`). */
export type PagedOperationId<C> = keyof PagedOf<C> & keyof C & string;

type InitOf<F> = F extends (...args: infer A) => unknown ? A[0] : never;
type DataOf<F> = F extends (...args: any[]) => Promise<infer R>
  ? R extends { data?: infer D }
    ? NonNullable<D>
    : never
  : never;

/** The item type a paged operation yields. */
export type PageItem<C, Op extends PagedOperationId<C>> = DataOf<C[Op]>[PagedOf<C>[Op] &
  keyof DataOf<C[Op]>] extends readonly (infer Item)[]
  ? Item
  : never;

type PageInit = { params?: { query?: Record<string, unknown> } } & Record<string, unknown>;

/**
 * Iterates over every item of a paged list operation, following the next marker
 * (`page_info.next_marker`, or `meta_data.marker` for the trace list) until a page has none.
 * Non-2xx pages throw (`CsmsApiError` …), as with {@link unwrap}. Which operations page, and how,
 * comes from the spec at build time.
 *
 * @example
 * for await (const record of paginate(csms, "listNotificationRecords", { params: { query: { limit: 100 } } })) {}
 */
export async function* paginate<C extends object, Op extends PagedOperationId<C>>(
  client: C,
  operationId: Op,
  init?: InitOf<C[Op]>,
): AsyncGenerator<PageItem<C, Op>, void, undefined> {
  const cursor = clientPagination.get(client)?.[operationId];
  if (cursor === undefined)
    throw new TypeError(`paginate: ${operationId} is not a paged operation`);
  const call = (client as Record<string, (init: PageInit) => Promise<any>>)[operationId]!;
  const first = init as PageInit | undefined;
  let marker = first?.params?.query?.[cursor.param];
  const seen = new Set<unknown>();
  for (;;) {
    const page: any = unwrap(
      await call({
        ...first,
        params: { ...first?.params, query: { ...first?.params?.query, [cursor.param]: marker } },
      }),
    );
    for (const item of page?.[cursor.items] ?? []) yield item;
    const next = cursor.next.reduce<any>((value, key) => value?.[key], page);
    if (next === undefined || next === null || next === "") return;
    // A server that hands back a marker twice would otherwise loop forever.
    if (seen.has(next)) throw new Error(`paginate: ${operationId} returned a next marker twice`);
    seen.add(next);
    marker = next;
  }
}

type AnyCsmsClient = CsmsClient<true> | CsmsClient<false>;

/** Every secret event of the project, page after page. */
export function paginateSecretEvents<C extends AnyCsmsClient>(
  client: C,
  init?: InitOf<C["listSecretEvents"]>,
): AsyncGenerator<PageItem<C, "listSecretEvents">, void, undefined> {
  return paginate(client, "listSecretEvents", init as never);
}

/** Every notification record of the project, page after page. */
export function paginateNotificationRecords<C extends AnyCsmsClient>(
  client: C,
  init?: InitOf<C["listNotificationRecords"]>,
): AsyncGenerator<PageItem<C, "listNotificationRecords">, void, undefined> {
  return paginate(client, "listNotificationRecords", init as never);
}

type AnyCtsClient = CtsClient<true> | CtsClient<false>;

/** Every trace of the query (newest first), page after page (`next` / `meta_data.marker`). */
export function paginateTraces<C extends AnyCtsClient>(
  client: C,
  init: InitOf<C["listTraces"]>,
): AsyncGenerator<PageItem<C, "listTraces">, void, undefined> {
  return paginate(client, "listTraces", init as never);
}
