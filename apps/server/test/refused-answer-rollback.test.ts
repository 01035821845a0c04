/**
 * A write never keeps what its own answer cannot show. A validator wrapper of this test's own
 * (through `createApp`'s `validator` option, so no client of a real server can reach it) breaks
 * the answer of a write that carries the header `x-test-refuse-answer` before the real response
 * check sees it: the check fails and the client gets the 500 envelope. Every CTS and CSMS write
 * that answers a body is tried that way, on each store; the stored state (every list, every
 * version with its value, the notification records and deliveries a fired secret event writes)
 * is unchanged, the secret event's receiver is not called, and the same write without the header
 * then succeeds.
 */
import type { RequestHandler } from "express";
import { expect, it } from "vitest";
import type { ServerOptions } from "../src/index.js";
import { openApiValidator, type ValidatorFactory } from "../src/pipeline/validation.js";
import { startReceiver } from "./events/support.js";
import { example, onEveryStore, start } from "./helpers.js";

const P = "24edf66e79d04187acb99a463e610764";
const REFUSE = "x-test-refuse-answer";
const receiver = await startReceiver();
/** The secret event watched: what it fires on, and its topic (a sink's topic is the project's). */
const EXAMPLE = example("csms", "SeedCreateRequest");
const WATCHED = {
  ...EXAMPLE,
  name: "watched",
  event_types: ["SECRET_VERSION_CREATED", "SECRET_ROTATED"],
  notification: { ...EXAMPLE.notification, target_id: `urn:smn:cn-north-4:${P}:watched` },
};

const refusing: ValidatorFactory = (model, settings) => {
  const breakAnswer: RequestHandler = (req, res, next) => {
    if (req.headers[REFUSE] !== undefined) {
      const checked = res.json;
      // An array where the spec has an object: no answer of a write passes the check.
      res.json = (body: unknown) => checked.call(res, [body]);
    }
    next();
  };
  return [...openApiValidator(model, settings), breakAnswer];
};

/** Every write that answers a body, valid as sent (each succeeds once the answer is left alone). */
function writes(notificationId: string) {
  return [
    {
      method: "POST",
      path: `/v3/${P}/notifications`,
      body: { notification_name: "new", operation_type: "complete" },
    },
    {
      method: "PUT",
      path: `/v3/${P}/notifications`,
      body: {
        notification_id: notificationId,
        notification_name: "renamed",
        operation_type: "complete",
        status: "enabled",
        topic_id: `urn:smn:cn-north-4:${P}:ops`,
      },
    },
    { method: "POST", path: `/v1/${P}/secrets`, body: { name: "new", secret_string: "v" } },
    { method: "PUT", path: `/v1/${P}/secrets/kept`, body: { description: "changed" } },
    { method: "POST", path: `/v1/${P}/secrets/kept/versions`, body: { secret_string: "v2" } },
    {
      method: "PUT",
      path: `/v1/${P}/secrets/kept/versions/v1`,
      body: { expire_time: Date.now() + 86_400_000 },
    },
    { method: "POST", path: `/v1/${P}/secrets/kept/rotate` },
    {
      method: "POST",
      path: `/v1/${P}/csms/events`,
      body: { ...example("csms", "SeedCreateRequest"), name: "new" },
    },
    { method: "PUT", path: `/v1/${P}/csms/events/watched`, body: { state: "DISABLED" } },
  ];
}

function refusedAnswersKeepNothing(options: () => ServerOptions) {
  it("each write whose answer fails the check is rolled back", async () => {
    const server = await start(
      { ...options(), validator: refusing },
      { expectResponseFailures: true },
    );
    const ok = async (method: string, path: string, body?: unknown) => {
      const r = await server.call(method, path, body === undefined ? {} : { body });
      expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
      return r.body;
    };
    const notification = await ok("POST", `/v3/${P}/notifications`, {
      notification_name: "kept",
      operation_type: "complete",
    });
    // The secret events fired have a sink: a write kept queues a delivery and calls it.
    const topic = WATCHED.notification.target_id;
    const path = `/refused-${Math.random().toString(36).slice(2)}`;
    const sinks = { [topic]: [{ protocol: "http", endpoint: `${receiver.url}${path}` }] };
    expect((await server.call("PUT", "/_admin/sinks", { body: sinks })).status).toBe(200);
    const called = () => receiver.received.filter((r) => r.path === path).length;
    await ok("POST", `/v1/${P}/csms/events`, WATCHED);
    await ok("POST", `/v1/${P}/secrets`, {
      name: "kept",
      secret_string: "v1",
      event_subscriptions: ["watched"],
    });

    const state = async () => {
      expect((await server.call("POST", "/_admin/deliveries/flush")).status).toBe(204);
      const versions = await ok("GET", `/v1/${P}/secrets/kept/versions`);
      const values = [];
      for (const v of versions.version_metadatas) {
        values.push(await ok("GET", `/v1/${P}/secrets/kept/versions/${v.id}`));
      }
      return {
        smn: await ok("GET", `/v3/${P}/notifications/smn`),
        events: await ok("GET", `/v1/${P}/csms/events`),
        secrets: await ok("GET", `/v1/${P}/secrets`),
        versions,
        values,
        records: await ok("GET", `/v1/${P}/csms/notification-records`),
        deliveries: (await server.call("GET", `/_admin/deliveries?project_id=${P}`)).body,
        called: called(),
      };
    };
    const before = await state();
    expect(before.records.records.length).toBeGreaterThan(0);
    expect(before.called, JSON.stringify(before.deliveries)).toBeGreaterThan(0);

    for (const write of writes(notification.notification_id)) {
      const res = await fetch(server.url + write.path, {
        method: write.method,
        headers: { "X-Auth-Token": "t", "Content-Type": "application/json", [REFUSE]: "1" },
        ...(write.body !== undefined && { body: JSON.stringify(write.body) }),
      });
      const what = `${write.method} ${write.path}`;
      const answer = await res.json();
      expect(res.status, `${what}: ${JSON.stringify(answer)}`).toBe(500);
      const code = answer.error?.error_code ?? answer.error_code;
      expect(code, what).toMatch(/^(CTS|CSMS)\.9500$/);
      expect(await state(), what).toEqual(before);
    }
    // Each was a valid write: left alone, its answer passes and it is kept.
    for (const write of writes(notification.notification_id)) {
      await ok(write.method, write.path, write.body);
    }
    expect(await state()).not.toEqual(before);
  });
}

onEveryStore("a refused answer keeps nothing", refusedAnswersKeepNothing);
