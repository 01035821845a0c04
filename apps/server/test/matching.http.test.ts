// Every matching rule of key event notifications, positive and negative, over real HTTP: one
// notification created through the CTS API, one trace injected through the admin API, and the
// delivery log says whether it matched (the topic has no sink, so a match is one `no_sink`).
import { createAdminClient, createCtsClient } from "@cts-csms/client";
import { beforeEach, describe, expect, it } from "vitest";
import { start } from "./helpers.js";

const P = "24edf66e79d04187acb99a463e610764";
const TOPIC = `urn:smn:cn-north-4:${P}:rules`;
const server = await start();
const admin = createAdminClient({ endpoint: server.url, retry: false, throwOnError: true });
const cts = createCtsClient({
  endpoint: server.url,
  projectId: P,
  auth: { token: "t" },
  retry: false,
  throwOnError: true,
} as any) as any;

const ecsDelete = [{ service_type: "ECS", resource_type: "ecs", trace_names: ["deleteServer"] }];
const base = { service_type: "ECS", resource_type: "ecs", trace_name: "deleteServer" };
const filter = (condition: "AND" | "OR", rule: string[], is_support_filter = true) => ({
  filter: { condition, is_support_filter, rule },
});

/** [rule, notification fields, trace fields, matches?] */
const CASES: [string, Record<string, unknown>, Record<string, unknown>, boolean][] = [
  [
    "complete matches any operation",
    { operation_type: "complete" },
    { trace_name: "anything" },
    true,
  ],
  ["customized: same service, resource and trace name", { operations: ecsDelete }, {}, true],
  [
    "customized: another trace name",
    { operations: ecsDelete },
    { trace_name: "createServer" },
    false,
  ],
  ["customized: another resource type", { operations: ecsDelete }, { resource_type: "evs" }, false],
  ["customized: another service type", { operations: ecsDelete }, { service_type: "EVS" }, false],
  [
    "customized: service, resource and name must be in one entry",
    {
      operations: [
        { service_type: "ECS", resource_type: "evs", trace_names: ["deleteServer"] },
        { service_type: "EVS", resource_type: "ecs", trace_names: ["deleteServer"] },
      ],
    },
    {},
    false,
  ],
  ["disabled never fires", { operations: ecsDelete, status: "disabled" }, {}, false],
  ["empty user list: everyone", { operations: ecsDelete, notify_user_list: [] }, {}, true],
  [
    "user list: a listed user",
    { operations: ecsDelete, notify_user_list: [{ user_group: "ops", user_list: ["alice"] }] },
    { user: { name: "alice" } },
    true,
  ],
  [
    "user list: a user not listed",
    { operations: ecsDelete, notify_user_list: [{ user_group: "ops", user_list: ["alice"] }] },
    { user: { name: "bob" } },
    false,
  ],
  [
    "filter =: equal",
    { operations: ecsDelete, ...filter("AND", ["code = 404"]) },
    { code: "404" },
    true,
  ],
  ["filter =: not equal", { operations: ecsDelete, ...filter("AND", ["code = 404"]) }, {}, false],
  [
    "filter !=: not equal",
    { operations: ecsDelete, ...filter("AND", ["code != 200"]) },
    { code: "500" },
    true,
  ],
  ["filter !=: equal", { operations: ecsDelete, ...filter("AND", ["code != 200"]) }, {}, false],
  [
    "filter AND: every rule",
    { operations: ecsDelete, ...filter("AND", ["code != 200", "trace_rating = warning"]) },
    { code: "404" },
    true,
  ],
  [
    "filter AND: one rule fails",
    { operations: ecsDelete, ...filter("AND", ["code != 200", "resource_name = db"]) },
    { code: "404", resource_name: "web" },
    false,
  ],
  [
    "filter OR: one rule is enough",
    { operations: ecsDelete, ...filter("OR", ["code != 200", "resource_name = web"]) },
    { resource_name: "web" },
    true,
  ],
  [
    "filter OR: no rule holds",
    { operations: ecsDelete, ...filter("OR", ["code != 200", "resource_name = web"]) },
    { resource_name: "db" },
    false,
  ],
  [
    "filter on api_version, trace_type and resource_id",
    {
      operations: ecsDelete,
      ...filter("AND", ["api_version = v2", "trace_type = ConsoleAction", "resource_id = r-1"]),
    },
    { api_version: "v2", trace_type: "ConsoleAction", resource_id: "r-1" },
    true,
  ],
  [
    "filter on a field the trace lacks: = never holds",
    { operations: ecsDelete, ...filter("AND", ["resource_id = r-1"]) },
    {},
    false,
  ],
  [
    "filter ignored when is_support_filter is false",
    { operations: ecsDelete, ...filter("AND", ["code = 404"], false) },
    {},
    true,
  ],
];

beforeEach(async () => {
  await admin.resetState({ params: { query: { project_id: P } } });
});

describe("matching rules", () => {
  it.each(CASES)("%s", async (_rule, notification, trace, matches) => {
    const { status, ...fields } = notification as { status?: string };
    const created = await cts.createNotification({
      body: {
        notification_name: "rule",
        operation_type: "customized",
        topic_id: TOPIC,
        ...fields,
      },
    });
    if (status === "disabled") {
      await cts.updateNotification({
        body: {
          notification_id: created.data.notification_id,
          notification_name: "rule",
          operation_type: "customized",
          ...fields,
          topic_id: TOPIC,
          status: "disabled",
        },
      });
    }
    // Only what the injected trace caused (a complete notification also matches its creation).
    const log = async () => {
      await admin.flushDeliveries();
      const { data } = await admin.listDeliveries({ params: { query: { project_id: P } } });
      return (data?.deliveries ?? []).filter((d) => d.source === created.data.notification_id);
    };
    const before = (await log()).length;
    await admin.injectTrace({
      params: { path: { project_id: P } },
      body: { ...base, ...trace },
    } as any);
    const sources = (await log()).slice(before).map((d) => d.status);
    expect(sources).toEqual(matches ? ["no_sink"] : []);
  });
});
