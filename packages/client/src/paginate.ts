import { clientPaging } from "./client.js";
import { unwrap } from "./errors.js";
import type { Paging, pagedOperations } from "./types.js";

type PagedOf<C> = C extends { readonly [pagedOperations]?: infer P } ? NonNullable<P> : never;

/** The operationIds of `C` that page (their spec declares `x-paging`). */
export type PagedOperationId<C> = keyof PagedOf<C> & keyof C & string;

type InitOf<F> = F extends (...args: infer A) => unknown ? A[0] : never;
type DataOf<F> = F extends (...args: any[]) => Promise<infer R>
  ? R extends { data?: infer D }
    ? NonNullable<D>
    : never
  : never;
type ItemsKeyOf<C, Op extends PagedOperationId<C>> = PagedOf<C>[Op] extends { items: infer K }
  ? K & keyof DataOf<C[Op]>
  : never;

/** The item type a paged operation yields. */
export type PageItem<C, Op extends PagedOperationId<C>> = DataOf<C[Op]>[ItemsKeyOf<
  C,
  Op
>] extends readonly (infer Item)[]
  ? Item
  : never;

type PageInit = { params?: { query?: Record<string, unknown> } } & Record<string, unknown>;

/**
 * Iterates over every item of a paged list operation, page after page, the way the operation's
 * spec says it pages (`x-paging`): `marker` style follows the response's next marker until a page
 * has none; `offset` style advances the offset until a short page. Non-2xx pages throw
 * (`CsmsApiError` …), as with {@link unwrap}.
 *
 * @example
 * for await (const event of paginate(csms, "listSecretEvents", { params: { query: { limit: 100 } } })) {}
 */
export async function* paginate<C extends object, Op extends PagedOperationId<C>>(
  client: C,
  operationId: Op,
  init?: InitOf<C[Op]>,
): AsyncGenerator<PageItem<C, Op>, void, undefined> {
  const paging = clientPaging.get(client)?.[operationId];
  const call = (client as Record<string, (init: PageInit) => Promise<any>>)[operationId];
  if (paging === undefined || call === undefined) {
    throw new TypeError(`paginate: ${operationId} is not a paged operation`);
  }
  const first = init as PageInit | undefined;
  yield* pages(
    async (query) => unwrap(await call({ ...first, params: { ...first?.params, query } })),
    paging,
    operationId,
    first?.params?.query ?? {},
  );
}

/** The paging loop of either style, over a function that fetches one page for a query. */
export async function* pages(
  fetchPage: (query: Record<string, unknown>) => Promise<any>,
  paging: Paging,
  operationId: string,
  query: Record<string, unknown>,
): AsyncGenerator<any, void, undefined> {
  if (paging.style === "marker") {
    let marker = query[paging.marker];
    const seen = new Set<unknown>();
    for (;;) {
      const page = await fetchPage({ ...query, [paging.marker]: marker });
      yield* page?.[paging.items] ?? [];
      const next = paging.nextMarker.reduce((value: any, key) => value?.[key], page);
      if (next === undefined || next === null || next === "") return;
      // A server that hands back a marker twice would otherwise loop forever.
      if (seen.has(next)) throw new Error(`paginate: ${operationId} returned next_marker twice`);
      seen.add(next);
      marker = next;
    }
  }
  const size = Number(query[paging.limit?.name ?? ""] ?? paging.limit?.default);
  let offset = Number(query[paging.offset] ?? 0);
  for (;;) {
    const items: unknown[] =
      (await fetchPage({ ...query, [paging.offset]: offset }))?.[paging.items] ?? [];
    yield* items;
    // A page shorter than the page size (or empty, when the size is unknown) is the last one.
    if (items.length === 0 || items.length < size) return;
    offset += items.length;
  }
}
