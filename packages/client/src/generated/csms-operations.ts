/**
 * GENERATED FILE: do not edit. Built by packages/client/scripts/generate-operations.mjs
 * from @cts-csms/openapi/csms.json; edit the spec in openapi/csms/.
 */

/** Regional endpoint template of the CSMS API (from the spec's `servers`). */
export const csmsServer = "https://kms.{region}.myhuaweicloud.com";

/** Every CSMS operation: operationId → HTTP method and path template. */
export const csmsOperations = {
  createSecretEvent: { method: "post", path: "/v1/{project_id}/csms/events" },
  deleteSecretEvent: { method: "delete", path: "/v1/{project_id}/csms/events/{event_name}" },
  listNotificationRecords: { method: "get", path: "/v1/{project_id}/csms/notification-records" },
  listSecretEvents: { method: "get", path: "/v1/{project_id}/csms/events" },
  showSecretEvent: { method: "get", path: "/v1/{project_id}/csms/events/{event_name}" },
  updateSecretEvent: { method: "put", path: "/v1/{project_id}/csms/events/{event_name}" },
} as const;

/** Paged list operations (marker / page_info.next_marker): operationId → items property. */
export const csmsPagination = {
  listNotificationRecords: "records",
  listSecretEvents: "events",
} as const;
