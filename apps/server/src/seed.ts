/**
 * Seed data: notifications and events preloaded per project. Each entry is the body of the
 * corresponding create request and goes through the same validation and server rules as an HTTP
 * create, so a seed can never hold a resource the API could not have produced.
 */
import { readFileSync } from "node:fs";
import { validationDocument } from "@cts-csms/spec";
import type { csms, cts } from "@cts-csms/types";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { ApiError, classify } from "./errors.js";
import { parseSinks, type SinkConfig, SinkConfigError } from "./events/sinks.js";
import type { AnyOperationHandler } from "./operation.js";
import { type FieldError, validationMessage } from "./pipeline/errors.js";
import { type ApiName, models, type Operation, projectIdProblem } from "./spec.js";

export interface SeedConfig {
  /** What sits behind target URNs (`openapi/shared/Sinks.json`), as `PUT /_admin/sinks` takes it. */
  sinks?: SinkConfig;
  projects?: Record<
    string,
    {
      /** `POST /v3/{project_id}/notifications` bodies, created in this order. */
      notifications?: cts.components["schemas"]["CreateNotificationRequestBody"][];
      /** `POST /v1/{project_id}/csms/events` bodies. */
      events?: csms.components["schemas"]["CreateSecretEventRequestBody"][];
    }
  >;
}

export function parseSeed(value: unknown, source = "seed"): SeedConfig {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const shape =
    'expected { "projects": { "<project_id>": { "notifications": [...], "events": [...] } }, "sinks": { "<urn>": ... } }';
  if (!isObject(value)) fail(shape);
  const seed = value as Record<string, unknown>;
  if (seed.projects === undefined && seed.sinks === undefined) fail(shape);
  if (seed.projects !== undefined && !isObject(seed.projects)) fail(shape);
  for (const key of Object.keys(seed)) {
    if (key !== "projects" && key !== "sinks") {
      fail(`unknown key "${key}" (expected projects, sinks)`);
    }
  }
  if (seed.sinks !== undefined) {
    try {
      parseSinks(seed.sinks, "sinks");
    } catch (err) {
      if (err instanceof SinkConfigError) fail(err.problems.join("; "));
      throw err;
    }
  }
  const projects = (seed.projects ?? {}) as Record<string, unknown>;
  for (const [projectId, project] of Object.entries(projects)) {
    const problem = projectIdProblem(projectId);
    if (problem) fail(`projects: ${problem}`);
    if (!isObject(project)) fail(`projects.${projectId} must be an object`);
    for (const key of Object.keys(project as object)) {
      if (key !== "notifications" && key !== "events") {
        fail(`projects.${projectId}: unknown key "${key}" (expected notifications, events)`);
      }
      if (!Array.isArray((project as Record<string, unknown>)[key])) {
        fail(`projects.${projectId}.${key} must be an array`);
      }
    }
  }
  return value as SeedConfig;
}

export function loadSeed(value: SeedConfig | string): SeedConfig {
  if (typeof value !== "string") return parseSeed(value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(value, "utf8"));
  } catch (err) {
    throw new Error(`seed file ${value}: ${(err as Error).message}`);
  }
  return parseSeed(parsed, `seed file ${value}`);
}

/** How one seed entry is created: validated like the HTTP request, then handed to the handler. */
export type SeedCreate = (
  kind: "notifications" | "events",
  projectId: string,
  body: unknown,
) => Promise<unknown>;

/** Applies the seed (one project's part when `only` is given); errors name the entry. */
export async function applySeed(seed: SeedConfig, create: SeedCreate, only?: string) {
  for (const [projectId, project] of Object.entries(seed.projects ?? {})) {
    if (only !== undefined && projectId !== only) continue;
    for (const kind of ["notifications", "events"] as const) {
      const entries: unknown[] = project[kind] ?? [];
      for (const [i, entry] of entries.entries()) {
        try {
          await create(kind, projectId, entry);
        } catch (err) {
          const message = err instanceof ApiError ? err.message : classify(err).message;
          throw new Error(`seed: projects.${projectId}.${kind}[${i}]: ${message || String(err)}`);
        }
      }
    }
  }
}

/** Which create operation each kind of seed entry is the body of. */
const CREATES = {
  notifications: models.cts.operation("createNotification"),
  events: models.csms.operation("createSecretEvent"),
};

/**
 * The create operation's request body check, as express-openapi-validator makes it: the body
 * schema of the operation's validation document, under `body`, compiled by Ajv 2020 with the
 * validator's options (first error only, no coercion, defaults applied, `full` formats), its
 * errors turned into the validator's field errors and then into the client's `error_msg`.
 */
function bodyCheck(op: Operation<ApiName>): (body: unknown) => string | undefined {
  const document = validationDocument([models[op.api]]) as unknown as {
    paths: Record<string, Record<string, any>>;
  };
  const mediaType = op.requestBody?.mediaTypes[0] ?? "application/json";
  const schema =
    document.paths[op.path]?.[op.method.toLowerCase()]?.requestBody?.content?.[mediaType]?.schema;
  if (schema === undefined) throw new Error(`spec: ${op.operationId} has no request body schema`);
  const ajv = new Ajv2020({
    strict: false,
    strictNumbers: true,
    strictTuples: true,
    allowUnionTypes: false,
    useDefaults: true,
    coerceTypes: false,
    validateFormats: true,
  });
  addFormats.default(ajv, { mode: "full" });
  const validate = ajv.compile({ type: "object", properties: { body: schema } });
  return (body) => {
    if (validate({ body })) return undefined;
    return validationMessage((validate.errors ?? []).map(fieldError), op);
  };
}

/** One Ajv error as express-openapi-validator reports it (path to the missing or extra property). */
function fieldError(e: ErrorObject): FieldError {
  const params = e.params as Record<string, unknown>;
  const named = params.missingProperty ?? params.additionalProperty ?? params.unevaluatedProperty;
  const allowed = params.allowedValues;
  const message =
    e.keyword === "enum" && Array.isArray(allowed)
      ? `${e.message}: ${allowed.join(", ")}`
      : e.message;
  return {
    path: named !== undefined ? `${e.instancePath}/${String(named)}` : e.instancePath,
    message: message ?? "",
    errorCode: `${e.keyword}.openapi.validation`,
  };
}

/** Thrown by `plainCopy` on a value that is not plain JSON. */
const NOT_PLAIN = Symbol("not plain JSON");

/** A deep copy of strings, finite numbers, booleans, null, arrays and plain objects only. */
function plainCopy(value: unknown, depth: number): unknown {
  if (depth > 256) throw NOT_PLAIN; // a cycle, or deeper than any body the spec allows
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || Object.is(value, -0)) throw NOT_PLAIN;
    return value;
  }
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw NOT_PLAIN;
      copy[i] = plainCopy(value[i], depth + 1);
    }
    return copy;
  }
  if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) {
    throw NOT_PLAIN;
  }
  if ("toJSON" in value) throw NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) throw NOT_PLAIN;
    // An own "__proto__" key, as JSON.parse makes it, not the prototype's setter.
    if (key === "__proto__") {
      Object.defineProperty(copy, key, {
        value: plainCopy(v, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else copy[key] = plainCopy(v, depth + 1);
  }
  return copy;
}

/**
 * An entry as the handler would receive it in a request body: `JSON.parse(JSON.stringify(v))`.
 * A seed file's entries are plain JSON already, and a direct copy of those is about ten times
 * quicker than the round trip (1.9 s of a 200,000-entry seed's load); anything else (a Date,
 * `undefined`, a class instance, a cycle) still takes the round trip, with its errors.
 */
export function jsonCopy(value: unknown): unknown {
  try {
    return plainCopy(value, 0);
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
    return JSON.parse(JSON.stringify(value));
  }
}

/**
 * Creates seed entries without a request each: the entry is checked against the create
 * operation's request body schema as the validator checks it (`bodyCheck`), then handed to the
 * operation's handler with the server rules it applies, as a copy (JSON, as a request body
 * arrives). A rejected entry throws the `error_msg` an HTTP create would have answered.
 */
export function createDirect(byOperationId: Record<string, AnyOperationHandler>): SeedCreate {
  // Compiled by the first entry of each kind (~80 ms each): a server without a seed needs neither.
  const checks: Partial<Record<keyof typeof CREATES, ReturnType<typeof bodyCheck>>> = {};
  return async (kind, projectId, entry) => {
    const op = CREATES[kind];
    const body = jsonCopy(entry);
    checks[kind] ??= bodyCheck(op);
    const problem = checks[kind](body);
    if (problem !== undefined) throw new ApiError("validation", problem);
    const handle = byOperationId[op.operationId] as AnyOperationHandler;
    const reply = await handle({ projectId, params: { project_id: projectId }, query: {}, body });
    if (reply.status !== op.successStatus) {
      throw new ApiError("internal", `${op.operationId} answered ${reply.status}`);
    }
  };
}
