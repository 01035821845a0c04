// Example replay: every request example in both bundled specs is sent and gets its documented
// status; every response example validates against its schema (with the suite's own Ajv).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assertConforms, credentials, type Harness, startHarness, urlFor } from "../src/context.js";
import { type Json, models, operations } from "../src/spec.js";
import { schemaValidator } from "../src/validate.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());
beforeEach(() => h.reset());

const headers = { "X-Auth-Token": credentials.tokens.p1, "Content-Type": "application/json" };

/**
 * Examples that refer to an existing resource (modify by notification_id, delete by id) get the
 * id of a resource created just before; everything else is sent exactly as published.
 */
async function existingNotificationId(): Promise<string> {
  const r = await h.cts("p1").createNotification({
    body: { notification_name: "example_target", operation_type: "complete" },
  });
  return r.data.notification_id;
}

describe.each(operations.map((op) => [op.operationId, op] as const))("%s", (_id, op) => {
  const requestExamples: [string, unknown][] = Object.entries(op.requestBody?.examples ?? {});

  it.each(requestExamples.length ? requestExamples : [["(no body)", undefined]])(
    "request example %s gets the documented success status",
    async (_name, example) => {
      const path: Json = {
        project_id: "p1",
        event_name: "demo-event",
        notification_type: "smn",
        secret_name: "db-password",
        version_id: "v1",
        stage_name: "test-stage",
      };
      // Required query parameters (ListTraces' trace_type) take their documented example.
      const query: Json = {};
      for (const param of op.parameters) {
        if (param.in === "query" && param.required) query[param.name] = param.example;
      }
      let body = example as Json | undefined;
      if (op.operationId === "updateNotification")
        body = { ...body, notification_id: await existingNotificationId() };
      if (op.operationId === "deleteNotification")
        query.notification_id = await existingNotificationId();
      const onSecret = op.path.includes("/secrets");
      const needsEvent = ["showSecretEvent", "updateSecretEvent", "deleteSecretEvent"];
      if (needsEvent.includes(op.operationId) || onSecret) {
        await h.csms("p1").createSecretEvent({
          body: {
            name: "demo-event",
            event_types: ["SECRET_ROTATED"],
            state: "ENABLED",
            notification: { target_type: "SMN", target_id: "t", target_name: "n" },
          },
        });
      }
      // The secret of the examples (it subscribes to demo-event), except for its own creation.
      if (onSecret && op.operationId !== "createSecret") {
        await h.csms("p1").createSecret({
          body: { name: "db-password", secret_string: "x", event_subscriptions: ["demo-event"] },
        });
      }
      // The stage the stage operations name is on v1; a secret to restore is scheduled first.
      if (["showSecretStage", "deleteSecretStage"].includes(op.operationId)) {
        await h.csms("p1").updateSecretStage({
          params: { path: { secret_name: "db-password", stage_name: "test-stage" } },
          body: { version_id: "v1" },
        });
      }
      if (op.operationId === "restoreSecret") {
        await h.csms("p1").deleteSecretForSchedule({
          params: { path: { secret_name: "db-password" } },
          body: { recovery_window_in_days: 7 },
        });
      }
      const sent = {
        method: op.method.toUpperCase(),
        url: urlFor(h.url, op, path, query),
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      };
      const res = await h.send(sent);
      assertConforms(op, res, sent);
      expect(res.status).toBe(op.successStatus);
      if (body && op.operationId === "createNotification")
        expect((res.body as Json).notification_name).toBe(body.notification_name);
    },
  );

  it("every response example validates against its schema", () => {
    let checked = 0;
    for (const response of op.responses) {
      for (const [name, value] of Object.entries(response.examples)) {
        const validate = schemaValidator(op.api, response.schemaRef!);
        expect(
          validate(value),
          `${response.status} ${name}: ${JSON.stringify(validate.errors)}`,
        ).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

it("parameter examples are valid for their schemas", () => {
  for (const op of operations) {
    for (const param of op.parameters) {
      for (const value of Object.values(param.examples)) {
        expect(
          new RegExp((param.schema.pattern as string | undefined) ?? ".*", "u").test(
            value as string,
          ),
          `${op.operationId} ${param.name}`,
        ).toBe(true);
      }
    }
  }
  expect(models.cts.example("SeedCreateCustomizedRequest")).toBeDefined();
});
