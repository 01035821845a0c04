/**
 * Rotation schedules and tasks on PGlite or PostgreSQL (the memory one: `../rotations.ts`). The
 * schedule is the `secrets.next_rotation_time` column: `takeDue` claims due secrets with one
 * UPDATE (`FOR UPDATE SKIP LOCKED`), so replicas sharing the database never take the same one.
 */
import {
  type DueRotation,
  MAX_TASKS_PER_PROJECT,
  type RotationRepository,
  type TaskChanges,
  type TaskQuery,
} from "../rotations.js";
import type { Page, SecretTask } from "../types.js";
import { lockFor, type SqlDatabase } from "./driver.js";

type Body = { body: string };

export class SqlRotationRepository implements RotationRepository {
  constructor(private readonly db: SqlDatabase) {}

  async schedule(projectId: string, name: string, due: number | undefined): Promise<void> {
    await this.db.query(
      "UPDATE secrets SET next_rotation_time = $3 WHERE project_id = $1 AND name = $2",
      [projectId, name, due ?? null],
    );
  }

  async takeDue(now: number, limit: number, leaseMs: number, wait = false): Promise<DueRotation[]> {
    const { rows } = await this.db.query<{ project_id: string; name: string }>(
      `UPDATE secrets SET next_rotation_time = $3
       WHERE (project_id, name) IN (
         SELECT project_id, name FROM secrets
         WHERE next_rotation_time IS NOT NULL AND next_rotation_time <= $1
         ORDER BY next_rotation_time, project_id COLLATE "C", name COLLATE "C"
         LIMIT $2 ${lockFor(wait)})
       RETURNING project_id, name`,
      [now, limit, now + leaseMs],
    );
    return rows.map((r) => ({ projectId: r.project_id, name: r.name }));
  }

  async addTask(projectId: string, task: SecretTask): Promise<void> {
    await this.db.query(
      `INSERT INTO secret_tasks (project_id, task_id, secret_name, task_status, body)
       VALUES ($1, $2, $3, $4, $5)`,
      [projectId, task.task_id, task.secret_name, task.task_status, JSON.stringify(task)],
    );
    await this.db.query(
      `DELETE FROM secret_tasks WHERE project_id = $1 AND seq <= (
         SELECT seq FROM secret_tasks WHERE project_id = $1
         ORDER BY seq DESC OFFSET $2 LIMIT 1)`,
      [projectId, MAX_TASKS_PER_PROJECT],
    );
  }

  updateTask(
    projectId: string,
    taskId: string,
    changes: TaskChanges,
  ): Promise<SecretTask | undefined> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<Body>(
        "SELECT body FROM secret_tasks WHERE project_id = $1 AND task_id = $2 FOR UPDATE",
        [projectId, taskId],
      );
      const row = rows[0];
      if (!row) return undefined;
      // Built as the memory store builds it (Object.assign), so both return the same JSON.
      const task: SecretTask = Object.assign(JSON.parse(row.body) as SecretTask, changes);
      await tx.query(
        `UPDATE secret_tasks SET task_status = $3, body = $4
         WHERE project_id = $1 AND task_id = $2`,
        [projectId, taskId, task.task_status, JSON.stringify(task)],
      );
      return task;
    });
  }

  async pageTasks(projectId: string, query: TaskQuery): Promise<Page<SecretTask> | undefined> {
    let after = 0;
    if (query.marker !== undefined) {
      const { rows } = await this.db.query<{ seq: string }>(
        "SELECT seq FROM secret_tasks WHERE project_id = $1 AND task_id = $2",
        [projectId, query.marker],
      );
      if (!rows[0]) return undefined;
      after = Number(rows[0].seq);
    }
    const { rows } = await this.db.query<Body & { task_id: string }>(
      `SELECT task_id, body FROM secret_tasks
       WHERE project_id = $1 AND seq > $2
         AND ($3::text IS NULL OR secret_name = $3)
         AND ($4::text IS NULL OR task_status = $4)
         AND ($5::text IS NULL OR task_id = $5)
       ORDER BY seq LIMIT $6`,
      [
        projectId,
        after,
        query.secretName ?? null,
        query.status ?? null,
        query.taskId ?? null,
        query.limit + 1,
      ],
    );
    const kept = rows.slice(0, query.limit);
    const page: Page<SecretTask> = { items: kept.map((r) => JSON.parse(r.body) as SecretTask) };
    const last = kept[kept.length - 1];
    if (rows.length > query.limit && last) page.nextMarker = last.task_id;
    return page;
  }

  async clear(projectId?: string): Promise<void> {
    if (projectId === undefined) await this.db.query("DELETE FROM secret_tasks");
    else await this.db.query("DELETE FROM secret_tasks WHERE project_id = $1", [projectId]);
  }
}
