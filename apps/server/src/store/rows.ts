/**
 * How an update turns a stored row into the next one, shared by every store so that they agree
 * to the byte (including the order of keys in the JSON the API returns).
 */
import type {
  Notification,
  NotificationChanges,
  SecretEvent,
  SecretEventChanges,
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
