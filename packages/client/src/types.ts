import type { Client, FetchResponse, MaybeOptionalInit } from "openapi-fetch";

/** An operation map as generated from a spec: operationId → method and path template. */
export type OperationMap = Record<
  string,
  { readonly method: string; readonly path: string; readonly parseAs?: "text" }
>;

/** How a list operation pages, as generated from its `x-paging` in the spec. */
export type Paging =
  | {
      readonly style: "marker";
      /** The response property holding the page's items. */
      readonly items: string;
      /** The query parameter carrying the cursor. */
      readonly marker: string;
      /** Where the next cursor is in the response body. */
      readonly nextMarker: readonly string[];
    }
  | {
      readonly style: "offset";
      readonly items: string;
      /** The query parameter carrying the offset. */
      readonly offset: string;
      /** The page-size query parameter and its default. */
      readonly limit?: { readonly name: string; readonly default: number } | undefined;
    };

/** A generated paging map: operationId → how it pages. */
export type PagingMap = Readonly<Record<string, Paging>>;

type Media = `${string}/${string}`;

/** `params.path.project_id` made optional, for clients created with a default `projectId`. */
type RelaxParams<P> = P extends { path: infer PP }
  ? "project_id" extends keyof PP
    ? Omit<P, "path"> &
        (object extends Omit<PP, "project_id">
          ? { path?: Omit<PP, "project_id"> & { project_id?: string } }
          : { path: Omit<PP, "project_id"> & { project_id?: string } })
    : P
  : P;

type RelaxOperation<O> = O extends { parameters: infer P }
  ? Omit<O, "parameters"> & { parameters: RelaxParams<P> }
  : O;

/** `Paths` with `{project_id}` optional everywhere. */
export type WithDefaultProjectId<Paths> = {
  [K in keyof Paths]: { [M in keyof Paths[K]]: RelaxOperation<Paths[K][M]> };
};

/** The paths a client accepts: `project_id` optional when the client has a default one. */
export type ClientPaths<Paths, DefaultProject extends boolean> = DefaultProject extends true
  ? WithDefaultProjectId<Paths>
  : Paths;

/**
 * One method per operationId, typed from the `paths` types through the generated map: the same
 * `init`, result and error types as `client.GET(path, init)` etc. for that path.
 */
export type OperationMethods<Paths, Ops extends OperationMap> = {
  [Id in keyof Ops]: OperationMethod<Paths, Ops[Id]>;
};

type OperationMethod<Paths, Op extends OperationMap[string]> = Op["path"] extends keyof Paths
  ? Paths[Op["path"]] extends infer Item extends Record<string | number, any>
    ? Op["method"] extends infer M extends keyof Item
      ? Item[M] extends infer O extends Record<string | number, any>
        ? OperationFn<MaybeOptionalInit<Item, M>, O>
        : never
      : never
    : never
  : never;

// Not generic in `init` (unlike ClientForPath), so misspelled body fields are excess-property errors.
type OperationFn<Init, O extends Record<string | number, any>> = (
  ...init: undefined extends Init ? [init?: Init] : [init: Init]
) => Promise<FetchResponse<O, unknown, Media>>;

/** Type-only brand carrying a client's paged operations (operationId → how it pages). */
export declare const pagedOperations: unique symbol;

/**
 * A typed client: the openapi-fetch client (spread, and as `raw`) plus one method per operation.
 */
export type ApiClient<Paths extends {}, Ops extends OperationMap, Paged = object> = Client<Paths> &
  OperationMethods<Paths, Ops> & {
    /** The openapi-fetch client: `GET`/`POST`/`PUT`/`DELETE` by path, `use()` for middleware. */
    readonly raw: Client<Paths>;
    readonly [pagedOperations]?: Paged;
  };
