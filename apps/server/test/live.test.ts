/**
 * The live page and its event stream over real HTTP (issue 25): a client connected to
 * `GET /_admin/live/events` sees a trace injected over HTTP arrive with its explanation, its
 * delivery to a local receiver, the CSMS notification record and the request journal; no secret
 * value appears in the stream; the page is served with the docs' hardening; the server's close
 * ends an open stream.
 */
import { randomUUID } from "node:crypto";
import { createAdminClient, createCsmsClient, createCtsClient } from "@cts-csms/client";
import { expect, it } from "vitest";
import { startReceiver } from "./events/support.js";
import { start } from "./helpers.js";

const P = "24edf66e79d04187acb99a463e610764";
const TOPIC = `urn:smn:cn-north-4:${P}:live`;
const MARKER = `LIVEMARKER${randomUUID().replaceAll("-", "")}`;
const receiver = await startReceiver();

interface LiveEvent {
  event: string;
  data: any;
}

/** Reads an SSE stream, parsing its events as they come; `text` keeps every byte read. */
function readEvents(body: ReadableStream<Uint8Array>) {
  const events: LiveEvent[] = [];
  const state = { text: "", ended: false };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  const done = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      const chunk = decoder.decode(value, { stream: true });
      state.text += chunk;
      pending += chunk;
      let end = pending.indexOf("\n\n");
      while (end >= 0) {
        const block = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        end = pending.indexOf("\n\n");
      }
    }
    state.ended = true;
  })();
  return { events, state, done };
}

async function until<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${what} in the stream`);
}

it("streams a trace with its explanation, its delivery, a CSMS record and the journal; no secret value", async () => {
  const server = await start({
    seed: { sinks: { [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}/smn` }] } },
  });
  const admin = createAdminClient({ endpoint: server.url, retry: false, throwOnError: true });
  const clientOptions = { endpoint: server.url, projectId: P, auth: { token: "t" } };
  const cts = createCtsClient({ ...clientOptions, retry: false, throwOnError: true });
  const csms = createCsmsClient({ ...clientOptions, retry: false, throwOnError: true });

  const res = await fetch(`${server.url}/_admin/live/events?project_id=${P}`, {
    headers: { Accept: "text/event-stream" },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  expect(server.live.open()).toBe(1);
  const stream = readEvents(res.body as ReadableStream<Uint8Array>);

  const created = await cts.createNotification({
    body: {
      notification_name: "live_matching",
      operation_type: "customized",
      operations: [{ service_type: "ECS", resource_type: "ecs", trace_names: ["deleteServer"] }],
      topic_id: TOPIC,
    } as never,
  });
  const notificationId = created.data?.notification_id as string;
  await csms.createSecretEvent({
    body: {
      name: "versions",
      event_types: ["SECRET_VERSION_CREATED"],
      state: "ENABLED",
      notification: { target_type: "SMN", target_id: TOPIC, target_name: "versions" },
    },
  });
  await csms.createSecret({
    body: { name: "db-password", secret_string: MARKER, event_subscriptions: ["versions"] },
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

  const trace = await until(
    () => stream.events.find((e) => e.event === "trace" && e.data.trace.trace_id === traceId),
    "injected trace",
  );
  // The explanation is the admin route's own answer for the trace.
  const explained = await admin.explainTrace({
    params: { path: { project_id: P, trace_id: traceId } },
  });
  expect(trace.data.notifications).toEqual(explained.data?.notifications);
  expect(trace.data.notifications).toContainEqual(
    expect.objectContaining({ notification_id: notificationId, matched: true }),
  );
  const delivered = await until(
    () =>
      stream.events.find(
        (e) =>
          e.event === "delivery" && e.data.trace_id === traceId && e.data.status === "delivered",
      ),
    "delivered delivery of the trace",
  );
  expect(delivered.data).toMatchObject({ attempts: 1, response_status: 200, target: TOPIC });
  expect(JSON.parse(delivered.data.payload)).toBeTruthy();
  const record = await until(
    () => stream.events.find((e) => e.event === "record"),
    "CSMS notification record",
  );
  expect(record.data).toMatchObject({
    secret_name: "db-password",
    trigger_event_type: "SECRET_VERSION_CREATED",
  });
  const requests = await until(() => {
    const ops = stream.events.filter((e) => e.event === "request").map((e) => e.data.operation_id);
    return ops.includes("injectTrace") ? ops : undefined;
  }, "journal entry of injectTrace");
  expect(requests).toEqual(
    expect.arrayContaining(["createNotification", "createSecret", "injectTrace"]),
  );
  // Watching is not journaled.
  expect(requests).not.toContain("streamLiveEvents");
  // The secret's request is in the stream with its body, the value masked.
  const secretRequest = stream.events.find(
    (e) => e.event === "request" && e.data.operation_id === "createSecret",
  );
  expect(JSON.stringify(secretRequest?.data.body)).toContain("secret_string");
  expect(stream.state.text).not.toContain(MARKER);

  // The server's close ends the open stream rather than wait on it.
  await server.close();
  await stream.done;
  expect(stream.state.ended).toBe(true);
  expect(server.live.open()).toBe(0);
});

it("serves the page with the docs' hardening, and refuses a stream without a project", async () => {
  const server = await start();
  const page = await fetch(`${server.url}/_admin/live?project_id=${P}`);
  expect(page.status).toBe(200);
  expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  const csp = page.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self' 'unsafe-inline'");
  expect(page.headers.get("x-content-type-options")).toBe("nosniff");
  const html = await page.text();
  expect(html).toContain("/_admin/live/events");
  // Offline: nothing is loaded from another origin.
  expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);

  const missing = await fetch(`${server.url}/_admin/live/events`);
  expect(missing.status).toBe(400);
  expect(JSON.stringify(await missing.json())).toContain("project_id");
});
