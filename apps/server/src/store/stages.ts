/**
 * Stages and scheduled deletion, as every store applies them (so that they agree to the byte):
 * moving and deleting a version stage, the time a stage last moved, and a secret's
 * `PENDING_DELETE` state.
 */
import { specNumber } from "../spec.js";
import { type StoredVersion, SYSCURRENT, SYSPREVIOUS } from "./rows.js";
import type { Secret, Stage } from "./types.js";

/** Stages a secret has at most (the pages: "up to 12 version statuses"). */
export const MAX_SECRET_STAGES = 12;
/** Stages a version has at most (`VersionStages.maxItems`). */
export const MAX_VERSION_STAGES = specNumber(
  "csms",
  "#/components/schemas/VersionStages",
  "maxItems",
);
/** The last millisecond the APIs carry (decision 35). */
const MAX_TIME = 253402300799999;

/** When a stage last moved by UpdateSecretStage, and to which version. */
export interface StageMove {
  versionId: string;
  time: number;
}

/**
 * A stage of the versions; `undefined` when no version has it. Its `update_time` is that of its
 * last UpdateSecretStage when it is still on that version; otherwise it moved with the creation
 * of a version: the holder's `create_time`, or for `SYSPREVIOUS` (which moves when a newer
 * version is created) the newest version's.
 */
export function stageOf(
  versions: readonly StoredVersion[],
  moves: ReadonlyMap<string, StageMove>,
  secretName: string,
  stage: string,
): Stage | undefined {
  const holder = versions.find((v) => v.metadata.version_stages.includes(stage));
  if (!holder) return undefined;
  const move = moves.get(stage);
  let time = holder.metadata.create_time;
  if (move?.versionId === holder.metadata.id) time = move.time;
  else if (stage === SYSPREVIOUS) {
    for (const v of versions) time = Math.max(time, v.metadata.create_time);
  }
  return {
    name: stage,
    update_time: time,
    secret_name: secretName,
    version_id: holder.metadata.id,
  };
}

export type StageMoveResult =
  | { versions: StoredVersion[]; moved: Map<string, StageMove> }
  | "version_not_found"
  | "too_many_stages"
  | "version_full";

/**
 * The versions after putting `stage` on `versionId` at `now`: the stage leaves the version that
 * had it; `SYSCURRENT` takes `SYSPREVIOUS` along (to the version that had `SYSCURRENT`).
 * `moved` holds the stages that moved, with `now`.
 */
export function withStageMoved(
  versions: readonly StoredVersion[],
  stage: string,
  versionId: string,
  now: number,
): StageMoveResult {
  const target = versions.find((v) => v.metadata.id === versionId);
  if (!target) return "version_not_found";
  const all = new Set(versions.flatMap((v) => v.metadata.version_stages));
  if (!all.has(stage) && all.size >= MAX_SECRET_STAGES) return "too_many_stages";
  const relabel = new Map<string, string>([[stage, versionId]]);
  if (stage === SYSCURRENT) {
    const current = versions.find((v) => v.metadata.version_stages.includes(SYSCURRENT));
    if (current && current !== target) relabel.set(SYSPREVIOUS, current.metadata.id);
  }
  const next = versions.map((v) => {
    const old = v.metadata.version_stages;
    const stages = old.filter((s) => !relabel.has(s));
    for (const [s, id] of relabel) if (id === v.metadata.id) stages.push(s);
    const same = stages.length === old.length && stages.every((s, i) => s === old[i]);
    return same ? v : { ...v, metadata: { ...v.metadata, version_stages: stages } };
  });
  if (next.some((v) => v.metadata.version_stages.length > MAX_VERSION_STAGES)) {
    return "version_full";
  }
  const moved = new Map<string, StageMove>();
  for (const [s, id] of relabel) moved.set(s, { versionId: id, time: now });
  return { versions: next, moved };
}

/** The versions without `stage`; `undefined` when no version has it. */
export function withStageDeleted(
  versions: readonly StoredVersion[],
  stage: string,
): StoredVersion[] | undefined {
  if (!versions.some((v) => v.metadata.version_stages.includes(stage))) return undefined;
  return versions.map((v) =>
    v.metadata.version_stages.includes(stage)
      ? {
          ...v,
          metadata: {
            ...v.metadata,
            version_stages: v.metadata.version_stages.filter((s) => s !== stage),
          },
        }
      : v,
  );
}

/** `update_time` strictly increases, as for every secret change. */
const nextUpdate = (previous: Secret, now: number) => Math.max(now, previous.update_time + 1);

/** The secret in `PENDING_DELETE`, deleted at `now` plus `days` days (capped at the bound). */
export function scheduledSecret(previous: Secret, days: number, now: number): Secret {
  const { scheduled_delete_time: _, ...rest } = previous;
  return {
    ...rest,
    state: "PENDING_DELETE",
    update_time: nextUpdate(previous, now),
    scheduled_delete_time: Math.min(now + days * 86_400_000, MAX_TIME),
  };
}

/** The secret back in `ENABLED`, without `scheduled_delete_time`. */
export function restoredSecret(previous: Secret, now: number): Secret {
  const { scheduled_delete_time: _, ...rest } = previous;
  return { ...rest, state: "ENABLED", update_time: nextUpdate(previous, now) };
}
