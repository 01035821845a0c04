/**
 * What a secret's events did about what happened to it (admin `explainSecretEvents`): each
 * occurrence as the lifecycle decided it (`fireReason`, lifecycle.ts), the project's other
 * events as not subscribed, and the record and deliveries it produced.
 */
import type { admin } from "@cts-csms/types";
import type { DeliveryQueue } from "../events/delivery.js";
import type { SecretEvent, Store } from "../store/types.js";
import type { EventType, SecretLifecycle, SecretOccurrence } from "./lifecycle.js";

type Explanation = admin.components["schemas"]["SecretEventExplanation"];
type Considered = admin.components["schemas"]["SecretEventConsidered"];

async function allEvents(
  store: Pick<Store, "secretEvents">,
  projectId: string,
): Promise<SecretEvent[]> {
  const events: SecretEvent[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await store.secretEvents.page(projectId, {
      limit: 1000,
      ...(marker !== undefined && { marker }),
    });
    events.push(...page.items);
    if (page.nextMarker === undefined) return events;
    marker = page.nextMarker;
  }
}

function explain(
  occurrence: SecretOccurrence,
  events: readonly SecretEvent[],
  deliveries: ReadonlyMap<string, admin.components["schemas"]["Delivery"]>,
): Explanation {
  const considered: Considered[] = [];
  const { subscribed, event, reason } = occurrence;
  if (subscribed !== undefined) {
    considered.push({
      event_name: subscribed,
      fired: reason === null,
      ...(reason !== null && { reason }),
      ...(event && { state: event.state, event_types: [...event.event_types] }),
    });
  }
  for (const other of events) {
    if (other.name === subscribed) continue;
    considered.push({
      event_name: other.name,
      fired: false,
      reason: {
        code: "not_subscribed",
        message:
          subscribed === undefined
            ? `not subscribed: ${occurrence.secret_name} subscribes to no event`
            : `not subscribed: ${occurrence.secret_name} subscribes to ${subscribed}, not ${other.name}`,
      },
      state: other.state,
      event_types: [...other.event_types],
    });
  }
  return {
    occurrence_id: occurrence.occurrence_id,
    secret_name: occurrence.secret_name,
    event_type: occurrence.event_type,
    ...(occurrence.version_id !== undefined && { version_id: occurrence.version_id }),
    time: occurrence.time,
    events: considered,
    records: occurrence.record ? [occurrence.record] : [],
    deliveries: occurrence.deliveryIds.flatMap((id) => deliveries.get(id) ?? []),
  };
}

/** The explanations of what happened to `secretName`, newest first. */
export async function explainSecretEvents(
  store: Pick<Store, "secretEvents">,
  lifecycle: Pick<SecretLifecycle, "occurrences">,
  deliveryLog: Pick<DeliveryQueue, "list">,
  projectId: string,
  secretName: string,
  filter: { eventType?: EventType | undefined; versionId?: string | undefined },
): Promise<Explanation[]> {
  const occurrences = lifecycle.occurrences(projectId, secretName, filter);
  if (occurrences.length === 0) return [];
  const events = await allEvents(store, projectId);
  const deliveries = new Map((await deliveryLog.list(projectId)).map((d) => [d.delivery_id, d]));
  return occurrences.map((o) => explain(o, events, deliveries));
}
