/**
 * Seed data: notifications and events preloaded per project. Each entry is the body of the
 * corresponding create request and goes through the same validation and server rules as an HTTP
 * create, so a seed can never hold a resource the API could not have produced.
 */
import { readFileSync } from "node:fs";
import type { csms, cts } from "@cts-csms/types";
import type { Express } from "express";
import { ApiError, classify } from "./errors.js";
import { parseSinks, type SinkConfig, SinkConfigError } from "./events/sinks.js";
import { inject } from "./inject.js";
import { models, projectIdProblem } from "./spec.js";

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
 * Creates seed entries as requests through `app`: the same pipeline, validation and server rules
 * as an HTTP create (only authentication is skipped). A rejected entry throws its `error_msg`.
 */
export function createThrough(app: Express): SeedCreate {
  return async (kind, projectId, body) => {
    const op = CREATES[kind];
    const response = await inject(
      app,
      {
        method: op.method,
        url: op.path.replace("{project_id}", encodeURIComponent(projectId)),
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      },
      "seed",
    );
    if (response.status === op.successStatus) return;
    const envelope = response.body as { error_msg?: unknown; error?: { error_msg?: unknown } };
    const message = envelope?.error?.error_msg ?? envelope?.error_msg;
    throw new ApiError("validation", typeof message === "string" ? message : `${response.status}`);
  };
}
