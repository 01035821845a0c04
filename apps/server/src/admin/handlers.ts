/**
 * The admin API's operations (openapi/admin), typed from its generated `operations`: a route
 * added to the spec fails `tsc` here until it has a handler.
 */
import type { admin } from "@cts-csms/types";
import { ApiError } from "../errors.js";
import { SinkConfigError } from "../events/sinks.js";
import type { FaultRules } from "../faults/rules.js";
import type { OperationHandlers } from "../operation.js";
import type { ServerEvents } from "../serverEvents.js";
import { faultHandlers } from "./faults.js";

export interface AdminState {
  /** Clears one project, or all, and re-applies the seed. */
  reset(projectId?: string): Promise<void>;
  /** The event engine with its sinks, delivery log and signing certificate. */
  events: ServerEvents;
  faults: FaultRules;
  /** Resolves once the traces of the writes being answered are recorded (each before its answer). */
  tracesRecorded(): Promise<void>;
}

type Sinks = admin.components["schemas"]["Sinks"];

export function adminHandlers(state: AdminState): OperationHandlers<admin.operations> {
  const { events } = state;
  return {
    ...faultHandlers(state.faults),
    async getHealth() {
      return { status: 200, body: { status: "ok" } };
    },
    async resetState({ query }) {
      await state.reset(query.project_id);
      return { status: 204, body: undefined };
    },
    async injectTrace({ projectId, body }) {
      const { trace } = await events.engine.injectTrace(projectId, body);
      return { status: 201, body: trace };
    },
    async getSinks() {
      return { status: 200, body: events.sinks.current() as Sinks };
    },
    async replaceSinks({ body }) {
      try {
        events.sinks.replace(body);
      } catch (err) {
        // What the schema cannot say (an endpoint that does not parse as a URL).
        if (err instanceof SinkConfigError) {
          throw new ApiError(
            "validation",
            err.problems.join("; ").replace(/^sinks/, "request/body"),
          );
        }
        throw err;
      }
      return { status: 200, body: events.sinks.current() as Sinks };
    },
    async listDeliveries({ query }) {
      return { status: 200, body: { deliveries: events.deliveries.list(query.project_id) } };
    },
    async flushDeliveries() {
      // The deliveries of writes being answered are queued once their traces are recorded.
      await state.tracesRecorded();
      await events.deliveries.flush();
      return { status: 204, body: undefined };
    },
    async getSmnSigningCert() {
      return { status: 200, body: events.certificatePem() };
    },
    async smnUnsubscribe({ query }) {
      return {
        status: 200,
        body: {
          subscription_urn: query.subscription_urn,
          unsubscribed: false,
          message:
            "The reference server's SMN subscriptions are its sink configuration; remove the endpoint with PUT /_admin/sinks.",
        },
      };
    },
  };
}
