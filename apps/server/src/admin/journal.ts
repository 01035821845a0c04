/** The admin API's request journal operations (`/_admin/requests…`, openapi/admin/paths). */
import { createRequire } from "node:module";
import type { admin } from "@cts-csms/types";
import { pageInfo, pageRequest } from "../csms/paging.js";
import { toHar } from "../journal/har.js";
import type { JournalFilter, RequestJournal } from "../journal/journal.js";
import { verify } from "../journal/verify.js";
import type { OperationHandlers } from "../operation.js";

type JournalOperations = Pick<
  admin.operations,
  "listRequests" | "clearRequests" | "verifyRequests" | "exportRequestsHar"
>;

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

function filterOf(query: JournalFilter): JournalFilter {
  const { operation_id, status, since, until, request_id } = query;
  // The validator has coerced `status` to a number already; Number() keeps the filter exact.
  return {
    operation_id,
    status: status === undefined ? undefined : Number(status),
    since,
    until,
    request_id,
  };
}

export function journalHandlers(journal: RequestJournal): OperationHandlers<JournalOperations> {
  return {
    async listRequests({ query }) {
      const request = pageRequest("listRequests", query);
      const page = journal.page(query.project_id, filterOf(query), request);
      return {
        status: 200,
        body: { requests: page.items, page_info: pageInfo(page, query.marker) },
      };
    },
    async clearRequests({ query }) {
      journal.clear(query.project_id ?? null);
      return { status: 204, body: undefined };
    },
    async verifyRequests({ query, body }) {
      const entries = journal.entries(query.project_id);
      return { status: 200, body: verify(entries, body, query.project_id) };
    },
    async exportRequestsHar({ query }) {
      const entries = journal.entries(query.project_id, filterOf(query));
      return { status: 200, body: toHar(entries, (e) => journal.origin(e), version) };
    },
  };
}
