/**
 * Automatic rotation schedules and rotation tasks: the repository behind scheduled rotation and
 * ListSecretTask, in memory. The SQL one is `sql/rotations.ts`. A schedule is only a hint of
 * when to look at a secret: the rotation sweep checks the secret itself (its `auto_rotation` and
 * `next_rotation_time`) before rotating, so a stale schedule never rotates anything.
 */
import { byCodeUnits } from "./sortedKeys.js";
import { onRollback } from "./transaction.js";
import type { Awaitable, Page, SecretTask } from "./types.js";

/** Tasks kept per project; the oldest go first. */
export const MAX_TASKS_PER_PROJECT = 1000;

export interface TaskQuery {
  limit: number;
  /** Start strictly after this task (a `task_id`). */
  marker?: string;
  secretName?: string;
  status?: SecretTask["task_status"];
  taskId?: string;
}

/** A secret whose rotation was claimed by `takeDue`. */
export interface DueRotation {
  projectId: string;
  name: string;
}

export type TaskChanges = Partial<
  Pick<SecretTask, "task_status" | "attempt_nums" | "task_error_code" | "task_error_msg">
>;

export interface RotationRepository {
  /** Sets when the secret's next automatic rotation is due, or clears it (`undefined`). */
  schedule(projectId: string, name: string, due: number | undefined): Awaitable<void>;
  /**
   * Secrets (of every project) whose rotation is due by `now`, at most `limit`; each is claimed
   * in the same step (its schedule moved to `now + leaseMs`), so one process takes it, whichever
   * asks, earliest due first (then by project and name). Taken in the write that rotates it, a
   * rotation that fails or dies leaves it due at once; a take kept alone leaves it due once the
   * lease lapses. `wait`: see `SecretRepository.takeExpired`.
   */
  takeDue(now: number, limit: number, leaseMs: number, wait?: boolean): Awaitable<DueRotation[]>;
  addTask(projectId: string, task: SecretTask): Awaitable<void>;
  /** The task with `changes` applied; `undefined` when there is no such task. */
  updateTask(
    projectId: string,
    taskId: string,
    changes: TaskChanges,
  ): Awaitable<SecretTask | undefined>;
  /** Tasks oldest first; `undefined` when `marker` names no task of the project. */
  pageTasks(projectId: string, query: TaskQuery): Awaitable<Page<SecretTask> | undefined>;
  clear(projectId?: string): Awaitable<void>;
}

export function taskMatches(task: SecretTask, query: TaskQuery): boolean {
  return (
    (query.secretName === undefined || task.secret_name === query.secretName) &&
    (query.status === undefined || task.task_status === query.status) &&
    (query.taskId === undefined || task.task_id === query.taskId)
  );
}

const key = (projectId: string, name: string) => JSON.stringify([projectId, name]);

export class MemoryRotationRepository implements RotationRepository {
  private readonly due = new Map<string, DueRotation & { at: number }>();
  /** Per project, in creation order. */
  private readonly tasks = new Map<string, SecretTask[]>();

  schedule(projectId: string, name: string, due: number | undefined): void {
    const k = key(projectId, name);
    const previous = this.due.get(k);
    if (due === undefined) this.due.delete(k);
    else this.due.set(k, { projectId, name, at: due });
    onRollback(() => {
      if (previous) this.due.set(k, previous);
      else this.due.delete(k);
    });
  }

  takeDue(now: number, limit: number, leaseMs: number): DueRotation[] {
    // In the SQL stores' order, so that the rotations of one sweep run in the same order there.
    const due = [...this.due.values()]
      .filter((entry) => entry.at <= now)
      .sort(
        (x, y) =>
          x.at - y.at || byCodeUnits(x.projectId, y.projectId) || byCodeUnits(x.name, y.name),
      )
      .slice(0, limit);
    for (const entry of due) {
      const at = entry.at;
      entry.at = now + leaseMs;
      // Taken in a write that rolls back: due again.
      onRollback(() => {
        entry.at = at;
      });
    }
    return due.map(({ projectId, name }) => ({ projectId, name }));
  }

  addTask(projectId: string, task: SecretTask): void {
    let list = this.tasks.get(projectId);
    if (!list) {
      list = [];
      this.tasks.set(projectId, list);
    }
    list.push(structuredClone(task));
    if (list.length > MAX_TASKS_PER_PROJECT) list.shift();
    onRollback(() => {
      const tasks = this.tasks.get(projectId);
      const i = tasks?.findIndex((t) => t.task_id === task.task_id) ?? -1;
      if (i >= 0) tasks?.splice(i, 1);
    });
  }

  updateTask(projectId: string, taskId: string, changes: TaskChanges): SecretTask | undefined {
    const task = this.tasks.get(projectId)?.find((t) => t.task_id === taskId);
    if (!task) return undefined;
    Object.assign(task, changes);
    return structuredClone(task);
  }

  pageTasks(projectId: string, query: TaskQuery): Page<SecretTask> | undefined {
    const list = this.tasks.get(projectId) ?? [];
    let start = 0;
    if (query.marker !== undefined) {
      const i = list.findIndex((t) => t.task_id === query.marker);
      if (i < 0) return undefined;
      start = i + 1;
    }
    const items: SecretTask[] = [];
    let more = false;
    for (let i = start; i < list.length; i++) {
      const task = list[i] as SecretTask;
      if (!taskMatches(task, query)) continue;
      if (items.length === query.limit) {
        more = true;
        break;
      }
      items.push(structuredClone(task));
    }
    const page: Page<SecretTask> = { items };
    const last = items[items.length - 1];
    if (more && last) page.nextMarker = last.task_id;
    return page;
  }

  clear(projectId?: string): void {
    if (projectId === undefined) {
      this.due.clear();
      this.tasks.clear();
      return;
    }
    this.tasks.delete(projectId);
    for (const [k, entry] of this.due) if (entry.projectId === projectId) this.due.delete(k);
  }
}
