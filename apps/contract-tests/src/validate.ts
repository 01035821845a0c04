// An Ajv validator compiled from the bundled specs, independent of the server's own
// express-openapi-validator: a bug in how the server wires its validator cannot hide here.

import type { ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { type Api, type Json, type Operation, responseRef, specs } from "./spec.js";

const ajvs = {} as Record<Api, Ajv2020>;
for (const api of ["cts", "csms"] as Api[]) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addSchema(specs[api], api);
  ajvs[api] = ajv;
}

const cache = new Map<string, ValidateFunction>();
export function schemaValidator(api: Api, ref: string): ValidateFunction {
  const key = `${api}${ref}`;
  let v = cache.get(key);
  if (!v) {
    v = ajvs[api].getSchema(`${api}${ref}`);
    if (!v) throw new Error(`cannot compile ${key}`);
    cache.set(key, v);
  }
  return v;
}

export interface Received {
  status: number;
  contentType: string | null;
  body: unknown;
  text: string;
}

/**
 * The Schemathesis-style response checks: a declared status, the declared media type, a body
 * matching the declared schema, and never a 5xx. Returns the list of problems (empty = conforms).
 */
export function checkResponse(op: Operation, res: Received): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`server error ${res.status}`);
  if (!op.statuses.has(res.status)) {
    problems.push(
      `status ${res.status} is not declared for ${op.operationId} (${[...op.statuses].join(", ")})`,
    );
    return problems;
  }
  const ref = responseRef(op, res.status);
  if (ref === undefined) {
    if (res.text !== "")
      problems.push(`status ${res.status} declares no body but got ${res.text.slice(0, 200)}`);
    return problems;
  }
  if (!res.contentType || !/^application\/json\b/.test(res.contentType)) {
    problems.push(`content-type ${res.contentType} is not application/json`);
    return problems;
  }
  const validate = schemaValidator(op.api, ref);
  if (!validate(res.body)) {
    problems.push(`body does not match ${ref}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
  return problems;
}

/** The API's own error envelope, whatever the status. */
export function errorCode(api: Api, body: unknown): string | undefined {
  const b = body as Json | null;
  return api === "cts" ? b?.error_code : b?.error?.error_code;
}
