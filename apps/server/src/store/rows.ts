/**
 * How an update turns a stored row into the next one, shared by every store so that they agree
 * to the byte (including the order of keys in the JSON the API returns).
 */
import type {
  NewVersion,
  Notification,
  NotificationChanges,
  Secret,
  SecretChanges,
  SecretEvent,
  SecretEventChanges,
  VersionMetadata,
} from "./types.js";

/** A replacement: identity and creation time are kept, everything else comes from `changes`. */
export function updatedNotification(
  previous: Notification,
  changes: NotificationChanges,
): Notification {
  const { notification_type, status, ...configuration } = changes;
  return {
    notification_id: previous.notification_id,
    ...configuration,
    status,
    notification_type: notification_type ?? previous.notification_type,
    project_id: previous.project_id,
    create_time: previous.create_time,
  };
}

/** `update_time` strictly increases, even for two updates within one millisecond. */
export function updatedSecretEvent(
  previous: SecretEvent,
  changes: SecretEventChanges,
  now: number,
): SecretEvent {
  return {
    ...previous,
    ...(changes.state !== undefined && { state: changes.state }),
    ...(changes.event_types !== undefined && { event_types: changes.event_types }),
    ...(changes.notification !== undefined && { notification: changes.notification }),
    update_time: Math.max(now, previous.update_time + 1),
  };
}

/** Secret changes applied; `update_time` strictly increases, as for events. */
export function updatedSecret(previous: Secret, changes: SecretChanges, now: number): Secret {
  const next: Secret = { ...previous, update_time: Math.max(now, previous.update_time + 1) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete (next as Record<string, unknown>)[key];
    else if (value !== undefined) (next as Record<string, unknown>)[key] = value;
  }
  return next;
}

/** The stages the service moves itself. */
export const SYSCURRENT = "SYSCURRENT";

/** A notification record's marker as issued: `{create_time}-{seq}`, decimal without leading zeros. */
export const RECORD_MARKER = /^(0|[1-9][0-9]{0,14})-([1-9][0-9]{0,14})$/;
export const SYSPREVIOUS = "SYSPREVIOUS";
/** Versions a secret keeps (the CSMS pages' limit). */
export const MAX_VERSIONS = 20;

/** A stored version: its metadata, its value, and whether its expiry was taken. */
export interface StoredVersion {
  metadata: VersionMetadata;
  secret_string?: string;
  secret_binary?: string;
  expiryTaken: boolean;
}

/**
 * The versions of a secret after adding `version` as number `number`: `SYSCURRENT` moves to
 * it, the previous `SYSCURRENT` becomes `SYSPREVIOUS` (whose previous holder loses it), custom
 * stages move to it; beyond {@link MAX_VERSIONS} the oldest version without a stage goes.
 * `"full"` when none can go. Every store applies this, so they agree to the byte.
 */
export function withNewVersion(
  versions: readonly StoredVersion[],
  secretName: string,
  kmsKeyId: string,
  number: number,
  version: NewVersion,
): { versions: StoredVersion[]; added: StoredVersion; removed: string[] } | "full" {
  const custom = version.version_stages.filter((s) => s !== SYSCURRENT && s !== SYSPREVIOUS);
  const moved = new Set(custom);
  const hadCurrent = versions.find((v) => v.metadata.version_stages.includes(SYSCURRENT));
  const next = versions.map((v) => {
    const old = v.metadata.version_stages;
    const stages = old.filter((s) => s !== SYSCURRENT && s !== SYSPREVIOUS && !moved.has(s));
    if (v === hadCurrent) stages.push(SYSPREVIOUS);
    const same = stages.length === old.length && stages.every((s, i) => s === old[i]);
    return same ? v : { ...v, metadata: { ...v.metadata, version_stages: stages } };
  });
  const metadata: VersionMetadata = {
    id: `v${number}`,
    create_time: version.create_time,
    ...(version.expire_time !== undefined && { expire_time: version.expire_time }),
    kms_key_id: kmsKeyId,
    secret_name: secretName,
    version_stages: [SYSCURRENT, ...custom],
  };
  const added: StoredVersion = { metadata, expiryTaken: false };
  if (version.secret_string !== undefined) added.secret_string = version.secret_string;
  if (version.secret_binary !== undefined) added.secret_binary = version.secret_binary;
  next.push(added);
  const removed: string[] = [];
  while (next.length > MAX_VERSIONS) {
    const index = next.findIndex((v) => v.metadata.version_stages.length === 0);
    if (index < 0) return "full";
    removed.push((next[index] as StoredVersion).metadata.id);
    next.splice(index, 1);
  }
  return { versions: next, added, removed };
}

/** What ShowSecretVersion returns of a stored version. */
export function secretVersionOf(stored: StoredVersion) {
  return {
    version_metadata: stored.metadata,
    ...(stored.secret_string !== undefined && { secret_string: stored.secret_string }),
    ...(stored.secret_binary !== undefined && { secret_binary: stored.secret_binary }),
  };
}
