/**
 * The request journal: every routed request the server answered, kept per project in the server
 * process's memory (the last {@link JOURNAL_LIMIT} of each), for listing, `verify` and HAR
 * export (openapi/admin/paths/_admin_requests*.yaml). Entries hold bodies already masked
 * (pipeline/journal.ts), or, for a JSON answer that names no secret value field, its text, parsed
 * and masked by the pipeline's own code when the entry is first read; nothing here sees a secret
 * value.
 */
import type { admin } from "@cts-csms/types";
import type { Page } from "../store/types.js";

export type JournalEntry = admin.components["schemas"]["JournalEntry"];

/** Entries kept per project (and for the requests with no project); the spec says so too. */
export const JOURNAL_LIMIT = 1000;

/** The bucket of requests that name no project. */
const NO_PROJECT = "";

export interface JournalFilter {
  operation_id?: string;
  status?: number;
  /** RFC 3339; inclusive. */
  since?: string;
  /** RFC 3339; exclusive. */
  until?: string;
  request_id?: string;
}

/** What a request's `Host` may be to appear in a HAR URL; anything else shows as the default. */
const SANE_HOST = /^[A-Za-z0-9.:[\]-]{1,255}$/;
const DEFAULT_ORIGIN = "http://127.0.0.1";

export class RequestJournal {
  readonly #byProject = new Map<string, JournalEntry[]>();
  /** The scheme and host each request was sent to, for its HAR URL (not an entry field). */
  readonly #origins = new WeakMap<JournalEntry, string>();
  /** The JSON text of an entry's answer, until the entry is first read. */
  readonly #answers = new WeakMap<JournalEntry, string>();
  #sequence = 0;

  /** The next entry's id: increasing for the life of the journal (a full clear restarts it). */
  nextId(): string {
    this.#sequence++;
    return String(this.#sequence);
  }

  constructor(
    /** Parses a kept answer's JSON text, secret values masked (`undefined`: not JSON). */
    private readonly parse: (json: string) => unknown = JSON.parse,
  ) {}

  /** Adds an entry; `json` is its answer's text, read into `response` when the entry is read. */
  add(
    entry: JournalEntry,
    origin?: { protocol: string; host: string | undefined },
    json?: string,
  ): void {
    if (json !== undefined) this.#answers.set(entry, json);
    if (origin?.host !== undefined && SANE_HOST.test(origin.host)) {
      this.#origins.set(entry, `${origin.protocol}://${origin.host}`);
    }
    const key = entry.project_id ?? NO_PROJECT;
    let entries = this.#byProject.get(key);
    if (!entries) {
      entries = [];
      this.#byProject.set(key, entries);
    }
    entries.push(entry);
    if (entries.length > JOURNAL_LIMIT) entries.splice(0, entries.length - JOURNAL_LIMIT);
  }

  /** `http://host:port` of the request an entry records. */
  origin(entry: JournalEntry): string {
    return this.#origins.get(entry) ?? DEFAULT_ORIGIN;
  }

  /** One project's entries (none given: those with no project), oldest first, filtered. */
  entries(projectId: string | undefined, filter: JournalFilter = {}): JournalEntry[] {
    const all = this.#byProject.get(projectId ?? NO_PROJECT) ?? [];
    const since = filter.since === undefined ? undefined : Date.parse(filter.since);
    const until = filter.until === undefined ? undefined : Date.parse(filter.until);
    const kept = all.filter((e) => {
      if (filter.operation_id !== undefined && e.operation_id !== filter.operation_id) return false;
      if (filter.status !== undefined && e.status !== filter.status) return false;
      if (filter.request_id !== undefined && e.request_id !== filter.request_id) return false;
      const time = Date.parse(e.time);
      if (since !== undefined && time < since) return false;
      if (until !== undefined && time >= until) return false;
      return true;
    });
    for (const e of kept) this.#read(e);
    return kept;
  }

  #read(entry: JournalEntry) {
    const json = this.#answers.get(entry);
    if (json === undefined) return;
    this.#answers.delete(entry);
    const response = this.parse(json);
    if (response !== undefined) entry.response = response;
  }

  /** A page of {@link entries}, after the entry whose id is `marker`. */
  page(
    projectId: string | undefined,
    filter: JournalFilter,
    request: { limit: number; marker?: string },
  ): Page<JournalEntry> {
    const entries = this.entries(projectId, filter);
    const after = request.marker === undefined ? 0 : Number(request.marker);
    const start = entries.findIndex((e) => Number(e.id) > after);
    const items = start === -1 ? [] : entries.slice(start, start + request.limit);
    const last = items.at(-1);
    const more = start !== -1 && start + request.limit < entries.length;
    return more && last ? { items, nextMarker: last.id } : { items };
  }

  /** Forgets one project's entries (`null`: those with no project), or every entry. */
  clear(projectId?: string | null): void {
    if (projectId === undefined) {
      this.#byProject.clear();
      this.#sequence = 0;
    } else this.#byProject.delete(projectId ?? NO_PROJECT);
  }
}
