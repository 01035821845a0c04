/**
 * The spec's value domains on every store (issue 19): what the spec accepts, memory, PGlite and
 * PostgreSQL store and return exactly; what it refuses is a 400 naming the field, before any
 * store is touched. Integers within their bounds, real calendar instants, one spelling per
 * identifier and marker, and the stage the server adds counted in the limit it checks.
 */
import { describe, expect, it } from "vitest";
import { createServer } from "../src/index.js";
import { type CallInit, errorMessage, request, tempDir } from "./helpers.js";
import { serverOn, stores } from "./stores.js";

/** 9999-12-31T23:59:59.999Z, the spec's bound on every millisecond timestamp. */
const MAX_TIME = 253402300799999;
const P = "24edf66e79d04187acb99a463e610764";
const TOPIC = `urn:smn:cn-north-4:${P}:domains`;

const json = { "Content-Type": "application/json" };

/** A 400 (in the path's envelope: `request` checks it) whose message names `field`. */
function expect400(res: { status: number; body: unknown; text: string }, field: string) {
  expect(res.status, res.text).toBe(400);
  expect(errorMessage(res.body)).toContain(field);
}

describe.each(Object.entries(stores(tempDir("domains"))))(
  "value domains on %s",
  { timeout: 120_000 },
  (_, setup) => {
    const running = serverOn(setup);
    const call = (method: string, path: string, init: CallInit = {}) =>
      request(running.server.url, method, path, init);
    const secret = async (name: string) => {
      const res = await call("POST", `/v1/${P}/secrets`, {
        body: { name, secret_string: `value-of-${name}` },
      });
      expect(res.status, res.text).toBe(200);
    };

    it("millisecond timestamps: the bound is stored exactly, anything past it is a 400", async () => {
      await secret("times");
      const versions = `/v1/${P}/secrets/times/versions`;
      // Raw bodies: JSON numbers a JavaScript client could not even write.
      for (const raw of ["1e300", "9223372036854775808", "9007199254740993", `${MAX_TIME + 1}`]) {
        const created = await call("POST", versions, {
          raw: `{"secret_string":"x","expire_time":${raw}}`,
          headers: json,
        });
        expect400(created, "expire_time");
        const updated = await call("PUT", `${versions}/v1`, {
          raw: `{"expire_time":${raw}}`,
          headers: json,
        });
        expect400(updated, "expire_time");
      }
      // Nothing of the refused requests was stored.
      const list = await call("GET", versions);
      expect(list.body.version_metadatas.map((v: { id: string }) => v.id)).toEqual(["v1"]);
      const created = await call("POST", versions, {
        body: { secret_string: "x", expire_time: MAX_TIME },
      });
      expect(created.status, created.text).toBe(200);
      expect(created.body.version_metadata.expire_time).toBe(MAX_TIME);
      const shown = await call("GET", `${versions}/v2`);
      expect(shown.text).toContain(`"expire_time":${MAX_TIME}`);
      const traces = await call("POST", `/_admin/projects/${P}/traces`, {
        raw: `{"service_type":"ECS","resource_type":"ecs","trace_name":"x","time":1e300}`,
        headers: json,
      });
      expect400(traces, "time");
      const window = await call("GET", `/v3/${P}/traces?trace_type=system&to=${MAX_TIME + 1}`);
      expect400(window, "to");
    });

    it("a version gets at most 11 custom stages besides SYSCURRENT, and a secret 12 stages in all", async () => {
      await secret("stages");
      const versions = `/v1/${P}/secrets/stages/versions`;
      const twelve = Array.from({ length: 12 }, (_, i) => `stage-${i}`);
      const refused = await call("POST", versions, {
        body: { secret_string: "x", version_stages: twelve },
      });
      expect400(refused, "version_stages");
      const listed = await call("GET", versions);
      expect(listed.status, listed.text).toBe(200);
      expect(listed.body.version_metadatas).toHaveLength(1);
      // The schema admits 11 besides SYSCURRENT; a secret holds 12 stages in all (decision 45),
      // SYSPREVIOUS among them once a second version exists: 11 custom ones are refused, naming
      // the field, and 10 fit.
      const eleven = await call("POST", versions, {
        body: { secret_string: "x", version_stages: twelve.slice(1) },
      });
      expect400(eleven, "version_stages");
      expect(eleven.body.error.error_msg).toContain("at most 12");
      const ten = await call("POST", versions, {
        body: { secret_string: "x", version_stages: twelve.slice(2) },
      });
      expect(ten.status, ten.text).toBe(200);
      expect(ten.body.version_metadata.version_stages).toHaveLength(11);
      const withCurrent = await call("POST", versions, {
        body: { secret_string: "x", version_stages: ["SYSCURRENT", ...twelve.slice(2)] },
      });
      expect(withCurrent.status, withCurrent.text).toBe(200);
      expect(withCurrent.body.version_metadata.version_stages).toHaveLength(11);
      expect((await call("GET", versions)).status).toBe(200);
      expect((await call("GET", `${versions}/latest`)).status).toBe(200);
    });

    it("identifiers have one spelling: v01 and upper-case UUIDs are 400s", async () => {
      await secret("spelling");
      const versions = `/v1/${P}/secrets/spelling/versions`;
      expect((await call("GET", `${versions}/v1`)).status).toBe(200);
      for (const id of ["v01", "v0", "v1.0", "V1", "v4294967297"]) {
        expect400(await call("GET", `${versions}/${id}`), "version_id");
        expect400(
          await call("PUT", `${versions}/${id}`, { body: { expire_time: MAX_TIME } }),
          "version_id",
        );
      }
      const created = await call("POST", `/v3/${P}/notifications`, {
        body: { notification_name: "spelling", operation_type: "complete" },
      });
      expect(created.status, created.text).toBe(201);
      // Deterministic ids are all digits: give one letters, in upper case (lower case, a 404).
      const id = String(created.body.notification_id);
      const upper = `${id.slice(0, 24)}ABCDEF${id.slice(30)}`;
      const lower = await call(
        "DELETE",
        `/v3/${P}/notifications?notification_id=${upper.toLowerCase()}`,
      );
      expect(lower.status, lower.text).toBe(404);
      expect400(
        await call("DELETE", `/v3/${P}/notifications?notification_id=${upper}`),
        "notification_id",
      );
      expect400(
        await call("PUT", `/v3/${P}/notifications`, {
          body: {
            notification_id: upper,
            notification_name: "spelling",
            operation_type: "complete",
            status: "disabled",
          },
        }),
        "notification_id",
      );
      const trace = await call("POST", `/_admin/projects/${P}/traces`, {
        body: { service_type: "ECS", resource_type: "ecs", trace_name: "deleteServer" },
      });
      expect(trace.status, trace.text).toBe(201);
      const traceId = String(trace.body.trace_id);
      const upperTrace = `${traceId.slice(0, 24)}ABCDEF${traceId.slice(30)}`;
      expect400(
        await call("GET", `/v3/${P}/traces?trace_type=system&trace_id=${upperTrace}`),
        "trace_id",
      );
      expect400(await call("GET", `/v3/${P}/traces?trace_type=system&next=${upperTrace}`), "next");
      // The notification is still there: nothing was deleted by the refused spellings.
      const deleted = await call(
        "DELETE",
        `/v3/${P}/notifications?notification_id=${created.body.notification_id}`,
      );
      expect(deleted.status, deleted.text).toBe(204);
    });

    it("a paging marker the server never issued is a 400 on every marker list", async () => {
      await secret("paged");
      const versions = `/v1/${P}/secrets/paged/versions`;
      await call("POST", versions, { body: { secret_string: "x" } });
      const first = await call("GET", `${versions}?limit=1`);
      expect(first.body.page_info.next_marker).toBe("v1");
      expect((await call("GET", `${versions}?marker=v1`)).body.version_metadatas).toHaveLength(1);
      expect400(await call("GET", `${versions}?marker=v3`), "marker");
      expect400(await call("GET", `${versions}?marker=v01`), "marker");

      // Records: a secret whose event fires on a new version, to an SMN topic without a sink.
      const event = await call("POST", `/v1/${P}/csms/events`, {
        body: {
          name: "paged-event",
          event_types: ["SECRET_VERSION_CREATED"],
          state: "ENABLED",
          notification: { target_type: "SMN", target_id: TOPIC, target_name: "domains" },
        },
      });
      expect(event.status, event.text).toBe(200);
      const subscribed = await call("PUT", `/v1/${P}/secrets/paged`, {
        body: { event_subscriptions: ["paged-event"] },
      });
      expect(subscribed.status, subscribed.text).toBe(200);
      for (let i = 0; i < 2; i++) await call("POST", versions, { body: { secret_string: "x" } });
      expect((await call("POST", "/_admin/deliveries/flush")).status).toBe(204);
      const records = `/v1/${P}/csms/notification-records`;
      const page = await call("GET", `${records}?limit=1`);
      expect(page.body.records).toHaveLength(1);
      const marker = String(page.body.page_info.next_marker);
      const next = await call("GET", `${records}?marker=${marker}`);
      expect(next.status, next.text).toBe(200);
      expect(next.body.records).toHaveLength(1);
      const [time, seq] = marker.split("-");
      for (const never of [
        `${time}-${Number(seq) + 1000}`,
        `0${time}-${seq}`,
        `${time}-0${seq}`,
        `${Number(time) + 1}-${seq}`,
        "x",
      ]) {
        expect400(await call("GET", `${records}?marker=${never}`), "marker");
      }
    });

    it("the clock takes real instants only, never rolled over", async () => {
      for (const time of [
        "2025-02-30T00:00:00Z",
        "2025-02-29T00:00:00Z",
        "2025-01-01T24:00:00Z",
        "2025-12-31T23:59:60Z",
        "2025-01-01T00:00:00.1234Z",
        "2025-01-01 00:00:00Z",
        "2025-01-01t00:00:00z",
        "2025-01-01T00:00:00+24:00",
        "+002025-01-01T00:00:00Z",
      ]) {
        expect400(await call("POST", "/_admin/clock", { body: { time } }), "time");
      }
      const moved = await call("POST", "/_admin/clock", {
        body: { time: "2028-02-29T12:00:00+01:00" },
      });
      expect(moved.status, moved.text).toBe(200);
      expect(moved.body.time).toBe("2028-02-29T11:00:00.000Z");
    });
  },
);

describe("the clock's upper bound", { timeout: 120_000 }, () => {
  it("moves to 9999-12-31T23:59:59.999Z at most, and past it is a 400 (not a 500)", async () => {
    const server = await createServer({ port: 0, logger: false, deterministic: true });
    try {
      const call = (init: CallInit, method = "POST") =>
        request(server.url, method, "/_admin/clock", init);
      expect400(await call({ body: { time: "9999-12-31T23:59:59.999-01:00" } }), "time");
      // Ten years per move at most: walk there.
      let now = Number((await call({}, "GET")).body.now);
      while (MAX_TIME - now > 3650 * 86_400_000) {
        const step = await call({ body: { advance: "P3650D" } });
        expect(step.status, step.text).toBe(200);
        now = Number(step.body.now);
      }
      const end = await call({ body: { time: "9999-12-31T23:59:59.999Z" } });
      expect(end.status, end.text).toBe(200);
      expect(end.body).toEqual({
        now: MAX_TIME,
        time: "9999-12-31T23:59:59.999Z",
        offset_ms: expect.any(Number),
      });
      expect400(await call({ body: { advance: "PT0.001S" } }), "advance");
      expect400(await call({ body: { advance: "P3650D" } }), "advance");
      expect((await call({}, "GET")).body.now).toBe(MAX_TIME);
      expect(server.responseValidationFailures()).toBe(0);
    } finally {
      await server.close();
    }
  });
});
