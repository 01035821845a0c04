import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCsmsClient, createCtsClient, csmsOperations, ctsOperations } from "../src/index.js";
import { startServer, type TestServer } from "./server.js";

const PROJECT = "0123456789abcdef0123456789abcdef";
const NOTIFICATION_ID = "cda8fd83-d08c-46f0-b914-1453a6a85c00";

const notification = {
  notification_id: NOTIFICATION_ID,
  notification_name: "keyOperate_info",
  operation_type: "complete",
  status: "disabled",
  project_id: PROJECT,
  create_time: 1634001495876,
};
const event = {
  name: "demo-event",
  event_id: "bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e",
  event_types: ["SECRET_ROTATED"],
  state: "ENABLED",
  create_time: 1581507580000,
  update_time: 1581507580000,
  notification: {
    target_type: "SMN" as const,
    target_id: "urn:smn:cn-north-4:p:t",
    target_name: "t",
  },
};

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req) => {
    if (req.method === "DELETE") return { status: 204 };
    if (req.method === "POST" && req.path.endsWith("/notifications")) {
      return { status: 201, body: notification };
    }
    if (req.path.includes("/notifications/")) return { body: { notifications: [notification] } };
    if (req.path.endsWith("/notifications")) return { body: notification };
    if (req.path.endsWith("/traces")) return { body: { traces: [], meta_data: { count: 0 } } };
    if (req.path.endsWith("/notification-records")) {
      return { body: { records: [], page_info: { current_count: 0 } } };
    }
    if (req.path.endsWith("/events") && req.method === "GET") {
      return { body: { events: [event], page_info: { current_count: 1 } } };
    }
    return { body: { event } };
  });
});
afterAll(() => server.close());

const last = () => server.requests.at(-1)!;
const STAGE = "/v1/{project_id}/secrets/{secret_name}/stages/{stage_name}";
const stagePath = { secret_name: "db-password", stage_name: "blue" };

interface Case {
  id: string;
  run: () => Promise<{ data?: unknown; response: Response }>;
  raw: () => Promise<{ data?: unknown; response: Response }>;
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  status: number;
}

describe("every operation, by operationId and by path", () => {
  const cts = () =>
    createCtsClient({ endpoint: server.url, projectId: PROJECT, auth: { token: "t" } });
  const csms = () =>
    createCsmsClient({ endpoint: server.url, projectId: PROJECT, auth: { token: "t" } });
  const createBody = { notification_name: "n1", operation_type: "complete" as const };
  const updateBody = {
    notification_id: NOTIFICATION_ID,
    notification_name: "n1",
    operation_type: "complete" as const,
    status: "disabled" as const,
  };
  const eventBody = {
    name: "demo-event",
    event_types: ["SECRET_ROTATED" as const],
    state: "ENABLED" as const,
    notification: event.notification,
  };

  const cases: Case[] = [
    {
      id: "createNotification",
      run: () => cts().createNotification({ body: createBody }),
      raw: () => cts().POST("/v3/{project_id}/notifications", { body: createBody }),
      method: "POST",
      path: `/v3/${PROJECT}/notifications`,
      body: createBody,
      status: 201,
    },
    {
      id: "updateNotification",
      run: () => cts().updateNotification({ body: updateBody }),
      raw: () => cts().PUT("/v3/{project_id}/notifications", { body: updateBody }),
      method: "PUT",
      path: `/v3/${PROJECT}/notifications`,
      body: updateBody,
      status: 200,
    },
    {
      id: "listNotifications",
      run: () =>
        cts().listNotifications({
          params: { path: { notification_type: "smn" }, query: { notification_name: "n1" } },
        }),
      raw: () =>
        cts().GET("/v3/{project_id}/notifications/{notification_type}", {
          params: { path: { notification_type: "smn" }, query: { notification_name: "n1" } },
        }),
      method: "GET",
      path: `/v3/${PROJECT}/notifications/smn`,
      query: { notification_name: "n1" },
      status: 200,
    },
    {
      id: "deleteNotification",
      run: () =>
        cts().deleteNotification({ params: { query: { notification_id: NOTIFICATION_ID } } }),
      raw: () =>
        cts().DELETE("/v3/{project_id}/notifications", {
          params: { query: { notification_id: NOTIFICATION_ID } },
        }),
      method: "DELETE",
      path: `/v3/${PROJECT}/notifications`,
      query: { notification_id: NOTIFICATION_ID },
      status: 204,
    },
    {
      id: "listTraces",
      run: () =>
        cts().listTraces({
          params: { query: { trace_type: "system", limit: 50, trace_name: "deleteTracker" } },
        }),
      raw: () =>
        cts().GET("/v3/{project_id}/traces", {
          params: { query: { trace_type: "system", limit: 50, trace_name: "deleteTracker" } },
        }),
      method: "GET",
      path: `/v3/${PROJECT}/traces`,
      query: { trace_type: "system", limit: "50", trace_name: "deleteTracker" },
      status: 200,
    },
    {
      id: "createSecretEvent",
      run: () => csms().createSecretEvent({ body: eventBody }),
      raw: () => csms().POST("/v1/{project_id}/csms/events", { body: eventBody }),
      method: "POST",
      path: `/v1/${PROJECT}/csms/events`,
      body: eventBody,
      status: 200,
    },
    {
      id: "listSecretEvents",
      run: () => csms().listSecretEvents({ params: { query: { limit: 10, marker: "a" } } }),
      raw: () =>
        csms().GET("/v1/{project_id}/csms/events", {
          params: { query: { limit: 10, marker: "a" } },
        }),
      method: "GET",
      path: `/v1/${PROJECT}/csms/events`,
      query: { limit: "10", marker: "a" },
      status: 200,
    },
    {
      id: "showSecretEvent",
      run: () => csms().showSecretEvent({ params: { path: { event_name: "demo-event" } } }),
      raw: () =>
        csms().GET("/v1/{project_id}/csms/events/{event_name}", {
          params: { path: { event_name: "demo-event" } },
        }),
      method: "GET",
      path: `/v1/${PROJECT}/csms/events/demo-event`,
      status: 200,
    },
    {
      id: "updateSecretEvent",
      run: () =>
        csms().updateSecretEvent({
          params: { path: { event_name: "demo-event" } },
          body: { state: "DISABLED" },
        }),
      raw: () =>
        csms().PUT("/v1/{project_id}/csms/events/{event_name}", {
          params: { path: { event_name: "demo-event" } },
          body: { state: "DISABLED" },
        }),
      method: "PUT",
      path: `/v1/${PROJECT}/csms/events/demo-event`,
      body: { state: "DISABLED" },
      status: 200,
    },
    {
      id: "deleteSecretEvent",
      run: () => csms().deleteSecretEvent({ params: { path: { event_name: "demo-event" } } }),
      raw: () =>
        csms().DELETE("/v1/{project_id}/csms/events/{event_name}", {
          params: { path: { event_name: "demo-event" } },
        }),
      method: "DELETE",
      path: `/v1/${PROJECT}/csms/events/demo-event`,
      status: 204,
    },
    {
      id: "listNotificationRecords",
      run: () => csms().listNotificationRecords({ params: { query: { limit: 5, marker: "m-1" } } }),
      raw: () =>
        csms().GET("/v1/{project_id}/csms/notification-records", {
          params: { query: { limit: 5, marker: "m-1" } },
        }),
      method: "GET",
      path: `/v1/${PROJECT}/csms/notification-records`,
      query: { limit: "5", marker: "m-1" },
      status: 200,
    },
    {
      id: "createSecret",
      run: () => csms().createSecret({ body: { name: "db-password", secret_string: "x" } }),
      raw: () =>
        csms().POST("/v1/{project_id}/secrets", {
          body: { name: "db-password", secret_string: "x" },
        }),
      method: "POST",
      path: `/v1/${PROJECT}/secrets`,
      body: { name: "db-password", secret_string: "x" },
      status: 200,
    },
    {
      id: "listSecrets",
      run: () => csms().listSecrets({ params: { query: { limit: 5, event_name: "demo-event" } } }),
      raw: () =>
        csms().GET("/v1/{project_id}/secrets", {
          params: { query: { limit: 5, event_name: "demo-event" } },
        }),
      method: "GET",
      path: `/v1/${PROJECT}/secrets`,
      query: { limit: "5", event_name: "demo-event" },
      status: 200,
    },
    {
      id: "showSecret",
      run: () => csms().showSecret({ params: { path: { secret_name: "db-password" } } }),
      raw: () =>
        csms().GET("/v1/{project_id}/secrets/{secret_name}", {
          params: { path: { secret_name: "db-password" } },
        }),
      method: "GET",
      path: `/v1/${PROJECT}/secrets/db-password`,
      status: 200,
    },
    {
      id: "updateSecret",
      run: () =>
        csms().updateSecret({
          params: { path: { secret_name: "db-password" } },
          body: { description: "d" },
        }),
      raw: () =>
        csms().PUT("/v1/{project_id}/secrets/{secret_name}", {
          params: { path: { secret_name: "db-password" } },
          body: { description: "d" },
        }),
      method: "PUT",
      path: `/v1/${PROJECT}/secrets/db-password`,
      body: { description: "d" },
      status: 200,
    },
    {
      id: "deleteSecret",
      run: () => csms().deleteSecret({ params: { path: { secret_name: "db-password" } } }),
      raw: () =>
        csms().DELETE("/v1/{project_id}/secrets/{secret_name}", {
          params: { path: { secret_name: "db-password" } },
        }),
      method: "DELETE",
      path: `/v1/${PROJECT}/secrets/db-password`,
      status: 204,
    },
    {
      id: "createSecretVersion",
      run: () =>
        csms().createSecretVersion({
          params: { path: { secret_name: "db-password" } },
          body: { secret_string: "y" },
        }),
      raw: () =>
        csms().POST("/v1/{project_id}/secrets/{secret_name}/versions", {
          params: { path: { secret_name: "db-password" } },
          body: { secret_string: "y" },
        }),
      method: "POST",
      path: `/v1/${PROJECT}/secrets/db-password/versions`,
      body: { secret_string: "y" },
      status: 200,
    },
    {
      id: "listSecretVersions",
      run: () =>
        csms().listSecretVersions({
          params: { path: { secret_name: "db-password" }, query: { limit: 5, marker: "v1" } },
        }),
      raw: () =>
        csms().GET("/v1/{project_id}/secrets/{secret_name}/versions", {
          params: { path: { secret_name: "db-password" }, query: { limit: 5, marker: "v1" } },
        }),
      method: "GET",
      path: `/v1/${PROJECT}/secrets/db-password/versions`,
      query: { limit: "5", marker: "v1" },
      status: 200,
    },
    {
      id: "showSecretVersion",
      run: () =>
        csms().showSecretVersion({
          params: { path: { secret_name: "db-password", version_id: "latest" } },
        }),
      raw: () =>
        csms().GET("/v1/{project_id}/secrets/{secret_name}/versions/{version_id}", {
          params: { path: { secret_name: "db-password", version_id: "latest" } },
        }),
      method: "GET",
      path: `/v1/${PROJECT}/secrets/db-password/versions/latest`,
      status: 200,
    },
    {
      id: "updateVersion",
      run: () =>
        csms().updateVersion({
          params: { path: { secret_name: "db-password", version_id: "v1" } },
          body: { expire_time: 1900000000000 },
        }),
      raw: () =>
        csms().PUT("/v1/{project_id}/secrets/{secret_name}/versions/{version_id}", {
          params: { path: { secret_name: "db-password", version_id: "v1" } },
          body: { expire_time: 1900000000000 },
        }),
      method: "PUT",
      path: `/v1/${PROJECT}/secrets/db-password/versions/v1`,
      body: { expire_time: 1900000000000 },
      status: 200,
    },
    {
      id: "rotateSecret",
      run: () => csms().rotateSecret({ params: { path: { secret_name: "db-password" } } }),
      raw: () =>
        csms().POST("/v1/{project_id}/secrets/{secret_name}/rotate", {
          params: { path: { secret_name: "db-password" } },
        }),
      method: "POST",
      path: `/v1/${PROJECT}/secrets/db-password/rotate`,
      status: 200,
    },
    {
      id: "showSecretStage",
      run: () => csms().showSecretStage({ params: { path: stagePath } }),
      raw: () => csms().GET(STAGE, { params: { path: stagePath } }),
      method: "GET",
      path: `/v1/${PROJECT}/secrets/db-password/stages/blue`,
      status: 200,
    },
    {
      id: "updateSecretStage",
      run: () =>
        csms().updateSecretStage({ params: { path: stagePath }, body: { version_id: "v1" } }),
      raw: () => csms().PUT(STAGE, { params: { path: stagePath }, body: { version_id: "v1" } }),
      method: "PUT",
      path: `/v1/${PROJECT}/secrets/db-password/stages/blue`,
      body: { version_id: "v1" },
      status: 200,
    },
    {
      id: "deleteSecretStage",
      run: () => csms().deleteSecretStage({ params: { path: stagePath } }),
      raw: () => csms().DELETE(STAGE, { params: { path: stagePath } }),
      method: "DELETE",
      path: `/v1/${PROJECT}/secrets/db-password/stages/blue`,
      status: 204,
    },
    {
      id: "deleteSecretForSchedule",
      run: () =>
        csms().deleteSecretForSchedule({
          params: { path: { secret_name: "db-password" } },
          body: { recovery_window_in_days: 7 },
        }),
      raw: () =>
        csms().POST("/v1/{project_id}/secrets/{secret_name}/scheduled-deleted-tasks/create", {
          params: { path: { secret_name: "db-password" } },
          body: { recovery_window_in_days: 7 },
        }),
      method: "POST",
      path: `/v1/${PROJECT}/secrets/db-password/scheduled-deleted-tasks/create`,
      body: { recovery_window_in_days: 7 },
      status: 200,
    },
    {
      id: "restoreSecret",
      run: () => csms().restoreSecret({ params: { path: { secret_name: "db-password" } } }),
      raw: () =>
        csms().POST("/v1/{project_id}/secrets/{secret_name}/scheduled-deleted-tasks/cancel", {
          params: { path: { secret_name: "db-password" } },
        }),
      method: "POST",
      path: `/v1/${PROJECT}/secrets/db-password/scheduled-deleted-tasks/cancel`,
      status: 200,
    },
    {
      id: "listSecretTask",
      run: () =>
        csms().listSecretTask({
          params: { query: { secret_name: "db-password", status: "FAILED", limit: 5 } },
        }),
      raw: () =>
        csms().GET("/v1/{project_id}/csms/tasks", {
          params: { query: { secret_name: "db-password", status: "FAILED", limit: 5 } },
        }),
      method: "GET",
      path: `/v1/${PROJECT}/csms/tasks`,
      query: { secret_name: "db-password", status: "FAILED", limit: "5" },
      status: 200,
    },
  ];

  it("covers every operation in the generated maps", () => {
    expect(cases.map((c) => c.id).sort()).toEqual(
      [...Object.keys(ctsOperations), ...Object.keys(csmsOperations)].sort(),
    );
  });

  for (const c of cases) {
    for (const style of ["operationId", "path"] as const) {
      it(`${c.id} by ${style}`, async () => {
        const result = await (style === "operationId" ? c.run() : c.raw());
        expect(result.response.status).toBe(c.status);
        const req = last();
        expect(req.method).toBe(c.method);
        expect(req.path).toBe(c.path);
        expect(req.query).toEqual(c.query ?? {});
        expect(req.json).toEqual(c.body);
        if (c.body !== undefined) expect(req.headers["content-type"]).toBe("application/json");
        if (c.status !== 204) expect(result.data).toBeDefined();
      });
    }
  }

  it("generated map matches the spec's methods and paths", () => {
    expect(ctsOperations.listNotifications).toEqual({
      method: "get",
      path: "/v3/{project_id}/notifications/{notification_type}",
    });
    expect(csmsOperations.deleteSecretEvent).toEqual({
      method: "delete",
      path: "/v1/{project_id}/csms/events/{event_name}",
    });
  });
});
