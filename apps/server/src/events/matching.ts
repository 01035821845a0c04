/**
 * Which key event notifications fire for a trace, rule by rule as the CTS reference describes
 * them (decisions 25 and 7 in openapi/README.md): enabled only; `complete` or the `customized`
 * operations; the user list; the advanced filter when it is switched on.
 */
import type { admin, cts } from "@cts-csms/types";
import type { Notification, Trace } from "../store/types.js";

type Filter = cts.components["schemas"]["Filter"];

/**
 * Why a notification does not deliver a trace (the admin spec's `MatchReason`): each rule below
 * returns one or `null`, and the booleans the engine uses are derived from them, so an
 * explanation (admin `explainTrace`) can never disagree with what was delivered.
 */
export type MatchReason = admin.components["schemas"]["MatchReason"];

/** Only `enabled` notifications fire. */
export function statusReason(notification: Notification): MatchReason | null {
  if (notification.status === "enabled") return null;
  return {
    code: "notification_disabled",
    message: `notification disabled: its status is ${notification.status}`,
    field: "status",
    expected: "enabled",
    actual: notification.status,
  };
}

/**
 * `complete` matches every operation; `customized` matches a trace whose service type, resource
 * type and trace name appear together in one entry of `operations`. The reason names the first
 * of the three that no entry has (with the ones before it).
 */
export function operationReason(notification: Notification, trace: Trace): MatchReason | null {
  if (notification.operation_type === "complete") return null;
  const ops = notification.operations ?? [];
  const service = ops.filter((op) => op.service_type === trace.service_type);
  const resource = service.filter((op) => op.resource_type === trace.resource_type);
  if (resource.some((op) => op.trace_names.includes(trace.trace_name))) return null;
  if (service.length === 0) {
    return {
      code: "service_type_not_listed",
      message: `operation not listed: no entry of operations has service_type ${trace.service_type}`,
      field: "service_type",
      actual: trace.service_type,
    };
  }
  if (resource.length === 0) {
    return {
      code: "resource_type_not_listed",
      message: `operation not listed: no ${trace.service_type} entry of operations has resource_type ${trace.resource_type}`,
      field: "resource_type",
      actual: trace.resource_type,
    };
  }
  return {
    code: "trace_name_not_listed",
    message: `operation not listed: no ${trace.service_type}/${trace.resource_type} entry of operations lists trace_name ${trace.trace_name}`,
    field: "trace_name",
    actual: trace.trace_name,
  };
}

/**
 * An empty (or absent) user list matches every user; otherwise the trace's `user.name` must be
 * in one of the groups' `user_list` (the group itself is a label: no IAM expands it here).
 */
export function userReason(notification: Notification, trace: Trace): MatchReason | null {
  const groups = notification.notify_user_list ?? [];
  if (groups.length === 0) return null;
  if (groups.some((group) => group.user_list.includes(trace.user.name))) return null;
  return {
    code: "user_not_listed",
    message: `user not listed: ${trace.user.name} is in no user_list of notify_user_list`,
    field: "user.name",
    actual: trace.user.name,
  };
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

/** The trace's value for a filter field, as text; `undefined` when the trace has none. */
function fieldText(trace: Trace, field: FilterField): string | undefined {
  const actual = trace[field];
  return actual === undefined ? undefined : String(actual);
}

/**
 * One rule against a trace: `=` holds when the trace's field equals the value (as text), `!=`
 * when it does not, including when the trace has no such field. An unparsable rule never holds.
 * `null` when it holds; otherwise what was compared (`code` is the AND one, the caller picks).
 */
function ruleFailure(rule: string, trace: Trace): MatchReason | null {
  const parsed = parseFilterRule(rule);
  if (!parsed) {
    return {
      code: "filter_rule_failed",
      message: `filter rule failed: ${rule} is not a rule (field = value or field != value)`,
      rule,
    };
  }
  const actual = fieldText(trace, parsed.field);
  const equal = actual === undefined ? false : actual === parsed.value;
  if (parsed.operator === "=" ? equal : !equal) return null;
  const has = actual === undefined ? "the trace has none" : `the trace has ${actual}`;
  const wants =
    parsed.operator === "="
      ? `${parsed.field} ${parsed.value}`
      : `${parsed.field} other than ${parsed.value}`;
  return {
    code: "filter_rule_failed",
    message: `filter rule failed: ${rule} needs ${wants}, ${has}`,
    field: parsed.field,
    expected: parsed.value,
    ...(actual !== undefined && { actual }),
    rule,
  };
}

/** Whether one rule holds for a trace. */
export function ruleMatches(rule: string, trace: Trace): boolean {
  return ruleFailure(rule, trace) === null;
}

/**
 * The advanced filter applies only when `is_support_filter` is true: then `AND` (the default)
 * needs every rule to hold (the reason is the first that does not), `OR` at least one (the
 * reason describes the first of them).
 */
export function filterReason(filter: Filter | undefined, trace: Trace): MatchReason | null {
  if (!filter?.is_support_filter) return null;
  const rules = filter.rule ?? [];
  if (rules.length === 0) return null;
  if (filter.condition !== "OR") {
    for (const rule of rules) {
      const failure = ruleFailure(rule, trace);
      if (failure) return failure;
    }
    return null;
  }
  let first: MatchReason | null = null;
  for (const rule of rules) {
    const failure = ruleFailure(rule, trace);
    if (!failure) return null;
    first ??= failure;
  }
  if (!first) return null;
  const count = rules.length === 1 ? "its one OR rule" : `none of its ${rules.length} OR rules`;
  return {
    ...first,
    code: "filter_no_rule_held",
    message: `filter: ${count} held; the first, ${first.message.replace(/^filter rule failed: /, "")}`,
  };
}

/** Whether the advanced filter lets the trace through. */
export function filterMatches(filter: Filter | undefined, trace: Trace): boolean {
  return filterReason(filter, trace) === null;
}

/** A notification every rule lets through delivers only if it has a topic to deliver to. */
function topicReason(notification: Notification): MatchReason | null {
  if (notification.topic_id !== undefined) return null;
  return {
    code: "no_topic",
    message: "no topic: every rule holds, but the notification has no topic_id to deliver to",
    field: "topic_id",
  };
}

/**
 * The first rule `notification` fails for `trace`, in the order the reference gives them:
 * status, operations, users, filter, then the topic; `null` when it delivers the trace.
 */
export function matchReason(notification: Notification, trace: Trace): MatchReason | null {
  return (
    statusReason(notification) ??
    operationReason(notification, trace) ??
    userReason(notification, trace) ??
    filterReason(notification.filter, trace) ??
    topicReason(notification)
  );
}

/** Only `enabled` notifications fire. */
export function statusMatches(notification: Notification): boolean {
  return statusReason(notification) === null;
}

/** Whether `operations` (or `complete`) take in the trace's operation. */
export function operationMatches(notification: Notification, trace: Trace): boolean {
  return operationReason(notification, trace) === null;
}

/** Whether the user list takes in the trace's user. */
export function userMatches(notification: Notification, trace: Trace): boolean {
  return userReason(notification, trace) === null;
}

/** Whether `notification` delivers `trace` (no {@link matchReason}). */
export function notificationMatches(notification: Notification, trace: Trace): boolean {
  return matchReason(notification, trace) === null;
}

/** The notifications that deliver `trace`, in the order given. */
export function matchingNotifications(
  notifications: readonly Notification[],
  trace: Trace,
): Notification[] {
  return notifications.filter((n) => notificationMatches(n, trace));
}
