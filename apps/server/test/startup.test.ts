// Start-up sends every operation through the real pipeline twice: a valid request made of the
// spec's examples (warm-up) and one that validation must reject (the boot self-check). A
// validator that stops validating, or one that rejects everything, must stop the server.
import type { RequestHandler } from "express";
import { describe, expect, it } from "vitest";
import { createServer } from "../src/index.js";
import { operations } from "../src/spec.js";
import { exampleRequest, invalidRequest } from "../src/startup.js";
import { request, start } from "./helpers.js";

const acceptEverything: RequestHandler = (_req, _res, next) => next();
const rejectEverything: RequestHandler = (_req, _res, next) =>
  next(Object.assign(new Error("request/body must be object"), { status: 400 }));

describe("boot self-check", () => {
  it("fails start-up when the validator accepts everything, naming every operation", async () => {
    const starting = createServer({ port: 0, logger: false, validator: () => [acceptEverything] });
    const error: Error = await starting.then(
      (server) => server.close().then(() => new Error("started")),
      (err: Error) => err,
    );
    expect(error.message).toMatch(/^boot self-check: request validation is not working/);
    for (const op of operations) expect(error.message).toContain(`${op.operationId} with `);
  });

  it("fails start-up when the validator rejects the spec's own examples", async () => {
    const starting = createServer({ port: 0, logger: false, validator: () => [rejectEverything] });
    await expect(starting).rejects.toThrow(/^warm-up: \w+ .* with the spec's examples got 400/);
  });
});

const server = await start();

describe("the requests start-up sends", () => {
  it.each(operations.map((op) => [op.operationId, op] as const))(
    "%s: the self-check's request is rejected with 400 over HTTP too",
    async (_id, op) => {
      const { request: sent } = invalidRequest(op);
      const res = await request(server.url, sent.method, sent.url, {
        ...(sent.body !== undefined && { raw: sent.body }),
        headers: sent.headers ?? {},
      });
      expect(res.status).toBe(400);
    },
  );

  it.each(operations.map((op) => [op.operationId, op] as const))(
    "%s: the warm-up's request is made of the spec's examples and is valid",
    async (_id, op) => {
      const sent = exampleRequest(op);
      expect(sent.method).toBe(op.method);
      if (op.requestBody)
        expect(JSON.parse(sent.body ?? "")).toEqual(Object.values(op.requestBody.examples)[0]);
      expect(sent.url).not.toMatch(/\{|\}/);
    },
  );
});
