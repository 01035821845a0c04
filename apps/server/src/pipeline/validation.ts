/**
 * Stage 7: schema validation of path, query, headers and body (400), and of every response
 * against the spec before it is sent. express-openapi-validator through its public API only:
 * one instance per API, built from the model's bundled document, and the middleware array it
 * returns mounted whole, as it comes.
 */

import type { ApiModel } from "@cts-csms/spec";
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
    // The object itself (the validator deep-clones it): no YAML, no second copy on disk.
    apiSpec: model.document as unknown as ValidatorOptions["apiSpec"],
    validateApiSpec: true,
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
    // Security is stage 5's (both schemes, over the raw bytes).
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
