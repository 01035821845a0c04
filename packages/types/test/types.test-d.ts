import { describe, expectTypeOf, it } from "vitest";
import type { csms, cts } from "../src/index.js";

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

  it("has one operation per operationId", () => {
    expectTypeOf<keyof cts.operations>().toEqualTypeOf<
      "createNotification" | "updateNotification" | "deleteNotification" | "listNotifications"
    >();
    expectTypeOf<keyof csms.operations>().toEqualTypeOf<
      | "createSecretEvent"
      | "listSecretEvents"
      | "showSecretEvent"
      | "updateSecretEvent"
      | "deleteSecretEvent"
      | "listNotificationRecords"
    >();
  });
});
