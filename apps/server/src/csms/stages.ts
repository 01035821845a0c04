/**
 * CSMS v1 version stages (ShowSecretStage, UpdateSecretStage, DeleteSecretStage) and scheduled
 * deletion (DeleteSecretForSchedule, RestoreSecret): the "Server-enforced rules" of their
 * operation descriptions. The moves themselves are the store's (store/stages.ts), one step each;
 * the scheduled deletion itself is taken by the lifecycle's sweep (csms/lifecycle.ts).
 */
import type { csms } from "@cts-csms/types";
import { ApiError } from "../errors.js";
import type { Context, OperationHandler } from "../operation.js";
import { MAX_VERSIONS, SYSCURRENT, SYSPREVIOUS } from "../store/rows.js";
import { MAX_SECRET_STAGES } from "../store/stages.js";
import type { Secret, Store } from "../store/types.js";

type Ops = csms.operations;
export type StageOperations = Pick<
  Ops,
  | "showSecretStage"
  | "updateSecretStage"
  | "deleteSecretStage"
  | "deleteSecretForSchedule"
  | "restoreSecret"
>;

function secretNotFound(name: string): ApiError {
  return new ApiError("not_found", `The secret does not exist: secret_name ${name}`);
}

function stageNotFound(name: string, stage: string): ApiError {
  return new ApiError(
    "not_found",
    `The secret version stage does not exist: secret_name ${name}, stage_name ${stage}`,
  );
}

/** A `PENDING_DELETE` secret's metadata cannot be updated nor its value read (the pages). */
export function pendingDeleteError(name: string): ApiError {
  return new ApiError(
    "validation",
    `request/params/secret_name: the secret ${name} is in PENDING_DELETE (scheduled for deletion); restore it first`,
  );
}

/** Refuses an operation on a `PENDING_DELETE` secret; `404` when the secret is unknown. */
export async function requireNotPending(
  store: Pick<Store, "secrets">,
  projectId: string,
  name: string,
): Promise<Secret> {
  const secret = await store.secrets.get(projectId, name);
  if (!secret) throw secretNotFound(name);
  if (secret.state === "PENDING_DELETE") throw pendingDeleteError(name);
  return secret;
}

/**
 * Refuses new stages that would give the secret more than 12 (a stage moving to a new version
 * is not new); the stages given to CreateSecretVersion.
 */
export async function checkSecretStageLimit(
  store: Pick<Store, "secrets">,
  projectId: string,
  name: string,
  given: readonly string[],
): Promise<void> {
  if (given.length === 0) return;
  const page = await store.secrets.pageVersions(projectId, name, { limit: MAX_VERSIONS });
  if (!page) return;
  const all = new Set(page.items.flatMap((v) => v.version_stages));
  for (const stage of given) all.add(stage);
  all.add(SYSCURRENT);
  all.add(SYSPREVIOUS);
  if (all.size > MAX_SECRET_STAGES) {
    throw new ApiError(
      "validation",
      `request/body/version_stages: the secret ${name} would have ${all.size} stages; a secret has at most ${MAX_SECRET_STAGES}`,
    );
  }
}

export function stageHandlers(ctx: Context): {
  [K in keyof StageOperations]: OperationHandler<StageOperations[K]>;
} {
  const { secrets } = ctx.store;

  return {
    async showSecretStage({ projectId, params }) {
      const stage = await secrets.getStage(projectId, params.secret_name, params.stage_name);
      if (!stage) {
        if (!(await secrets.get(projectId, params.secret_name))) {
          throw secretNotFound(params.secret_name);
        }
        throw stageNotFound(params.secret_name, params.stage_name);
      }
      return { status: 200, body: { stage } };
    },

    async updateSecretStage({ projectId, params, body }) {
      const { secret_name: name, stage_name: stageName } = params;
      if (stageName === SYSPREVIOUS) {
        throw new ApiError(
          "validation",
          "request/params/stage_name: SYSPREVIOUS is moved by the service (with SYSCURRENT) and cannot be given",
        );
      }
      await requireNotPending(ctx.store, projectId, name);
      const moved = await secrets.moveStage(
        projectId,
        name,
        stageName,
        body.version_id,
        ctx.clock.now(),
      );
      switch (moved) {
        case "not_found":
          throw secretNotFound(name);
        case "version_not_found":
          throw new ApiError(
            "not_found",
            `The secret version does not exist: secret_name ${name}, version_id ${body.version_id}`,
          );
        case "too_many_stages":
          throw new ApiError(
            "validation",
            `request/params/stage_name: the secret ${name} has 12 stages, the most a secret can have; delete one first`,
          );
        case "version_full":
          throw new ApiError(
            "validation",
            `request/body/version_id: version ${body.version_id} has 12 stages, the most a version can have`,
          );
        default:
          return { status: 200, body: { stage: moved } };
      }
    },

    async deleteSecretStage({ projectId, params }) {
      const { secret_name: name, stage_name: stageName } = params;
      if (stageName === SYSCURRENT || stageName === SYSPREVIOUS) {
        throw new ApiError(
          "validation",
          `request/params/stage_name: ${stageName} is a built-in stage and cannot be deleted`,
        );
      }
      await requireNotPending(ctx.store, projectId, name);
      if ((await secrets.deleteStage(projectId, name, stageName)) === "not_found") {
        throw stageNotFound(name, stageName);
      }
      return { status: 204, body: undefined };
    },

    async deleteSecretForSchedule({ projectId, params, body }) {
      const name = params.secret_name;
      const secret = await secrets.scheduleDeletion(
        projectId,
        name,
        body.recovery_window_in_days,
        ctx.clock.now(),
      );
      if (secret === "not_found") throw secretNotFound(name);
      if (secret === "pending") {
        throw new ApiError(
          "validation",
          `request/params/secret_name: the secret ${name} is already scheduled for deletion`,
        );
      }
      return { status: 200, body: { secret } };
    },

    async restoreSecret({ projectId, params }) {
      const name = params.secret_name;
      const secret = await secrets.restore(projectId, name, ctx.clock.now());
      if (secret === "not_found") throw secretNotFound(name);
      if (secret === "not_pending") {
        throw new ApiError(
          "validation",
          `request/params/secret_name: the secret ${name} is not scheduled for deletion (state is not PENDING_DELETE)`,
        );
      }
      return { status: 200, body: { secret } };
    },
  };
}
