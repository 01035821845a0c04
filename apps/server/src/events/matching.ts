/**
 * Which key event notifications fire for a trace, rule by rule as the CTS reference describes
 * them (decisions 25 and 7 in openapi/README.md): enabled only; `complete` or the `customized`
 * operations; the user list; the advanced filter when it is switched on.
 */
import type { cts } from "@cts-csms/types";
import type { Notification, Trace } from "../store/types.js";

type Filter = cts.components["schemas"]["Filter"];

/** Only `enabled` notifications fire. */
export function statusMatches(notification: Notification): boolean {
  return notification.status === "enabled";
}

/**
 * `complete` matches every operation; `customized` matches a trace whose service type, resource
 * type and trace name appear together in one entry of `operations`.
 */
export function operationMatches(notification: Notification, trace: Trace): boolean {
  if (notification.operation_type === "complete") return true;
  return (notification.operations ?? []).some(
    (op) =>
      op.service_type === trace.service_type &&
      op.resource_type === trace.resource_type &&
      op.trace_names.includes(trace.trace_name),
  );
}

/**
 * An empty (or absent) user list matches every user; otherwise the trace's `user.name` must be
 * in one of the groups' `user_list` (the group itself is a label: no IAM expands it here).
 */
export function userMatches(notification: Notification, trace: Trace): boolean {
  const groups = notification.notify_user_list ?? [];
  if (groups.length === 0) return true;
  return groups.some((group) => group.user_list.includes(trace.user.name));
}

export const FILTER_FIELDS = [
  "api_version",
  "code",
  "trace_rating",
  "trace_type",
  "resource_id",
  "resource_name",
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export interface FilterRule {
  field: FilterField;
  operator: "=" | "!=";
  value: string;
}

// The spec's FilterRule pattern: `field op value`, one optional space around the operator.
const RULE = new RegExp(`^(${FILTER_FIELDS.join("|")}) ?(!=|=) ?(.+)$`, "s");

/** Parses `field = value` / `field != value`; `undefined` for anything else. */
export function parseFilterRule(rule: string): FilterRule | undefined {
  const m = RULE.exec(rule);
  if (!m) return undefined;
  return { field: m[1] as FilterField, operator: m[2] as "=" | "!=", value: m[3] as string };
}

/**
 * One rule against a trace: `=` holds when the trace's field equals the value (as text), `!=`
 * when it does not, including when the trace has no such field. An unparsable rule never holds.
 */
export function ruleMatches(rule: string, trace: Trace): boolean {
  const parsed = parseFilterRule(rule);
  if (!parsed) return false;
  const actual = trace[parsed.field];
  const equal = actual !== undefined && String(actual) === parsed.value;
  return parsed.operator === "=" ? equal : !equal;
}

/**
 * The advanced filter applies only when `is_support_filter` is true: then `AND` (the default)
 * needs every rule to hold, `OR` at least one.
 */
export function filterMatches(filter: Filter | undefined, trace: Trace): boolean {
  if (!filter?.is_support_filter) return true;
  const rules = filter.rule ?? [];
  if (rules.length === 0) return true;
  return filter.condition === "OR"
    ? rules.some((rule) => ruleMatches(rule, trace))
    : rules.every((rule) => ruleMatches(rule, trace));
}

/** Whether `notification` fires for `trace`. */
export function notificationMatches(notification: Notification, trace: Trace): boolean {
  return (
    statusMatches(notification) &&
    operationMatches(notification, trace) &&
    userMatches(notification, trace) &&
    filterMatches(notification.filter, trace)
  );
}

/** The notifications that fire for `trace`, in the order given. */
export function matchingNotifications(
  notifications: readonly Notification[],
  trace: Trace,
): Notification[] {
  return notifications.filter((n) => notificationMatches(n, trace));
}
