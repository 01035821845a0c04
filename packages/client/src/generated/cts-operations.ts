/**
 * GENERATED FILE: do not edit. Built by packages/client/scripts/generate-operations.mjs
 * from @cts-csms/openapi/cts.json; edit the spec in openapi/cts/.
 */

/** Regional endpoint template of the CTS API (from the spec's `servers`). */
export const ctsServer = "https://cts.{region}.myhuaweicloud.com";

/** Every CTS operation: operationId → HTTP method and path template. */
export const ctsOperations = {
  createNotification: { method: "post", path: "/v3/{project_id}/notifications" },
  deleteNotification: { method: "delete", path: "/v3/{project_id}/notifications" },
  listNotifications: { method: "get", path: "/v3/{project_id}/notifications/{notification_type}" },
  updateNotification: { method: "put", path: "/v3/{project_id}/notifications" },
} as const;

/** Paged list operations (marker / page_info.next_marker): operationId → items property. */
export const ctsPagination = {} as const;
