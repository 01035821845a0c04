/**
 * CSMS v1 secrets and their versions: create, show, list, update, delete, versions, expiry and
 * rotation. The schema (enforced by the validator before these run) covers shapes; this module
 * adds the operation descriptions' "Server-enforced rules" and fires the secret's event through
 * the lifecycle port. A secret value is returned by showSecretVersion only, and never put into an
 * error message.
 */
import type { csms } from "@cts-csms/types";
import { ApiError } from "../errors.js";
import type { Context, OperationHandler } from "../operation.js";
import { SYSPREVIOUS } from "../store/rows.js";
import type { NewVersion, Secret, SecretChanges } from "../store/types.js";
import type { EventType } from "./lifecycle.js";
import { pageInfo, pageRequest } from "./paging.js";
import { checkRotationSettings, nextRotationTime, type Rotator } from "./rotation.js";
import { checkSecretStageLimit, pendingDeleteError, requireNotPending } from "./stages.js";

type Ops = csms.operations;
export type SecretOperations = Pick<
  Ops,
  | "createSecret"
  | "listSecrets"
  | "showSecret"
  | "updateSecret"
  | "deleteSecret"
  | "createSecretVersion"
  | "listSecretVersions"
  | "showSecretVersion"
  | "updateVersion"
  | "rotateSecret"
>;

/** "A secret event happened": the lifecycle's port, as the handlers see it. */
export interface SecretEventFiring {
  fire(projectId: string, secret: Secret, type: EventType, versionId?: string): Promise<void>;
}

const DEFAULT_KMS_KEY = "csms/default";

/** A version id's number (`v12` → 12; the spec admits `v` and decimal digits only). */
const numberOf = (versionId: string) => Number(versionId.slice(1));

function secretNotFound(name: string): ApiError {
  return new ApiError("not_found", `The secret does not exist: secret_name ${name}`);
}

function versionNotFound(name: string, versionId: string): ApiError {
  return new ApiError(
    "not_found",
    `The secret version does not exist: secret_name ${name}, version_id ${versionId}`,
  );
}

export function secretHandlers(
  ctx: Context,
  firing: SecretEventFiring | undefined,
  rotator: Rotator,
): {
  [K in keyof SecretOperations]: OperationHandler<SecretOperations[K]>;
} {
  const { secrets, secretEvents, rotations } = ctx.store;
  const fire = async (projectId: string, secret: Secret, type: EventType, versionId?: string) => {
    await firing?.fire(projectId, secret, type, versionId);
  };

  async function checkSubscriptions(projectId: string, names: readonly string[] | undefined) {
    for (const [i, name] of (names ?? []).entries()) {
      if (!(await secretEvents.get(projectId, name))) {
        throw new ApiError(
          "validation",
          `request/body/event_subscriptions/${i}: no event named ${name} exists in this project`,
        );
      }
    }
  }

  function checkExpiry(expireTime: number | undefined, now: number): void {
    if (expireTime !== undefined && expireTime <= now) {
      throw new ApiError(
        "validation",
        `request/body/expire_time must be later than the server's current time (${now})`,
      );
    }
  }

  /** Adds a version; the new metadata, or the operation's error. */
  async function addVersion(projectId: string, name: string, version: NewVersion) {
    const added = await secrets.addVersion(projectId, name, version);
    if (added === "not_found") throw secretNotFound(name);
    if (added === "full") {
      throw new ApiError(
        "validation",
        `secret_name ${name}: the secret has 20 versions and each has a stage; none can be removed`,
      );
    }
    return added;
  }

  return {
    async createSecret({ projectId, body }) {
      await checkSubscriptions(projectId, body.event_subscriptions);
      const now = ctx.clock.now();
      const secret: Secret = {
        id: ctx.ids.next(),
        name: body.name,
        state: "ENABLED",
        kms_key_id: body.kms_key_id ?? DEFAULT_KMS_KEY,
        ...(body.description !== undefined && { description: body.description }),
        create_time: now,
        update_time: now,
        secret_type: body.secret_type ?? "COMMON",
        auto_rotation: body.auto_rotation ?? false,
        ...(body.rotation_period !== undefined && { rotation_period: body.rotation_period }),
        ...(body.rotation_config !== undefined && { rotation_config: body.rotation_config }),
        event_subscriptions: body.event_subscriptions ?? [],
        enterprise_project_id: body.enterprise_project_id ?? "0",
        ...(body.rotation_func_urn !== undefined && { rotation_func_urn: body.rotation_func_urn }),
      };
      checkRotationSettings(secret, body);
      const next = nextRotationTime(secret, now);
      if (next !== undefined) secret.next_rotation_time = next;
      const first: NewVersion = { create_time: now, version_stages: [] };
      if (body.secret_string !== undefined) first.secret_string = body.secret_string;
      if (body.secret_binary !== undefined) first.secret_binary = body.secret_binary;
      if (!(await secrets.insert(projectId, secret, first))) {
        throw new ApiError(
          "duplicate",
          `request/body/name: a secret named ${body.name} already exists in this project`,
        );
      }
      if (next !== undefined) await rotations.schedule(projectId, secret.name, next);
      await fire(projectId, secret, "SECRET_VERSION_CREATED", "v1");
      return { status: 200, body: { secret } };
    },

    async showSecret({ projectId, params }) {
      const secret = await secrets.get(projectId, params.secret_name);
      if (!secret) throw secretNotFound(params.secret_name);
      return { status: 200, body: { secret } };
    },

    async listSecrets({ projectId, query }) {
      const request = pageRequest("listSecrets", query);
      const page = await secrets.page(projectId, {
        ...request,
        ...(query.event_name !== undefined && { eventName: query.event_name }),
      });
      return {
        status: 200,
        body: { secrets: page.items, page_info: pageInfo(page, query.marker) },
      };
    },

    async updateSecret({ projectId, params, body }) {
      await requireNotPending(ctx.store, projectId, params.secret_name);
      await checkSubscriptions(projectId, body.event_subscriptions);
      const changes: SecretChanges = {};
      if (body.kms_key_id !== undefined) changes.kms_key_id = body.kms_key_id;
      if (body.description !== undefined) changes.description = body.description;
      if (body.auto_rotation !== undefined) changes.auto_rotation = body.auto_rotation;
      if (body.rotation_period !== undefined) changes.rotation_period = body.rotation_period;
      if (body.rotation_func_urn !== undefined) changes.rotation_func_urn = body.rotation_func_urn;
      if (body.event_subscriptions !== undefined) {
        changes.event_subscriptions = body.event_subscriptions;
      }
      const previous = await secrets.get(projectId, params.secret_name);
      if (!previous) throw secretNotFound(params.secret_name);
      const now = ctx.clock.now();
      const schedule = body.auto_rotation !== undefined || body.rotation_period !== undefined;
      if (schedule) {
        // Turning rotation on or changing its period starts the period again from now.
        const next = nextRotationTime({ ...previous, ...changes } as Secret, now);
        changes.next_rotation_time = next ?? null;
      }
      checkRotationSettings({ ...previous, ...changes } as Secret, body);
      const secret = await secrets.update(projectId, params.secret_name, changes, now);
      if (!secret) throw secretNotFound(params.secret_name);
      if (schedule) await rotations.schedule(projectId, secret.name, secret.next_rotation_time);
      return { status: 200, body: { secret } };
    },

    async deleteSecret({ projectId, params }) {
      const secret = await secrets.delete(projectId, params.secret_name);
      if (!secret) throw secretNotFound(params.secret_name);
      await fire(projectId, secret, "SECRET_DELETED");
      return { status: 204, body: undefined };
    },

    async createSecretVersion({ projectId, params, body }) {
      await requireNotPending(ctx.store, projectId, params.secret_name);
      const now = ctx.clock.now();
      checkExpiry(body.expire_time, now);
      const stages = body.version_stages ?? [];
      if (stages.includes(SYSPREVIOUS)) {
        throw new ApiError(
          "validation",
          "request/body/version_stages: SYSPREVIOUS is set by the service and cannot be given",
        );
      }
      await checkSecretStageLimit(ctx.store, projectId, params.secret_name, stages);
      const version: NewVersion = { create_time: now, version_stages: stages };
      if (body.expire_time !== undefined) version.expire_time = body.expire_time;
      if (body.secret_string !== undefined) version.secret_string = body.secret_string;
      if (body.secret_binary !== undefined) version.secret_binary = body.secret_binary;
      const metadata = await addVersion(projectId, params.secret_name, version);
      const secret = await secrets.get(projectId, params.secret_name);
      if (secret) await fire(projectId, secret, "SECRET_VERSION_CREATED", metadata.id);
      return { status: 200, body: { version_metadata: metadata } };
    },

    async listSecretVersions({ projectId, params, query }) {
      const request = pageRequest("listSecretVersions", query);
      if (query.marker !== undefined) {
        // Versions are numbered in order and the newest (SYSCURRENT) is never removed: a marker
        // past it was never issued.
        const newest = await secrets.getVersion(projectId, params.secret_name, "latest");
        if (!newest) throw secretNotFound(params.secret_name);
        if (numberOf(query.marker) > numberOf(newest.version_metadata.id)) {
          throw new ApiError(
            "validation",
            "request/query/marker is not a marker returned by this server for this secret (pass page_info.next_marker)",
          );
        }
      }
      const page = await secrets.pageVersions(projectId, params.secret_name, request);
      if (!page) throw secretNotFound(params.secret_name);
      return {
        status: 200,
        body: { version_metadatas: page.items, page_info: pageInfo(page, query.marker) },
      };
    },

    async showSecretVersion({ projectId, params }) {
      const version = await secrets.getVersion(projectId, params.secret_name, params.version_id);
      if (!version) {
        if (!(await secrets.get(projectId, params.secret_name))) {
          throw secretNotFound(params.secret_name);
        }
        throw versionNotFound(params.secret_name, params.version_id);
      }
      if ((await secrets.get(projectId, params.secret_name))?.state === "PENDING_DELETE") {
        throw pendingDeleteError(params.secret_name);
      }
      return { status: 200, body: { version } };
    },

    async updateVersion({ projectId, params, body }) {
      await requireNotPending(ctx.store, projectId, params.secret_name);
      checkExpiry(body.expire_time, ctx.clock.now());
      const versionId = params.version_id;
      const current =
        versionId === "latest"
          ? (await secrets.getVersion(projectId, params.secret_name, versionId))?.version_metadata
              .id
          : versionId;
      const metadata =
        current === undefined
          ? undefined
          : await secrets.setExpiry(projectId, params.secret_name, current, body.expire_time);
      if (!metadata) {
        if (!(await secrets.get(projectId, params.secret_name))) {
          throw secretNotFound(params.secret_name);
        }
        throw versionNotFound(params.secret_name, versionId);
      }
      return { status: 200, body: { version_metadata: metadata } };
    },

    async rotateSecret({ projectId, params }) {
      const name = params.secret_name;
      await requireNotPending(ctx.store, projectId, name);
      const rotation = await rotator.rotate(projectId, name);
      if (!rotation) throw secretNotFound(name);
      return {
        status: 200,
        body: {
          version_id: rotation.version_id,
          secret_name: name,
          rotation_task_id: rotation.task_id,
        },
      };
    },
  };
}
