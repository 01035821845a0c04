/**
 * Sinks: what sits behind a target URN. The format is `openapi/shared/Sinks.json` (the seed
 * file's `sinks` and the admin API use the same schema); this module validates a configuration
 * against it and answers "where does a message for this URN go" for one project at a time.
 * Nothing else decides where the server sends a request: the delivery engine only calls
 * endpoints this module returns, and checks again before every attempt.
 */
import { createRequire } from "node:module";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import type { AdminStateRepository, Awaitable } from "../store/types.js";

const require = createRequire(import.meta.url);
/** The sink configuration schema, as the spec documents it. */
export const sinksSchema = require("@cts-csms/openapi/shared/Sinks.json") as Record<
  string,
  unknown
>;

export interface SmnSubscriptionSink {
  protocol: "http" | "https";
  endpoint: string;
}

export interface FunctionSink {
  endpoint: string;
}

/** Target URN → its sinks (an SMN topic's subscriptions, or a function's endpoint). */
export type SinkConfig = Record<string, SmnSubscriptionSink[] | FunctionSink>;

export class SinkConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid sinks: ${problems.join("; ")}`);
    this.name = "SinkConfigError";
  }
}

// Compiled on first use: only a seed or an admin request with sinks needs it (~80 ms at import).
let compiled: ReturnType<Ajv2020["compile"]> | undefined;
function sinksValidator(): ReturnType<Ajv2020["compile"]> {
  compiled ??= new Ajv2020({ allErrors: true, strict: true }).compile(sinksSchema);
  return compiled;
}

function describe(error: ErrorObject, root: string): string {
  const where = error.instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  const path = [root, ...where].join("/");
  if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return path === root
      ? `${root}: ${extra} is not an SMN topic URN or a FunctionGraph function URN`
      : `${path} must not have the property ${extra}`;
  }
  return `${path} ${error.message}`;
}

/**
 * Checks a sink configuration against the schema, plus what a pattern cannot say (each endpoint
 * parses as an http(s) URL). Throws `SinkConfigError` naming every offending field under `root`.
 */
export function parseSinks(value: unknown, root = "sinks"): SinkConfig {
  const validateSchema = sinksValidator();
  if (!validateSchema(value)) {
    // `if`/`then` failures repeat the branch's own error; keep the specific ones.
    const errors = (validateSchema.errors ?? []).filter((e) => e.keyword !== "if");
    throw new SinkConfigError([...new Set(errors.map((e) => describe(e, root)))]);
  }
  const config = value as SinkConfig;
  const problems: string[] = [];
  for (const [urn, sink] of Object.entries(config)) {
    const endpoints = Array.isArray(sink) ? sink.map((s) => s.endpoint) : [sink.endpoint];
    endpoints.forEach((endpoint, i) => {
      const at = Array.isArray(sink) ? `${root}/${urn}/${i}/endpoint` : `${root}/${urn}/endpoint`;
      let url: URL | undefined;
      try {
        url = new URL(endpoint);
      } catch {
        problems.push(`${at} is not a valid URL`);
        return;
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        problems.push(`${at} must use http or https`);
      }
    });
  }
  if (problems.length > 0) throw new SinkConfigError(problems);
  return structuredClone(config);
}

/** `smn` for `urn:smn:…`, `function` for `urn:fss:…`. */
export function targetKind(urn: string): "smn" | "function" | undefined {
  if (urn.startsWith("urn:smn:")) return "smn";
  if (urn.startsWith("urn:fss:")) return "function";
  return undefined;
}

/** The `project_id` segment of an SMN or FunctionGraph URN. */
export function urnProject(urn: string): string | undefined {
  return urn.split(":")[3];
}

/**
 * A function URN without a version means its latest version, so `…:NAME` and `…:NAME:latest`
 * name the same sink.
 */
function functionKeys(urn: string): string[] {
  const parts = urn.split(":");
  // urn:fss:region:project:function:package:name[:version]
  if (parts.length === 7) return [urn, `${urn}:latest`];
  if (parts.length === 8 && parts[7] === "latest") return [urn, parts.slice(0, 7).join(":")];
  return [urn];
}

/** Whether two target URNs name the same target (a function without a version is its latest). */
export function sameTarget(a: string, b: string): boolean {
  return targetKind(a) === "function" ? functionKeys(a).includes(b) : a === b;
}

/** Where the event engine and the delivery queue look sinks up, per project. */
export interface SinkLookup {
  /** The HTTP(S) subscriptions of an SMN topic, for a project (none for another project's URN). */
  subscriptions(projectId: string, topicUrn: string): Awaitable<readonly SmnSubscriptionSink[]>;
  /** The endpoint standing in for a FunctionGraph function, for a project. */
  functionEndpoint(projectId: string, functionUrn: string): Awaitable<string | undefined>;
  /** Whether `endpoint` is (still) configured for `urn` in the project. */
  allows(projectId: string, urn: string, endpoint: string): Awaitable<boolean>;
}

/** A sink configuration; replaced whole, read per project. */
export class Sinks implements SinkLookup {
  private config: SinkConfig;

  /** `checked`: the configuration already passed `parseSinks` (it is not copied either). */
  constructor(config: SinkConfig = {}, { checked = false } = {}) {
    this.config = checked ? config : parseSinks(config);
  }

  /** Replaces the whole configuration (validated first; the old one stays on error). */
  replace(config: unknown): void {
    this.config = parseSinks(config);
  }

  /** A copy of the configuration, in the format it was given. */
  current(): SinkConfig {
    return structuredClone(this.config);
  }

  /** The HTTP(S) subscriptions of an SMN topic, for a project (none for another project's URN). */
  subscriptions(projectId: string, topicUrn: string): readonly SmnSubscriptionSink[] {
    if (targetKind(topicUrn) !== "smn" || urnProject(topicUrn) !== projectId) return [];
    const sink = this.config[topicUrn];
    return Array.isArray(sink) ? sink : [];
  }

  /** The endpoint standing in for a FunctionGraph function, for a project. */
  functionEndpoint(projectId: string, functionUrn: string): string | undefined {
    if (targetKind(functionUrn) !== "function" || urnProject(functionUrn) !== projectId) {
      return undefined;
    }
    for (const key of functionKeys(functionUrn)) {
      const sink = this.config[key];
      if (sink && !Array.isArray(sink)) return sink.endpoint;
    }
    return undefined;
  }

  /** Whether `endpoint` is (still) configured for `urn` in the project. */
  allows(projectId: string, urn: string, endpoint: string): boolean {
    return (
      this.subscriptions(projectId, urn).some((s) => s.endpoint === endpoint) ||
      this.functionEndpoint(projectId, urn) === endpoint
    );
  }
}

/**
 * The sinks kept in the store (`Store.admin`), so that every replica on one database delivers
 * to the sinks set through any of them. Until a configuration is stored, the seed's applies.
 */
export class StoredSinks implements SinkLookup {
  private readonly seed: SinkConfig;

  constructor(
    private readonly store: AdminStateRepository,
    seed?: SinkConfig,
  ) {
    // No seed sinks, nothing to check: the schema's compile (~100 ms) waits for a configuration.
    this.seed = seed === undefined ? {} : parseSinks(seed);
  }

  /** Stores the seed's sinks unless a configuration is stored already (another replica's). */
  async init(): Promise<void> {
    await this.store.initSinks(this.seed);
  }

  /** Replaces the whole configuration (validated first; the old one stays on error). */
  async replace(config: unknown): Promise<void> {
    await this.store.replaceSinks(parseSinks(config));
  }

  /** Back to the seed's sinks (a full reset). */
  async restoreSeed(): Promise<void> {
    await this.store.replaceSinks(this.seed);
  }

  /** The configuration, in the format it was given. */
  async current(): Promise<SinkConfig> {
    return (await this.store.sinks()) ?? structuredClone(this.seed);
  }

  private async now(): Promise<Sinks> {
    return new Sinks(await this.current(), { checked: true });
  }

  async subscriptions(projectId: string, topicUrn: string): Promise<SmnSubscriptionSink[]> {
    return [...(await this.now()).subscriptions(projectId, topicUrn)];
  }

  async functionEndpoint(projectId: string, functionUrn: string): Promise<string | undefined> {
    return (await this.now()).functionEndpoint(projectId, functionUrn);
  }

  async allows(projectId: string, urn: string, endpoint: string): Promise<boolean> {
    return (await this.now()).allows(projectId, urn, endpoint);
  }
}
