// The per-request validator chain uses the route metadata captured at warm-up for every
// operation; a silent fallback to the validator's own per-request route lookup would still pass
// every HTTP test, only slower, so it is checked here directly.
import express from "express";
import { expect, it } from "vitest";
import { routes } from "../src/spec.js";
import { buildValidator, requestChain, warmUp } from "../src/validation.js";

it("every operation validates through the warm-up metadata, not the full validator chain", async () => {
  const options = { responseValidation: true, onResponseError: () => {} };
  const validators = { cts: buildValidator("cts", options), csms: buildValidator("csms", options) };
  await warmUp(express(), validators);
  const operations = routes.flatMap((route) => [...route.path.operations.values()]);
  expect(operations).toHaveLength(10);
  for (const op of operations) {
    const chain = requestChain(validators[op.api])(op);
    expect(chain, op.operationId).not.toBe(validators[op.api].middlewares);
    expect(chain.map((mw) => mw.name).slice(1), op.operationId).toEqual([
      "requestMiddleware",
      "responseMiddleware",
    ]);
  }
});
