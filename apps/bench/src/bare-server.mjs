#!/usr/bin/env node
// Baseline (a) of the throughput benchmark: a bare Express 5 app running the reference server's
// own handlers and in-memory store, with no validator, no auth and no logging: the ceiling for
// this design. Only for benchmarking; it trusts its input.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { createHandlers } from "@cts-csms/server";
import express from "express";

const { values } = parseArgs({
  options: { port: { type: "string", default: "0" }, seed: { type: "string" } },
});
const handlers = createHandlers();
const app = express();
app.disable("x-powered-by");
app.use(express.json({ limit: "1mb" }));

const reply = (res, r) =>
  r.body === undefined ? res.status(r.status).end() : res.status(r.status).json(r.body);
const route = (method, path, operationId, query = (q) => q) =>
  app[method](path, async (req, res) => {
    try {
      reply(
        res,
        await handlers[operationId]({
          projectId: req.params.project_id,
          params: req.params,
          query: query(req.query),
          body: req.body,
        }),
      );
    } catch (err) {
      res
        .status(err.status ?? 500)
        .json({ error_code: err.code ?? "BARE", error_msg: String(err.message) });
    }
  });
// Routes and the paging default come from the bundled specs, like everything else.
const require = createRequire(import.meta.url);
for (const api of ["cts", "csms"]) {
  const spec = require(`@cts-csms/openapi/${api}.json`);
  const resolve = (node) =>
    node?.$ref
      ? resolve(
          node.$ref
            .slice(2)
            .split("/")
            .reduce((o, k) => o[k], spec),
        )
      : node;
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of ["get", "post", "put", "delete"]) {
      const op = item[method];
      if (!op) continue;
      const limit = [...(item.parameters ?? []), ...(op.parameters ?? [])]
        .map(resolve)
        .find((p) => p.name === "limit");
      const query = limit
        ? (q) => ({ ...q, limit: q.limit === undefined ? limit.schema.default : Number(q.limit) })
        : undefined;
      route(method, path.replace(/\{([^}]+)\}/g, ":$1"), op.operationId, query);
    }
  }
}

if (values.seed) {
  const seed = JSON.parse(readFileSync(values.seed, "utf8"));
  for (const [projectId, project] of Object.entries(seed.projects)) {
    for (const body of project.notifications ?? [])
      await handlers.createNotification({
        projectId,
        params: { project_id: projectId },
        query: {},
        body,
      });
    for (const body of project.events ?? [])
      await handlers.createSecretEvent({
        projectId,
        params: { project_id: projectId },
        query: {},
        body,
      });
  }
}

const server = app.listen(Number(values.port), "127.0.0.1", () => {
  console.log(`bare-server listening on http://127.0.0.1:${server.address().port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
