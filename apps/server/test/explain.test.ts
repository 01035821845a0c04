/**
 * Explanations over real HTTP (issue 25), on every store: a user's code creates notifications
 * and a secret through the CTS and CSMS clients, a trace is injected, and the admin client
 * explains one matching and four non-matching notifications (each with its reason and the
 * delivery linked), a trace of another project is a 404, and a secret event that did not fire
 * (and one that did) is explained with its record and delivery. Then the request journal: a
 * passing and a failing verify (its message checked) and a HAR export that validates. No secret
 * value appears in any of them.
 */
import { randomUUID } from "node:crypto";
import {
  createAdminClient,
  createCsmsClient,
  createCtsClient,
  HuaweiApiError,
} from "@cts-csms/client";
import { expect, it } from "vitest";
import type { ServerOptions } from "../src/index.js";
import { startReceiver } from "./events/support.js";
import { harErrors } from "./har.js";
import { onEveryStore, start } from "./helpers.js";

const P = "24edf66e79d04187acb99a463e610764";
const P2 = "0a419ac94f80f2c62f14c01e34000000";
const TOPIC = `urn:smn:cn-north-4:${P}:explained`;
const MARKER = `EXPLAINMARKER${randomUUID().replaceAll("-", "")}`;
const receiver = await startReceiver();

const ecsDelete = [{ service_type: "ECS", resource_type: "ecs", trace_names: ["deleteServer"] }];

function explanations(options: () => ServerOptions) {
  it("explains a trace's notifications and a secret's events, as delivered", async () => {
    const server = await start({
      ...options(),
      seed: { sinks: { [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}/smn` }] } },
    });
    const admin = createAdminClient({ endpoint: server.url, retry: false, throwOnError: true });
    const clientOptions = { endpoint: server.url, projectId: P, auth: { token: "t" } };
    const cts = createCtsClient({ ...clientOptions, retry: false, throwOnError: true });
    const csms = createCsmsClient({ ...clientOptions, retry: false, throwOnError: true });
    const texts: string[] = [];

    const create = async (name: string, extra: Record<string, unknown>) => {
      const res = await cts.createNotification({
        body: {
          notification_name: name,
          operation_type: "customized",
          operations: ecsDelete,
          topic_id: TOPIC,
          ...extra,
        } as never,
      });
      return res.data?.notification_id as string;
    };
    const matching = await create("matching", {});
    const disabled = await create("disabled", { topic_id: undefined }); // no topic: disabled
    const notListed = await create("not_listed", {
      operations: [{ service_type: "ECS", resource_type: "ecs", trace_names: ["createServer"] }],
    });
    const userNotListed = await create("user_not_listed", {
      notify_user_list: [{ user_group: "ops", user_list: ["alice"] }],
    });
    const filterFails = await create("filter_fails", {
      filter: { is_support_filter: true, condition: "AND", rule: ["code != 200"] },
    });

    const injected = await admin.injectTrace({
      params: { path: { project_id: P } },
      body: {
        service_type: "ECS",
        resource_type: "ecs",
        trace_name: "deleteServer",
        user: { name: "bob" },
      },
    });
    const traceId = injected.data?.trace_id as string;
    await admin.flushDeliveries();

    const explained = await admin.explainTrace({
      params: { path: { project_id: P, trace_id: traceId } },
    });
    texts.push(JSON.stringify(explained.data));
    const body = explained.data;
    expect(body?.trace.trace_id).toBe(traceId);
    const byId = new Map(body?.notifications.map((n) => [n.notification_id, n]));
    expect(body?.notifications.map((n) => n.notification_name)).toEqual([
      "matching",
      "disabled",
      "not_listed",
      "user_not_listed",
      "filter_fails",
    ]);
    expect(byId.get(matching)).toMatchObject({ matched: true, status: "enabled" });
    expect(byId.get(matching)?.reason).toBeUndefined();
    expect(byId.get(disabled)).toMatchObject({
      matched: false,
      status: "disabled",
      reason: {
        code: "notification_disabled",
        field: "status",
        expected: "enabled",
        actual: "disabled",
      },
    });
    expect(byId.get(notListed)).toMatchObject({
      matched: false,
      reason: { code: "trace_name_not_listed", field: "trace_name", actual: "deleteServer" },
    });
    expect(byId.get(userNotListed)).toMatchObject({
      matched: false,
      reason: { code: "user_not_listed", field: "user.name", actual: "bob" },
    });
    expect(byId.get(filterFails)).toMatchObject({
      matched: false,
      reason: {
        code: "filter_rule_failed",
        rule: "code != 200",
        field: "code",
        expected: "200",
        actual: "200",
      },
    });
    for (const n of body?.notifications ?? []) {
      if (!n.matched) expect(n.reason?.message).toMatch(/\S/);
    }
    // The one delivery the trace produced, linked, and delivered to the receiver.
    expect(body?.deliveries).toHaveLength(1);
    expect(body?.deliveries[0]).toMatchObject({
      source: matching,
      trace_id: traceId,
      target: TOPIC,
      status: "delivered",
    });
    const log = await admin.listDeliveries({ params: { query: { project_id: P } } });
    const ofTrace = log.data?.deliveries.filter((d) => d.trace_id === traceId) ?? [];
    expect(ofTrace.map((d) => d.delivery_id)).toEqual([body?.deliveries[0]?.delivery_id]);

    // A trace of another project is not found, in the admin envelope.
    const foreign = await admin.injectTrace({
      params: { path: { project_id: P2 } },
      body: { service_type: "ECS", resource_type: "ecs", trace_name: "deleteServer" },
    });
    const notFound = await admin
      .explainTrace({
        params: { path: { project_id: P, trace_id: foreign.data?.trace_id as string } },
      })
      .catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(HuaweiApiError);
    expect(notFound).toMatchObject({ status: 404, errorCode: "CTS.0403" });
    expect((notFound as HuaweiApiError).errorMessage).toContain(foreign.data?.trace_id);

    // A secret whose event listens for new versions only; another event it does not subscribe to.
    for (const [name, types] of [
      ["versions", ["SECRET_VERSION_CREATED"]],
      ["failures", ["SECRET_ROTATED_FAILED"]],
    ] as const) {
      await csms.createSecretEvent({
        body: {
          name,
          event_types: [...types],
          state: "ENABLED",
          notification: { target_type: "SMN", target_id: TOPIC, target_name: name },
        },
      });
    }
    await csms.createSecret({
      body: { name: "db-password", secret_string: MARKER, event_subscriptions: ["versions"] },
    });
    await admin.failSecretRotation({
      params: { path: { project_id: P, secret_name: "db-password" } },
    });
    await admin.flushDeliveries();

    const failed = await admin.explainSecretEvents({
      params: {
        path: { project_id: P, secret_name: "db-password" },
        query: { event_type: "SECRET_ROTATED_FAILED" },
      },
    });
    texts.push(JSON.stringify(failed.data));
    expect(failed.data?.explanations).toHaveLength(1);
    const notFired = failed.data?.explanations[0];
    expect(notFired).toMatchObject({
      secret_name: "db-password",
      event_type: "SECRET_ROTATED_FAILED",
      records: [],
      deliveries: [],
    });
    expect(notFired?.events).toEqual([
      {
        event_name: "versions",
        fired: false,
        reason: {
          code: "event_type_not_listed",
          message:
            "event type not listed: versions lists SECRET_VERSION_CREATED, not SECRET_ROTATED_FAILED",
        },
        state: "ENABLED",
        event_types: ["SECRET_VERSION_CREATED"],
      },
      {
        event_name: "failures",
        fired: false,
        reason: {
          code: "not_subscribed",
          message: "not subscribed: db-password subscribes to versions, not failures",
        },
        state: "ENABLED",
        event_types: ["SECRET_ROTATED_FAILED"],
      },
    ]);

    // The version created did fire: its record and its delivery.
    const created = await admin.explainSecretEvents({
      params: {
        path: { project_id: P, secret_name: "db-password" },
        query: { event_type: "SECRET_VERSION_CREATED", version_id: "v1" },
      },
    });
    texts.push(JSON.stringify(created.data));
    const fired = created.data?.explanations[0];
    expect(fired?.events[0]).toMatchObject({ event_name: "versions", fired: true });
    expect(fired?.events[0]?.reason).toBeUndefined();
    expect(fired?.records).toMatchObject([
      {
        event_name: "versions",
        trigger_event_type: "SECRET_VERSION_CREATED",
        notification_status: "SUCCESS",
      },
    ]);
    expect(fired?.deliveries).toMatchObject([{ source: "versions", status: "delivered" }]);
    const records = await csms.listNotificationRecords({});
    expect(records.data?.records).toEqual(fired?.records);
    // Newest first, without a filter: the failed rotation, then the version.
    const all = await admin.explainSecretEvents({
      params: { path: { project_id: P, secret_name: "db-password" } },
    });
    expect(all.data?.explanations.map((e) => e.event_type)).toEqual([
      "SECRET_ROTATED_FAILED",
      "SECRET_VERSION_CREATED",
    ]);

    // The createSecret trace (its body masked) explains without the value too.
    const traces = await cts.listTraces({ params: { query: { trace_type: "system", limit: 50 } } });
    const createSecret = traces.data?.traces?.find((t) => t.trace_name === "createSecret");
    expect(createSecret).toBeDefined();
    const secretTrace = await admin.explainTrace({
      params: { path: { project_id: P, trace_id: createSecret?.trace_id as string } },
    });
    texts.push(JSON.stringify(secretTrace.data));

    // What the code above sent, checked in the request journal: a verify that passes, one that
    // fails with the server's message, and the HAR export, valid HAR 1.2.
    const verify = (pattern: Record<string, unknown>) =>
      admin.verifyRequests({
        params: { query: { project_id: P } },
        body: { pattern, expect: "exactly", n: 5 } as never,
      });
    const passed = await verify({ operation_id: "createNotification", status: 201 });
    expect(passed.data).toMatchObject({ matched: true, count: 5 });
    const failed5 = await verify({
      operation_id: "createNotification",
      body: { notification_name: "missing" },
    });
    texts.push(JSON.stringify(failed5.data));
    expect(failed5.data).toMatchObject({ matched: false, count: 0 });
    expect(failed5.data?.message).toMatch(
      new RegExp(
        `^expected exactly 5 createNotification requests in project ${P} matching the pattern, found 0\\. Closest: #\\d+ POST /v3/${P}/notifications 201: body\\.notification_name expected "missing", got "`,
      ),
    );
    const har = await fetch(`${server.url}/_admin/requests/har?project_id=${P}`);
    expect(har.status).toBe(200);
    const harText = await har.text();
    texts.push(harText);
    const exported = JSON.parse(harText);
    expect(harErrors(exported)).toEqual([]);
    const operations = exported.log.entries.map((e: { _operationId: string }) => e._operationId);
    expect(operations.filter((o: string) => o === "createNotification")).toHaveLength(5);
    expect(operations).toContain("createSecret");
    for (const text of texts) expect(text).not.toContain(MARKER);
  });
}

onEveryStore("explanations", explanations);
