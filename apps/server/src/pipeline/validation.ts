/**
 * Stage 5: schema validation of path, query, headers and body (400), and of every response
 * against the spec before it is sent. express-openapi-validator through its public API only:
 * the middleware array `OpenApiValidator.middleware(…)` returns, mounted whole, as it comes.
 *
 * One instance per API, run only for that API's requests:
 * the validator finds a request's operation by compiling its API's paths to regular expressions
 * on every request, so fewer paths per instance is less work per request (one instance for all
 * APIs starts ~15 % faster but costs a create request ~15 % more CPU). Each instance gets its
 * API's paths with references inlined and documentation left out (`validationDocument`): what
 * validation reads and nothing else.
 */
import { type ApiModel, validationDocument } from "@cts-csms/spec";
import type { NextFunction, Request, RequestHandler } from "express";
import * as OpenApiValidator from "express-openapi-validator";
import { type ApiName, models } from "../spec.js";

type ValidatorOptions = Parameters<typeof OpenApiValidator.middleware>[0];

export interface ValidationSettings {
  /** Check responses too (default in the app: true). */
  responseValidation: boolean;
  /** Called when a response does not match the spec; the response then becomes a 500. */
  onResponseError: (err: unknown, body: unknown, req: Request) => void;
}

/**
 * Builds the validating middlewares of one API. The default is express-openapi-validator;
 * `createApp({ validator })` swaps it (the boot self-check's test passes one that accepts all).
 */
export type ValidatorFactory = (
  model: ApiModel<ApiName>,
  settings: ValidationSettings,
) => RequestHandler[];

export const openApiValidator: ValidatorFactory = (model, settings) =>
  OpenApiValidator.middleware({
    apiSpec: validationDocument([model]) as unknown as ValidatorOptions["apiSpec"],
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

/** Each API's validator, whole; a request goes through the one of its API. */
export function validation(
  factory: ValidatorFactory,
  settings: ValidationSettings,
): RequestHandler {
  const byApi = new Map<ApiName, RequestHandler>();
  for (const model of Object.values(models)) {
    byApi.set(model.name, inSequence(factory(model, settings)));
  }
  return (req, res, next) => {
    const api = res.locals.route?.op.api;
    const validate = api === undefined ? undefined : byApi.get(api);
    if (!validate) return next();
    validate(req, res, next);
  };
}
