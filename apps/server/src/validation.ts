/**
 * express-openapi-validator, one instance per API, built from the bundled spec objects.
 *
 * The validator compiles a route's schemas on the first request that reaches it. `warmUp` sends
 * one synthetic request per operation (and content type) through it at start-up instead, so no
 * client request pays for compilation; `validateInProcess` reuses the same path to check seed
 * entries exactly as an HTTP request would be checked.
 */
import type { Express, NextFunction, Request, RequestHandler, Response } from "express";
import * as OpenApiValidator from "express-openapi-validator";
import { envelope } from "./errors.js";
import { type ApiName, models, type Operation, pathPrefix, routes } from "./spec.js";

type OperationInfo = Operation<ApiName>;

export interface ApiValidator {
  /** The validator's middlewares, in order. */
  middlewares: RequestHandler[];
  /**
   * The per-request chain: the route metadata captured at warm-up (instead of the validator's own
   * lookup), then request and response validation. See `requestChain`.
   */
  metadata: Map<OperationInfo, unknown>;
}

export interface ValidatorOptions {
  responseValidation: boolean;
  /** Called when a response does not match the spec; the response then becomes a 500. */
  onResponseError: (err: unknown, body: unknown, req: Request) => void;
}

export function buildValidator(api: ApiName, options: ValidatorOptions): ApiValidator {
  const prefix = pathPrefix[api];
  const middlewares = OpenApiValidator.middleware({
    // The object itself (the validator deep-clones it): no YAML, no second copy on disk.
    apiSpec: models[api].document as unknown as Parameters<
      typeof OpenApiValidator.middleware
    >[0]["apiSpec"],
    validateApiSpec: true,
    validateRequests: { allowUnknownQueryParameters: false },
    validateResponses: options.responseValidation
      ? {
          onError: (err, body, req) => {
            options.onResponseError(err, body, req);
            // Rethrown, so the response is replaced by a 500 instead of leaving broken.
            throw err;
          },
        }
      : false,
    // Our auth middleware runs first and enforces both security schemes.
    validateSecurity: false,
    // Routing (404/405) is decided before the validator; it only sees its own API's paths.
    ignorePaths: (path: string) => !path.startsWith(prefix),
    fileUploader: false,
    validateFormats: true,
  }) as unknown as RequestHandler[];
  return { middlewares, metadata: new Map() };
}

/**
 * The chain a request runs through once warm-up has compiled everything.
 *
 * express-openapi-validator finds a request's operation by compiling every path of the spec
 * to a regular expression on every request, and each of its middlewares waits on a promise.
 * The route is already matched (app.ts, with regexes compiled once), so the validator's own
 * route metadata for each operation is captured at warm-up and attached here, and the two
 * middlewares that have nothing left to do are left out: path-param installation (done at
 * warm-up) and security (disabled; auth.ts runs first). Request and response validation are
 * the validator's own, unchanged. Any operation without captured metadata falls back to the
 * validator's full chain.
 */
export function requestChain(validator: ApiValidator): (op: OperationInfo) => RequestHandler[] {
  const full = validator.middlewares;
  const validation = named(full, "requestMiddleware", "responseMiddleware");
  const chains = new Map<OperationInfo, RequestHandler[]>();
  return (op) => {
    const captured = validator.metadata.get(op);
    if (!captured) return full;
    let chain = chains.get(op);
    if (!chain) {
      const attach: RequestHandler = (req, _res, next) => {
        (req as Request & { openapi?: unknown }).openapi = {
          ...(captured as object),
          pathParams: req.params,
        };
        next();
      };
      chain = [attach, ...validation];
      chains.set(op, chain);
    }
    return chain;
  };
}

/** Runs middlewares in order; resolves with the first error passed to `next`, if any. */
function runChain(chain: RequestHandler[], req: Request, res: Response): Promise<unknown> {
  return new Promise((resolve) => {
    let i = 0;
    const step: NextFunction = (err?: unknown) => {
      if (err !== undefined && err !== null) return resolve(err);
      const mw = chain[i++];
      if (!mw) return resolve(undefined);
      try {
        void mw(req, res, step);
      } catch (e) {
        resolve(e);
      }
    };
    step();
  });
}

/** Runs `chain` in order, then `next` (with the first error, if any). */
export function runMiddlewares(
  chain: RequestHandler[],
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  let i = 0;
  const step: NextFunction = (err?: unknown) => {
    if (err !== undefined && err !== null) return next(err);
    const mw = chain[i++];
    if (!mw) return next();
    try {
      void mw(req, res, step);
    } catch (e) {
      next(e);
    }
  };
  step();
}

export interface SyntheticRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  contentType?: string;
  body?: unknown;
}

/** A request object with just what the validator reads. */
function fakeRequest(app: Express, input: SyntheticRequest): Request {
  const search = new URLSearchParams(input.query ?? {}).toString();
  const originalUrl = search ? `${input.path}?${search}` : input.path;
  const headers: Record<string, string> = {};
  if (input.contentType) headers["content-type"] = input.contentType;
  return {
    method: input.method,
    path: input.path,
    url: originalUrl,
    originalUrl,
    baseUrl: "",
    headers,
    query: { ...input.query },
    params: {},
    body: input.body,
    app,
  } as unknown as Request;
}

function fakeResponse(): Response & { sent?: unknown } {
  const res = {
    statusCode: 200,
    locals: {},
    headersSent: false,
    getHeaders: () => ({}),
    status(code: number) {
      res.statusCode = code;
      return res;
    },
    set: () => res,
    json(body: unknown) {
      (res as { sent?: unknown }).sent = body;
      return res;
    },
    end: () => res,
  };
  return res as unknown as Response & { sent?: unknown };
}

function named(chain: RequestHandler[], ...names: string[]): RequestHandler[] {
  return chain.filter((mw) => names.includes(mw.name));
}

/** Validates one request exactly as the HTTP pipeline would; resolves with the validator's error. */
export async function validateInProcess(
  app: Express,
  validator: ApiValidator,
  input: SyntheticRequest,
): Promise<unknown> {
  return (await runRequestValidation(app, validator, input)).error;
}

/** The validator's route lookup and request validation on a synthetic request. */
async function runRequestValidation(
  app: Express,
  validator: ApiValidator,
  input: SyntheticRequest,
) {
  const chain = named(
    validator.middlewares,
    "pathParamsMiddleware",
    "metadataMiddleware",
    "requestMiddleware",
  );
  const request = fakeRequest(app, input);
  const error = await runChain(chain, request, fakeResponse());
  return { error, request: request as Request & { openapi?: object } };
}

function samplePath(op: OperationInfo): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    name === "notification_type" ? "smn" : "warmup",
  );
}

/**
 * Compiles every operation's request and response validators now. Request validators are keyed
 * by content type, so body operations are warmed for `application/json` with and without charset.
 */
export async function warmUp(app: Express, validators: Record<ApiName, ApiValidator>) {
  for (const route of routes) {
    const validator = validators[route.api];
    for (const op of route.path.operations.values()) {
      const contentTypes = op.requestBody
        ? ["application/json", "application/json;charset=UTF-8"]
        : [undefined];
      for (const contentType of contentTypes) {
        const input: SyntheticRequest = { method: op.method, path: samplePath(op) };
        if (contentType) {
          input.contentType = contentType;
          input.body = {};
        }
        // The synthetic request may well be invalid: compiling (and the route metadata) is the point.
        const { request } = await runRequestValidation(app, validator, input);
        if (!validator.metadata.has(op)) {
          const captured = request.openapi;
          if (captured) validator.metadata.set(op, { ...captured, pathParams: {} });
        }
        const res = fakeResponse();
        const req = fakeRequest(app, input);
        const chain = named(
          validator.middlewares,
          "pathParamsMiddleware",
          "metadataMiddleware",
          "responseMiddleware",
        );
        if ((await runChain(chain, req, res)) === undefined && chain.length === 3) {
          res.status(400);
          try {
            res.json(
              envelope(route.api, route.api === "cts" ? "CTS.0003" : "CSMS.0002", "warm-up"),
            );
          } catch {
            // Ignored: only the compiled validators matter.
          }
        }
      }
    }
  }
}
