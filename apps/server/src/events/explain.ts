/**
 * Why a trace was, or was not, delivered (admin `explainTrace`): every notification of the
 * project held against the trace with the same `matchReason` the engine delivers by, and the
 * deliveries the trace produced (their `trace_id`).
 */
import type { admin } from "@cts-csms/types";
import type { Store } from "../store/types.js";
import type { DeliveryQueue } from "./delivery.js";
import { matchReason } from "./matching.js";

export type TraceExplanation = admin.components["schemas"]["TraceExplanation"];
type NotificationExplanation = admin.components["schemas"]["NotificationExplanation"];

/** The explanation of one trace of the project; `undefined` when the project holds no such trace. */
export async function explainTrace(
  store: Pick<Store, "notifications" | "traces">,
  deliveries: Pick<DeliveryQueue, "list">,
  projectId: string,
  traceId: string,
): Promise<TraceExplanation | undefined> {
  const trace = await store.traces.get(projectId, traceId);
  if (!trace) return undefined;
  const [smn, fun] = await Promise.all([
    store.notifications.list(projectId, "smn"),
    store.notifications.list(projectId, "fun"),
  ]);
  // Oldest first, whatever the type: the order the engine delivers in.
  const all = [...smn, ...fun].sort((a, b) => a.create_time - b.create_time);
  const notifications = all.map((n): NotificationExplanation => {
    const reason = matchReason(n, trace);
    return {
      notification_id: n.notification_id,
      notification_name: n.notification_name,
      ...(n.notification_type !== undefined && { notification_type: n.notification_type }),
      status: n.status,
      ...(n.topic_id !== undefined && { topic_id: n.topic_id }),
      matched: reason === null,
      ...(reason !== null && { reason }),
    };
  });
  return {
    trace,
    notifications,
    deliveries: (await deliveries.list(projectId)).filter((d) => d.trace_id === traceId),
  };
}
