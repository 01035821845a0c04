/**
 * CSMS v1 secret events: create, show, update, delete, list. The schema (enforced by the
 * validator before these run) covers shapes; this module adds the operation descriptions'
 * "Server-enforced rules".
 */
import type { csms } from "@cts-csms/types";
import { ApiError } from "../errors.js";
import type { Context, OperationHandler } from "../operation.js";
import type { SecretEvent } from "../store/types.js";
import { pageInfo, pageRequest } from "./paging.js";

type Ops = csms.operations;
export type SecretEventOperations = Pick<
  Ops,
  | "createSecretEvent"
  | "listSecretEvents"
  | "showSecretEvent"
  | "updateSecretEvent"
  | "deleteSecretEvent"
>;

function notFound(name: string): ApiError {
  return new ApiError("not_found", `The event does not exist: event_name ${name}`);
}

export function secretEventHandlers(ctx: Context): {
  [K in keyof SecretEventOperations]: OperationHandler<SecretEventOperations[K]>;
} {
  const { secretEvents, secrets } = ctx.store;
  return {
    async createSecretEvent({ projectId, body }) {
      const now = ctx.clock.now();
      const event: SecretEvent = {
        name: body.name,
        event_id: ctx.ids.next(),
        event_types: body.event_types,
        state: body.state,
        create_time: now,
        update_time: now,
        notification: body.notification,
      };
      if (!(await secretEvents.insert(projectId, event))) {
        throw new ApiError(
          "duplicate",
          `request/body/name: an event named ${body.name} already exists in this project`,
        );
      }
      return { status: 200, body: { event } };
    },

    async showSecretEvent({ projectId, params }) {
      const event = await secretEvents.get(projectId, params.event_name);
      if (!event) throw notFound(params.event_name);
      return { status: 200, body: { event } };
    },

    async updateSecretEvent({ projectId, params, body }) {
      const changes = {
        ...(body.state !== undefined && { state: body.state }),
        ...(body.event_types !== undefined && { event_types: body.event_types }),
        ...(body.notification !== undefined && { notification: body.notification }),
      };
      const event = await secretEvents.update(
        projectId,
        params.event_name,
        changes,
        ctx.clock.now(),
      );
      if (!event) throw notFound(params.event_name);
      return { status: 200, body: { event } };
    },

    async deleteSecretEvent({ projectId, params }) {
      const subscribed = await secrets.page(projectId, { limit: 1, eventName: params.event_name });
      const secret = subscribed.items[0];
      if (secret) {
        throw new ApiError(
          "validation",
          `event_name ${params.event_name}: the event is configured on secret ${secret.name}; remove it from the secret's event_subscriptions first`,
        );
      }
      if (!(await secretEvents.delete(projectId, params.event_name))) {
        throw notFound(params.event_name);
      }
      return { status: 204, body: undefined };
    },

    async listSecretEvents({ projectId, query }) {
      const request = pageRequest("listSecretEvents", query);
      const page = await secretEvents.page(projectId, request);
      return { status: 200, body: { events: page.items, page_info: pageInfo(page, query.marker) } };
    },
  };
}
