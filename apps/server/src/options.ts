/**
 * `createApp`'s options, checked and turned into what the pipeline needs: a logger, an
 * authenticator, the store with its clock and ids, the seed and the validator.
 */
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
import type { DeliveryOptions } from "./events/delivery.js";
import {
  type Clock,
  type Context,
  type IdGenerator,
  randomIds,
  type ServerClock,
  sequentialIds,
  serverClock,
} from "./operation.js";
import { openApiValidator, type ValidatorFactory } from "./pipeline/validation.js";
import { loadSeed, type SeedConfig } from "./seed.js";
import { createMemoryStore } from "./store/memory.js";
import type { DeterministicCounters, Store } from "./store/types.js";

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
  /**
   * The request/response validator, per API (default: express-openapi-validator). Start-up
   * fails if it lets invalid requests through (the boot self-check); tests replace it to see that.
   */
  validator?: ValidatorFactory;
  /** A PEM file with the RSA private key that signs SMN messages (default: a new key at start-up). */
  smnSigningKey?: string;
  /** Delivery queue limits (defaults in the README's "Events" section); for tests, mostly. */
  delivery?: DeliveryLimits;
  /** Requests per second per AK or token; beyond it, `429` with `Retry-After` (default: no limit). */
  rateLimit?: number;
}

export type DeliveryLimits = Pick<
  DeliveryOptions,
  "maxQueue" | "concurrency" | "attemptTimeoutMs" | "retry" | "logLimit"
>;

export interface Resolved {
  logger: Logger;
  authenticate: Authenticator;
  seed: SeedConfig | undefined;
  context: Context;
  /** Restarts the clock (the deterministic epoch, or offset 0 for the real clock) and the ids. */
  restartClock(resets?: number): void;
  validator: ValidatorFactory;
  responseValidation: boolean;
  /** The event engine's clock and ids: they never advance the deterministic clock or ids. */
  events: { clock: Clock; ids: IdGenerator & { reset?(): void }; messageIds?: () => string };
  /** The server clock itself (`POST /_admin/clock` moves it). */
  clock: ServerClock;
  /** With `deterministic`: the clock's reads and the ids' numbers, read and set as one. */
  counters: DeterministicCounterSource | undefined;
  rateLimit: number | undefined;
}

export interface DeterministicCounterSource {
  get(): DeterministicCounters;
  set(counters: DeterministicCounters): void;
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

function rateLimitOf(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) {
    throw new Error(`rateLimit must be a number of requests per second above 0, not ${value}`);
  }
  return value;
}

export function resolveOptions(options: AppOptions): Resolved {
  const clock = serverClock(options.deterministic === true);
  const ids = options.deterministic ? sequentialIds() : undefined;
  const eventIds = options.deterministic ? sequentialIds() : undefined;
  // SMN message ids too, or a deterministic server's messages (and their signatures) differ per run.
  const messageIds = options.deterministic ? sequentialIds() : undefined;
  return {
    logger: makeLogger(options.logger),
    authenticate: makeAuthenticator(options),
    seed: options.seed === undefined ? undefined : loadSeed(options.seed),
    context: {
      store: options.store ?? createMemoryStore(),
      clock,
      ids: ids ?? randomIds,
    },
    clock,
    counters:
      ids && eventIds && messageIds
        ? {
            get: () => ({
              clockReads: clock.reads(),
              ids: ids.last(),
              eventIds: eventIds.last(),
              messageIds: messageIds.last(),
            }),
            set(counters) {
              clock.setReads(counters.clockReads);
              ids.setLast(counters.ids);
              eventIds.setLast(counters.eventIds);
              messageIds.setLast(counters.messageIds);
            },
          }
        : undefined,
    restartClock(resets) {
      clock.restart(resets);
      ids?.reset();
      eventIds?.reset();
      messageIds?.reset();
    },
    events: {
      clock: { now: () => clock.peek() },
      ids: eventIds ?? randomIds,
      ...(messageIds && { messageIds: () => messageIds.next().replaceAll("-", "") }),
    },
    validator: options.validator ?? openApiValidator,
    rateLimit: rateLimitOf(options.rateLimit),
    responseValidation: options.responseValidation !== false,
  };
}
