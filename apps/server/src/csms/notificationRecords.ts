/**
 * CSMS v1 notification records: written by the secret lifecycle (lifecycle.ts) once each
 * notification's outcome is known, listed oldest first for the last three months.
 */
import type { csms } from "@cts-csms/types";
import { ApiError } from "../errors.js";
import type { Context, OperationHandler } from "../operation.js";
import { RECORD_RETENTION_MS } from "./lifecycle.js";
import { pageInfo, pageRequest } from "./paging.js";

type ListNotificationRecords = csms.operations["listNotificationRecords"];

export function notificationRecordHandlers(ctx: Context): {
  listNotificationRecords: OperationHandler<ListNotificationRecords>;
} {
  const { notificationRecords } = ctx.store;
  return {
    async listNotificationRecords({ projectId, query }) {
      const request = pageRequest("listNotificationRecords", query);
      const since = ctx.clock.now() - RECORD_RETENTION_MS;
      const page = await notificationRecords.page(projectId, { ...request, since });
      if (!page) {
        throw new ApiError(
          "validation",
          "request/query/marker is not a marker returned by this server (pass page_info.next_marker)",
        );
      }
      return {
        status: 200,
        body: { records: page.items, page_info: pageInfo(page, query.marker) },
      };
    },
  };
}
