import { describe, expectTypeOf, it } from "vitest";
import type { admin, csms, cts } from "../src/index.js";

type CreateNotification = cts.components["schemas"]["CreateNotificationRequestBody"];
type SecretEvent = csms.components["schemas"]["SecretEvent"];

describe("generated types", () => {
  it("carries the spec's enums as literal unions", () => {
    expectTypeOf<CreateNotification["operation_type"]>().toEqualTypeOf<"complete" | "customized">();
    expectTypeOf<SecretEvent["state"]>().toEqualTypeOf<"ENABLED" | "DISABLED">();
    expectTypeOf<cts.components["schemas"]["NotificationType"]>().toEqualTypeOf<"smn" | "fun">();
  });

  it("marks required and optional fields as the spec does", () => {
    expectTypeOf<CreateNotification>().toHaveProperty("notification_name").toEqualTypeOf<string>();
    expectTypeOf<Pick<CreateNotification, "topic_id">>().toEqualTypeOf<{ topic_id?: string }>();
    // @ts-expect-error read-only response fields are not part of the request body
    expectTypeOf<CreateNotification>().toHaveProperty("notification_id");
  });

  it("types the admin API's request journal: its verify expectation and answer", () => {
    type Verify = admin.components["schemas"]["VerifyRequest"];
    expectTypeOf<Verify["expect"]>().toEqualTypeOf<"exactly" | "at_least" | "none">();
    expectTypeOf<Verify["pattern"]["operation_id"]>().toEqualTypeOf<string>();
    expectTypeOf<
      admin.operations["verifyRequests"]["responses"][200]["content"]["application/json"]["matched"]
    >().toEqualTypeOf<boolean>();
    expectTypeOf<Extract<keyof admin.operations, `${string}Requests${string}`>>().toEqualTypeOf<
      "listRequests" | "clearRequests" | "verifyRequests" | "exportRequestsHar"
    >();
  });

  it("has one operation per operationId (webhooks included)", () => {
    expectTypeOf<keyof cts.operations>().toEqualTypeOf<
      | "createNotification"
      | "updateNotification"
      | "deleteNotification"
      | "listNotifications"
      | "listTraces"
      | "smnNotification"
      | "functionGraphCtsEvent"
    >();
    expectTypeOf<keyof csms.operations>().toEqualTypeOf<
      | "createSecretEvent"
      | "listSecretEvents"
      | "showSecretEvent"
      | "updateSecretEvent"
      | "deleteSecretEvent"
      | "listNotificationRecords"
      | "createSecret"
      | "listSecrets"
      | "showSecret"
      | "updateSecret"
      | "deleteSecret"
      | "createSecretVersion"
      | "listSecretVersions"
      | "showSecretVersion"
      | "updateVersion"
      | "rotateSecret"
      | "showSecretStage"
      | "updateSecretStage"
      | "deleteSecretStage"
      | "deleteSecretForSchedule"
      | "restoreSecret"
      | "listSecretTask"
      | "secretEventNotification"
      | "rotationFunctionEvent"
    >();
    expectTypeOf<keyof csms.webhooks>().toEqualTypeOf<
      "secretEventNotification" | "rotationFunctionEvent"
    >();
    type Message = csms.components["schemas"]["SecretEventMessage"];
    expectTypeOf<Message["event_type"]>().toEqualTypeOf<
      | "SECRET_VERSION_CREATED"
      | "SECRET_VERSION_EXPIRED"
      | "SECRET_ROTATED"
      | "SECRET_DELETED"
      | "SECRET_ROTATED_FAILED"
    >();
  });

  it("types the trace list and the delivered messages", () => {
    type Trace = cts.components["schemas"]["Trace"];
    expectTypeOf<Trace["trace_rating"]>().toEqualTypeOf<"normal" | "warning" | "incident">();
    expectTypeOf<Trace["code"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<keyof cts.webhooks>().toEqualTypeOf<"smnNotification" | "functionGraphCtsEvent">();
    type Smn = cts.components["schemas"]["SmnNotificationMessage"];
    expectTypeOf<Smn["type"]>().toEqualTypeOf<"Notification">();
    expectTypeOf<Smn["subject"]>().toEqualTypeOf<string | undefined>();
    type SmnBody = cts.webhooks["smnNotification"]["post"]["requestBody"];
    expectTypeOf<NonNullable<SmnBody>["content"]["application/json"]>().toEqualTypeOf<Smn>();
    type Event = cts.components["schemas"]["CtsTriggerEvent"];
    expectTypeOf<Event["cts"]["trace_status"]>().toEqualTypeOf<"normal" | "warning" | "incident">();
    type Query = cts.operations["listTraces"]["parameters"]["query"];
    expectTypeOf<Query["trace_type"]>().toEqualTypeOf<"system" | "data">();
  });
});
