// Start-up sends every operation through the real pipeline twice: a valid request made of the
// spec's examples (warm-up) and one that validation must reject (the self-check); before it
// listens, one operation of each API gets an invalid request and a wrong answer (the boot check).
// A validator that stops validating, or one that rejects everything, must stop the server.
import type { RequestHandler } from "express";
import { describe, expect, it } from "vitest";
import { createServer } from "../src/index.js";
import { openApiValidator } from "../src/pipeline/validation.js";
import { operations } from "../src/spec.js";
import { bootCheckOperations, exampleRequest, invalidRequest } from "../src/startup.js";
import { request, start } from "./helpers.js";

const acceptEverything: RequestHandler = (_req, _res, next) => next();
const rejectEverything: RequestHandler = (_req, _res, next) =>
  next(Object.assign(new Error("request/body must be object"), { status: 400 }));

describe("boot self-check", () => {
  it("fails start-up when the validator accepts everything, naming the checked operations", async () => {
    const starting = createServer({ port: 0, logger: false, validator: () => [acceptEverything] });
    const error: Error = await starting.then(
      (server) => server.close().then(() => new Error("started")),
      (err: Error) => err,
    );
    expect(error.message).toMatch(/^boot self-check: request validation is not working/);
    const boot = bootCheckOperations();
    expect(new Set(boot.map((op) => op.api))).toEqual(new Set(operations.map((op) => op.api)));
    for (const op of boot) expect(error.message).toContain(`${op.operationId} with `);
  });

  it("fails start-up when responses are not validated", async () => {
    const starting = createServer({
      port: 0,
      logger: false,
      // Requests validated as usual, responses not at all.
      validator: (model, settings) =>
        openApiValidator(model, { ...settings, responseValidation: false }),
    });
    await expect(starting).rejects.toThrow(/^boot self-check: response validation is not working/);
  });

  it("fails start-up when the validator rejects the spec's own examples", async () => {
    const starting = createServer({ port: 0, logger: false, validator: () => [rejectEverything] });
    await expect(starting).rejects.toThrow(
      /^boot self-check: response validation .* with the spec's examples.* got 400/s,
    );
  });

  it("rejects `checked` when an operation checked after listening is not validated", async () => {
    const boot = new Set(bootCheckOperations());
    const unchecked = operations.find((op) => !boot.has(op));
    if (!unchecked) throw new Error("every operation is in the boot check");
    const server = await createServer({
      port: 0,
      logger: false,
      // The real validator, except for that one operation's requests.
      // The real validator, except for that one operation's requests.
      validator: (model, settings) =>
        openApiValidator(model, settings).map(
          (middleware): RequestHandler =>
            (req, res, next) =>
              res.locals.route?.op === unchecked ? next() : middleware(req, res, next),
        ),
    });
    try {
      await expect(server.checked).rejects.toThrow(
        new RegExp(
          `^boot self-check: request validation is not working.*\\n  ${unchecked.operationId} with `,
          "s",
        ),
      );
    } finally {
      await server.close();
    }
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
