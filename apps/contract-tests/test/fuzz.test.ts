// Schema-driven fuzzing, Schemathesis style: for every operation, FUZZ_RUNS valid and FUZZ_RUNS
// invalid inputs generated from the bundled schemas. Checks: no 5xx, a declared status, the
// declared media type, a body matching the declared schema; invalid input is a 4xx in the API's
// own envelope. A failure is shrunk and printed as a runnable curl command.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertConforms, FUZZ_RUNS, type Harness, startHarness } from "../src/context.js";
import { fuzzRequests } from "../src/fuzzRequests.js";
import { type Json, operations } from "../src/spec.js";
import { errorCode } from "../src/validate.js";

let h: Harness;
let requests: ReturnType<typeof fuzzRequests>;
beforeAll(async () => {
  h = await startHarness();
  requests = fuzzRequests(h);
});
const started = performance.now();
afterAll(async () => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `fuzz: ${h.sent()} generated requests (+${requests?.created()} setup creates) in ${seconds} s, FUZZ_RUNS=${FUZZ_RUNS}`,
  );
  await h?.stop();
});

describe.each(operations.map((op) => [op.operationId, op] as const))("%s", (_id, op) => {
  it(`${FUZZ_RUNS} valid inputs conform to the spec`, async () => {
    let success = 0;
    await fc.assert(
      fc.asyncProperty(requests.validRequest(op), async (generated) => {
        const req = await requests.materialise(generated);
        const res = await h.send(req);
        assertConforms(
          op,
          res,
          req,
          res.status >= 400 && res.status !== 404 && res.status !== 400
            ? [`unexpected status for valid input`]
            : [],
        );
        if (res.status < 300) success++;
      }),
      { numRuns: FUZZ_RUNS },
    );
    // Generated valid input must mostly succeed, or the generator is not exercising the handler.
    expect(success).toBeGreaterThan(0);
  });

  it(`${FUZZ_RUNS} invalid inputs are rejected with a 4xx in the ${op.api.toUpperCase()} envelope`, async () => {
    await fc.assert(
      fc.asyncProperty(requests.invalidRequest(op), async (generated) => {
        const req = { ...(await requests.materialise(generated)), what: generated.what };
        const res = await h.send(req);
        const problems: string[] = [];
        if (res.status < 400 || res.status >= 500)
          problems.push(`invalid input (${req.what}) got ${res.status}`);
        if (!errorCode(op.api, res.body)) problems.push(`no ${op.api} error envelope`);
        assertConforms(op, res, req, problems);
      }),
      { numRuns: FUZZ_RUNS },
    );
    // Nothing leaked onto Object.prototype in this process; the server checks its own.
    expect(({} as Json).polluted).toBeUndefined();
  });
});
