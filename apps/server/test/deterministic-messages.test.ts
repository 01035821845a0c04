// `--deterministic` numbers SMN message ids as it numbers resources: the same requests give the
// same messages, and so the same signatures with the same key, run after run (and on every store).
import { expect, it } from "vitest";
import { startReceiver } from "./events/support.js";
import { start } from "./helpers.js";

const P = "p1";
const TOPIC = `urn:smn:cn-north-4:${P}:ops`;
const receiver = await startReceiver();
const server = await start({
  deterministic: true,
  seed: { sinks: { [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}/smn` }] } },
});

async function deliveredMessageIds(): Promise<string[]> {
  receiver.received.length = 0;
  const created = await server.call("POST", `/v3/${P}/notifications`, {
    body: { notification_name: "all", operation_type: "complete", topic_id: TOPIC },
  });
  expect(created.status).toBe(201);
  const injected = await server.call("POST", `/_admin/projects/${P}/traces`, {
    body: { service_type: "ECS", resource_type: "ecs", trace_name: "deleteServer" },
  });
  expect(injected.status).toBe(201);
  expect((await server.call("POST", "/_admin/deliveries/flush")).status).toBe(204);
  return receiver.received.map((r) => String(r.headers["x-smn-message-id"])).sort();
}

it("numbers SMN message ids from the start, and again after a reset", async () => {
  const first = await deliveredMessageIds();
  // The notification's own creation and the injected trace: two messages.
  expect(first).toEqual(["00000000000040008000000000000001", "00000000000040008000000000000002"]);
  expect((await server.call("POST", "/_admin/reset")).status).toBe(204);
  expect(await deliveredMessageIds()).toEqual(first);
});
