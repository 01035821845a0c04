/**
 * Stage 5: schema validation of path, query, headers and body (400), and of every response
 * against the spec before it is sent. express-openapi-validator through its public API only:
 * the middleware array `OpenApiValidator.middleware(…)` returns, mounted whole, as it comes.
 *
 * One instance per operation, made on the operation's first request, and run only for the
 * requests routing has already matched to it. Its document holds that one operation, with
 * references inlined and documentation left out (`validationDocument`): what validation reads
 * and nothing else. Two costs no longer grow with the API (see BENCHMARKS.md): the validator
 * finds a request's operation by compiling every path of its document to a regular expression
 * on every request, and it builds each response validator from a schema that carries the
 * document's whole `paths`, which Ajv walks for every status of every operation. What grows
 * instead is one OpenAPI meta-schema compile per instance (~70 ms), which the validator does
 * even with `validateApiSpec: false`: paid before listening only for the boot check's
 * operations, and for the others between client requests once the server listens.
 */
import { type ApiModel, validationDocument } from "@cts-csms/spec";
import type { NextFunction, Request, RequestHandler } from "express";
import * as OpenApiValidator from "express-openapi-validator";
import { type ApiName, models, type Operation } from "../spec.js";

type ValidatorOptions = Parameters<typeof OpenApiValidator.middleware>[0];

export interface ValidationSettings {
  /** Check responses too (default in the app: true). */
  responseValidation: boolean;
  /** Called when a response does not match the spec; the response then becomes a 500. */
  onResponseError: (err: unknown, body: unknown, req: Request) => void;
}

/**
 * Builds the validating middlewares of one operation of an API. The default is
 * express-openapi-validator; `createApp({ validator })` swaps it (the boot self-check's test
 * passes one that accepts all).
 */
export type ValidatorFactory = (
  model: ApiModel<ApiName>,
  settings: ValidationSettings,
  operation: Operation<ApiName>,
) => RequestHandler[];

type Document = ReturnType<typeof validationDocument>;

/** Each API's validation document, built once. */
const documents = new Map<ApiName, Document>();

const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** The API's validation document cut down to one operation (and its path item's own fields). */
export function operationDocument(
  model: ApiModel<ApiName>,
  operation: Operation<ApiName>,
): Document {
  let whole = documents.get(model.name);
  if (!whole) {
    whole = validationDocument([model]);
    documents.set(model.name, whole);
  }
  const item = (whole.paths?.[operation.path] ?? {}) as Record<string, unknown>;
  const only: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    if (key === operation.method.toLowerCase() || !METHODS.has(key)) only[key] = value;
  }
  return { ...whole, paths: { [operation.path]: only } } as Document;
}

export const openApiValidator: ValidatorFactory = (model, settings, operation) =>
  OpenApiValidator.middleware({
    apiSpec: operationDocument(model, operation) as unknown as ValidatorOptions["apiSpec"],
    // The specs are linted (Redocly, 0 problems) and bundled at build time, and the boot
    // self-check proves the validator works with them; checking them again costs every start.
    validateApiSpec: false,
    validateRequests: { allowUnknownQueryParameters: false },
    validateResponses: settings.responseValidation
      ? {
          onError: (err, body, req) => {
            settings.onResponseError(err, body, req);
            // Rethrown, so the response is replaced by a 500 instead of leaving broken.
            throw err;
          },
        }
      : false,
    // Security is stage 3's (both schemes, over the raw bytes).
    validateSecurity: false,
    fileUploader: false,
    validateFormats: true,
    // "full": a `date-time` must be a real calendar instant (the default "fast" mode takes
    // 2026-02-30 and 24:00, which Date then rolls over).
    ajvFormats: { mode: "full" },
  }) as unknown as RequestHandler[];

/**
 * Runs middlewares in order, as Express runs a route's: the next one when one calls `next()`, and
 * on to `done` with the first error (thrown, rejected or passed to `next`).
 */
function inSequence(middlewares: readonly RequestHandler[]): RequestHandler {
  return (req, res, done) => {
    let index = 0;
    const step: NextFunction = (err?: unknown) => {
      if (err !== undefined && err !== null) return done(err);
      const middleware = middlewares[index++];
      if (!middleware) return done();
      try {
        const result: unknown = middleware(req, res, step);
        if (result instanceof Promise) result.catch(step);
      } catch (thrown) {
        done(thrown);
      }
    };
    step();
  };
}

/** Each operation's validator, whole, made on its first request; a request goes through its operation's. */
export function validation(
  factory: ValidatorFactory,
  settings: ValidationSettings,
): RequestHandler {
  const byOperation = new Map<Operation<ApiName>, RequestHandler>();
  return (req, res, next) => {
    const op: Operation<ApiName> | undefined = res.locals.route?.op;
    if (op === undefined) return next();
    let validate = byOperation.get(op);
    if (!validate) {
      validate = inSequence(factory(models[op.api], settings, op));
      byOperation.set(op, validate);
    }
    validate(req, res, next);
  };
}
