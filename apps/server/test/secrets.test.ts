// CSMS secrets and versions over real HTTP (issue 15): the operations' rules, version stages,
// project isolation, and the secret value that appears in ShowSecretVersion only: never in a log
// line, a trace (ListTraces), a delivery, a record or an error message.
import { Writable } from "node:stream";
import { pino } from "pino";
import { beforeEach, describe, expect, it } from "vitest";
import { startReceiver } from "./events/support.js";
import { example, start } from "./helpers.js";

const P = "24edf66e79d04187acb99a463e610764";
const Q = "dc3b7c85759141a991da17423c0f2068";
const TOPIC = `urn:smn:cn-north-4:${P}:secrets`;
const MARKER = "MARKER-s3cr3t-value-5f1c";

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    lines.push(...chunk.toString().split("\n").filter(Boolean));
    done();
  },
});
const receiver = await startReceiver();
const server = await start({
  logger: pino({ level: "trace" }, sink),
  seed: { sinks: { [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}/smn` }] } },
  delivery: { attemptTimeoutMs: 30_000, retry: { maxAttempts: 1 } },
});

const secrets = (p = P) => `/v1/${p}/secrets`;

async function createEvent(name: string, project = P, types = ["SECRET_VERSION_CREATED"]) {
  const res = await server.call("POST", `/v1/${project}/csms/events`, {
    body: {
      name,
      event_types: types,
      state: "ENABLED",
      notification: { target_type: "SMN", target_id: TOPIC, target_name: "secrets" },
    },
  });
  expect(res.status, res.text).toBe(200);
}

async function createSecret(name: string, extra: Record<string, unknown> = {}, project = P) {
  const res = await server.call("POST", secrets(project), {
    body: { name, secret_string: `value-of-${name}`, ...extra },
  });
  expect(res.status, res.text).toBe(200);
  return res.body.secret;
}

beforeEach(async () => {
  await server.reset();
  receiver.received.length = 0;
});

describe("create / show / list / update / delete a secret", () => {
  it("the spec's example creates a secret; defaults are filled, no value is returned", async () => {
    const body = example("csms", "CreateSecretRequest");
    const res = await server.call("POST", secrets(), { body });
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body)).toEqual(["secret"]);
    const s = res.body.secret;
    expect(s).toMatchObject({
      name: "db-password",
      state: "ENABLED",
      kms_key_id: "csms/default",
      secret_type: "COMMON",
      auto_rotation: false,
      event_subscriptions: [],
      enterprise_project_id: "0",
    });
    expect(s.create_time).toBe(s.update_time);
    expect(JSON.stringify(res.body)).not.toContain("secret_string");
    expect((await server.call("GET", `${secrets()}/db-password`)).body).toEqual({ secret: s });
  });

  it("names may contain '.', duplicates and bad input are 400s naming the field", async () => {
    await createSecret("app.db-password");
    const dup = await server.call("POST", secrets(), {
      body: { name: "app.db-password", secret_string: "x" },
    });
    expect(dup.status).toBe(400);
    expect(dup.body.error.error_code).toBe("CSMS.0002");
    expect(dup.body.error.error_msg).toContain("name");
    const cases: [unknown, string][] = [
      [{ name: "a" }, "secret_string"],
      [{ name: "a", secret_string: "x", secret_binary: "eA==" }, "oneOf"],
      [{ name: "a", secret_string: "x", secret_type: "RDS" }, "secret_type"],
      [{ name: "a", secret_string: "x", event_subscriptions: ["e1", "e2"] }, "event_subscriptions"],
      [{ name: "a b", secret_string: "x" }, "request/body/name"],
      // Dot-segments could never be addressed in a URL path (decision 31).
      [{ name: ".", secret_string: "x" }, "request/body/name"],
      [{ name: "..", secret_string: "x" }, "request/body/name"],
      [{ name: "a", secret_string: "x", id: "x" }, 'unknown property "id"'],
    ];
    for (const [body, field] of cases) {
      const res = await server.call("POST", secrets(), { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.error_code).toBe("CSMS.0002");
      expect(res.body.error.error_msg).toContain(field);
    }
  });

  it("event_subscriptions must name an event of the project (400 naming it)", async () => {
    const res = await server.call("POST", secrets(), {
      body: { name: "s", secret_string: "x", event_subscriptions: ["missing"] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.error_msg).toContain("request/body/event_subscriptions/0");
    expect(res.body.error.error_msg).toContain("missing");
    await createSecret("s");
    const upd = await server.call("PUT", `${secrets()}/s`, {
      body: { event_subscriptions: ["missing"] },
    });
    expect(upd.status).toBe(400);
    expect(upd.body.error.error_msg).toContain("event_subscriptions/0");
  });

  it("update changes only what it is given and moves update_time; unknown → 404", async () => {
    await createEvent("demo-event");
    const s = await createSecret("s", { event_subscriptions: ["demo-event"] });
    const res = await server.call("PUT", `${secrets()}/s`, {
      body: { description: "d", event_subscriptions: [] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.secret).toEqual({
      ...s,
      description: "d",
      event_subscriptions: [],
      update_time: res.body.secret.update_time,
    });
    expect(res.body.secret.update_time).toBeGreaterThan(s.update_time);
    const missing = await server.call("PUT", `${secrets()}/nope`, { body: { description: "d" } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.error_code).toBe("CSMS.0005");
  });

  it("list pages by name and filters by event_name", async () => {
    await createEvent("e1");
    for (const n of ["c", "a", "e", "b", "d"]) {
      await createSecret(n, n === "b" || n === "d" ? { event_subscriptions: ["e1"] } : {});
    }
    const first = await server.call("GET", `${secrets()}?limit=2`);
    expect(first.body.secrets.map((s: any) => s.name)).toEqual(["a", "b"]);
    expect(first.body.page_info).toEqual({ current_count: 2, next_marker: "b" });
    const rest = await server.call("GET", `${secrets()}?limit=10&marker=b`);
    expect(rest.body.secrets.map((s: any) => s.name)).toEqual(["c", "d", "e"]);
    expect(rest.body.page_info.next_marker).toBeUndefined();
    const subscribed = await server.call("GET", `${secrets()}?event_name=e1&limit=1`);
    expect(subscribed.body.secrets.map((s: any) => s.name)).toEqual(["b"]);
    const next = await server.call(
      "GET",
      `${secrets()}?event_name=e1&marker=${subscribed.body.page_info.next_marker}`,
    );
    expect(next.body.secrets.map((s: any) => s.name)).toEqual(["d"]);
  });

  it("delete removes the secret and its versions; an event in use cannot be deleted", async () => {
    await createEvent("e1");
    await createSecret("s", { event_subscriptions: ["e1"] });
    const busy = await server.call("DELETE", `/v1/${P}/csms/events/e1`);
    expect(busy.status).toBe(400);
    expect(busy.body.error.error_msg).toContain("secret s");
    expect((await server.call("DELETE", `${secrets()}/s`)).status).toBe(204);
    expect((await server.call("GET", `${secrets()}/s`)).status).toBe(404);
    expect((await server.call("GET", `${secrets()}/s/versions/v1`)).status).toBe(404);
    expect((await server.call("DELETE", `${secrets()}/s`)).status).toBe(404);
    expect((await server.call("DELETE", `/v1/${P}/csms/events/e1`)).status).toBe(204);
  });
});

describe("versions", () => {
  it("SYSCURRENT and SYSPREVIOUS move with each new version; custom stages move too", async () => {
    await createSecret("s");
    const v2 = await server.call("POST", `${secrets()}/s/versions`, {
      body: { secret_string: "two", version_stages: ["blue"] },
    });
    expect(v2.status, v2.text).toBe(200);
    expect(v2.body.version_metadata).toMatchObject({
      id: "v2",
      secret_name: "s",
      version_stages: ["SYSCURRENT", "blue"],
    });
    await server.call("POST", `${secrets()}/s/versions`, {
      body: { secret_binary: "dGhyZWU=", version_stages: ["blue"] },
    });
    const list = await server.call("GET", `${secrets()}/s/versions`);
    expect(list.body.version_metadatas.map((v: any) => [v.id, v.version_stages])).toEqual([
      ["v1", []],
      ["v2", ["SYSPREVIOUS"]],
      ["v3", ["SYSCURRENT", "blue"]],
    ]);
    const latest = await server.call("GET", `${secrets()}/s/versions/latest`);
    expect(latest.body.version).toEqual({
      version_metadata: list.body.version_metadatas[2],
      secret_binary: "dGhyZWU=",
    });
    const first = await server.call("GET", `${secrets()}/s/versions/v1`);
    expect(first.body.version.secret_string).toBe("value-of-s");
    const paged = await server.call("GET", `${secrets()}/s/versions?limit=2`);
    expect(paged.body.page_info).toEqual({ current_count: 2, next_marker: "v2" });
    const after = await server.call("GET", `${secrets()}/s/versions?marker=v2`);
    expect(after.body.version_metadatas.map((v: any) => v.id)).toEqual(["v3"]);
    const sysprev = await server.call("POST", `${secrets()}/s/versions`, {
      body: { secret_string: "x", version_stages: ["SYSPREVIOUS"] },
    });
    expect(sysprev.status).toBe(400);
    expect(sysprev.body.error.error_msg).toContain("version_stages");
  });

  it("a secret keeps at most 20 versions: the oldest without a stage goes", async () => {
    await createSecret("s");
    for (let i = 2; i <= 22; i++) {
      const res = await server.call("POST", `${secrets()}/s/versions`, {
        body: { secret_string: `v${i}` },
      });
      expect(res.status).toBe(200);
    }
    const list = await server.call("GET", `${secrets()}/s/versions`);
    const ids = list.body.version_metadatas.map((v: any) => v.id);
    expect(ids).toHaveLength(20);
    expect(ids[0]).toBe("v3");
    expect(ids.at(-1)).toBe("v22");
  });

  it("expire_time must lie ahead; update moves it; unknown versions are 404", async () => {
    await createSecret("s");
    const past = await server.call("POST", `${secrets()}/s/versions`, {
      body: { secret_string: "x", expire_time: 1000 },
    });
    expect(past.status).toBe(400);
    expect(past.body.error.error_msg).toContain("expire_time");
    const later = Date.now() + 86_400_000;
    const moved = await server.call("PUT", `${secrets()}/s/versions/v1`, {
      body: { expire_time: later },
    });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.version_metadata).toMatchObject({ id: "v1", expire_time: later });
    const latest = await server.call("PUT", `${secrets()}/s/versions/latest`, {
      body: { expire_time: later + 1 },
    });
    expect(latest.body.version_metadata.id).toBe("v1");
    for (const path of ["/s/versions/v9", "/nope/versions/v1", "/nope/versions"]) {
      const res = await server.call("GET", `${secrets()}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.body.error.error_code).toBe("CSMS.0005");
    }
    const bad = await server.call("GET", `${secrets()}/s/versions/1`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.error_msg).toContain("version_id");
  });

  it("rotate adds a SYSCURRENT version with a new random value of the same kind", async () => {
    await createSecret("bin", { secret_string: undefined, secret_binary: "AAEC" });
    const res = await server.call("POST", `${secrets()}/bin/rotate`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ version_id: "v2", secret_name: "bin" });
    const latest = await server.call("GET", `${secrets()}/bin/versions/latest`);
    expect(latest.body.version.version_metadata.version_stages).toEqual(["SYSCURRENT"]);
    expect(latest.body.version.secret_binary).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(latest.body.version.secret_binary).not.toBe("AAEC");
    expect((await server.call("GET", `${secrets()}/bin`)).body.secret.rotation_time).toBeTypeOf(
      "number",
    );
    expect((await server.call("POST", `${secrets()}/nope/rotate`)).status).toBe(404);
  });
});

describe("project isolation", () => {
  it("secrets, versions and records of one project are invisible to another", async () => {
    await createEvent("e1");
    await createSecret("mine", { event_subscriptions: ["e1"] });
    expect((await server.call("GET", secrets(Q))).body.secrets).toEqual([]);
    for (const [method, path] of [
      ["GET", "/mine"],
      ["GET", "/mine/versions"],
      ["GET", "/mine/versions/v1"],
      ["GET", "/mine/versions/latest"],
      ["POST", "/mine/rotate"],
      ["DELETE", "/mine"],
    ] as const) {
      const res = await server.call(method, `${secrets(Q)}${path}`);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const version = await server.call("POST", `${secrets(Q)}/mine/versions`, {
      body: { secret_string: "x" },
    });
    expect(version.status).toBe(404);
    await server.call("POST", "/_admin/deliveries/flush");
    const records = await server.call("GET", `/v1/${Q}/csms/notification-records`);
    expect(records.body.records).toEqual([]);
    const own = await server.call("GET", `/v1/${P}/csms/notification-records`);
    expect(own.body.records).toHaveLength(1);
    // Q may use the same name for its own secret.
    await createSecret("mine", {}, Q);
    const shown = await server.call("GET", `${secrets(Q)}/mine/versions/v1`);
    expect(shown.body.version.secret_string).toBe("value-of-mine");
  });
});

describe("secret values stay secret", () => {
  it("a marker value is never in logs, traces, deliveries, records or error messages", async () => {
    await createEvent("e1", P, [
      "SECRET_VERSION_CREATED",
      "SECRET_ROTATED",
      "SECRET_DELETED",
      "SECRET_VERSION_EXPIRED",
    ]);
    const created = await server.call("POST", secrets(), {
      body: { name: "s", secret_string: MARKER, event_subscriptions: ["e1"] },
    });
    expect(created.status).toBe(200);
    const errors = [
      await server.call("POST", secrets(), { body: { name: "s", secret_string: MARKER } }),
      await server.call("POST", secrets(), {
        body: { name: "t", secret_string: MARKER, secret_binary: MARKER },
      }),
      await server.call("POST", secrets(), {
        body: { name: "u", secret_string: `${MARKER}${"x".repeat(40_000)}` },
      }),
      await server.call("POST", `${secrets()}/s/versions`, {
        body: { secret_string: MARKER, expire_time: 5 },
      }),
      await server.call("POST", `${secrets()}/s/versions`, {
        body: { secret_string: MARKER, oops: MARKER },
      }),
      await server.call("POST", `${secrets()}/s/versions`, {
        raw: `{"secret_string": "${MARKER}", broken`,
        headers: { "Content-Type": "application/json" },
      }),
      await server.call("POST", `${secrets()}/s/versions`, {
        raw: `{"secret_string": "${MARKER}" "x": 1}`,
        headers: { "Content-Type": "application/json" },
      }),
    ];
    for (const res of errors) {
      expect(res.status, res.text).toBe(400);
      expect(res.text).not.toContain(MARKER);
    }
    const v2 = await server.call("POST", `${secrets()}/s/versions`, {
      body: { secret_string: MARKER, expire_time: Date.now() + 3_600_000 },
    });
    expect(v2.status).toBe(200);
    expect(v2.text).not.toContain(MARKER);
    expect((await server.call("POST", `${secrets()}/s/rotate`)).status).toBe(200);
    expect((await server.call("POST", "/_admin/clock", { body: { advance: "PT2H" } })).status).toBe(
      200,
    );
    // The one place the value comes back.
    const shown = await server.call("GET", `${secrets()}/s/versions/v2`);
    expect(shown.body.version.secret_string).toBe(MARKER);
    expect((await server.call("DELETE", `${secrets()}/s`)).status).toBe(204);
    await server.call("POST", "/_admin/deliveries/flush");

    // The clock moved 2 hours ahead: a window around the whole test.
    const window = `from=${Date.now() - 3_600_000}&to=${Date.now() + 10 * 3_600_000}`;
    const traces = await server.call(
      "GET",
      `/v3/${P}/traces?trace_type=system&limit=200&${window}`,
    );
    expect(traces.status).toBe(200);
    const secretTraces = traces.body.traces.filter((t: any) => t.resource_type === "secret");
    expect(secretTraces.map((t: any) => t.trace_name)).toEqual(
      expect.arrayContaining([
        "createSecret",
        "createSecretVersion",
        "rotateSecret",
        "deleteSecret",
      ]),
    );
    const created_ = secretTraces.find(
      (t: any) => t.trace_name === "createSecret" && t.code === "200",
    );
    expect(JSON.parse(created_.request)).toMatchObject({ name: "s", secret_string: "******" });
    expect(created_.resource_name).toBe("s");
    expect(traces.body.traces.filter((t: any) => JSON.stringify(t).includes(MARKER))).toEqual([]);

    const deliveries = await server.call("GET", `/_admin/deliveries?project_id=${P}`);
    expect(deliveries.body.deliveries.length).toBeGreaterThanOrEqual(4);
    expect(deliveries.text).not.toContain(MARKER);
    expect(receiver.received.length).toBeGreaterThanOrEqual(4);
    for (const r of receiver.received) expect(r.body).not.toContain(MARKER);
    const records = await server.call("GET", `/v1/${P}/csms/notification-records`);
    expect(records.body.records.map((r: any) => r.trigger_event_type)).toEqual(
      expect.arrayContaining([
        "SECRET_VERSION_CREATED",
        "SECRET_ROTATED",
        "SECRET_VERSION_EXPIRED",
        "SECRET_DELETED",
      ]),
    );
    expect(records.text).not.toContain(MARKER);
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.join("\n")).not.toContain(MARKER);
  });
});
