// Schema-driven fuzzing, Schemathesis style: for every operation, FUZZ_RUNS valid and FUZZ_RUNS
// invalid inputs generated from the bundled schemas. Checks: no 5xx, a declared status, the
// declared media type, a body matching the declared schema; invalid input is a 4xx in the API's
// own envelope. A failure is shrunk and printed as a runnable curl command.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invalidBody, invalidParam, valid } from "../src/arbitraries.js";
import {
  assertConforms,
  credentials,
  FUZZ_RUNS,
  type Harness,
  startHarness,
  urlFor,
} from "../src/context.js";
import type { SentRequest } from "../src/curl.js";
import { type Json, type Operation, operations } from "../src/spec.js";
import { errorCode } from "../src/validate.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
const started = performance.now();
afterAll(async () => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `fuzz: ${h.sent()} generated requests (+${fresh} setup creates) in ${seconds} s, FUZZ_RUNS=${FUZZ_RUNS}`,
  );
  await h?.stop();
});

/**
 * Placeholders for "a resource that exists": just before a request is sent, each occurrence is
 * replaced by a resource created for it, so valid requests hit existing resources as often as
 * unknown ones, however many earlier runs deleted.
 */
const EXISTING = {
  notification_id: "EXISTING-NOTIFICATION",
  event_name: "EXISTING-EVENT",
  secret_name: "EXISTING-SECRET",
};
const existing = {
  notification_id: [EXISTING.notification_id],
  event_name: [EXISTING.event_name],
  secret_name: [EXISTING.secret_name],
};
let fresh = 0;
async function materialise(req: SentRequest): Promise<SentRequest> {
  let { url, body } = req;
  while (url.includes(EXISTING.notification_id) || body?.includes(EXISTING.notification_id)) {
    const n = await h.cts("p1").createNotification({
      body: { notification_name: `fuzz_existing_${fresh++}`, operation_type: "complete" },
    });
    url = url.replace(EXISTING.notification_id, n.data.notification_id);
    body = body?.replace(EXISTING.notification_id, n.data.notification_id);
  }
  if (url.includes(EXISTING.event_name)) {
    const name = `fuzz-existing-${fresh++}`;
    await h.csms("p1").createSecretEvent({
      body: {
        name,
        event_types: ["SECRET_ROTATED"],
        state: "ENABLED",
        notification: { target_type: "SMN", target_id: "t", target_name: "n" },
      },
    });
    url = url.replace(EXISTING.event_name, name);
  }
  if (url.includes(EXISTING.secret_name)) {
    // A secret with its first version, v1 (the version paths ask for v1 or latest half the time).
    const name = `fuzz-secret-${fresh++}`;
    await h.csms("p1").createSecret({ body: { name, secret_string: "fuzz" } });
    url = url.replace(EXISTING.secret_name, name);
  }
  return { ...req, url, body };
}

const headers = { "X-Auth-Token": credentials.tokens.p1, "Content-Type": "application/json" };

/** Valid path and query values for an operation: from the schemas, mixed with existing ids. */
function validParams(op: Operation): fc.Arbitrary<{ path: Json; query: Json }> {
  const path: Record<string, fc.Arbitrary<unknown>> = {};
  const query: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of op.parameters) {
    let arb: fc.Arbitrary<unknown> = valid(op.api, p.schema);
    if (p.name === "project_id") arb = fc.constant("p1");
    if (p.name === "event_name") arb = fc.oneof(arb, fc.constantFrom(...existing.event_name));
    if (p.name === "secret_name") arb = fc.oneof(arb, fc.constantFrom(...existing.secret_name));
    if (p.name === "version_id") arb = fc.oneof(arb, fc.constantFrom("v1", "latest"));
    if (p.name === "notification_id") {
      const id = fc.oneof(fc.uuid({ version: 4 }), fc.constantFrom(...existing.notification_id));
      arb = fc.array(id, { minLength: 1, maxLength: 3 }).map((ids) => ids.join(","));
    }
    if (p.in === "path") path[p.name] = arb;
    else if (p.in === "query")
      query[p.name] = p.required ? arb : fc.option(arb, { nil: undefined });
  }
  return fc.record({ path: fc.record(path), query: fc.record(query) });
}

function validRequest(op: Operation): fc.Arbitrary<SentRequest> {
  const generated = op.requestBody?.schemaRef
    ? valid(op.api, op.requestBody.schemaRef)
    : fc.constant(undefined);
  // A body that names a resource by id refers to an existing one half of the time.
  const body = fc
    .tuple(generated, fc.boolean(), fc.constantFrom(...existing.notification_id))
    .map(([b, useExisting, id]) =>
      useExisting && b && typeof b === "object" && "notification_id" in b
        ? { ...b, notification_id: id }
        : b,
    )
    // An expiry must lie ahead of the server's clock: generated times are moved past now.
    .map((b) =>
      b && typeof b === "object" && typeof (b as Json).expire_time === "number"
        ? { ...b, expire_time: Date.now() + 86_400_000 + ((b as Json).expire_time as number) }
        : b,
    );
  return fc.tuple(validParams(op), body).map(([params, b]) => ({
    method: op.method.toUpperCase(),
    url: urlFor(h.url, op, params.path, params.query),
    headers,
    body: b === undefined ? undefined : JSON.stringify(b),
  }));
}

function invalidRequest(op: Operation): fc.Arbitrary<SentRequest & { what: string }> {
  const choices: fc.Arbitrary<SentRequest & { what: string }>[] = [];
  const base = validRequest(op);
  if (op.requestBody?.schemaRef) {
    choices.push(
      fc
        .tuple(validParams(op), invalidBody(op.api, op.requestBody.schemaRef))
        .map(([params, inv]) => ({
          method: op.method.toUpperCase(),
          url: urlFor(h.url, op, params.path, params.query),
          headers,
          body: inv.rawText ?? JSON.stringify(inv.value),
          what: `body: ${inv.what}`,
        })),
    );
  }
  for (const p of op.parameters) {
    if (p.name === "project_id") continue; // covered by the auth checks (another project → 403)
    const bad = invalidParam(p.schema);
    if (bad.length === 0) continue;
    choices.push(
      fc.tuple(validParams(op), base, fc.constantFrom(...bad)).map(([params, req, value]) => {
        const where = p.in === "path" ? params.path : params.query;
        where[p.name] = value;
        return {
          ...req,
          url: urlFor(h.url, op, params.path, params.query),
          what: `${p.in} ${p.name}=${JSON.stringify(value)}`,
        };
      }),
    );
  }
  return fc.oneof(...choices);
}

describe.each(operations.map((op) => [op.operationId, op] as const))("%s", (_id, op) => {
  it(`${FUZZ_RUNS} valid inputs conform to the spec`, async () => {
    let success = 0;
    await fc.assert(
      fc.asyncProperty(validRequest(op), async (generated) => {
        const req = await materialise(generated);
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
      fc.asyncProperty(invalidRequest(op), async (generated) => {
        const req = { ...(await materialise(generated)), what: generated.what };
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
