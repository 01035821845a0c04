/**
 * The event engine: traces in, matching, delivery out.
 *
 *   trace (own operation / injected) ─► store ─► matching notifications ─► deliver(topic_id)
 *                                                                            │
 *                             sinks: topic → subscriptions, function → endpoint
 *                                                                            ▼
 *                                      delivery queue ─► HTTP POST (signed SMN message / {"cts": …})
 *
 * It meets the services only through its ports (ports.ts); it never decides an endpoint from
 * anything but the sink configuration.
 */
import { randomBytes } from "node:crypto";
import type { Clock, IdGenerator } from "../operation.js";
import { inTransaction } from "../store/transaction.js";
import type { Notification, Store, Trace } from "../store/types.js";
import type { Delivery, DeliveryQueue } from "./delivery.js";
import { ctsTriggerEvent } from "./functiongraph.js";
import { matchingNotifications } from "./matching.js";
import type { DeliverPort, DeliveryRequest, TraceHappenedPort } from "./ports.js";
import type { SinkLookup } from "./sinks.js";
import { targetKind } from "./sinks.js";
import { buildSmnNotification, type SmnSigningKey, smnSubscriptionUrn } from "./smn.js";
import {
  type OperationRecord,
  type TraceInput,
  traceFromInput,
  traceFromOperation,
} from "./trace.js";

/** Where receivers find the signing certificate and cancel a subscription (served by the server). */
export interface SmnUrls {
  signingCert(): string;
  unsubscribe(subscriptionUrn: string): string;
}

export interface EventEngineOptions {
  /**
   * With `transaction`, a trace and the deliveries it causes are written in one (the outbox):
   * both are kept, or neither.
   */
  store: Pick<Store, "notifications" | "traces"> & Partial<Pick<Store, "transaction">>;
  sinks: SinkLookup;
  delivery: DeliveryQueue;
  signingKey: SmnSigningKey;
  urls: SmnUrls;
  clock: Clock;
  ids: IdGenerator;
  /** 32 hex characters per SMN message (default: random). */
  messageIds?: () => string;
  /**
   * The notifications that could match a trace, oldest first (default: the store's
   * `notifications.candidates`, or all of the project's; a server on a store only it writes to
   * passes an index, `candidates.ts`, so a trace does not scan every notification).
   */
  candidates?: (projectId: string, trace: Trace) => Promise<readonly Notification[]>;
}

export interface EventEngine extends TraceHappenedPort, DeliverPort {
  /** Records the trace of an operation the server served, and delivers it. */
  operationServed(projectId: string, operation: OperationRecord): Promise<Trace>;
  /** Records an injected trace (defaults applied), and delivers it like any other. */
  injectTrace(
    projectId: string,
    input: TraceInput,
  ): Promise<{ trace: Trace; deliveries: readonly Delivery[] }>;
}

/** The SMN subject of a key event notification's message (decision 27 in openapi/README.md). */
export function keyEventSubject(notificationName: string): string {
  return `CTS key event notification: ${notificationName}`;
}

export function createEventEngine(options: EventEngineOptions): EventEngine {
  const { store, sinks, delivery, signingKey, urls, clock, ids } = options;
  const messageId = options.messageIds ?? (() => randomBytes(16).toString("hex"));
  const candidates =
    options.candidates ??
    (async (projectId: string, trace: Trace) => {
      // The store's indexed candidates when it has them (SQL), else all of the project's.
      const { notifications } = store;
      const found = notifications.candidates
        ? await notifications.candidates(projectId, trace)
        : (
            await Promise.all([
              notifications.list(projectId, "smn"),
              notifications.list(projectId, "fun"),
            ])
          ).flat();
      return found.sort((a, b) => a.create_time - b.create_time);
    });

  async function deliverToTopic(
    request: DeliveryRequest,
    smn: NonNullable<DeliveryRequest["smn"]>,
  ): Promise<Delivery[]> {
    const subscriptions = await sinks.subscriptions(request.projectId, request.target);
    const base = {
      topicUrn: request.target,
      message: smn.message,
      messageId: messageId(),
      time: clock.now(),
      signingCertUrl: urls.signingCert(),
      ...(smn.subject === undefined ? {} : { subject: smn.subject }),
    };
    if (subscriptions.length === 0) {
      // Logged with the message a subscription would have received.
      const { headers, body } = buildSmnNotification(
        {
          ...base,
          subscriptionUrn: request.target,
          unsubscribeUrl: urls.unsubscribe(request.target),
        },
        signingKey,
      );
      return [
        await delivery.enqueue({
          projectId: request.projectId,
          source: request.source,
          traceId: request.traceId,
          target: request.target,
          headers,
          payload: JSON.stringify(body),
          reason: "no subscription is configured for this topic in this project",
        }),
      ];
    }
    // One after the other: the log lists them in subscription order on every store.
    const queued: Delivery[] = [];
    for (const subscription of subscriptions) {
      const subscriptionUrn = smnSubscriptionUrn(request.target, subscription.endpoint);
      // Signed once, here: retries and take-overs send this payload, `message_id` included.
      const { headers, body } = buildSmnNotification(
        { ...base, subscriptionUrn, unsubscribeUrl: urls.unsubscribe(subscriptionUrn) },
        signingKey,
      );
      queued.push(
        await delivery.enqueue({
          projectId: request.projectId,
          source: request.source,
          traceId: request.traceId,
          target: request.target,
          endpoint: subscription.endpoint,
          headers,
          payload: JSON.stringify(body),
        }),
      );
    }
    return queued;
  }

  async function deliverToFunction(request: DeliveryRequest, event: unknown): Promise<Delivery[]> {
    const endpoint = await sinks.functionEndpoint(request.projectId, request.target);
    const job = {
      projectId: request.projectId,
      source: request.source,
      traceId: request.traceId,
      target: request.target,
      headers: { "content-type": "application/json" },
      payload: JSON.stringify(event),
    };
    return [
      await delivery.enqueue(
        endpoint === undefined
          ? { ...job, reason: "no endpoint is configured for this function in this project" }
          : { ...job, endpoint },
      ),
    ];
  }

  const engine: EventEngine = {
    refuse(request, payload, reason) {
      return delivery.enqueue({
        projectId: request.projectId,
        source: request.source,
        target: request.target,
        headers: {},
        payload,
        reason,
      });
    },

    async deliver(request) {
      const kind = targetKind(request.target);
      if (kind === "smn") {
        if (!request.smn) throw new TypeError(`deliver: ${request.target} needs an SMN message`);
        return deliverToTopic(request, request.smn);
      }
      if (kind === "function") {
        if (request.event === undefined) {
          throw new TypeError(`deliver: ${request.target} needs an event`);
        }
        return deliverToFunction(request, request.event);
      }
      throw new TypeError(`deliver: ${request.target} is not an SMN topic or FunctionGraph URN`);
    },

    traceHappened(projectId, trace) {
      // The trace and its deliveries in one transaction (the outbox), unless a write that
      // already holds one records it.
      const record = () => recordTrace(projectId, trace);
      return inTransaction(store.transaction, record);
    },

    async operationServed(projectId, operation) {
      const trace = traceFromOperation(operation, { clock, ids });
      await engine.traceHappened(projectId, trace);
      return trace;
    },

    async injectTrace(projectId, input) {
      const trace = traceFromInput(input, { clock, ids });
      const deliveries = await engine.traceHappened(projectId, trace);
      return { trace, deliveries };
    },
  };

  async function recordTrace(projectId: string, trace: Trace): Promise<Delivery[]> {
    await store.traces.append(projectId, trace);
    // Oldest notification first, whatever its type.
    const all = await candidates(projectId, trace);
    const deliveries: Delivery[] = [];
    // matchReason (matching.ts) decides, topic included: what explainTrace reports.
    for (const notification of matchingNotifications(all, trace)) {
      if (notification.topic_id === undefined) continue; // never: no_topic is a reason
      deliveries.push(
        ...(await engine.deliver({
          projectId,
          source: notification.notification_id,
          traceId: trace.trace_id,
          target: notification.topic_id,
          smn: {
            subject: keyEventSubject(notification.notification_name),
            message: JSON.stringify(trace),
          },
          event: ctsTriggerEvent(trace),
        })),
      );
    }
    return deliveries;
  }
  return engine;
}
