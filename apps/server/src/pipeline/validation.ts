/**
 * Stage 5: schema validation of path, query, headers and body (400), and of every response
 * against the spec before it is sent. express-openapi-validator through its public API only:
 * the middleware array `OpenApiValidator.middleware(…)` returns, mounted whole, as it comes.
 *
 * One instance per API, each mounted in a router of its own that only that API's requests enter:
 * the validator finds a request's operation by compiling its API's paths to regular expressions
 * on every request, so fewer paths per instance is less work per request (one instance for all
 * APIs starts ~15 % faster but costs a create request ~15 % more CPU). Each instance gets its
 * API's paths with references inlined and documentation left out (`validationDocument`): what
 * validation reads and nothing else.
 */
import { type ApiModel, validationDocument } from "@cts-csms/spec";
import express, { type Request, type RequestHandler, type Router } from "express";
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
  }) as unknown as RequestHandler[];

/** One router per API holding its validator's middlewares; a request goes through its API's. */
export function validation(
  factory: ValidatorFactory,
  settings: ValidationSettings,
): RequestHandler {
  const routers = new Map<ApiName, Router>();
  for (const model of Object.values(models)) {
    const router = express.Router({ caseSensitive: true });
    router.use(factory(model, settings));
    routers.set(model.name, router);
  }
  return (req, res, next) => {
    const api = res.locals.route?.op.api;
    const router = api === undefined ? undefined : routers.get(api);
    if (!router) return next();
    router(req, res, next);
  };
}
