#!/usr/bin/env node
// Baseline (a) of the throughput benchmark: a bare Express 5 app running the reference server's
// own handlers and in-memory store, with no validator, no auth and no logging: the ceiling for
// this design. Only for benchmarking; it trusts its input.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createHandlers } from "@cts-csms/server";
import { apis } from "@cts-csms/spec";
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
// Routes and the paging default come from the spec model, like everything else.
for (const model of apis()) {
  // The reference server's own admin API is not part of the baseline.
  for (const op of model.operations.filter((o) => o.operationId in handlers)) {
    const limit = op.paging?.limit;
    const query = limit
      ? (q) => ({ ...q, limit: q.limit === undefined ? limit.default : Number(q.limit) })
      : undefined;
    route(op.method.toLowerCase(), op.path.replace(/\{([^}]+)\}/g, ":$1"), op.operationId, query);
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
