/** Every matching rule on its own, positive and negative (seeds + CTS reference). */
import { describe, expect, it } from "vitest";
import {
  filterMatches,
  matchingNotifications,
  matchReason,
  notificationMatches,
  operationMatches,
  parseFilterRule,
  ruleMatches,
  statusMatches,
  userMatches,
} from "../../src/events/matching.js";
import type { Notification, Trace } from "../../src/store/types.js";

const trace: Trace = {
  trace_id: "6d4a09bb-aa8e-40db-9e87-0d5e203823a8",
  trace_name: "deleteTracker",
  trace_rating: "warning",
  trace_type: "ApiCall",
  service_type: "CTS",
  resource_type: "tracker",
  resource_id: "tracker-id-1",
  resource_name: "system",
  source_ip: "10.0.0.1",
  code: "404",
  api_version: "v3",
  time: 1,
  record_time: 2,
  user: { name: "test1" },
};

const base: Notification = {
  notification_id: "cda8fd83-d08c-46f0-b914-1453a6a85c00",
  notification_name: "n",
  operation_type: "complete",
  status: "enabled",
  topic_id: "urn:smn:region:p1:topic",
  notification_type: "smn",
  project_id: "p1",
  create_time: 0,
};
const n = (extra: Partial<Notification>): Notification => ({ ...base, ...extra });
const filter = (condition: "AND" | "OR", rule: string[], is_support_filter = true) =>
  n({ filter: { condition, rule, is_support_filter } });

describe("status", () => {
  it("an enabled notification fires", () => {
    expect(statusMatches(n({ status: "enabled" }))).toBe(true);
  });
  it("a disabled notification never fires, even when everything else matches", () => {
    expect(statusMatches(n({ status: "disabled" }))).toBe(false);
    expect(notificationMatches(n({ status: "disabled" }), trace)).toBe(false);
  });
});

describe("operation_type", () => {
  it("complete matches any operation", () => {
    expect(operationMatches(n({ operation_type: "complete" }), trace)).toBe(true);
    expect(
      operationMatches(n({ operation_type: "complete" }), { ...trace, service_type: "VPC" }),
    ).toBe(true);
  });

  const customized = n({
    operation_type: "customized",
    operations: [
      {
        service_type: "CTS",
        resource_type: "tracker",
        trace_names: ["createTracker", "deleteTracker"],
      },
      { service_type: "CTS", resource_type: "notification", trace_names: ["deleteNotification"] },
    ],
  });

  it("customized matches a listed service type + resource type + trace name", () => {
    expect(operationMatches(customized, trace)).toBe(true);
    expect(
      operationMatches(customized, {
        ...trace,
        resource_type: "notification",
        trace_name: "deleteNotification",
      }),
    ).toBe(true);
  });

  it("customized does not match another trace name, resource type or service type", () => {
    expect(operationMatches(customized, { ...trace, trace_name: "updateTracker" })).toBe(false);
    expect(operationMatches(customized, { ...trace, resource_type: "bucket" })).toBe(false);
    expect(operationMatches(customized, { ...trace, service_type: "AOM" })).toBe(false);
    // The three must appear in the same entry: deleteNotification is listed for notifications only.
    expect(operationMatches(customized, { ...trace, trace_name: "deleteNotification" })).toBe(
      false,
    );
    expect(operationMatches(n({ operation_type: "customized", operations: [] }), trace)).toBe(
      false,
    );
  });

  it("trace names compare exactly (case-sensitive)", () => {
    expect(operationMatches(customized, { ...trace, trace_name: "DeleteTracker" })).toBe(false);
  });
});

describe("notify_user_list", () => {
  const listed = n({
    notify_user_list: [
      { user_group: "admin", user_list: ["test1", "test2"] },
      { user_group: "CTS view", user_list: ["test3"] },
    ],
  });

  it("an empty or absent list matches every user", () => {
    expect(userMatches(n({ notify_user_list: [] }), trace)).toBe(true);
    expect(userMatches(n({}), { ...trace, user: { name: "anyone" } })).toBe(true);
  });

  it("a user in any group matches", () => {
    expect(userMatches(listed, trace)).toBe(true);
    expect(userMatches(listed, { ...trace, user: { name: "test3" } })).toBe(true);
  });

  it("a user in no group does not match, nor does a group name", () => {
    expect(userMatches(listed, { ...trace, user: { name: "test9" } })).toBe(false);
    expect(userMatches(listed, { ...trace, user: { name: "admin" } })).toBe(false);
  });

  it("applies to complete notifications too", () => {
    expect(
      notificationMatches(
        { ...listed, operation_type: "complete" },
        { ...trace, user: { name: "x" } },
      ),
    ).toBe(false);
  });
});

describe("advanced filter", () => {
  it("parses field = value and field != value, spaces optional", () => {
    expect(parseFilterRule("code != 200")).toEqual({ field: "code", operator: "!=", value: "200" });
    expect(parseFilterRule("trace_type=ApiCall")).toEqual({
      field: "trace_type",
      operator: "=",
      value: "ApiCall",
    });
    expect(parseFilterRule("resource_name = a = b")).toEqual({
      field: "resource_name",
      operator: "=",
      value: "a = b",
    });
    expect(parseFilterRule("user = x")).toBeUndefined();
    expect(parseFilterRule("code ~ 1")).toBeUndefined();
  });

  for (const [field, value, other] of [
    ["api_version", "v3", "v1"],
    ["code", "404", "200"],
    ["trace_rating", "warning", "normal"],
    ["trace_type", "ApiCall", "ConsoleAction"],
    ["resource_id", "tracker-id-1", "tracker-id-2"],
    ["resource_name", "system", "other"],
  ] as const) {
    it(`${field}: = holds on equal, != on different`, () => {
      expect(ruleMatches(`${field} = ${value}`, trace)).toBe(true);
      expect(ruleMatches(`${field} = ${other}`, trace)).toBe(false);
      expect(ruleMatches(`${field} != ${other}`, trace)).toBe(true);
      expect(ruleMatches(`${field} != ${value}`, trace)).toBe(false);
    });
  }

  it("a field the trace lacks: = never holds, != always does", () => {
    const bare = { ...trace };
    delete bare.resource_name;
    expect(ruleMatches("resource_name = system", bare)).toBe(false);
    expect(ruleMatches("resource_name != system", bare)).toBe(true);
  });

  it("AND needs every rule", () => {
    expect(
      filterMatches(filter("AND", ["code != 200", "trace_rating = warning"]).filter, trace),
    ).toBe(true);
    expect(
      filterMatches(filter("AND", ["code != 200", "trace_rating = normal"]).filter, trace),
    ).toBe(false);
  });

  it("OR needs one rule", () => {
    expect(
      filterMatches(filter("OR", ["code = 200", "trace_rating = warning"]).filter, trace),
    ).toBe(true);
    expect(filterMatches(filter("OR", ["code = 200", "trace_rating = normal"]).filter, trace)).toBe(
      false,
    );
  });

  it("is ignored unless is_support_filter is true", () => {
    const off = filter("AND", ["code = 200"], false);
    expect(filterMatches(off.filter, trace)).toBe(true);
    expect(notificationMatches(off, trace)).toBe(true);
    expect(notificationMatches(filter("AND", ["code = 200"]), trace)).toBe(false);
    expect(filterMatches(undefined, trace)).toBe(true);
  });
});

describe("all rules together", () => {
  it("the issue's example: customized delete-tracker, a user list, code != 200 OR …", () => {
    const notification = n({
      operation_type: "customized",
      operations: [
        { service_type: "CTS", resource_type: "tracker", trace_names: ["deleteTracker"] },
      ],
      notify_user_list: [{ user_group: "admin", user_list: ["test1"] }],
      filter: {
        condition: "OR",
        is_support_filter: true,
        rule: ["code != 200", "trace_rating = incident"],
      },
    });
    const others = [
      n({ status: "disabled" }),
      n({
        notification_id: "x",
        operation_type: "customized",
        operations: [{ service_type: "VPC", resource_type: "eip", trace_names: ["deleteEip"] }],
      }),
    ];
    expect(matchingNotifications([notification, ...others], trace)).toEqual([notification]);
    expect(
      notificationMatches(notification, { ...trace, code: "200", trace_rating: "normal" }),
    ).toBe(false);
    expect(
      notificationMatches(notification, { ...trace, code: "200", trace_rating: "incident" }),
    ).toBe(true);
    expect(notificationMatches(notification, { ...trace, trace_name: "createTracker" })).toBe(
      false,
    );
    expect(notificationMatches(notification, { ...trace, user: { name: "test2" } })).toBe(false);
  });
});

describe("reasons (matchReason): the first rule that fails, with what it compared", () => {
  const customized = n({
    operation_type: "customized",
    operations: [{ service_type: "CTS", resource_type: "tracker", trace_names: ["createTracker"] }],
  });
  it.each([
    [
      "disabled first, whatever else fails",
      n({ status: "disabled", notify_user_list: [{ user_group: "g", user_list: ["x"] }] }),
      trace,
      { code: "notification_disabled", field: "status", expected: "enabled", actual: "disabled" },
    ],
    [
      "service type",
      customized,
      { ...trace, service_type: "ECS" },
      { code: "service_type_not_listed", field: "service_type", actual: "ECS" },
    ],
    [
      "resource type",
      customized,
      { ...trace, resource_type: "bucket" },
      { code: "resource_type_not_listed", field: "resource_type", actual: "bucket" },
    ],
    [
      "trace name",
      customized,
      trace,
      { code: "trace_name_not_listed", field: "trace_name", actual: "deleteTracker" },
    ],
    [
      "user",
      n({ notify_user_list: [{ user_group: "g", user_list: ["x"] }] }),
      trace,
      { code: "user_not_listed", field: "user.name", actual: "test1" },
    ],
    [
      "AND: the first rule that fails",
      filter("AND", ["code = 404", "trace_rating = normal", "code = 200"]),
      trace,
      {
        code: "filter_rule_failed",
        rule: "trace_rating = normal",
        field: "trace_rating",
        expected: "normal",
        actual: "warning",
      },
    ],
    [
      "OR: none held, the first described",
      filter("OR", ["code = 200", "api_version != v3"]),
      trace,
      {
        code: "filter_no_rule_held",
        rule: "code = 200",
        field: "code",
        expected: "200",
        actual: "404",
      },
    ],
    [
      "no topic, after every rule",
      n({ topic_id: undefined }),
      trace,
      { code: "no_topic", field: "topic_id" },
    ],
  ] as const)("%s", (_, notification, t, expected) => {
    const reason = matchReason(notification as Notification, t as Trace);
    expect(reason).toMatchObject(expected);
    expect(reason?.message).toMatch(/\S/);
    expect(notificationMatches(notification as Notification, t as Trace)).toBe(false);
  });

  it("a rule on a field the trace lacks has no actual value", () => {
    const { resource_name: _, ...bare } = trace;
    const reason = matchReason(filter("AND", ["resource_name = system"]), bare as Trace);
    expect(reason).toMatchObject({
      code: "filter_rule_failed",
      field: "resource_name",
      expected: "system",
    });
    expect(reason).not.toHaveProperty("actual");
    expect(reason?.message).toContain("the trace has none");
  });

  it("no reason for a match", () => {
    expect(matchReason(base, trace)).toBeNull();
  });
});
