/**
 * Secret rotation: manual (RotateSecret), scheduled (`auto_rotation` and `rotation_period` on the
 * server's clock), and through a rotation function (`rotation_func_urn`), each one a task that
 * ListSecretTask shows.
 *
 *   RotateSecret ─┐                      no rotation_func_urn ─► new version, SYSCURRENT moved,
 *                 ├─► task ─► rotate ─┤                          SECRET_ROTATED, task SUCCESS
 *   sweep (due) ──┘                      rotation_func_urn ─► deliver(RotationFunctionEvent)
 *                                          2xx ─► new version … SECRET_ROTATED, task SUCCESS
 *                                          fail/timeout/no sink (after retries) ─► task FAILED,
 *                                                                    SECRET_ROTATED_FAILED
 *
 * A clock jump over several periods rotates once (decision 47 in openapi/README.md): the next
 * rotation is due one period after the rotation that ran. The sweep claims due secrets through
 * the store (one UPDATE on SQL, so one replica takes each), each in the write that rotates it,
 * bounded per run, never inside an API request. A rotation function is called only through the
 * delivery engine, at the endpoint the operator configured for its URN; its event names the
 * secret, never a value.
 */
import { randomBytes } from "node:crypto";
import type { csms } from "@cts-csms/types";
import type { Logger } from "pino";
import { ApiError } from "../errors.js";
import type { Delivery } from "../events/delivery.js";
import type { DeliverPort } from "../events/ports.js";
import { finishWaits } from "../events/waits.js";
import type { Clock, Context, IdGenerator, OperationHandler } from "../operation.js";
import { failureOf } from "../store/deliveryWaits.js";
import type { DueRotation, TaskChanges } from "../store/rotations.js";
import { inTransaction as joined } from "../store/transaction.js";
import type { DeliveryFailure, NewVersion, Secret, SecretTask, Store } from "../store/types.js";
import type { EventType } from "./lifecycle.js";
import { pageRequest } from "./paging.js";

type RotationFunctionEvent = csms.components["schemas"]["RotationFunctionEvent"];
type OperateType = SecretTask["operate_type"];

const HOUR_MS = 60 * 60 * 1000;
/** The service's bounds on an automatic rotation period: 6 hours to 365 days. */
const MIN_PERIOD_MS = 6 * HOUR_MS;
const MAX_PERIOD_MS = 8760 * HOUR_MS;
/** How long a claimed rotation stays claimed before another process may take it again. */
const CLAIM_LEASE_MS = HOUR_MS;
/** Rotations taken per sweep: the bound on one sweep's work. */
const SWEEP_LIMIT = 1000;
/** What a failed task says when its function was never reached or never answered 2xx. */
const FUNCTION_FAILED = "CSMS.9502";

/** `30d` → milliseconds (the spec's pattern admits digits then `d` or `h`). */
export function periodMs(period: string): number {
  return Number(period.slice(0, -1)) * (period.endsWith("d") ? 24 * HOUR_MS : HOUR_MS);
}

/** When the next automatic rotation of `secret` is due, counted from `from`; none when off. */
export function nextRotationTime(secret: Secret, from: number): number | undefined {
  if (!secret.auto_rotation || secret.rotation_period === undefined) return undefined;
  return from + periodMs(secret.rotation_period);
}

const usesFunction = (type: Secret["secret_type"]) => type === "RDS-FG" || type === "GaussDB-FG";

/**
 * The rotation settings' rules beyond the schema, on the secret as it will be: a period within
 * the service's bounds while rotation is on, `rotation_config` a JSON object, and a rotation
 * function only on the types that have one.
 */
export function checkRotationSettings(secret: Secret, body: Record<string, unknown>): void {
  if (secret.auto_rotation) {
    if (secret.rotation_period === undefined) {
      throw new ApiError(
        "validation",
        "request/body/rotation_period is required while auto_rotation is true",
      );
    }
    const ms = periodMs(secret.rotation_period);
    if (ms < MIN_PERIOD_MS || ms > MAX_PERIOD_MS) {
      throw new ApiError(
        "validation",
        "request/body/rotation_period must be 6h to 8760h (1d to 365d) while auto_rotation is true",
      );
    }
  }
  if (secret.rotation_config !== undefined && body.rotation_config !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(secret.rotation_config);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new ApiError("validation", "request/body/rotation_config must be a JSON object");
    }
  }
  if (body.rotation_func_urn !== undefined && !usesFunction(secret.secret_type)) {
    throw new ApiError(
      "validation",
      `request/body/rotation_func_urn: a secret of type ${secret.secret_type} has no rotation function (RDS-FG or GaussDB-FG only)`,
    );
  }
}

/** A random value for a rotation: text for a text secret, Base64 for a binary one. */
function rotatedValue(binary: boolean): Pick<NewVersion, "secret_string" | "secret_binary"> {
  const bytes = randomBytes(24);
  return binary
    ? { secret_binary: bytes.toString("base64") }
    : { secret_string: bytes.toString("base64url") };
}

export interface RotatorOptions {
  store: Pick<Store, "secrets" | "rotations" | "deliveryWaits" | "transaction">;
  clock: Clock;
  /**
   * The clock of work no request asks for (the sweep, a function's answer): it reads the time
   * without moving a deterministic clock (default `clock`).
   */
  backgroundClock?: Clock;
  ids: IdGenerator;
  /** Fires a secret's event (after the write is kept); left out, events never fire. */
  fire?(projectId: string, secret: Secret, type: EventType, versionId?: string): Promise<void>;
  /** The delivery engine; left out, a rotation function's rotation completes at once. */
  deliver?: DeliverPort;
  /** Registers for each delivery's final outcome; what the listener returns is awaited. */
  onDeliverySettled?(listener: (delivery: Delivery) => void | Promise<void>): void;
  logger?: Pick<Logger, "warn">;
  /**
   * Runs the work a function's answer sets off (completing its rotation), which no request asks
   * for (default: as it is; `--deterministic` on a shared database keeps its counters around it).
   */
  background?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface Rotation {
  version_id: string;
  task_id: string;
}

export interface Rotator {
  /** Rotates `name` now (RotateSecret): `undefined` when there is no such secret. */
  rotate(projectId: string, name: string): Promise<Rotation | undefined>;
  /**
   * Rotates the secrets whose rotation is due by the clock (bounded, serialised). With `wait` (a
   * clock move's sweep), one another replica's sweep is rotating is waited for, not skipped.
   */
  sweep(wait?: boolean): Promise<void>;
  /** Resolves once the rotations whose function answered so far are completed or failed. */
  settled(): Promise<void>;
}

/** A rotation function's call, as its task waits for the answer. */
interface Invocation {
  projectId: string;
  name: string;
  taskId: string;
  failed?: DeliveryFailure | undefined;
  attempts: number;
}

/** What the wait of a rotation function's call holds (`Store.deliveryWaits`). */
interface InvocationWait {
  name: string;
  task_id: string;
}

export function createRotator(options: RotatorOptions): Rotator {
  const { store, clock, ids, deliver } = options;
  const background = options.backgroundClock ?? clock;
  const { secrets, rotations } = store;
  let sweeping: Promise<void> = Promise.resolve();
  // A write in progress (RotateSecret) is the transaction already: joined, not nested.
  const inTransaction = <T>(fn: () => Promise<T>) => joined(store.transaction, fn);
  const fire = (projectId: string, secret: Secret, type: EventType, versionId?: string) =>
    options.fire?.(projectId, secret, type, versionId) ?? Promise.resolve();

  /** The next version's id as the store will number it (the newest number plus one). */
  async function nextVersionId(projectId: string, name: string): Promise<string> {
    let marker: string | undefined;
    let newest = 0;
    for (;;) {
      const page = await secrets.pageVersions(projectId, name, {
        limit: 1000,
        ...(marker !== undefined && { marker }),
      });
      for (const v of page?.items ?? []) newest = Math.max(newest, Number(v.id.slice(1)));
      if (page?.nextMarker === undefined) return `v${newest + 1}`;
      marker = page.nextMarker;
    }
  }

  /** Adds the rotated version and moves the schedule on; the version's id. */
  async function complete(
    projectId: string,
    name: string,
    now: number,
  ): Promise<string | undefined> {
    const current = await secrets.getVersion(projectId, name, "latest");
    if (!current) return undefined;
    const added = await secrets.addVersion(projectId, name, {
      create_time: now,
      version_stages: [],
      ...rotatedValue(current.secret_binary !== undefined),
    });
    if (added === "not_found") return undefined;
    if (added === "full") {
      throw new ApiError(
        "validation",
        `secret_name ${name}: the secret has 20 versions and each has a stage; none can be removed`,
      );
    }
    const before = await secrets.get(projectId, name);
    if (!before) return undefined;
    const next = nextRotationTime(before, now);
    const secret = await secrets.update(
      projectId,
      name,
      { rotation_time: now, next_rotation_time: next ?? null },
      now,
    );
    await rotations.schedule(projectId, name, next);
    if (secret) await fire(projectId, secret, "SECRET_ROTATED", added.id);
    return added.id;
  }

  async function failTask(inv: Invocation, message: string): Promise<void> {
    const changes: TaskChanges = {
      task_status: "FAILED",
      attempt_nums: inv.attempts,
      task_error_code: FUNCTION_FAILED,
      task_error_msg: message.slice(0, 1024),
    };
    await inTransaction(async () => {
      await rotations.updateTask(inv.projectId, inv.taskId, changes);
      const secret = await secrets.get(inv.projectId, inv.name);
      if (secret) await fire(inv.projectId, secret, "SECRET_ROTATED_FAILED");
    });
  }

  /** The task's outcome, once the function's delivery settled. */
  async function settle(inv: Invocation): Promise<void> {
    if (inv.failed) {
      const answer = inv.failed.response_status;
      const why = answer !== undefined ? `HTTP ${answer}` : (inv.failed.error ?? "no answer");
      await failTask(inv, `the rotation function failed: ${why}`);
      return;
    }
    await inTransaction(async () => {
      const versionId = await complete(inv.projectId, inv.name, background.now());
      await rotations.updateTask(
        inv.projectId,
        inv.taskId,
        versionId === undefined
          ? {
              task_status: "FAILED",
              attempt_nums: inv.attempts,
              task_error_code: "CSMS.0005",
              task_error_msg: `The secret does not exist: secret_name ${inv.name}`,
            }
          : { task_status: "SUCCESS", attempt_nums: inv.attempts },
      );
    });
  }

  // Completed by the replica that settles the function's delivery (the one that called it, or
  // one that took the delivery over), in the transaction that takes the wait from the store.
  const waits = options.onDeliverySettled
    ? finishWaits({
        store,
        onDeliverySettled: options.onDeliverySettled,
        kind: "rotation",
        target: "function",
        finish: async (wait) => {
          const { name, task_id } = wait.body as InvocationWait;
          const { projectId, attempts, failure } = wait;
          await settle({ projectId, name, taskId: task_id, attempts, failed: failure });
        },
        ...(options.logger && { logger: options.logger }),
        ...(options.background && { background: options.background }),
      })
    : undefined;

  /**
   * Hands the event to the function's sink in the write that started the task (the outbox): the
   * task and its delivery are kept together or not at all, and the call is made once it commits.
   */
  async function invoke(
    inv: Omit<Invocation, "failed" | "attempts">,
    event: RotationFunctionEvent,
  ) {
    const deliveries = await (deliver as DeliverPort).deliver({
      projectId: inv.projectId,
      source: inv.name,
      target: event.rotation_func_urn,
      event,
    });
    const open = deliveries.filter((d) => d.status === "pending").map((d) => d.delivery_id);
    const settled = deliveries.find((d) => d.status !== "pending" && d.status !== "delivered");
    if (open.length === 0) {
      await failTask(
        { ...inv, attempts: 0 },
        settled?.status === "no_sink" || settled === undefined
          ? `no FunctionGraph sink is configured for ${event.rotation_func_urn}`
          : `the rotation function failed: ${settled.error ?? settled.status}`,
      );
      return;
    }
    // Stored with the delivery (in the same transaction), before it is attempted.
    const body: InvocationWait = { name: inv.name, task_id: inv.taskId };
    const wait = { waitId: inv.taskId, projectId: inv.projectId, kind: "rotation" as const, body };
    await store.deliveryWaits.add(wait, open, settled ? failureOf(settled) : undefined);
  }

  async function start(
    projectId: string,
    secret: Secret,
    operateType: OperateType,
    now: number,
  ): Promise<Rotation | undefined> {
    const task: SecretTask = {
      task_id: ids.next(),
      secret_name: secret.name,
      task_status: "SUCCESS",
      operate_type: operateType,
      task_time: now,
      attempt_nums: 1,
    };
    const urn = secret.rotation_func_urn;
    if (urn === undefined || deliver === undefined) {
      const versionId = await complete(projectId, secret.name, now);
      if (versionId === undefined) return undefined;
      await rotations.addTask(projectId, task);
      return { version_id: versionId, task_id: task.task_id };
    }
    const versionId = await nextVersionId(projectId, secret.name);
    await rotations.addTask(projectId, {
      ...task,
      rotation_func_urn: urn,
      task_status: "RUNNING",
      attempt_nums: 0,
    });
    if (operateType === "AUTO") {
      const next = nextRotationTime(secret, now);
      await secrets.update(projectId, secret.name, { next_rotation_time: next ?? null }, now);
      await rotations.schedule(projectId, secret.name, next);
    }
    const event: RotationFunctionEvent = {
      project_id: projectId,
      secret_name: secret.name,
      secret_type: secret.secret_type,
      rotation_func_urn: urn,
      ...(secret.rotation_config !== undefined && { rotation_config: secret.rotation_config }),
      task_id: task.task_id,
      operate_type: operateType,
      version_id: versionId,
      trigger_time: now,
    };
    await invoke({ projectId, name: secret.name, taskId: task.task_id }, event);
    return { version_id: versionId, task_id: task.task_id };
  }

  /** Rotates a secret the sweep took, in the write that took it. */
  async function rotateDue({ projectId, name }: DueRotation, now: number): Promise<void> {
    const secret = await secrets.get(projectId, name);
    // A secret scheduled for deletion does not rotate (RotateSecret is refused too): the claim's
    // lease stands, so it is tried again once the lease lapses, restored by then or deleted.
    if (secret?.state === "PENDING_DELETE") return;
    const at = secret?.auto_rotation ? secret.next_rotation_time : undefined;
    if (!secret || at === undefined || at > now) {
      // A stale claim (rotation turned off, rescheduled, or the secret gone).
      await rotations.schedule(projectId, name, at);
      return;
    }
    await start(projectId, secret, "AUTO", now);
  }

  /**
   * Takes one due rotation at a time, in the write that rotates it: a replica that dies (or a
   * store that fails) in between keeps neither, and the secret is due again at once, for any
   * replica. A rotation that fails is put off by the claim's lease, not retried every sweep.
   */
  async function sweepOnce(wait: boolean): Promise<void> {
    const now = background.now();
    for (let taken = 0; taken < SWEEP_LIMIT; taken++) {
      let due: DueRotation | undefined;
      try {
        due = await inTransaction(async () => {
          const [one] = await rotations.takeDue(now, 1, CLAIM_LEASE_MS, wait);
          if (one) {
            due = one;
            await rotateDue(one, now);
          }
          return one;
        });
      } catch (err) {
        if (due === undefined) throw err;
        const { projectId, name } = due;
        options.logger?.warn(
          { project_id: projectId, secret_name: name, err: (err as Error).message },
          "scheduled rotation failed",
        );
        await rotations.schedule(projectId, name, now + CLAIM_LEASE_MS);
      }
      if (due === undefined) break;
    }
  }

  return {
    async rotate(projectId, name) {
      const secret = await secrets.get(projectId, name);
      if (!secret) return undefined;
      return start(projectId, secret, "MANUAL", clock.now());
    },
    sweep(wait = false) {
      sweeping = sweeping.catch(() => {}).then(() => sweepOnce(wait));
      return sweeping;
    },
    async settled() {
      await waits?.settled();
    },
  };
}

type Ops = csms.operations;

export function rotationHandlers(ctx: Context): {
  listSecretTask: OperationHandler<Ops["listSecretTask"]>;
} {
  return {
    async listSecretTask({ projectId, query }) {
      if (
        query.task_id !== undefined &&
        (query.secret_name !== undefined || query.status !== undefined)
      ) {
        throw new ApiError(
          "validation",
          "request/query/task_id cannot be combined with secret_name or status",
        );
      }
      const request = pageRequest("listSecretTask", query);
      const page = await ctx.store.rotations.pageTasks(projectId, {
        ...request,
        ...(query.secret_name !== undefined && { secretName: query.secret_name }),
        ...(query.status !== undefined && { status: query.status }),
        ...(query.task_id !== undefined && { taskId: query.task_id }),
      });
      if (!page) {
        throw new ApiError(
          "validation",
          "request/query/marker is not a marker returned by this server (pass next_marker)",
        );
      }
      return {
        status: 200,
        body: {
          total: page.items.length,
          tasks: page.items,
          ...(page.nextMarker !== undefined && { next_marker: page.nextMarker }),
        },
      };
    },
  };
}
