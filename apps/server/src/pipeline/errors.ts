/**
 * Stage 7: every failure becomes the service's own envelope with a status the operation
 * declares. Unexpected failures are logged with the request id and answered with a generic 500.
 */
import type { Operation, Schema } from "@cts-csms/spec";
import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { classify, errorResponse } from "../errors.js";
import { syntheticPurpose } from "../inject.js";
import { apiForPath } from "../spec.js";

/** One of express-openapi-validator's errors: `path` names the missing or extra property. */
export interface FieldError {
  path: string;
  message: string;
  errorCode: string;
}

function isFieldErrors(value: unknown): value is FieldError[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (e: Partial<FieldError>) =>
        typeof e.path === "string" &&
        typeof e.message === "string" &&
        typeof e.errorCode === "string",
    )
  );
}

/** The schema of the body field at `segments`, following properties, patterns and items. */
function fieldSchema(schema: Schema | undefined, segments: readonly string[]): Schema | undefined {
  let at = schema;
  for (const segment of segments) {
    if (at === undefined) return undefined;
    const branches = [at, ...((at.allOf ?? []) as Schema[]), ...((at.oneOf ?? []) as Schema[])];
    let next: Schema | undefined;
    for (const branch of branches) {
      const properties = branch.properties as Record<string, Schema> | undefined;
      const patterns = Object.entries((branch.patternProperties ?? {}) as Record<string, Schema>);
      next ??=
        properties?.[segment] ??
        patterns.find(([pattern]) => new RegExp(pattern, "u").test(segment))?.[1] ??
        (/^\d+$/.test(segment) ? (branch.items as Schema | undefined) : undefined);
    }
    at = next;
  }
  return at;
}

/**
 * The validator's words, made to name the real problem: an unknown property by its name (Ajv
 * says only "must NOT have additional properties"), and a value of the wrong shape with the
 * spec's example of a right one (a duration's pattern alone does not say `PT25H`).
 */
function explain(errors: readonly FieldError[], op: Operation | undefined): string {
  return errors
    .map(({ path, message, errorCode }) => {
      const segments = path
        .split("/")
        .slice(1)
        .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
      const keyword = errorCode.replace(/\.openapi\.validation$/, "");
      // For these the validator's path ends in the property; Ajv's message is about its parent.
      if (keyword === "required" || keyword === "additionalProperties") {
        const parent = `request/${segments.slice(0, -1).join("/")}`;
        return keyword === "required"
          ? `${parent} ${message}`
          : `${parent} has an unknown property "${segments.at(-1)}"`;
      }
      const field = `request/${segments.join("/")} ${message}`;
      if ((keyword === "pattern" || keyword === "format") && segments[0] === "body") {
        const example = fieldSchema(op?.requestBody?.schema, segments.slice(1))?.example;
        if (typeof example === "string") return `${field}, e.g. "${example}"`;
      }
      return field;
    })
    .join(", ");
}

/** The `error_msg` of a 400 for these validator errors, as a client gets it. */
export function validationMessage(errors: readonly FieldError[], op: Operation): string {
  return classify({ status: 400, message: explain(errors, op) }).message;
}

export function errors(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const op = res.locals.route?.op;
    const api = op?.api ?? apiForPath(req.path);
    let { kind, message, headers } = classify(err);
    const fieldErrors = (err as { errors?: unknown } | undefined)?.errors;
    if (kind === "validation" && isFieldErrors(fieldErrors)) {
      message = classify({ status: 400, message: explain(fieldErrors, op) }).message;
    }
    // The boot check's wrong answer is refused on purpose: nothing unexpected to log.
    if (kind === "internal" && syntheticPurpose(req) !== "response-check") {
      // A database failure arrives stripped of values (store/sql/driver.ts: DatabaseFailure).
      const operationId = op?.operationId;
      logger.error({ reqId: res.locals.requestId, operationId, err }, "unexpected failure");
      message = `Internal error; request id ${res.locals.requestId}`;
    }
    if (res.headersSent) {
      // Too late for an envelope; make the failure visible to the client.
      res.destroy();
      return;
    }
    const response = errorResponse(api, op, kind, message, headers);
    res.locals.rejection = response.body;
    if (response.headers) res.set(response.headers);
    res.status(response.status).json(response.body);
  };
}
