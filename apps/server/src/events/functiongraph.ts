/**
 * The event a FunctionGraph function receives from its CTS trigger: the trace under `cts`, in
 * FunctionGraph's field layout (its "CTS example event"; decision 24 in openapi/README.md).
 */
import type { cts } from "@cts-csms/types";
import type { Trace } from "../store/types.js";

export type CtsTriggerEvent = cts.components["schemas"]["CtsTriggerEvent"];

/** A trace's `request`/`response` JSON string as an object; `{}` when absent or not an object. */
function asObject(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export function ctsTriggerEvent(trace: Trace): CtsTriggerEvent {
  const event: CtsTriggerEvent["cts"] = {
    time: trace.time,
    user: structuredClone(trace.user),
    request: asObject(trace.request),
    response: asObject(trace.response),
    service_type: trace.service_type,
    resource_type: trace.resource_type,
    trace_name: trace.trace_name,
    trace_type: trace.trace_type,
    record_time: trace.record_time,
    trace_id: trace.trace_id,
    trace_status: trace.trace_rating,
  };
  if (trace.code !== undefined && /^\d{1,3}$/.test(trace.code)) event.code = Number(trace.code);
  if (trace.resource_name !== undefined) event.resource_name = trace.resource_name;
  if (trace.resource_id !== undefined) event.resource_id = trace.resource_id;
  return { cts: event };
}
