/**
 * Which notifications of a project could match a trace, without scanning them all: the enabled
 * `complete` ones, plus the enabled `customized` ones whose `operations` name the trace's service type,
 * resource type and trace name. Kept up to date by wrapping the notification repository (every
 * write the server makes goes through it), built from the repository the first time a project is
 * asked about. Matching proper (status, users, filter) then runs on the few candidates, so a
 * trace costs the same with 10 or 100,000 stored notifications.
 */

import { onRollback } from "../store/transaction.js";
import type { Notification, NotificationRepository, Trace } from "../store/types.js";
import { statusMatches } from "./matching.js";

interface ProjectIndex {
  byId: Map<string, Notification>;
  complete: Set<string>;
  /** `service_type \0 resource_type \0 trace_name` → ids of customized notifications naming it. */
  byOperation: Map<string, Set<string>>;
}

const key = (serviceType: string, resourceType: string, traceName: string) =>
  `${serviceType}\u0000${resourceType}\u0000${traceName}`;

function keysOf(n: Notification): string[] {
  if (!statusMatches(n) || n.operation_type === "complete") return [];
  return (n.operations ?? []).flatMap((op) =>
    op.trace_names.map((name) => key(op.service_type, op.resource_type, name)),
  );
}

export interface CandidateIndex {
  /** The repository to use instead of the wrapped one: same behaviour, index kept up to date. */
  repository: NotificationRepository;
  /** Notifications that could match the trace, oldest first (a superset of the matches). */
  candidates(projectId: string, trace: Trace): Promise<Notification[]>;
}

export function candidateIndex(inner: NotificationRepository): CandidateIndex {
  const projects = new Map<string, ProjectIndex>();

  function add(index: ProjectIndex, n: Notification) {
    index.byId.set(n.notification_id, n);
    if (statusMatches(n) && n.operation_type === "complete") index.complete.add(n.notification_id);
    for (const k of keysOf(n)) {
      const ids = index.byOperation.get(k) ?? new Set<string>();
      index.byOperation.set(k, ids);
      ids.add(n.notification_id);
    }
  }

  function remove(index: ProjectIndex, id: string) {
    const n = index.byId.get(id);
    if (!n) return;
    index.byId.delete(id);
    index.complete.delete(id);
    for (const k of keysOf(n)) {
      const ids = index.byOperation.get(k);
      ids?.delete(id);
      if (ids?.size === 0) index.byOperation.delete(k);
    }
  }

  async function indexOf(projectId: string): Promise<ProjectIndex> {
    const known = projects.get(projectId);
    if (known) return known;
    const [smn, fun] = await Promise.all([
      inner.list(projectId, "smn"),
      inner.list(projectId, "fun"),
    ]);
    // A write may have indexed the project while the lists were read.
    const raced = projects.get(projectId);
    if (raced) return raced;
    const index: ProjectIndex = { byId: new Map(), complete: new Set(), byOperation: new Map() };
    for (const n of [...smn, ...fun]) add(index, n);
    projects.set(projectId, index);
    return index;
  }

  /** A write undone (store/transaction.ts) may leave the index wrong: rebuilt when next read. */
  function forgetOnRollback(projectId: string) {
    onRollback(() => projects.delete(projectId));
  }

  const repository: NotificationRepository = {
    get: (projectId, id) => inner.get(projectId, id),
    list: (projectId, type, name) => inner.list(projectId, type, name),
    async insert(projectId, notification) {
      const ok = await inner.insert(projectId, notification);
      const index = projects.get(projectId);
      if (ok && index) add(index, notification);
      forgetOnRollback(projectId);
      return ok;
    },
    async update(projectId, notificationId, changes) {
      const outcome = await inner.update(projectId, notificationId, changes);
      const index = projects.get(projectId);
      if (typeof outcome === "object" && index) {
        remove(index, notificationId);
        add(index, outcome);
      }
      forgetOnRollback(projectId);
      return outcome;
    },
    async deleteMany(projectId, ids) {
      const missing = await inner.deleteMany(projectId, ids);
      const index = projects.get(projectId);
      if (index) {
        const gone = new Set(missing);
        for (const id of ids) if (!gone.has(id)) remove(index, id);
      }
      forgetOnRollback(projectId);
      return missing;
    },
    async clear(projectId) {
      await inner.clear(projectId);
      if (projectId === undefined) projects.clear();
      else projects.delete(projectId);
    },
  };

  return {
    repository,
    async candidates(projectId, trace) {
      const index = await indexOf(projectId);
      const ids = new Set(index.complete);
      for (const id of index.byOperation.get(
        key(trace.service_type, trace.resource_type, trace.trace_name),
      ) ?? []) {
        ids.add(id);
      }
      const out: Notification[] = [];
      for (const id of ids) {
        const n = index.byId.get(id);
        if (n) out.push(n);
      }
      return out.sort((a, b) => a.create_time - b.create_time);
    },
  };
}
