/**
 * `GET /`: a browser lands on the docs when they are served; otherwise the answer is a small JSON
 * index of what this server offers, taken from the specs and the reserved routes.
 */
import type { RequestHandler } from "express";
import { type ApiName, routes, specs } from "./spec.js";

export interface RootOptions {
  /** The docs site is mounted at /docs. */
  docsServed: boolean;
  /** The routes outside the Huawei specs (path → method → handler), for the index. */
  reserved: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** The path segments every path of the API shares, e.g. `/v1/{project_id}/csms`. */
function basePath(paths: string[]): string {
  const split = paths.map((p) => p.split("/"));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n++;
  return first.slice(0, n).join("/");
}

function index(reserved: RootOptions["reserved"]) {
  const apis = Object.fromEntries(
    (["cts", "csms"] as const).map((api: ApiName) => {
      const info = (specs[api].info ?? {}) as { title?: string; version?: string };
      const paths = routes.filter((r) => r.api === api);
      return [
        api,
        {
          title: info.title,
          version: info.version,
          base_path: basePath(paths.map((p) => p.specPath)),
          spec: `/openapi/${api}.json`,
          operations: paths.flatMap((p) =>
            [...p.operations.values()].map((op) => `${op.method} ${op.specPath}`),
          ),
        },
      ];
    }),
  );
  const other = Object.entries(reserved)
    .filter(([path]) => path !== "/")
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
  return {
    service: "cts-csms-server",
    apis,
    routes: other,
    docs: "not served: no built docs site (npm run build, or --docs DIR / the docsDir option)",
  };
}

export function rootHandler({ docsServed, reserved }: RootOptions): RequestHandler {
  let body: ReturnType<typeof index> | undefined;
  return (_req, res) => {
    if (docsServed) return res.redirect(302, "/docs/");
    body ??= index(reserved);
    res.json(body);
  };
}
