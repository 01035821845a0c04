/**
 * The admin API's operations (openapi/admin), typed from its generated `operations`: a route
 * added to the spec fails `tsc` here until it has a handler.
 */
import type { admin } from "@cts-csms/types";
import { explainSecretEvents } from "../csms/explain.js";
import type { SecretLifecycle } from "../csms/lifecycle.js";
import type { Rotator } from "../csms/rotation.js";
import { ApiError } from "../errors.js";
import { explainTrace } from "../events/explain.js";
import { SinkConfigError } from "../events/sinks.js";
import type { FaultRules } from "../faults/rules.js";
import type { RequestJournal } from "../journal/journal.js";
import type { OperationHandlers, ServerClock } from "../operation.js";
import type { ServerEvents } from "../serverEvents.js";
import { models } from "../spec.js";
import type { AdminStateRepository, Store } from "../store/types.js";
import { durationMs } from "./clock.js";
import { faultHandlers } from "./faults.js";
import { journalHandlers } from "./journal.js";
import { LIVE_PAGE } from "./livePage.js";

export interface AdminState {
  /** Clears one project, or all, and re-applies the seed. */
  reset(projectId?: string): Promise<void>;
  /** The event engine with its sinks, delivery log and signing certificate. */
  events: ServerEvents;
  faults: FaultRules;
  /** The request journal (`/_admin/requests…`). */
  journal: RequestJournal;
  /** Resolves once the traces of the writes being answered are recorded (each before its answer). */
  tracesRecorded(): Promise<void>;
  /** The server clock that `POST /_admin/clock` moves. */
  clock: ServerClock;
  /** Where the clock's offset is kept for every replica (`Store.admin`). */
  shared: Pick<AdminStateRepository, "advanceClock">;
  /** CSMS secrets and their events' firing (rotation failures, expiry after a clock move). */
  secrets: {
    store: Pick<Store, "secrets" | "secretEvents">;
    lifecycle: SecretLifecycle;
    /** Scheduled rotation and rotation functions (csms/rotation.ts). */
    rotator?: Pick<Rotator, "settled">;
  };
}

/** At most ten years per move, as the schema's description says. */
const MAX_MOVE_MS = 10 * 366 * 24 * 60 * 60 * 1000;

/** The latest time the clock may show: the spec's bound on `Clock.now` (9999-12-31T23:59:59.999Z). */
const MAX_TIME = (() => {
  const schemas = models.admin.document.components?.schemas as
    | Record<string, { properties?: Record<string, { maximum?: unknown }> }>
    | undefined;
  const maximum = schemas?.Clock?.properties?.now?.maximum;
  if (typeof maximum !== "number") throw new Error("spec: admin Clock.now has no maximum");
  return maximum;
})();

type Sinks = admin.components["schemas"]["Sinks"];

export function adminHandlers(state: AdminState): OperationHandlers<admin.operations> {
  const { events, clock } = state;
  const clockBody = () => {
    const now = clock.peek();
    return { now, time: new Date(now).toISOString(), offset_ms: clock.offset() };
  };
  return {
    ...faultHandlers(state.faults),
    ...journalHandlers(state.journal),
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
    async explainTrace({ projectId, params }) {
      const explanation = await explainTrace(
        events.store,
        events.deliveries,
        projectId,
        params.trace_id,
      );
      if (!explanation) {
        throw new ApiError(
          "not_found",
          `The trace does not exist in project ${projectId}: trace_id ${params.trace_id}`,
        );
      }
      return { status: 200, body: explanation };
    },
    async explainSecretEvents({ projectId, params, query }) {
      const explanations = await explainSecretEvents(
        state.secrets.store,
        state.secrets.lifecycle,
        events.deliveries,
        projectId,
        params.secret_name,
        { eventType: query.event_type, versionId: query.version_id },
      );
      return { status: 200, body: { explanations } };
    },
    async getSinks() {
      return { status: 200, body: (await events.sinks.current()) as Sinks };
    },
    async replaceSinks({ body }) {
      try {
        await events.sinks.replace(body);
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
      return { status: 200, body: (await events.sinks.current()) as Sinks };
    },
    async listDeliveries({ query }) {
      return { status: 200, body: { deliveries: await events.deliveries.list(query.project_id) } };
    },
    async flushDeliveries() {
      // The deliveries of writes being answered are queued once their traces are recorded.
      await state.tracesRecorded();
      await events.deliveries.flush();
      // A rotation function's answer completes its rotation, whose event is then delivered.
      if (state.secrets.rotator) {
        await state.secrets.rotator.settled();
        await events.deliveries.flush();
      }
      // A CSMS notification's record is written once its delivery's outcome is known.
      await state.secrets.lifecycle.settled();
      return { status: 204, body: undefined };
    },
    async getClock() {
      return { status: 200, body: clockBody() };
    },
    async setClock({ body }) {
      let ms: number;
      if (body.advance !== undefined) {
        try {
          ms = durationMs(body.advance);
        } catch {
          throw new ApiError(
            "validation",
            "request/body/advance is not a duration of days to seconds",
          );
        }
      } else {
        const target = Date.parse(body.time as string);
        if (Number.isNaN(target)) {
          throw new ApiError("validation", "request/body/time is not an RFC 3339 date-time");
        }
        ms = target - clock.peek();
        if (ms < 0) {
          throw new ApiError(
            "validation",
            `request/body/time is before the server's current time (${new Date(clock.peek()).toISOString()}); the clock never moves back`,
          );
        }
      }
      const field = `request/body/${body.advance !== undefined ? "advance" : "time"}`;
      if (clock.peek() + ms > MAX_TIME) {
        throw new ApiError(
          "validation",
          `${field}: the clock cannot move past ${new Date(MAX_TIME).toISOString()}`,
        );
      }
      if (ms > MAX_MOVE_MS) {
        throw new ApiError("validation", `${field}: the clock moves at most ten years at once`);
      }
      // Moved in the store, so that every replica's clock takes it on (pipeline/adminState.ts).
      clock.sync(await state.shared.advanceClock(ms));
      // What the new time makes due (expiries, deletions, rotations) is stored before the
      // answer, old records go; what another replica's sweep is taking is waited for.
      await state.secrets.lifecycle.sweep(true);
      return { status: 200, body: clockBody() };
    },
    async failSecretRotation({ projectId, params }) {
      const secret = await state.secrets.store.secrets.get(projectId, params.secret_name);
      if (!secret) {
        throw new ApiError(
          "not_found",
          `The secret does not exist in project ${projectId}: secret_name ${params.secret_name}`,
        );
      }
      await state.secrets.lifecycle.fire(projectId, secret, "SECRET_ROTATED_FAILED");
      return { status: 204, body: undefined };
    },
    async getLivePage() {
      return { status: 200, body: LIVE_PAGE };
    },
    async streamLiveEvents() {
      // The stream needs the response itself: the live stage (admin/live.ts) serves it before
      // the handlers are reached.
      throw new Error("streamLiveEvents is served by the live stage");
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
