import type { components as CsmsComponents } from "@cts-csms/types/csms";
import type { components as CtsComponents } from "@cts-csms/types/cts";
import { describe, expectTypeOf, it } from "vitest";
import {
  type CsmsClient,
  type CtsClient,
  createCsmsClient,
  createCtsClient,
  paginate,
  unwrap,
} from "../src/index.js";

type Notification = CtsComponents["schemas"]["Notification"];
type SecretEvent = CsmsComponents["schemas"]["SecretEvent"];
type NotificationRecord = CsmsComponents["schemas"]["NotificationRecord"];
type Trace = CtsComponents["schemas"]["Trace"];

const cts = createCtsClient({ region: "cn-north-4", projectId: "p" });
const csms = createCsmsClient({ region: "cn-north-4", projectId: "p" });
const ctsNoProject = createCtsClient({ region: "cn-north-4" });

const notification = {
  notification_name: "n",
  operation_type: "complete",
} as const;
const event = {
  name: "e",
  event_types: ["SECRET_ROTATED"],
  state: "ENABLED",
  notification: { target_type: "SMN", target_id: "urn:smn:r:p:t", target_name: "t" },
} satisfies CsmsComponents["schemas"]["CreateSecretEventRequestBody"];

describe("request bodies are checked against the spec", () => {
  it("a misspelled field is an error", () => {
    // @ts-expect-error notification_nme is not a field
    cts.createNotification({ body: { notification_nme: "n", operation_type: "complete" } });
    cts.createNotification({
      // @ts-expect-error typo is not a field (excess property)
      body: { ...notification, typo: true },
    });
    csms.updateSecretEvent({
      params: { path: { event_name: "e" } },
      // @ts-expect-error stat is not a field
      body: { stat: "ENABLED" },
    });
    // by path, too
    cts.POST("/v3/{project_id}/notifications", {
      // @ts-expect-error typo is not a field
      body: { notification_name: "n", operation_type: "complete", typo: true },
    });
  });

  it("a value outside an enum is an error", () => {
    csms.updateSecretEvent({
      params: { path: { event_name: "e" } },
      // @ts-expect-error "ON" is not ENABLED | DISABLED
      body: { state: "ON" },
    });
    // @ts-expect-error "Enabled" (wrong case) is not allowed either
    csms.createSecretEvent({ body: { ...event, state: "Enabled" } });
    // @ts-expect-error "sms" is not a notification_type
    cts.listNotifications({ params: { path: { notification_type: "sms" } } });
  });

  it("a missing required field is an error", () => {
    // @ts-expect-error notification_name is required
    cts.createNotification({ body: { operation_type: "complete" } });
    cts.updateNotification({
      // @ts-expect-error status is required on update
      body: { notification_id: "x", notification_name: "n", operation_type: "complete" },
    });
    // @ts-expect-error the body is required
    csms.createSecretEvent({});
    // @ts-expect-error event_name is required
    csms.showSecretEvent({ params: { path: {} } });
    // @ts-expect-error notification_id query parameter is required
    cts.deleteNotification();
  });

  it("read-only fields cannot be sent on create", () => {
    // @ts-expect-error status is read-only on create
    cts.createNotification({ body: { ...notification, status: "enabled" } });
  });

  it("project_id is optional only when the client has a default", () => {
    cts.listNotifications({ params: { path: { notification_type: "smn" } } });
    cts.listNotifications({ params: { path: { notification_type: "smn", project_id: "other" } } });
    // @ts-expect-error no default project: project_id is required
    ctsNoProject.listNotifications({ params: { path: { notification_type: "smn" } } });
    ctsNoProject.listNotifications({
      params: { path: { notification_type: "smn", project_id: "p" } },
    });
    csms.listSecretEvents();
    expectTypeOf(cts).toEqualTypeOf<CtsClient<true>>();
    expectTypeOf(ctsNoProject).toEqualTypeOf<CtsClient<false>>();
  });
});

describe("responses are typed per operation", () => {
  it("data", async () => {
    const created = await cts.createNotification({ body: notification });
    expectTypeOf(created.data).toEqualTypeOf<Notification | undefined>();
    const list = await cts.listNotifications({ params: { path: { notification_type: "fun" } } });
    expectTypeOf(list.data).toEqualTypeOf<{ notifications: Notification[] } | undefined>();
    const shown = await csms.showSecretEvent({ params: { path: { event_name: "e" } } });
    expectTypeOf(shown.data).toEqualTypeOf<{ event: SecretEvent } | undefined>();
    const records = await csms.listNotificationRecords();
    expectTypeOf(records.data!.records).toEqualTypeOf<NotificationRecord[]>();
    expectTypeOf(records.data!.page_info.next_marker).toEqualTypeOf<string | undefined>();
    const raw = await csms.GET("/v1/{project_id}/csms/events/{event_name}", {
      params: { path: { event_name: "e" } },
    });
    expectTypeOf(raw.data).toEqualTypeOf<{ event: SecretEvent } | undefined>();
  });

  it("errors carry each API's envelope, or the gateway's (429)", async () => {
    type Gateway = { error_code: string; error_msg: string; request_id?: string };
    const a = await cts.listNotifications({ params: { path: { notification_type: "smn" } } });
    expectTypeOf(a.error).toEqualTypeOf<
      { error_code: string; error_msg: string } | Gateway | undefined
    >();
    const b = await csms.listSecretEvents();
    expectTypeOf(b.error).toEqualTypeOf<
      { error: { error_code: string; error_msg: string } } | Gateway | undefined
    >();
  });

  it("unwrap gives the success type; 204 operations give undefined", async () => {
    expectTypeOf(
      unwrap(await csms.showSecretEvent({ params: { path: { event_name: "e" } } })),
    ).toEqualTypeOf<{
      event: SecretEvent;
    }>();
    expectTypeOf(
      unwrap(await csms.deleteSecretEvent({ params: { path: { event_name: "e" } } })),
    ).toEqualTypeOf<undefined>();
  });

  it("pagination yields items", () => {
    expectTypeOf(paginate(csms, "listSecretEvents")).toEqualTypeOf<
      AsyncGenerator<SecretEvent, void, undefined>
    >();
    expectTypeOf(
      paginate(csms, "listNotificationRecords", { params: { query: { limit: 10 } } }),
    ).toEqualTypeOf<AsyncGenerator<NotificationRecord, void, undefined>>();
    // @ts-expect-error showSecretEvent does not page
    paginate(csms, "showSecretEvent");
    // @ts-expect-error limit is a number
    paginate(csms, "listSecretEvents", { params: { query: { limit: "10" } } });
    expectTypeOf(
      paginate(cts, "listTraces", { params: { query: { trace_type: "data", next: "x" } } }),
    ).toEqualTypeOf<AsyncGenerator<Trace, void, undefined>>();
    // @ts-expect-error trace_type is required by the trace list
    paginate(cts, "listTraces", { params: { query: {} } });
  });

  it("every operation exists on the client, and the raw client is there", () => {
    expectTypeOf<keyof CtsClient>().toExtend<
      | "createNotification"
      | "updateNotification"
      | "listNotifications"
      | "deleteNotification"
      | string
      | symbol
    >();
    expectTypeOf(csms).toHaveProperty("createSecretEvent");
    expectTypeOf(csms).toHaveProperty("listSecretEvents");
    expectTypeOf(csms).toHaveProperty("showSecretEvent");
    expectTypeOf(csms).toHaveProperty("updateSecretEvent");
    expectTypeOf(csms).toHaveProperty("deleteSecretEvent");
    expectTypeOf(csms).toHaveProperty("listNotificationRecords");
    expectTypeOf(cts).toHaveProperty("createNotification");
    expectTypeOf(cts).toHaveProperty("updateNotification");
    expectTypeOf(cts).toHaveProperty("listNotifications");
    expectTypeOf(cts).toHaveProperty("deleteNotification");
    expectTypeOf(cts).toHaveProperty("listTraces");
    expectTypeOf(csms.raw.use).toBeFunction();
    expectTypeOf<CsmsClient<true>>().toHaveProperty("raw");
    // @ts-expect-error no such operation
    csms.deleteEverything;
  });
});

describe("auth option", () => {
  it('takes a token, AK/SK or the explicit "none", and nothing else', () => {
    createCtsClient({ region: "cn-north-4", auth: { token: "t" } });
    createCtsClient({ region: "cn-north-4", auth: { ak: "a", sk: "s", securityToken: "x" } });
    createCtsClient({ region: "cn-north-4", auth: "none" });
    // @ts-expect-error anonymous access is spelled "none"
    createCtsClient({ region: "cn-north-4", auth: "anonymous" });
    // @ts-expect-error an AK needs its SK
    createCsmsClient({ region: "cn-north-4", auth: { ak: "a" } });
  });
});
