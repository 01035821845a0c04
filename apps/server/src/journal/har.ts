/**
 * The journal as an HTTP Archive (HAR 1.2): what browser dev tools and HAR viewers open. Only
 * the journal's fields go in (no header but `Content-Type` and `X-Request-Id`), so nothing a
 * journal entry does not hold, and no credential, can appear in it.
 */
import { STATUS_CODES } from "node:http";
import type { admin } from "@cts-csms/types";
import type { JournalEntry } from "./journal.js";

export type Har = admin.components["schemas"]["Har"];
type HarEntry = admin.components["schemas"]["HarEntry"];

function bodyText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function queryString(query: JournalEntry["query"]) {
  return Object.entries(query).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => ({ name, value: v })),
  );
}

function entryOf(entry: JournalEntry, origin: string): HarEntry {
  const query = queryString(entry.query);
  const search = new URLSearchParams(query.map((q) => [q.name, q.value])).toString();
  const requestText = bodyText(entry.body);
  const responseText = bodyText(entry.response);
  const requestId = { name: "X-Request-Id", value: entry.request_id };
  const requestHeaders = entry.content_type
    ? [{ name: "Content-Type", value: entry.content_type }, requestId]
    : [requestId];
  const mimeType = entry.response_content_type ?? "";
  const responseHeaders = mimeType
    ? [{ name: "Content-Type", value: mimeType }, requestId]
    : [requestId];
  const har: HarEntry = {
    startedDateTime: entry.time,
    time: entry.duration_ms,
    request: {
      method: entry.method,
      url: `${origin}${entry.path}${search ? `?${search}` : ""}`,
      httpVersion: "HTTP/1.1",
      cookies: [],
      headers: requestHeaders,
      queryString: query,
      headersSize: -1,
      bodySize: entry.body_size ?? (requestText === undefined ? 0 : -1),
    },
    response: {
      status: entry.status,
      statusText: STATUS_CODES[entry.status] ?? "",
      httpVersion: "HTTP/1.1",
      cookies: [],
      headers: responseHeaders,
      content: {
        size: entry.response_size ?? 0,
        mimeType,
        ...(responseText !== undefined && { text: responseText }),
      },
      redirectURL: "",
      headersSize: -1,
      bodySize: entry.response_size ?? 0,
    },
    cache: {},
    timings: { send: 0, wait: entry.duration_ms, receive: 0 },
    _operationId: entry.operation_id,
    _requestId: entry.request_id,
    _journalId: entry.id,
  };
  if (requestText !== undefined) {
    har.request.postData = {
      mimeType: entry.content_type ?? "application/json",
      text: requestText,
    };
  }
  if (entry.project_id !== undefined) har._projectId = entry.project_id;
  return har;
}

/** A HAR of journal entries; `origin` gives the server's URL as each request called it. */
export function toHar(
  entries: readonly JournalEntry[],
  origin: (entry: JournalEntry) => string,
  version: string,
): Har {
  return {
    log: {
      version: "1.2",
      creator: { name: "cts-csms-server", version },
      entries: entries.map((e) => entryOf(e, origin(e))),
    },
  };
}
