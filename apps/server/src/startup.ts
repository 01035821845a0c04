/**
 * What start-up sends through the app before it is ready, built from the spec model:
 *
 * - warm-up: for every operation, one valid request made of the spec's examples. It compiles
 *   the operation's request and response validators now, so no client request pays for them.
 * - the boot self-check: for every operation, one request that must be rejected (an invalid
 *   body for operations with a body, else an invalid parameter). If one is not answered `400`
 *   in the API's envelope, validation is not working and start-up fails: a validator upgrade
 *   that stops validating cannot pass unnoticed.
 *
 * Both go through the real middleware chain (see inject.ts); neither touches the store.
 */

import type { Parameter, Schema } from "@cts-csms/spec";
import type { Express } from "express";
import { errorCode } from "./errors.js";
import { inject, type SyntheticRequest } from "./inject.js";
import { type ApiName, models, type Operation, operations } from "./spec.js";

/** A parameter's documented value: its example, else its first named example, enum or default. */
function exampleValue(op: Operation<ApiName>, param: Parameter): string {
  const named = Object.values(param.examples);
  const value =
    param.example ??
    named[0] ??
    (Array.isArray(param.schema.enum) ? param.schema.enum[0] : undefined) ??
    param.schema.default;
  if (value === undefined) {
    throw new Error(`spec: ${op.operationId} parameter ${param.name} needs an example`);
  }
  return String(value);
}

function requestFor(
  op: Operation<ApiName>,
  values: Map<Parameter, string>,
  body: unknown,
  extraQuery: Record<string, string> = {},
): SyntheticRequest {
  let path = op.path;
  const query = new URLSearchParams();
  for (const [param, value] of values) {
    if (param.in === "path") path = path.replace(`{${param.name}}`, encodeURIComponent(value));
    else if (param.in === "query") query.append(param.name, value);
  }
  for (const [name, value] of Object.entries(extraQuery)) query.append(name, value);
  const search = query.toString();
  const request: SyntheticRequest = { method: op.method, url: search ? `${path}?${search}` : path };
  const mediaType = op.requestBody?.mediaTypes[0];
  if (mediaType !== undefined && body !== undefined) {
    request.headers = { "content-type": mediaType };
    request.body = JSON.stringify(body);
  }
  return request;
}

/** The operation's path and required query parameters, from the spec's examples. */
function validValues(op: Operation<ApiName>): Map<Parameter, string> {
  const values = new Map<Parameter, string>();
  for (const param of op.parameters) {
    if (param.in === "path" || (param.in === "query" && param.required)) {
      values.set(param, exampleValue(op, param));
    }
  }
  return values;
}

/** A valid request of the operation, made of the spec's examples. */
export function exampleRequest(op: Operation<ApiName>): SyntheticRequest {
  const examples = Object.values(op.requestBody?.examples ?? {});
  if (op.requestBody && examples.length === 0) {
    throw new Error(`spec: ${op.operationId} needs a request body example`);
  }
  return requestFor(op, validValues(op), examples[0]);
}

/** JSON values by JSON Schema type, to find one a schema's `type` does not allow. */
const BY_TYPE: [string, unknown][] = [
  ["string", "self-check"],
  ["array", []],
  ["object", {}],
  ["boolean", true],
];

/** A JSON value of a type the schema does not allow, if its `type` says which. */
function wrongType(schema: Schema): unknown {
  const allowed = ([] as unknown[]).concat(schema.type ?? []);
  if (allowed.length === 0) return undefined;
  return BY_TYPE.find(([type]) => !allowed.includes(type))?.[1];
}

/** A value the parameter's schema rejects, if one can be told from the schema alone. */
function invalidValue(param: Parameter): string | undefined {
  const s = param.schema;
  if (s.type === "integer" || s.type === "number") return "not-a-number";
  if (Array.isArray(s.enum)) return `${String(s.enum[0])}-not-in-the-enum`;
  if (typeof s.pattern === "string") {
    const pattern = new RegExp(s.pattern, "u");
    const found = [" ", "!", "\u0001"].find((candidate) => !pattern.test(candidate));
    if (found !== undefined) return found;
  }
  if (typeof s.maxLength === "number") return "x".repeat(s.maxLength + 1);
  return undefined;
}

/** A request of the operation that validation must reject (and that names what is wrong). */
export function invalidRequest(op: Operation<ApiName>): {
  request: SyntheticRequest;
  what: string;
} {
  const values = validValues(op);
  const schema = op.requestBody?.schema;
  const body = schema ? wrongType(schema) : undefined;
  if (body !== undefined) {
    return { request: requestFor(op, values, body), what: `a body of type ${typeof body}` };
  }
  const params = [...op.parameters].sort((a, b) =>
    a.in === "query" ? -1 : b.in === "query" ? 1 : 0,
  );
  for (const param of params) {
    const value = invalidValue(param);
    if (value === undefined) continue;
    values.set(param, value);
    return {
      request: requestFor(op, values, Object.values(op.requestBody?.examples ?? {})[0]),
      what: `an invalid ${param.in} parameter ${param.name}`,
    };
  }
  return {
    request: requestFor(op, values, undefined, { cts_csms_self_check: "1" }),
    what: "an undeclared query parameter",
  };
}

export async function warmUp(app: Express): Promise<void> {
  for (const op of operations) {
    const request = exampleRequest(op);
    const response = await inject(app, request, "warm-up");
    if (response.status !== op.successStatus) {
      throw new Error(
        `warm-up: ${op.operationId} ${request.method} ${request.url} with the spec's examples got ` +
          `${response.status} ${JSON.stringify(response.body)}, not ${op.successStatus}`,
      );
    }
  }
}

export async function selfCheck(app: Express): Promise<void> {
  const failures: string[] = [];
  for (const op of operations) {
    const { request, what } = invalidRequest(op);
    const response = await inject(app, request, "self-check");
    const body = response.body as Record<string, any> | undefined;
    const envelope = models[op.api].errorEnvelope === "nested" ? body?.error : body;
    const expected = errorCode(op.api, "validation");
    if (
      response.status !== 400 ||
      envelope?.error_code !== expected ||
      typeof envelope?.error_msg !== "string"
    ) {
      failures.push(
        `${op.operationId} with ${what} (${request.method} ${request.url}) got ` +
          `${response.status} ${JSON.stringify(response.body)}, not 400 ${expected}`,
      );
    }
  }
  if (failures.length > 0) {
    throw new Error(
      `boot self-check: request validation is not working; invalid requests were not rejected:\n  ${failures.join("\n  ")}`,
    );
  }
}
