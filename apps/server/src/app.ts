/**
 * `createApp`: the Express app, composed in the order a request goes through it (one module per
 * stage in `pipeline/`, as described in the README's "How requests are handled"):
 *
 *   request id + access log → hardening (URL size, helmet, CORS) → documents (/openapi, /docs)
 *   → routing (404/405) → shared admin state (clock offset, fault rules) → request journal → raw body (413) → security (401/403) → faults (delay, reset, hang)
 *   → operation trace → media type (415) and JSON (400) → how responses are sent
 *   → validation (400; responses checked) → fault answers (Prefer: code=…, fault rules)
 *   → handlers → error envelopes.
 *
 * Before it is ready the app checks that validation is in place through that same chain
 * (startup.ts), then applies the seed; once ready it warms up and checks every other operation,
 * one at a time between client requests.
 */
import express, { type Express, type Request } from "express";
import type { Logger } from "pino";
import { adminHandlers } from "./admin/handlers.js";
import { type LiveStreams, liveStreams } from "./admin/live.js";
import { createSecretLifecycle, type SecretLifecycle } from "./csms/lifecycle.js";
import { createRotator, type Rotator } from "./csms/rotation.js";
import type { SecretEventFiring } from "./csms/secrets.js";
import { FaultRules } from "./faults/rules.js";
import { createHandlers } from "./handlers.js";
import { syntheticPurpose } from "./inject.js";
import { RequestJournal } from "./journal/journal.js";
import { type AppOptions, resolveOptions } from "./options.js";
import { adminState } from "./pipeline/adminState.js";
import { readBody, refuseTooLarge } from "./pipeline/body.js";
import { docs } from "./pipeline/docs.js";
import { errors } from "./pipeline/errors.js";
import { faults } from "./pipeline/faults.js";
import { handlers } from "./pipeline/handlers.js";
import { hardening } from "./pipeline/hardening.js";
import { journalRequests, maskedJson } from "./pipeline/journal.js";
import { mediaType } from "./pipeline/mediaType.js";
import { type OperationTraceStep, operationTrace } from "./pipeline/operationTrace.js";
import { requestLog } from "./pipeline/requestLog.js";
import { respond } from "./pipeline/respond.js";
import { routing } from "./pipeline/routing.js";
import { security } from "./pipeline/security.js";
import { validation } from "./pipeline/validation.js";
import { applySeed, createDirect } from "./seed.js";
import { createServerEvents, type ServerEvents } from "./serverEvents.js";
import { type SharedCounters, sharedCounters } from "./sharedCounters.js";
import { operations } from "./spec.js";
import { bootCheckOperations, responseCheck, selfCheck, warmUp } from "./startup.js";
import type { Store } from "./store/types.js";

export type { AppOptions, LogLevel } from "./options.js";

export interface ServerApp {
  app: Express;
  store: Store;
  logger: Logger;
  /** Resolves once validation is proven in place (the boot check) and the seed is applied. */
  ready: Promise<void>;
  /**
   * Resolves once, after `ready`, every operation's validators are compiled (warm-up) and
   * self-checked; rejects if one is not validating (the server must then stop).
   */
  checked: Promise<void>;
  /** Clears one project's resources, or all (then the deterministic clock/ids restart too), and re-applies the seed. */
  reset(projectId?: string): Promise<void>;
  /** Responses that failed response validation (and were replaced by a 500) so far. */
  responseValidationFailures(): number;
  /** The event engine: traces, sinks, the delivery queue and log. Close it with `events.close()`. */
  events: ServerEvents;
  /** CSMS secret events firing: records, deliveries, the expiry sweep. Stop it with `close()`. */
  secretLifecycle: SecretLifecycle;
  /** The live page's event streams (`GET /_admin/live/events`): `close()` ends them all. */
  live: Pick<LiveStreams, "close" | "open">;
}

/** Express with the settings every stage expects. */
function expressApp(): Express {
  const app = express();
  app.disable("x-powered-by");
  // No ETag hashing of every JSON body; the spec routes are case-sensitive.
  app.set("etag", false);
  app.set("case sensitive routing", true);
  return app;
}

interface ResetParts {
  faultRules: FaultRules;
  journal: RequestJournal;
  traceStep: OperationTraceStep;
  secretLifecycle: SecretLifecycle;
  rotator: Rotator;
  store: Store;
  events: ServerEvents;
  restartClock(resets: number): void;
  reseed(projectId?: string): Promise<void>;
}

/** `/_admin/reset`: one project's state, or all (the clock and ids restart), then the seed. */
async function resetState(parts: ResetParts, projectId?: string): Promise<void> {
  const { faultRules, traceStep, secretLifecycle, store, events } = parts;
  // The fault rules, sinks and clock are in the store: reset for every replica at once.
  await faultRules.reset(projectId);
  parts.journal.clear(projectId);
  // A write's trace is recorded before its answer goes out: let those of the writes being
  // answered as the reset arrives land first, so none reappears once the store is cleared.
  await traceStep.settled();
  // The records and rotations still waiting for their deliveries' outcomes are the store's:
  // cleared first, so that none is written into the cleared store.
  secretLifecycle.reset(projectId);
  await store.deliveryWaits.clear(projectId);
  await Promise.all([secretLifecycle.settled(), parts.rotator.settled()]);
  const { notifications, secretEvents, notificationRecords, secrets, traces, rotations } = store;
  const repositories = [notifications, secretEvents, notificationRecords, secrets, traces];
  const cleared = [...repositories, rotations].map((r) => r.clear(projectId));
  await Promise.all(cleared);
  await events.reset(projectId);
  if (projectId === undefined) {
    parts.restartClock(await store.admin.resetClock());
  }
  await parts.reseed(projectId);
}

/** The event engine, and the CSMS secret lifecycle firing through it. */
function eventsAndLifecycle(
  config: ReturnType<typeof resolveOptions>,
  options: AppOptions,
  faults: FaultRules,
  counters: SharedCounters | undefined,
) {
  const { logger, seed } = config;
  const events = createServerEvents({
    store: config.context.store,
    ...config.events,
    seedSinks: seed?.sinks,
    signingKeyFile: options.smnSigningKey,
    limits: options.delivery,
    logger,
    faults,
  });
  // Served through the events' store: its notification writes keep the matching index current.
  const { store } = events;
  const secretLifecycle = createSecretLifecycle({
    store,
    deliver: events.engine,
    onDeliverySettled: (listener) => events.onDeliverySettled(listener),
    clock: config.events.clock,
    logger,
    // A sweep on this replica uses the clock as any replica last moved it.
    beforeSweep: async () => {
      const state = await store.admin.requestState();
      config.clock.sync(state.clockOffsetMs, state.clockResets);
    },
    ...(counters && { background: counters.around }),
  });
  return { events, store, secretLifecycle };
}

/** Counts and logs the responses that failed validation (each was replaced by a 500). */
function responseFailures(logger: Logger) {
  let failures = 0;
  return {
    count: () => failures,
    onResponseError: (err: unknown, _body: unknown, req: Request) => {
      // The boot check's wrong answer is refused on purpose: not a failure.
      if (syntheticPurpose(req) === "response-check") return;
      failures++;
      const reqId = req.res?.locals.requestId;
      logger.error({ reqId, err: (err as Error).message }, "response failed validation");
    },
  };
}

/** How long after `ready` the warm-up and the remaining self-checks start. */
const CHECK_DELAY_MS = 500;

export function createApp(options: AppOptions = {}): ServerApp {
  const config = resolveOptions(options);
  const { logger, seed } = config;
  const app = expressApp();

  const faultRules = new FaultRules(config.context.store.admin);
  const journal = new RequestJournal(maskedJson);
  // `--deterministic` on a database other replicas share: its counters are kept there too.
  const counters =
    config.counters && !config.context.store.processLocal
      ? sharedCounters(config.counters, config.context.store.admin, config.clock, logger)
      : undefined;
  const { events, store, secretLifecycle } = eventsAndLifecycle(
    config,
    options,
    faultRules,
    counters,
  );
  // A secret event fires inside its write (the outbox): the event is matched and its deliveries
  // stored in the write's transaction, so both are kept or neither; attempts start once it
  // commits (events/delivery.ts).
  const firing: SecretEventFiring = { fire: secretLifecycle.fire };
  const rotator = createRotator({
    ...config.context,
    backgroundClock: config.events.clock,
    store,
    fire: firing.fire,
    deliver: events.engine,
    onDeliverySettled: (listener) => events.onDeliverySettled(listener),
    logger,
    ...(counters && { background: counters.around }),
  });
  secretLifecycle.alsoSweep((wait) => rotator.sweep(wait));
  const context = { ...config.context, store, firing, rotator };

  let isReady = false;
  const readiness = { done: () => isReady, wait: () => ready };
  const fault = faults(faultRules, logger, { rateLimit: config.rateLimit });
  const traceStep = operationTrace(events.engine, config.events.clock, logger);
  const byOperationId = { ...createHandlers(context) };
  // A seed entry is checked as its create request would be, without a request (seed.ts).
  const seedCreate = createDirect(byOperationId);
  const reseed = async (projectId?: string) => {
    if (seed) await applySeed(seed, seedCreate, projectId);
  };
  const reset = (projectId?: string) =>
    resetState(
      {
        faultRules,
        journal,
        traceStep,
        secretLifecycle,
        rotator,
        store,
        events,
        reseed,
        restartClock: (resets) => config.restartClock(resets),
      },
      projectId,
    );

  app.use(requestLog(logger), hardening(options), docs(options.docsDir));
  const journalStep = journalRequests(journal, config.events.clock);
  const shared = adminState(store.admin, config.clock, counters, () => isReady);
  app.use(routing(readiness), shared, journalStep, readBody, security(config.authenticate));
  app.use(fault.decide);
  app.use(traceStep, refuseTooLarge, mediaType, respond);
  const failures = responseFailures(logger);
  const { responseValidation } = config;
  const { onResponseError } = failures;
  app.use(validation(config.validator, { responseValidation, onResponseError }));
  const admin = adminHandlers({
    reset,
    events,
    faults: faultRules,
    journal,
    tracesRecorded: () => traceStep.settled(),
    clock: config.clock,
    shared: store.admin,
    secrets: { store, lifecycle: secretLifecycle, rotator },
  });
  const live = liveStreams({ store, events, journal });
  app.use(fault.answer, live.stage, handlers({ ...byOperationId, ...admin }, store));
  app.use(errors(logger));

  const boot = bootCheckOperations();
  const ready = (async () => {
    await selfCheck(app, boot);
    if (responseValidation) await responseCheck(app, boot);
    await events.ready;
    await reseed();
    // `--deterministic` on a shared database: the deterministic clock moves only with requests,
    // so what comes due is swept by the clock move that made it due, on the replica it reached.
    // A periodic sweep on another replica would do that work at the same time, in no order.
    if (!counters) secretLifecycle.start();
    isReady = true;
  })();
  // The rest of start-up's checks, after `ready`, one operation at a time between clients.
  const checked = ready.then(async () => {
    const rest = operations.filter((op) => !boot.includes(op));
    // A moment first: the clients that waited for the server (a test run, a benchmark) get their
    // first answers without this work in the way.
    await new Promise((resolve) => setTimeout(resolve, CHECK_DELAY_MS).unref());
    try {
      await warmUp(app, operations, "between clients");
      await selfCheck(app, rest, "between clients");
    } catch (err) {
      logger.fatal({ err: (err as Error).message }, "start-up check failed");
      throw err;
    }
  });
  // A boot failure is `ready`'s to report; `checked` rejects with it too, unobserved.
  checked.catch(() => {});
  const responseValidationFailures = failures.count;
  return {
    app,
    store,
    logger,
    ready,
    checked,
    reset,
    responseValidationFailures,
    events,
    secretLifecycle,
    live: { close: live.close, open: live.open },
  };
}
