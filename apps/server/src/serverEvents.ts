/**
 * The event engine, wired for one server: the sinks (from the seed file, replaced through the
 * admin API), the delivery queue, the SMN signing key (loaded or generated at start-up) and the
 * URLs its SMN messages carry (the admin API's certificate and unsubscribe routes, on this
 * server's own URL). The app reaches it through `engine` and the admin handlers; nothing else.
 */
import type { Logger } from "pino";
import { candidateIndex } from "./events/candidates.js";
import { createDeliveryQueue, type Delivery, type DeliveryQueue } from "./events/delivery.js";
import { createEventEngine, type EventEngine } from "./events/engine.js";
import { type SinkConfig, StoredSinks } from "./events/sinks.js";
import { loadSmnSigningKey, type SmnSigningKey } from "./events/smn.js";
import type { FaultRules } from "./faults/rules.js";
import type { Clock, IdGenerator } from "./operation.js";
import type { DeliveryLimits } from "./options.js";
import { models } from "./spec.js";
import type { Store } from "./store/types.js";

export interface ServerEvents {
  engine: EventEngine;
  /** The store to serve from: its notification repository keeps the engine's index current. */
  store: Store;
  /** The sinks, kept in the store: every replica on one database delivers to the same. */
  sinks: StoredSinks;
  deliveries: DeliveryQueue;
  /**
   * Resolves once the signing key is loaded or generated (rejects naming the key file) and the
   * seed's sinks are stored, unless sinks are stored already.
   */
  ready: Promise<void>;
  /** The signing certificate (PEM), once `ready`. */
  certificatePem(): string;
  /** The server's base URL, used in `signing_cert_url` and `unsubscribe_url`. */
  setBaseUrl(url: string): void;
  /** Calls `listener` with each delivery's final outcome (delivered, or failed after retries). */
  onDeliverySettled(listener: (delivery: Delivery) => void | Promise<void>): void;
  /** Drops one project's delivery log, or all of it and restores the seed's sinks. */
  reset(projectId?: string): Promise<void>;
  /** Aborts attempts in flight and lets go of the pending deliveries it holds (for others). */
  close(): Promise<void>;
}

export interface ServerEventsOptions {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  /** SMN message ids (default: random). */
  messageIds?: () => string;
  seedSinks: SinkConfig | undefined;
  signingKeyFile: string | undefined;
  limits: DeliveryLimits | undefined;
  logger: Logger;
  /** The fault rules: their delivery rules are asked before every attempt. */
  faults?: FaultRules;
}

/** Where the admin API serves the certificate and the unsubscribe answer (from its spec). */
const CERT_PATH = models.admin.operation("getSmnSigningCert").path;
const UNSUBSCRIBE_PATH = models.admin.operation("smnUnsubscribe").path;

export function createServerEvents(options: ServerEventsOptions): ServerEvents {
  const { clock, ids, logger } = options;
  // The matching index caches notifications, so it needs to see every write: only for a store
  // this process alone writes to. With a shared database every trace reads its candidates
  // afresh, through the database's indexes (`notifications.candidates`).
  const index = options.store.processLocal
    ? candidateIndex(options.store.notifications)
    : undefined;
  const store: Store = index
    ? { ...options.store, notifications: index.repository }
    : options.store;
  const sinks = new StoredSinks(options.store.admin, options.seedSinks);
  const settledListeners: ((delivery: Delivery) => void | Promise<void>)[] = [];
  const deliveries = createDeliveryQueue({
    // The log and queue are the store's: every replica on one database shows and works them.
    store: options.store.deliveries,
    onSettled: async (delivery) => {
      await Promise.all(settledListeners.map((listener) => listener(delivery)));
    },
    clock,
    ids,
    allowed: (projectId, target, endpoint) => sinks.allows(projectId, target, endpoint),
    async fault(delivery) {
      const fault = await options.faults?.decideDelivery(delivery);
      if (fault) {
        const { delivery_id, project_id, target, endpoint, attempts: attempt } = delivery;
        const { source, status, delayMs, action } = fault;
        const fields = { delivery_id, project_id, target, endpoint, attempt, fault: source };
        logger.info({ ...fields, status, delayMs, action }, "fault applied");
      }
      return fault;
    },
    logger,
    ...options.limits,
  });
  let baseUrl = "http://127.0.0.1:8080";
  let key: SmnSigningKey | undefined;
  const loaded = (): SmnSigningKey => {
    if (!key) throw new Error("the SMN signing key is not loaded yet");
    return key;
  };
  const signingKey: SmnSigningKey = {
    get certificatePem() {
      return loaded().certificatePem;
    },
    sign: (data) => loaded().sign(data),
  };
  const keyLoaded = loadSmnSigningKey(options.signingKeyFile).then(
    (k) => {
      key = k;
    },
    (err: Error) => {
      throw new Error(`SMN signing key file ${options.signingKeyFile}: ${err.message}`);
    },
  );
  const ready = Promise.all([keyLoaded, sinks.init()]).then(() => {});
  // Start-up awaits it; keep an early failure from being reported as unhandled meanwhile.
  ready.catch(() => {});
  const engine = createEventEngine({
    store,
    ...(index && { candidates: index.candidates }),
    sinks,
    delivery: deliveries,
    signingKey,
    clock,
    ids,
    ...(options.messageIds && { messageIds: options.messageIds }),
    urls: {
      signingCert: () => `${baseUrl}${CERT_PATH}`,
      unsubscribe: (urn) =>
        `${baseUrl}${UNSUBSCRIBE_PATH}?subscription_urn=${encodeURIComponent(urn)}`,
    },
  });
  return {
    engine,
    store,
    sinks,
    deliveries,
    ready,
    certificatePem: () => loaded().certificatePem,
    onDeliverySettled(listener) {
      settledListeners.push(listener);
    },
    setBaseUrl(url) {
      baseUrl = url.replace(/\/+$/, "");
    },
    async reset(projectId) {
      await deliveries.clear(projectId);
      if (projectId === undefined) await sinks.restoreSeed();
    },
    close: () => deliveries.close(),
  };
}
