/**
 * `GET /`: a browser lands on the docs when they are served (their landing lists the live page
 * among the admin operations); otherwise the answer is a small JSON index of what this server
 * offers, taken from the spec model, with the live page's path.
 */
import type { RequestHandler } from "express";
import { type ApiName, models, routes, specFiles } from "./spec.js";

/** The APIs of Huawei Cloud the server stands in for; the others (admin) are its own. */
const SERVICES = ["cts", "csms"] as const satisfies readonly ApiName[];

/** The path segments every path of the API shares, e.g. `/v1/{project_id}/csms`. */
function basePath(paths: string[]): string {
  const split = paths.map((p) => p.split("/"));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n++;
  return first.slice(0, n).join("/");
}

function index() {
  const apis = Object.fromEntries(
    SERVICES.map((api) => {
      const model = models[api];
      return [
        api,
        {
          title: model.info.title,
          version: model.info.version,
          base_path: basePath(model.paths.map((p) => p.path)),
          spec: `/openapi/${api}.json`,
          operations: model.operations.map((op) => `${op.method} ${op.path}`),
        },
      ];
    }),
  );
  const own = routes
    .filter((r) => !(SERVICES as readonly string[]).includes(r.api))
    .flatMap((r) => [...r.operations.keys()].map((method) => `${method} ${r.path}`));
  const documents = Object.keys(specFiles).map((name) => `GET /openapi/${name}.json`);
  return {
    service: "cts-csms-server",
    apis,
    routes: [...own, ...documents],
    live: models.admin.operation("getLivePage").path,
    docs: "not served: no built docs site (npm run build, or --docs DIR / the docsDir option)",
  };
}

export function rootHandler(docsServed: boolean): RequestHandler {
  let body: ReturnType<typeof index> | undefined;
  return (_req, res) => {
    if (docsServed) return res.redirect(302, "/docs/");
    body ??= index();
    res.json(body);
  };
}
