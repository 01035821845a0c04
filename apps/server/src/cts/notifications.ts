/**
 * CTS v3 key event notifications: create, update, list, delete. The schema (enforced by the
 * validator before these run) covers shapes and cross-field rules; this module adds exactly the
 * operation descriptions' "Server-enforced rules".
 */
import type { cts } from "@cts-csms/types";
import { ApiError } from "../errors.js";
import type { Context, OperationHandlers } from "../operation.js";
import type { Notification, NotificationType } from "../store/types.js";

type Schemas = cts.components["schemas"];
type CreateNotificationRequestBody = Schemas["CreateNotificationRequestBody"];
type NotificationUsers = Schemas["NotificationUsers"];

/** Server rule: at most 50 users across all groups (the schema caps groups and per-group size). */
const MAX_USERS_TOTAL = 50;

function checkUserCount(groups: NotificationUsers[] | undefined): void {
  if (!groups) return;
  let total = 0;
  for (const group of groups) total += group.user_list.length;
  if (total > MAX_USERS_TOTAL) {
    throw new ApiError(
      "validation",
      `request/body/notify_user_list must contain at most ${MAX_USERS_TOTAL} users in total across all groups (got ${total})`,
    );
  }
}

/** `urn:fss:` is a FunctionGraph function; anything else (an SMN topic, or no topic) is `smn`. */
function typeOfTopic(topicId: string): NotificationType {
  return topicId.startsWith("urn:fss:") ? "fun" : "smn";
}

/** The optional fields shared by create and update bodies, in the resource's shape. */
function configuration(
  body: CreateNotificationRequestBody,
): Pick<Notification, "operations" | "notify_user_list" | "topic_id" | "filter" | "agency_name"> {
  const out: Pick<Notification, "operations" | "notify_user_list"> & Partial<Notification> = {
    // Cleared lists are empty, as in the reference's list example.
    operations: body.operations ?? [],
    notify_user_list: body.notify_user_list ?? [],
  };
  if (body.topic_id !== undefined) out.topic_id = body.topic_id;
  if (body.filter !== undefined) out.filter = body.filter;
  if (body.agency_name !== undefined) out.agency_name = body.agency_name;
  return out;
}

function notFound(ids: readonly string[]): ApiError {
  return new ApiError(
    "not_found",
    `The notification does not exist: notification_id ${ids.join(",")}`,
  );
}

function duplicateName(name: string): ApiError {
  return new ApiError(
    "duplicate",
    `request/body/notification_name: a notification named ${name} already exists in this project`,
  );
}

type NotificationOperations = Pick<
  cts.operations,
  "createNotification" | "updateNotification" | "listNotifications" | "deleteNotification"
>;

export function notificationHandlers(ctx: Context): OperationHandlers<NotificationOperations> {
  const { notifications } = ctx.store;
  return {
    async createNotification({ projectId, body }) {
      checkUserCount(body.notify_user_list);
      const notification: Notification = {
        notification_id: ctx.ids.next(),
        notification_name: body.notification_name,
        operation_type: body.operation_type,
        ...configuration(body),
        status: body.topic_id !== undefined ? "enabled" : "disabled",
        notification_type: body.topic_id !== undefined ? typeOfTopic(body.topic_id) : "smn",
        project_id: projectId,
        create_time: ctx.clock.now(),
      };
      if (!(await notifications.insert(projectId, notification))) {
        throw duplicateName(body.notification_name);
      }
      return { status: 201, body: notification };
    },

    async updateNotification({ projectId, body }) {
      checkUserCount(body.notify_user_list);
      const updated = await notifications.update(projectId, body.notification_id, {
        notification_name: body.notification_name,
        operation_type: body.operation_type,
        ...configuration(body),
        status: body.status,
        ...(body.topic_id !== undefined && { notification_type: typeOfTopic(body.topic_id) }),
      });
      if (updated === "not_found") throw notFound([body.notification_id]);
      if (updated === "duplicate_name") throw duplicateName(body.notification_name);
      return { status: 200, body: updated };
    },

    async listNotifications({ projectId, params, query }) {
      const list = await notifications.list(
        projectId,
        params.notification_type,
        query.notification_name,
      );
      return { status: 200, body: { notifications: list } };
    },

    async deleteNotification({ projectId, query }) {
      // Repeated ids count once (the spec admits only the lower-case spelling).
      const ids = [...new Set(query.notification_id.split(","))];
      // Partial semantics (see the operation's description): delete what exists, report the rest.
      const missing = await notifications.deleteMany(projectId, ids);
      if (missing.length > 0) throw notFound(missing);
      return { status: 204, body: undefined };
    },
  };
}
