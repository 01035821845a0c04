// CSMS rotation as the service does it (issue 23, part A), over real HTTP: the server on
// 127.0.0.1 with a seed of sinks pointing at a real receiver (an SMN subscription and a rotation
// function), the typed CSMS and admin clients, the clock moved through /_admin/clock. A scheduled
// rotation fires SECRET_ROTATED; a rotation function answering 2xx completes one; a delivery
// fault rule failing the function gives SECRET_ROTATED_FAILED and a FAILED task; a scheduled
// deletion fires SECRET_DELETED once. Each arrives as a signed SMN message, parsed by the
// client's typed `parseSecretEventMessage`, and as a notification record.
import {
  type AdminClient,
  createAdminClient,
  createCsmsClient,
  HuaweiApiError,
} from "@cts-csms/client";
import {
  parseSecretEventMessage,
  parseSmnNotification,
  verifySmnSignature,
} from "@cts-csms/client/receiver";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServer, type RunningServer, type ServerOptions } from "../src/server.js";
import { startReceiver } from "./events/support.js";
import { onEveryStore } from "./helpers.js";

const P = "24edf66e79d04187acb99a463e610764";
const TOPIC = `urn:smn:cn-north-4:${P}:rotation`;
const FUNCTION = `urn:fss:cn-north-4:${P}:function:default:rotate-rds`;
const NO_SINK_FUNCTION = `urn:fss:cn-north-4:${P}:function:default:nobody`;
const HOUR = 3_600_000;
const CONFIG = '{"instance_id":"rds-1","secret_sub_type":"SingleUser"}';
/** An RDS secret rotated every 6 hours by the function of FUNCTION. */
const RDS = {
  name: "rds",
  secret_string: "p",
  secret_type: "RDS-FG",
  rotation_config: CONFIG,
  rotation_func_urn: FUNCTION,
  auto_rotation: true,
  rotation_period: "6h",
} as const;

const receiver = await startReceiver();
let server: RunningServer;
let admin: AdminClient;
const csmsAt = (endpoint: string) =>
  createCsmsClient({
    endpoint,
    projectId: P,
    auth: { token: "t" },
    retry: false,
    throwOnError: true,
  });
let csms: ReturnType<typeof csmsAt>;

/** The server of the store under test, with sinks for the SMN topic and the rotation function. */
function serveOn(options: () => ServerOptions) {
  beforeAll(async () => {
    server = await createServer({
      port: 0,
      logger: false,
      ...options(),
      seed: {
        sinks: {
          [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}/smn` }],
          [FUNCTION]: { endpoint: `${receiver.url}/fn` },
        },
      },
      delivery: { attemptTimeoutMs: 30_000, retry: { maxAttempts: 2, baseDelayMs: 10 } },
    });
    admin = createAdminClient({ endpoint: server.url, retry: false, throwOnError: true });
    csms = csmsAt(server.url);
  }, 180_000);
  afterAll(async () => {
    expect(server.responseValidationFailures()).toBe(0);
    await server.close();
  });
}

const now = async () => (await admin.getClock()).data?.now as number;
const show = async (name: string) =>
  (await csms.showSecret({ params: { path: { secret_name: name } } })).data?.secret;
const versions = async (name: string) =>
  (await csms.listSecretVersions({ params: { path: { secret_name: name } } })).data
    ?.version_metadatas ?? [];
const tasks = async (query: { secret_name?: string; status?: "SUCCESS" | "FAILED" } = {}) =>
  (await csms.listSecretTask({ params: { query } })).data?.tasks ?? [];

/** The project's records once `n` exist (retried deliveries settle later), up to 15 s. */
async function awaitRecords(n: number) {
  const until = Date.now() + 15_000;
  for (;;) {
    await admin.flushDeliveries();
    const all = (await csms.listNotificationRecords({})).data?.records ?? [];
    if (all.length >= n || Date.now() > until) return all;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The signed SMN messages received so far, verified and parsed as a receiver would. */
async function smnMessages() {
  const pem = (await admin.getSmnSigningCert()).data as string;
  const out = [];
  for (const m of receiver.received.filter((r) => r.path === "/smn")) {
    const notification = parseSmnNotification(m.json);
    expect(await verifySmnSignature(notification, pem)).toBe(true);
    out.push({ subject: notification.subject, ...parseSecretEventMessage(notification) });
  }
  return out;
}

async function errorOf(p: Promise<unknown>): Promise<HuaweiApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HuaweiApiError);
  return err as HuaweiApiError;
}

onEveryStore("rotation", (options) => {
  serveOn(options);
  beforeEach(async () => {
    await admin.resetState();
    receiver.received.length = 0;
    await csms.createSecretEvent({
      body: {
        name: "rot",
        event_types: ["SECRET_ROTATED", "SECRET_ROTATED_FAILED", "SECRET_DELETED"],
        state: "ENABLED",
        notification: { target_type: "SMN", target_id: TOPIC, target_name: "rot" },
      },
    });
  });

  describe("rotation settings", () => {
    it("are stored and returned; next_rotation_time follows auto_rotation and rotation_period", async () => {
      const created = (await csms.createSecret({ body: RDS })).data?.secret;
      expect(created).toMatchObject({
        rotation_config: CONFIG,
        rotation_func_urn: FUNCTION,
        next_rotation_time: (created?.create_time as number) + 6 * HOUR,
      });
      expect(await show("rds")).toEqual(created);
      const off = await csms.updateSecret({
        params: { path: { secret_name: "rds" } },
        body: { auto_rotation: false },
      });
      expect(off.data?.secret?.next_rotation_time).toBeUndefined();
      const on = await csms.updateSecret({
        params: { path: { secret_name: "rds" } },
        body: { auto_rotation: true, rotation_period: "1d", rotation_func_urn: NO_SINK_FUNCTION },
      });
      expect(on.data?.secret).toMatchObject({
        rotation_func_urn: NO_SINK_FUNCTION,
        next_rotation_time: (on.data?.secret?.update_time as number) + 24 * HOUR,
      });
    });

    it("are refused as the service refuses them, naming the field", async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ auto_rotation: true }, /rotation_period is required/],
        [{ auto_rotation: true, rotation_period: "5h" }, /rotation_period must be 6h to 8760h/],
        [{ auto_rotation: true, rotation_period: "366d" }, /rotation_period must be 6h to 8760h/],
        [{ secret_type: "RDS-FG", rotation_func_urn: FUNCTION }, /rotation_config/],
        [{ rotation_func_urn: FUNCTION }, /rotation_func_urn/],
        [
          { secret_type: "GaussDB-FG", rotation_func_urn: FUNCTION, rotation_config: "[1]" },
          /rotation_config must be a JSON object/,
        ],
        [
          { secret_type: "RDS-FG", rotation_config: CONFIG, rotation_func_urn: "x" },
          /rotation_func_urn/,
        ],
      ];
      for (const [extra, message] of cases) {
        const err = await errorOf(
          csms.createSecret({ body: { name: "bad", secret_string: "p", ...extra } as never }),
        );
        expect(err.status).toBe(400);
        expect(err.errorCode).toBe("CSMS.0002");
        expect(err.errorMessage).toMatch(message);
      }
      await csms.createSecret({ body: { name: "common", secret_string: "p" } });
      const err = await errorOf(
        csms.updateSecret({
          params: { path: { secret_name: "common" } },
          body: { rotation_func_urn: FUNCTION },
        }),
      );
      expect(err.message).toMatch(/rotation_func_urn: a secret of type COMMON/);
    });
  });

  describe("scheduled rotation and rotation functions", () => {
    it("fires SECRET_ROTATED on schedule, completes on the function's 2xx, fails through a fault rule, deletes on schedule", async () => {
      // 1. A shared secret rotating every 6 hours: a jump over two periods rotates it once.
      const sched = (
        await csms.createSecret({
          body: {
            name: "sched",
            secret_string: "p",
            auto_rotation: true,
            rotation_period: "6h",
            event_subscriptions: ["rot"],
          },
        })
      ).data?.secret;
      await admin.setClock({ body: { advance: "PT13H" } });
      const t1 = await now();
      expect((await versions("sched")).map((v) => [v.id, v.version_stages])).toEqual([
        ["v1", ["SYSPREVIOUS"]],
        ["v2", ["SYSCURRENT"]],
      ]);
      const rotated = await show("sched");
      expect(rotated?.rotation_time).toBeGreaterThan(sched?.create_time as number);
      expect(rotated?.rotation_time).toBeLessThanOrEqual(t1);
      expect(rotated?.next_rotation_time).toBe((rotated?.rotation_time as number) + 6 * HOUR);
      let records = await awaitRecords(1);
      expect(records).toMatchObject([
        {
          trigger_event_type: "SECRET_ROTATED",
          secret_name: "sched",
          notification_status: "SUCCESS",
        },
      ]);
      expect(await smnMessages()).toMatchObject([
        {
          subject: "CSMS event notification: rot",
          event_type: "SECRET_ROTATED",
          secret_name: "sched",
          version_id: "v2",
        },
      ]);
      expect(await tasks({ secret_name: "sched" })).toMatchObject([
        { secret_name: "sched", task_status: "SUCCESS", operate_type: "AUTO" },
      ]);

      // 2. An RDS secret with a rotation function: the function answers 2xx, the rotation completes.
      await csms.updateSecret({
        params: { path: { secret_name: "sched" } },
        body: { auto_rotation: false },
      });
      await csms.createSecret({ body: { ...RDS, event_subscriptions: ["rot"] } });
      await admin.setClock({ body: { advance: "PT7H" } });
      records = await awaitRecords(2);
      expect(records[1]).toMatchObject({
        trigger_event_type: "SECRET_ROTATED",
        secret_name: "rds",
        notification_status: "SUCCESS",
      });
      const invocations = receiver.received.filter((r) => r.path === "/fn");
      expect(invocations).toHaveLength(1);
      const [ok] = await tasks({ secret_name: "rds" });
      expect(invocations[0]?.json).toEqual({
        project_id: P,
        secret_name: "rds",
        secret_type: "RDS-FG",
        rotation_func_urn: FUNCTION,
        rotation_config: CONFIG,
        task_id: ok?.task_id,
        operate_type: "AUTO",
        version_id: "v2",
        trigger_time: expect.any(Number),
      });
      expect(ok).toMatchObject({
        task_status: "SUCCESS",
        attempt_nums: 1,
        rotation_func_urn: FUNCTION,
      });
      expect((await versions("rds")).at(-1)).toMatchObject({
        id: "v2",
        version_stages: ["SYSCURRENT"],
      });

      // 3. A fault rule fails every invocation of the function: after the retries the task is
      // FAILED, SECRET_ROTATED_FAILED fires, and no version was added.
      await admin.addFaultRule({
        body: { delivery: { kind: "function", target: FUNCTION }, status: 500 },
      });
      const manual = (await csms.rotateSecret({ params: { path: { secret_name: "rds" } } })).data;
      expect(manual?.version_id).toBe("v3");
      records = await awaitRecords(3);
      expect(records[2]).toMatchObject({
        trigger_event_type: "SECRET_ROTATED_FAILED",
        secret_name: "rds",
        notification_status: "SUCCESS",
      });
      const failed = await tasks({ status: "FAILED" });
      expect(failed).toEqual([
        {
          task_id: manual?.rotation_task_id,
          secret_name: "rds",
          rotation_func_urn: FUNCTION,
          task_status: "FAILED",
          operate_type: "MANUAL",
          task_time: expect.any(Number),
          attempt_nums: 2,
          task_error_code: "CSMS.9502",
          task_error_msg: "the rotation function failed: HTTP 500",
        },
      ]);
      expect((await versions("rds")).map((v) => v.id)).toEqual(["v1", "v2"]);
      expect((await smnMessages()).map((m) => [m.event_type, m.secret_name])).toEqual([
        ["SECRET_ROTATED", "sched"],
        ["SECRET_ROTATED", "rds"],
        ["SECRET_ROTATED_FAILED", "rds"],
      ]);

      // 4. A function without a sink fails at once; task_id alone finds one task.
      await csms.updateSecret({
        params: { path: { secret_name: "rds" } },
        body: { rotation_func_urn: NO_SINK_FUNCTION },
      });
      const lost = (await csms.rotateSecret({ params: { path: { secret_name: "rds" } } })).data;
      const [one] = await (async () =>
        (await csms.listSecretTask({ params: { query: { task_id: lost?.rotation_task_id } } })).data
          ?.tasks ?? [])();
      expect(one).toMatchObject({
        task_status: "FAILED",
        task_error_msg: `no FunctionGraph sink is configured for ${NO_SINK_FUNCTION}`,
      });

      // 5. A deletion scheduled 7 days ahead: PENDING_DELETE until the clock passes it, then the
      // secret is gone and SECRET_DELETED fires once, however often the clock moves after.
      const before = (await awaitRecords(4)).length;
      const scheduled = (
        await csms.deleteSecretForSchedule({
          params: { path: { secret_name: "sched" } },
          body: { recovery_window_in_days: 7 },
        })
      ).data?.secret;
      expect(scheduled?.state).toBe("PENDING_DELETE");
      await admin.setClock({ body: { advance: "P6D" } });
      expect((await show("sched"))?.state).toBe("PENDING_DELETE");
      await admin.setClock({ body: { advance: "P1DT1H" } });
      await admin.setClock({ body: { advance: "PT1H" } });
      expect((await errorOf(show("sched"))).status).toBe(404);
      records = await awaitRecords(before + 1);
      const deleted = records.filter((r) => r.trigger_event_type === "SECRET_DELETED");
      expect(deleted).toMatchObject([
        { secret_name: "sched", event_name: "rot", notification_status: "SUCCESS" },
      ]);
      const messages = await smnMessages();
      expect(messages.filter((m) => m.event_type === "SECRET_DELETED")).toEqual([
        {
          subject: "CSMS event notification: rot",
          event_name: "rot",
          event_type: "SECRET_DELETED",
          secret_name: "sched",
          secret_type: "COMMON",
          trigger_time: expect.any(Number),
        },
      ]);
    });

    it("pages tasks with next_marker and refuses markers and criteria it never allows", async () => {
      await csms.createSecret({ body: { name: "s", secret_string: "p" } });
      for (let i = 0; i < 3; i++)
        await csms.rotateSecret({ params: { path: { secret_name: "s" } } });
      const first = (await csms.listSecretTask({ params: { query: { limit: 2 } } })).data;
      expect(first?.total).toBe(2);
      const rest = (
        await csms.listSecretTask({ params: { query: { limit: 2, marker: first?.next_marker } } })
      ).data;
      expect(rest?.next_marker).toBeUndefined();
      expect([...(first?.tasks ?? []), ...(rest?.tasks ?? [])].map((t) => t.operate_type)).toEqual([
        "MANUAL",
        "MANUAL",
        "MANUAL",
      ]);
      const unknownMarker = await errorOf(
        csms.listSecretTask({
          params: { query: { marker: "00000000-0000-4000-8000-000000000000" } },
        }),
      );
      expect(unknownMarker.message).toMatch(/marker/);
      const combined = await errorOf(
        csms.listSecretTask({
          params: {
            query: { task_id: "00000000-0000-4000-8000-000000000000", secret_name: "s" },
          },
        }),
      );
      expect(combined.message).toMatch(/task_id cannot be combined/);
    });
  });
});
