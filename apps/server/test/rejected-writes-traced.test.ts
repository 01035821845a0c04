/**
 * Every authenticated write is traced, whatever its body: too deep to walk, too large, not JSON,
 * of the wrong media type, or refused by validation. The trace records the rejection (the status
 * as `code`, the error envelope the client got as `response`) and never the body. On each store,
 * the traces show in ListTraces and match a key event notification (a `complete` one matches
 * every trace: each write's trace is delivered once).
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ServerOptions } from "../src/index.js";
import { errorMessage, onEveryStore, start } from "./helpers.js";

const P = "24edf66e79d04187acb99a463e610764";
const MARKER = `TRACEMARKER${randomUUID().replaceAll("-", "")}`;
const MIB = 1024 * 1024;

/** The writes tried, each with a body that carries the marker as a secret value. */
const WRITES = [
  {
    operationId: "createNotification",
    path: `/v3/${P}/notifications`,
    body: { notification_name: "n", operation_type: "complete", secret_string: MARKER },
  },
  {
    operationId: "createSecretEvent",
    path: `/v1/${P}/csms/events`,
    body: { name: "e", event_types: ["SECRET_ROTATED"], state: "ENABLED", secret_string: MARKER },
  },
  {
    operationId: "createSecret",
    path: `/v1/${P}/secrets`,
    body: { name: 5, secret_string: MARKER },
  },
];

const JSON_TYPE = { "Content-Type": "application/json" };
/** Each shape of a rejected body: what is sent, and the status it gets. */
const SHAPES: {
  shape: string;
  status: number;
  send(body: object): { raw: string; headers: Record<string, string> };
}[] = [
  {
    shape: "too deep to walk",
    status: 400,
    send: (body) => ({
      raw: `${JSON.stringify(body).slice(0, -1)},"deep":${"[".repeat(200_000)}${"]".repeat(200_000)}}`,
      headers: JSON_TYPE,
    }),
  },
  {
    shape: "too large",
    status: 413,
    send: (body) => ({
      raw: `${JSON.stringify(body).slice(0, -1)},"pad":"${"x".repeat(MIB)}"}`,
      headers: JSON_TYPE,
    }),
  },
  {
    shape: "not JSON",
    status: 400,
    send: (body) => ({ raw: JSON.stringify(body).slice(0, -1), headers: JSON_TYPE }),
  },
  {
    shape: "of the wrong media type",
    status: 415,
    send: (body) => ({ raw: JSON.stringify(body), headers: { "Content-Type": "text/plain" } }),
  },
  {
    shape: "refused by validation",
    status: 400,
    send: (body) => ({ raw: JSON.stringify({ ...body, unknown: MARKER }), headers: JSON_TYPE }),
  },
];

function rejectedWritesAreTraced(options: () => ServerOptions) {
  it("traces each rejected write without its body, lists it and matches it", async () => {
    const server = await start(options());
    const topic = `urn:smn:cn-north-4:${P}:audit`;
    const watch = await server.call("POST", `/v3/${P}/notifications`, {
      body: { notification_name: "watch", operation_type: "complete", topic_id: topic },
    });
    expect(watch.status).toBe(201);

    const sent: {
      operationId: string;
      shape: string;
      status: number;
      requestId: string;
      answer: unknown;
    }[] = [];
    for (const write of WRITES) {
      for (const shape of SHAPES) {
        const answer = await server.call("POST", write.path, shape.send(write.body));
        expect(
          answer.status,
          `${write.operationId}, ${shape.shape}: ${errorMessage(answer.body)}`,
        ).toBe(shape.status);
        sent.push({
          operationId: write.operationId,
          shape: shape.shape,
          status: shape.status,
          requestId: answer.headers.get("x-request-id") as string,
          answer: answer.body,
        });
      }
    }

    const listed = await server.call("GET", `/v3/${P}/traces?trace_type=system&limit=100`);
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(MARKER);
    const traces = listed.body.traces as Record<string, any>[];
    const byRequest = new Map(traces.map((t) => [t.request_id, t]));
    for (const s of sent) {
      const trace = byRequest.get(s.requestId);
      const what = `${s.operationId}, ${s.shape}`;
      expect(trace, what).toBeDefined();
      expect(
        { trace_name: trace?.trace_name, code: trace?.code, rating: trace?.trace_rating },
        what,
      ).toEqual({ trace_name: s.operationId, code: String(s.status), rating: "warning" });
      expect(trace?.request, what).toBeUndefined();
      expect(JSON.parse(trace?.response), what).toEqual(s.answer);
    }
    // The notification's own creation, then each rejected write.
    expect(traces).toHaveLength(sent.length + 1);

    expect((await server.call("POST", "/_admin/deliveries/flush")).status).toBe(204);
    const deliveries = await server.call("GET", `/_admin/deliveries?project_id=${P}`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.text).not.toContain(MARKER);
    const delivered = deliveries.body.deliveries.filter(
      (d: { source: string }) => d.source === watch.body.notification_id,
    );
    expect(delivered).toHaveLength(sent.length + 1);
  });
}

onEveryStore("rejected writes are traced", rejectedWritesAreTraced);

describe("an oversized write of a caller who is not authenticated", () => {
  it("stays a 413 and is not traced (it is no authenticated write)", async () => {
    const token = "oversize-token";
    const server = await start({
      auth: "strict",
      credentials: { tokens: [{ token, projects: ["*"] }] },
    });
    const big = `{"name":"x","pad":"${"x".repeat(MIB)}"}`;
    const send = (t: string) =>
      server.call("POST", `/v1/${P}/csms/events`, {
        raw: big,
        bare: true,
        headers: { ...JSON_TYPE, "X-Auth-Token": t },
      });
    expect((await send(`${token}-wrong`)).status).toBe(413);
    expect((await send(token)).status).toBe(413);
    const listed = await server.call("GET", `/v3/${P}/traces?trace_type=system`, {
      bare: true,
      headers: { "X-Auth-Token": token },
    });
    expect(listed.body.traces.map((t: { code: string }) => t.code)).toEqual(["413"]);
  });
});
