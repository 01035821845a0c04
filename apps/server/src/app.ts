/**
 * The Express wiring, in one place. Order of an API request:
 *   request id + access log → URL size → security headers → (CORS) → route match (404/405)
 *   → raw body (413) → authentication on the raw bytes (401/403) → media type (415) and JSON
 *   (400) → express-openapi-validator (400; response validation) → operation handler
 *   → error envelope.
 * Authenticating before parsing means an unauthenticated caller gets 401 whatever the body.
 */
import { randomUUID } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import type { HttpMethod } from "@cts-csms/spec";
import cors from "cors";
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Response,
} from "express";
import helmet from "helmet";
import { type Logger, pino } from "pino";
import {
  type Authenticator,
  type AuthMode,
  type CredentialsConfig,
  loadCredentials,
  parseCredentials,
  permissiveAuthenticator,
  strictAuthenticator,
} from "./auth.js";
import { acceptsMediaType, parseJsonBody } from "./body.js";
import {
  ApiError,
  apiForPath,
  BODY_LIMIT_BYTES,
  classify,
  type ErrorKind,
  errorResponse,
} from "./errors.js";
import { createHandlers } from "./handlers.js";
import {
  type Context,
  deterministicClock,
  type OperationHandler,
  randomIds,
  sequentialIds,
  systemClock,
} from "./operation.js";
import { applySeed, loadSeed, type SeedConfig } from "./seed.js";
import {
  type ApiName,
  matchRoute,
  models,
  type Operation,
  operationById,
  specFiles,
} from "./spec.js";
import { createMemoryStore } from "./store/memory.js";
import type { Store } from "./store/types.js";
import {
  type ApiValidator,
  buildValidator,
  requestChain,
  runMiddlewares,
  validateInProcess,
  warmUp,
} from "./validation.js";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface AppOptions {
  /** `permissive` (default) or `strict` (needs `credentials`). */
  auth?: AuthMode;
  /** Strict-mode credentials: the object, or the path of a JSON file holding it. */
  credentials?: CredentialsConfig | string;
  /** Validate responses against the spec (default `true`); a mismatch becomes a 500. */
  responseValidation?: boolean;
  /** Resources to preload per project: the object, or the path of a JSON file holding it. */
  seed?: SeedConfig | string;
  /** Fixed clock from 2024-01-01T00:00:00Z (+1 ms per read) and sequential UUID-shaped ids. */
  deterministic?: boolean;
  /** Built docs site served at /docs when the directory exists. */
  docsDir?: string;
  /** Send CORS headers (default `false`). */
  cors?: boolean;
  /** A pino logger, a level for a new one (default `info`), or `false` for none. */
  logger?: Logger | LogLevel | false;
  /** Repositories to use instead of the in-memory ones. */
  store?: Store;
}

export interface ServerApp {
  app: Express;
  store: Store;
  logger: Logger;
  /** Resolves once validators are compiled and the seed is applied. */
  ready: Promise<void>;
  /** Clears one project's resources, or all (then the deterministic clock/ids restart too), and re-applies the seed. */
  reset(projectId?: string): Promise<void>;
  /** Responses that failed response validation (and were replaced by a 500) so far. */
  responseValidationFailures(): number;
}

interface RouteState {
  op: Operation<ApiName>;
  params: Record<string, string>;
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Longer request targets are refused (Node already caps the whole header block at 16 KiB). */
const MAX_URL_LENGTH = 8 * 1024;
const EMPTY_BODY = new Uint8Array(0);

function route(res: Response): RouteState | undefined {
  return res.locals.route as RouteState | undefined;
}

function requestId(res: Response): string {
  return res.locals.requestId as string;
}

function makeLogger(option: AppOptions["logger"]): Logger {
  if (option === false) return pino({ enabled: false });
  if (option === undefined || typeof option === "string") {
    return pino({
      level: option ?? "info",
      base: { name: "cts-csms-server" },
      // Belt and braces: credentials are never logged, and these paths stay redacted if they are.
      redact: ["req.headers.authorization", 'req.headers["x-auth-token"]'],
    });
  }
  return option;
}

function makeAuthenticator(options: AppOptions): Authenticator {
  const mode = options.auth ?? "permissive";
  if (mode === "permissive") return permissiveAuthenticator();
  if (mode !== "strict") throw new Error(`auth must be "permissive" or "strict", not "${mode}"`);
  if (options.credentials === undefined) throw new Error("strict auth needs credentials");
  const config =
    typeof options.credentials === "string"
      ? loadCredentials(options.credentials)
      : parseCredentials(options.credentials);
  return strictAuthenticator(config);
}

export function createApp(options: AppOptions = {}): ServerApp {
  const logger = makeLogger(options.logger);
  const authenticate = makeAuthenticator(options);
  const seed = options.seed === undefined ? undefined : loadSeed(options.seed);
  const fixedClock = options.deterministic ? deterministicClock() : undefined;
  const fixedIds = options.deterministic ? sequentialIds() : undefined;
  const clock = fixedClock ?? systemClock;
  const ids = fixedIds ?? randomIds;
  const store = options.store ?? createMemoryStore();
  const ctx: Context = { store, clock, ids };

  const handlers = createHandlers(ctx);
  for (const model of Object.values(models)) {
    for (const { operationId } of model.operations) {
      if (!handlers[operationId])
        throw new Error(`no handler for ${model.name} operation ${operationId}`);
    }
  }

  let responseValidationFailures = 0;
  const validatorOptions = {
    responseValidation: options.responseValidation !== false,
    onResponseError: (err: unknown, _body: unknown, req: Request) => {
      responseValidationFailures++;
      logger.error(
        { reqId: req.res ? requestId(req.res) : undefined, err: (err as Error).message },
        "response failed validation against the spec",
      );
    },
  };
  const validators: Record<ApiName, ApiValidator> = {
    cts: buildValidator("cts", validatorOptions),
    csms: buildValidator("csms", validatorOptions),
  };
  const chains = { cts: requestChain(validators.cts), csms: requestChain(validators.csms) };

  const app = express();
  app.disable("x-powered-by");
  // No ETag hashing of every JSON body; the spec routes are case-sensitive.
  app.set("etag", false);
  app.set("case sensitive routing", true);

  // Request id, echoed, and one access-log line per request.
  const logRequests = logger.isLevelEnabled("info");
  app.use((req, res, next) => {
    const incoming = req.headers["x-request-id"];
    const id =
      typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    if (logRequests) {
      const start = process.hrtime.bigint();
      const url = req.originalUrl;
      res.on("finish", () => {
        logger.info(
          {
            reqId: id,
            method: req.method,
            url,
            status: res.statusCode,
            ms: Number(process.hrtime.bigint() - start) / 1e6,
            ak: res.locals.ak,
          },
          "request",
        );
      });
    }
    next();
  });

  app.use((req, _res, next) => {
    if (req.originalUrl.length > MAX_URL_LENGTH) {
      throw new ApiError("validation", `Request URI longer than ${MAX_URL_LENGTH} characters`);
    }
    next();
  });

  // Helmet everywhere. The server speaks plain HTTP on a local port, so no HSTS and no
  // upgrade-insecure-requests; Redoc on /docs needs inline scripts/styles and blob: workers.
  const apiHelmet = helmet({
    strictTransportSecurity: false,
    contentSecurityPolicy: { directives: { "upgrade-insecure-requests": null } },
  });
  const docsHelmet = helmet({
    strictTransportSecurity: false,
    contentSecurityPolicy: {
      directives: {
        "upgrade-insecure-requests": null,
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "worker-src": ["'self'", "blob:"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
      },
    },
  });
  app.use((req, res, next) =>
    (req.path === "/docs" || req.path.startsWith("/docs/") ? docsHelmet : apiHelmet)(
      req,
      res,
      next,
    ),
  );

  if (options.cors) app.use(cors({ exposedHeaders: ["X-Request-Id"] }));

  // Reserved routes outside the Huawei specs: no auth.
  const projectIdSchema = models.cts.operations[0]?.parameters.find((p) => p.name === "project_id");
  const projectIdPattern = new RegExp(projectIdSchema?.schema.pattern as string);
  const extra: Record<string, Record<string, RequestHandler>> = {
    "/_admin/health": {
      GET: (_req, res) => {
        res.json({ status: "ok" });
      },
    },
    "/_admin/reset": {
      POST: async (req, res) => {
        const projectId = req.query.project_id;
        if (
          projectId !== undefined &&
          (typeof projectId !== "string" || !projectIdPattern.test(projectId))
        ) {
          throw new ApiError(
            "validation",
            `request/query/project_id must match pattern "${projectIdPattern.source}"`,
          );
        }
        await reset(projectId);
        res.status(204).end();
      },
    },
    "/openapi/cts.json": {
      GET: (_req, res) => {
        res.type("application/json").sendFile(specFiles.cts);
      },
    },
    "/openapi/csms.json": {
      GET: (_req, res) => {
        res.type("application/json").sendFile(specFiles.csms);
      },
    },
  };
  app.use((req, res, next) => {
    const methods = extra[req.path];
    if (!methods) return next();
    const handler = methods[req.method];
    if (!handler) {
      const allow = Object.keys(methods).join(", ");
      throw new ApiError("method_not_allowed", `${req.method} is not allowed; use ${allow}`, {
        Allow: allow,
      });
    }
    return handler(req, res, next);
  });

  if (options.docsDir && existsSync(options.docsDir) && statSync(options.docsDir).isDirectory()) {
    app.use("/docs", express.static(options.docsDir, { index: "index.html", fallthrough: true }));
  }

  // --- the API pipeline ---

  const ready = (async () => {
    await warmUp(app, validators);
    if (seed) await applySeed(seed, createFromSeed);
  })();
  let isReady = false;
  ready.then(
    () => {
      isReady = true;
    },
    () => {},
  );

  const matchApiRoute: RequestHandler = (req, res, next) => {
    let match: ReturnType<typeof matchRoute>;
    try {
      match = matchRoute(req.path);
    } catch {
      throw new ApiError("validation", "The request path is not valid percent-encoding");
    }
    if (!match) {
      throw new ApiError("route_not_found", `No such route: ${req.method} ${req.path}`);
    }
    const op = match.route.path.operations.get(req.method as HttpMethod);
    if (!op) {
      throw new ApiError(
        "method_not_allowed",
        `${req.method} is not allowed on ${match.route.path.path}; allowed: ${match.route.allow}`,
        { Allow: match.route.allow },
      );
    }
    res.locals.route = { op, params: match.params } satisfies RouteState;
    if (isReady) return next();
    ready.then(() => next(), next);
  };

  // Raw bytes of any media type, so signatures can be checked over exactly what was sent.
  const readRawBody = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES, inflate: false });

  const authenticateRequest: RequestHandler = async (req, res, next) => {
    const state = route(res) as RouteState;
    const body = Buffer.isBuffer(req.body) ? req.body : EMPTY_BODY;
    const result = await authenticate(
      { method: req.method, url: req.originalUrl, headers: req.headers, body },
      state.params.project_id ?? "",
    );
    if (!result.ok) throw new ApiError(result.kind, result.message);
    if (result.ak !== undefined) res.locals.ak = result.ak;
    next();
  };

  const parseBody: RequestHandler = (req, res, next) => {
    const { op } = route(res) as RouteState;
    const raw: Uint8Array = Buffer.isBuffer(req.body) ? req.body : EMPTY_BODY;
    const mediaTypes = op.requestBody?.mediaTypes;
    if (!mediaTypes) {
      // Bodies on operations without one are ignored (they were only needed for the signature).
      req.body = undefined;
      return next();
    }
    const contentType = req.headers["content-type"];
    if (!acceptsMediaType(contentType, mediaTypes)) {
      throw new ApiError(
        "unsupported_media_type",
        `Unsupported Content-Type ${contentType || "(none)"}: send ${mediaTypes.join(" or ")}`,
      );
    }
    req.body = parseJsonBody(raw);
    next();
  };

  const validate: RequestHandler = (req, res, next) => {
    const { op, params } = route(res) as RouteState;
    req.params = params;
    runMiddlewares(chains[op.api](op), req, res, next);
  };

  const dispatch: RequestHandler = async (req, res) => {
    const { op, params } = route(res) as RouteState;
    const handler = handlers[op.operationId] as OperationHandler<unknown>;
    const reply = (await handler({
      projectId: params.project_id ?? "",
      params,
      query: req.query,
      body: req.body,
    } as never)) as { status: number; body: unknown };
    res.status(reply.status);
    if (reply.body === undefined) res.end();
    else res.json(reply.body);
  };

  app.use(matchApiRoute, readRawBody, authenticateRequest, parseBody, validate, dispatch);

  const handleError: ErrorRequestHandler = (err, req, res, _next) => {
    const api = apiForPath(req.path);
    const op = route(res)?.op;
    let { kind, message, headers } = classify(err);
    if (kind === "internal") {
      logger.error({ reqId: requestId(res), err }, "unexpected failure");
      message = `Internal error; request id ${requestId(res)}`;
    }
    if (res.headersSent) {
      // Too late for an envelope; make the failure visible to the client.
      res.destroy();
      return;
    }
    const response = errorResponse(api, op, kind as ErrorKind, message, headers);
    if (response.headers) res.set(response.headers);
    res.status(response.status).json(response.body);
  };
  app.use(handleError);

  async function createFromSeed(
    kind: "notifications" | "events",
    projectId: string,
    body: unknown,
  ) {
    const op = operationById(kind === "notifications" ? "createNotification" : "createSecretEvent");
    const error = await validateInProcess(app, validators[op.api], {
      method: op.method,
      path: op.path.replace("{project_id}", encodeURIComponent(projectId)),
      contentType: "application/json",
      body,
    });
    if (error) throw error;
    await (handlers[op.operationId] as OperationHandler<unknown>)({
      projectId,
      params: { project_id: projectId },
      query: {},
      body,
    } as never);
  }

  async function reset(projectId?: string): Promise<void> {
    await Promise.all([
      store.notifications.clear(projectId),
      store.secretEvents.clear(projectId),
      store.notificationRecords.clear(projectId),
    ]);
    if (projectId === undefined) {
      fixedClock?.reset();
      fixedIds?.reset();
    }
    if (seed) await applySeed(seed, createFromSeed, projectId);
  }

  return {
    app,
    store,
    logger,
    ready,
    reset,
    responseValidationFailures: () => responseValidationFailures,
  };
}
