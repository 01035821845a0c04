/**
 * CSMS v1 notification records. Events never fire in the reference server (it keeps no secrets),
 * so the list is empty unless records are put into the repository directly; the paging is real.
 */
import type { csms } from "@cts-csms/types";
import { ApiError } from "../errors.js";
import type { Context, OperationHandler } from "../operation.js";
import { pageInfo, pageRequest } from "./paging.js";

type ListNotificationRecords = csms.operations["listNotificationRecords"];

export function notificationRecordHandlers(ctx: Context): {
  listNotificationRecords: OperationHandler<ListNotificationRecords>;
} {
  const { notificationRecords } = ctx.store;
  return {
    async listNotificationRecords({ projectId, query }) {
      const request = pageRequest("listNotificationRecords", query);
      const page = await notificationRecords.page(projectId, request);
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
