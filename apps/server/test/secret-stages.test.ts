// CSMS version stages and scheduled deletion (issue 23), over real HTTP: the server on 127.0.0.1
// with an SMN sink pointing at a real receiver, the typed CSMS and admin clients. The clock moved
// through /_admin/clock deletes a scheduled secret: SECRET_DELETED fires once, as a signed SMN
// message parsed by the client's typed helper, and as a record.
import { type AdminClient, createAdminClient, createCsmsClient } from "@cts-csms/client";
import {
  parseSecretEventMessage,
  parseSmnNotification,
  verifySmnSignature,
} from "@cts-csms/client/receiver";
import { beforeEach, describe, expect, it } from "vitest";
import { startReceiver, webhookSchema } from "./events/support.js";
import { expectEnvelope, start, type TestServer } from "./helpers.js";

const P = "24edf66e79d04187acb99a463e610764";
const TOPIC = `urn:smn:cn-north-4:${P}:secrets`;
const DAY = 86_400_000;

const receiver = await startReceiver();
const server: TestServer = await start({
  seed: { sinks: { [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}/smn` }] } },
});
const admin: AdminClient = createAdminClient({
  endpoint: server.url,
  retry: false,
  throwOnError: true,
});
const csms = createCsmsClient({
  endpoint: server.url,
  projectId: P,
  auth: { token: "t" },
  retry: false,
});
const secretPath = (name: string) => `/v1/${P}/secrets/${name}`;
const now = async () => (await admin.getClock()).data?.now as number;

beforeEach(async () => {
  await admin.resetState();
  receiver.received.length = 0;
});

async function secretWithVersions(name: string, versions: number, events: string[] = []) {
  await csms.createSecret({
    body: { name, secret_string: "one", event_subscriptions: events },
  });
  for (let i = 2; i <= versions; i++) {
    await csms.createSecretVersion({
      params: { path: { secret_name: name } },
      body: { secret_string: `value-${i}` },
    });
  }
}

describe("version stages", () => {
  it("show, move (SYSPREVIOUS follows SYSCURRENT) and delete a stage", async () => {
    await secretWithVersions("s", 2);
    const shown = await csms.showSecretStage({
      params: { path: { secret_name: "s", stage_name: "SYSCURRENT" } },
    });
    expect(shown.data?.stage).toMatchObject({
      name: "SYSCURRENT",
      secret_name: "s",
      version_id: "v2",
    });
    const moved = await csms.updateSecretStage({
      params: { path: { secret_name: "s", stage_name: "SYSCURRENT" } },
      body: { version_id: "v1" },
    });
    expect(moved.response.status).toBe(200);
    expect(moved.data?.stage).toMatchObject({ name: "SYSCURRENT", version_id: "v1" });
    const previous = await csms.showSecretStage({
      params: { path: { secret_name: "s", stage_name: "SYSPREVIOUS" } },
    });
    expect(previous.data?.stage.version_id).toBe("v2");
    const latest = await csms.showSecretVersion({
      params: { path: { secret_name: "s", version_id: "latest" } },
    });
    expect(latest.data?.version.secret_string).toBe("one");
    // A custom stage: created on v2, moved to v1, deleted.
    for (const v of ["v2", "v1"]) {
      await csms.updateSecretStage({
        params: { path: { secret_name: "s", stage_name: "blue" } },
        body: { version_id: v },
      });
    }
    const versions = await csms.listSecretVersions({ params: { path: { secret_name: "s" } } });
    expect(versions.data?.version_metadatas.map((v) => [v.id, v.version_stages])).toEqual([
      ["v1", ["SYSCURRENT", "blue"]],
      ["v2", ["SYSPREVIOUS"]],
    ]);
    const deleted = await csms.deleteSecretStage({
      params: { path: { secret_name: "s", stage_name: "blue" } },
    });
    expect(deleted.response.status).toBe(204);
    const gone = await csms.showSecretStage({
      params: { path: { secret_name: "s", stage_name: "blue" } },
    });
    expect(gone.response.status).toBe(404);
    expect(gone.error).toMatchObject({ error: { error_code: "CSMS.0005" } });
  });

  it("refuses what the service refuses, naming the field", async () => {
    await secretWithVersions("s", 2);
    const cases: [string, string, unknown, number, string][] = [
      ["DELETE", "stages/SYSCURRENT", undefined, 400, "stage_name"],
      ["DELETE", "stages/SYSPREVIOUS", undefined, 400, "stage_name"],
      ["PUT", "stages/SYSPREVIOUS", { version_id: "v1" }, 400, "stage_name"],
      ["PUT", "stages/blue", { version_id: "v9" }, 404, "version_id v9"],
      ["PUT", "stages/blue", { version_id: "latest" }, 400, "version_id"],
      ["PUT", "stages/blue", { version_id: "v1", extra: 1 }, 400, "extra"],
      ["PUT", "stages/bad.name", { version_id: "v1" }, 400, "stage_name"],
      ["GET", "stages/nothing", undefined, 404, "stage_name nothing"],
      ["DELETE", "stages/nothing", undefined, 404, "stage_name nothing"],
    ];
    for (const [method, path, body, status, named] of cases) {
      const res = await server.call(method, `${secretPath("s")}/${path}`, { body });
      expect([method, path, res.status]).toEqual([method, path, status]);
      expectEnvelope("/v1/", res.body);
      expect(res.body.error.error_msg).toContain(named);
    }
    const unknown = await server.call("GET", `${secretPath("nope")}/stages/SYSCURRENT`);
    expect(unknown.status).toBe(404);
  });

  it("a secret has at most 12 stages", async () => {
    await secretWithVersions("s", 2);
    for (let i = 0; i < 10; i++) {
      const res = await server.call("PUT", `${secretPath("s")}/stages/c${i}`, {
        body: { version_id: "v1" },
      });
      expect(res.status).toBe(200);
    }
    const res = await server.call("PUT", `${secretPath("s")}/stages/c10`, {
      body: { version_id: "v1" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.error_msg).toContain("12 stages");
    // Moving one of the 12 is fine.
    const move = await server.call("PUT", `${secretPath("s")}/stages/c0`, {
      body: { version_id: "v2" },
    });
    expect(move.body.stage.version_id).toBe("v2");
  });
});

describe("scheduled deletion", () => {
  it("PENDING_DELETE: reported, refuses changes and value reads, restored before the time", async () => {
    await secretWithVersions("s", 1);
    const before = await now();
    const scheduled = await csms.deleteSecretForSchedule({
      params: { path: { secret_name: "s" } },
      body: { recovery_window_in_days: 7 },
    });
    const after = await now();
    expect(scheduled.data?.secret.state).toBe("PENDING_DELETE");
    const at = scheduled.data?.secret.scheduled_delete_time as number;
    expect(at).toBeGreaterThanOrEqual(before + 7 * DAY);
    expect(at).toBeLessThanOrEqual(after + 7 * DAY);
    const again = await server.call("POST", `${secretPath("s")}/scheduled-deleted-tasks/create`, {
      body: { recovery_window_in_days: 7 },
    });
    expect(again.status).toBe(400);
    const refused: [string, string, unknown][] = [
      ["PUT", "", { description: "x" }],
      ["POST", "/versions", { secret_string: "x" }],
      ["GET", "/versions/v1", undefined],
      ["GET", "/versions/latest", undefined],
      ["PUT", "/versions/v1", { expire_time: before + DAY }],
      ["POST", "/rotate", undefined],
      ["PUT", "/stages/blue", { version_id: "v1" }],
    ];
    for (const [method, path, body] of refused) {
      const res = await server.call(method, `${secretPath("s")}${path}`, { body });
      expect([method, path, res.status]).toEqual([method, path, 400]);
      expect(res.body.error.error_msg).toContain("PENDING_DELETE");
    }
    // Metadata stays readable.
    expect((await server.call("GET", secretPath("s"))).body.secret.state).toBe("PENDING_DELETE");
    expect((await server.call("GET", `${secretPath("s")}/versions`)).status).toBe(200);
    expect((await server.call("GET", `${secretPath("s")}/stages/SYSCURRENT`)).status).toBe(200);
    // Six days on, a restore brings it back; past the old time, nothing happens.
    await admin.setClock({ body: { advance: "P6D" } });
    const restored = await csms.restoreSecret({ params: { path: { secret_name: "s" } } });
    expect(restored.data?.secret.state).toBe("ENABLED");
    expect(restored.data?.secret).not.toHaveProperty("scheduled_delete_time");
    await admin.setClock({ body: { advance: "P2D" } });
    expect((await server.call("GET", `${secretPath("s")}/versions/v1`)).status).toBe(200);
    const notPending = await server.call(
      "POST",
      `${secretPath("s")}/scheduled-deleted-tasks/cancel`,
    );
    expect(notPending.status).toBe(400);
    expect(notPending.body.error.error_msg).toContain("not scheduled");
  });

  it("recovery_window_in_days is 7 to 30, required", async () => {
    await secretWithVersions("s", 1);
    for (const body of [{ recovery_window_in_days: 6 }, { recovery_window_in_days: 31 }, {}]) {
      const res = await server.call("POST", `${secretPath("s")}/scheduled-deleted-tasks/create`, {
        body,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.error_msg).toContain("recovery_window_in_days");
    }
    const unknown = await server.call(
      "POST",
      `${secretPath("nope")}/scheduled-deleted-tasks/create`,
      {
        body: { recovery_window_in_days: 30 },
      },
    );
    expect(unknown.status).toBe(404);
  });

  it("the clock passing scheduled_delete_time deletes the secret: SECRET_DELETED once, signed, parsed, recorded", async () => {
    await csms.createSecretEvent({
      body: {
        name: "deleted",
        event_types: ["SECRET_DELETED"],
        state: "ENABLED",
        notification: { target_type: "SMN", target_id: TOPIC, target_name: "secrets" },
      },
    });
    await secretWithVersions("s", 2, ["deleted"]);
    await secretWithVersions("kept", 1, ["deleted"]);
    await csms.deleteSecretForSchedule({
      params: { path: { secret_name: "s" } },
      body: { recovery_window_in_days: 7 },
    });
    await admin.setClock({ body: { advance: "P6DT23H" } });
    expect((await server.call("GET", secretPath("s"))).status).toBe(200);
    await admin.setClock({ body: { advance: "PT1H" } });
    expect((await server.call("GET", secretPath("s"))).status).toBe(404);
    expect((await server.call("GET", `${secretPath("s")}/stages/SYSCURRENT`)).status).toBe(404);
    const restore = await server.call("POST", `${secretPath("s")}/scheduled-deleted-tasks/cancel`);
    expect(restore.status).toBe(404);
    // More clock moves fire nothing more.
    await admin.setClock({ body: { advance: "P30D" } });
    await admin.flushDeliveries();
    const records = (await csms.listNotificationRecords({})).data?.records ?? [];
    expect(
      records.map((r) => [r.trigger_event_type, r.secret_name, r.notification_status]),
    ).toEqual([["SECRET_DELETED", "s", "SUCCESS"]]);
    const messages = receiver.received.filter((r) => r.path === "/smn");
    expect(messages).toHaveLength(1);
    const pem = (await admin.getSmnSigningCert()).data as string;
    const message = messages[0]?.json;
    expect(webhookSchema("secretEventNotification", "csms")(message)).toBe(true);
    const notification = parseSmnNotification(message);
    expect(await verifySmnSignature(notification, pem)).toBe(true);
    expect(notification.subject).toBe("CSMS event notification: deleted");
    const event = parseSecretEventMessage(notification);
    expect(event).toEqual({
      event_name: "deleted",
      event_type: "SECRET_DELETED",
      secret_name: "s",
      secret_type: "COMMON",
      trigger_time: expect.any(Number),
    });
    expect(notification.message).toBe(records[0]?.notification_content);
    expect((await server.call("GET", secretPath("kept"))).status).toBe(200);
  });
});
