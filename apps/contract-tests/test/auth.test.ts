// Credentials on every operation: none, unknown, malformed, stale, wrongly signed → 401; valid
// for another project → 403; valid AK/SK signed by the client → accepted.
import { createCsmsClient, createCtsClient } from "@cts-csms/client";
import { signRequest } from "@cts-csms/signer";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { valid } from "../src/arbitraries.js";
import { assertConforms, credentials, type Harness, startHarness, urlFor } from "../src/context.js";
import { type Json, type Operation, operations } from "../src/spec.js";
import { errorCode } from "../src/validate.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

/** One valid request for the operation, generated from its schemas (fixed seed). */
function sample(op: Operation): { url: string; body?: string } {
  const path: Json = {};
  const query: Json = {};
  for (const p of op.parameters) {
    const v =
      p.name === "project_id"
        ? "p1"
        : fc.sample(valid(op.api, p.schema), { numRuns: 1, seed: 7 })[0];
    if (p.in === "path") path[p.name] = v;
    else if (p.required) query[p.name] = v;
  }
  const body = op.requestBody?.schemaRef
    ? JSON.stringify(fc.sample(valid(op.api, op.requestBody.schemaRef), { numRuns: 1, seed: 7 })[0])
    : undefined;
  return { url: urlFor(h.url, op, path, query), body };
}

const json = { "Content-Type": "application/json" };
const { ak, sk } = credentials.aksk.p1;

async function signed(
  op: Operation,
  req: { url: string; body?: string },
  sk: string,
  date = new Date(),
) {
  const base = { ...json };
  return {
    ...base,
    ...(await signRequest(
      { method: op.method.toUpperCase(), url: req.url, headers: base, body: req.body ?? "" },
      { ak, sk },
      { date },
    )),
  };
}

describe.each(operations.map((op) => [op.operationId, op] as const))("%s", (_id, op) => {
  const cases: [
    string,
    (r: { url: string; body?: string }) => Promise<Record<string, string>>,
    number,
  ][] = [
    ["no credentials", async () => json, 401],
    ["an unknown token", async () => ({ ...json, "X-Auth-Token": "not-a-known-token" }), 401],
    ["an empty token", async () => ({ ...json, "X-Auth-Token": "" }), 401],
    [
      "a malformed Authorization",
      async () => ({
        ...json,
        Authorization: "SDK-HMAC-SHA256 garbage",
        "X-Sdk-Date": "20260101T000000Z",
      }),
      401,
    ],
    ["a signature made with the wrong SK", (r) => signed(op, r, "wrong-secret"), 401],
    [
      "a signature 20 minutes stale",
      (r) => signed(op, r, sk, new Date(Date.now() - 20 * 60_000)),
      401,
    ],
    [
      "another project's token",
      async () => ({ ...json, "X-Auth-Token": credentials.tokens.p2 }),
      403,
    ],
    [
      "another project's AK/SK",
      async (r) => ({
        ...json,
        ...(await signRequest(
          { method: op.method.toUpperCase(), url: r.url, headers: json, body: r.body ?? "" },
          credentials.aksk.p2,
        )),
      }),
      403,
    ],
  ];
  it.each(cases)("rejects %s", async (_what, make, status) => {
    const req = sample(op);
    const sent = {
      method: op.method.toUpperCase(),
      url: req.url,
      headers: await make(req),
      body: req.body,
    };
    const res = await h.send(sent);
    assertConforms(op, res, sent);
    expect(res.status).toBe(status);
    expect(errorCode(op.api, res.body)).toMatch(op.api === "cts" ? /^CTS\./ : /^CSMS\./);
  });

  it("accepts a valid AK/SK signature made by the client", async () => {
    const factory = op.api === "cts" ? createCtsClient : createCsmsClient;
    const client: any = factory({
      endpoint: h.url,
      projectId: "p1",
      auth: { ak, sk },
      retry: false,
    } as any);
    // Signed by the client through its raw openapi-fetch interface, body as generated.
    const req = sample(op);
    const url = new URL(req.url);
    const params: Json = { path: {}, query: Object.fromEntries(url.searchParams) };
    const pathValues = url.pathname.split("/").map(decodeURIComponent);
    op.path.split("/").forEach((seg, i) => {
      const m = seg.match(/^\{(.+)\}$/);
      if (m) params.path[m[1]!] = pathValues[i];
    });
    const result = await client[op.operationId]({
      params,
      body: req.body ? JSON.parse(req.body) : undefined,
    });
    expect([401, 403]).not.toContain(result.response.status);
    expect(result.response.status).toBeLessThan(500);
  });
});
