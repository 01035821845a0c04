/**
 * What start-up sends through the app, built from the spec model (see DESIGN.md, "Start-up"):
 *
 * - the boot check, before the server listens: for one operation of each API (each API has its
 *   own validator instance), one request that must be rejected with `400` in the API's envelope,
 *   and one valid request whose answer is made wrong on purpose, which must become a `500`. If
 *   either is let through, validation is not working and start-up fails: a validator upgrade
 *   that stops validating requests or responses cannot pass unnoticed.
 * - after it listens, one operation at a time between client requests: warm-up (for every
 *   operation, one valid request made of the spec's examples, which compiles its request and
 *   response validators) and the self-check of every other operation (one request each that
 *   must be rejected: an invalid body for operations with a body, else an invalid parameter).
 *   A failure there is as fatal as before listening (`ServerApp.checked` rejects).
 *
 * All go through the real middleware chain (see inject.ts); none touches the store.
 */

import type { Parameter, Schema } from "@cts-csms/spec";
import type { Express } from "express";
import { errorCode } from "./errors.js";
import { inject, type SyntheticRequest } from "./inject.js";
import { WRONG_BODY } from "./pipeline/handlers.js";
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

/** Lets the event loop serve what is waiting (client requests) before the next operation. */
const yieldToClients = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function warmUp(
  app: Express,
  ops: readonly Operation<ApiName>[] = operations,
  pace?: "between clients",
): Promise<void> {
  for (const op of ops) {
    if (pace) await yieldToClients();
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

export async function selfCheck(
  app: Express,
  ops: readonly Operation<ApiName>[] = operations,
  pace?: "between clients",
): Promise<void> {
  const failures: string[] = [];
  for (const op of ops) {
    if (pace) await yieldToClients();
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

/**
 * The operations the boot check covers before listening: one of each API whose success answer
 * is JSON with a schema that names its type (so a body of another type must fail it).
 */
export function bootCheckOperations(): Operation<ApiName>[] {
  const picked = new Map<ApiName, Operation<ApiName>>();
  for (const op of operations) {
    if (picked.has(op.api)) continue;
    const success = op.responses.find((r) => r.status === String(op.successStatus));
    const json = success?.mediaTypes[0]?.includes("json") === true;
    const typed = success?.schema !== undefined && wrongType(success.schema) === "self-check";
    if (json && typed) picked.set(op.api, op);
  }
  for (const model of Object.values(models)) {
    if (model.operations.length > 0 && !picked.has(model.name)) {
      throw new Error(`spec: ${model.name} has no operation with a typed JSON success answer`);
    }
  }
  return [...picked.values()];
}

/** Each operation's valid request, answered wrongly on purpose: the response check must refuse it. */
export async function responseCheck(app: Express, ops: readonly Operation<ApiName>[]) {
  const failures: string[] = [];
  for (const op of ops) {
    const request = exampleRequest(op);
    const response = await inject(app, request, "response-check");
    const body = response.body as Record<string, any> | undefined;
    const envelope = models[op.api].errorEnvelope === "nested" ? body?.error : body;
    if (response.status !== 500 || typeof envelope?.error_code !== "string") {
      failures.push(
        `${op.operationId} with the spec's examples, answered ${JSON.stringify(WRONG_BODY)} (${request.method} ${request.url}), ` +
          `got ${response.status} ${JSON.stringify(response.body)}, not 500`,
      );
    }
  }
  if (failures.length > 0) {
    throw new Error(
      `boot self-check: response validation is not working; wrong answers were not refused:\n  ${failures.join("\n  ")}`,
    );
  }
}
