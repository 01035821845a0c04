/**
 * Durable deliveries on one PGlite data dir across a restart: a server stopped while its
 * deliveries are pending lets go of them, and the next server on the same directory delivers
 * each, with the payload and SMN `message_id` it was queued with.
 */
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startReceiver } from "./events/support.js";
import { request, tempDir } from "./helpers.js";
import { STARTUP_MS, serve } from "./processes.js";

const P = "0b6f3c2d8e1a4f5b9c7d6e5f4a3b2c1d";
const TOPIC = `urn:smn:cn-north-4:${P}:ops`;
const receiver = await startReceiver();

describe("pending deliveries across a restart on one --data-dir", {
  timeout: 3 * STARTUP_MS,
}, () => {
  const dir = join(tempDir("restart-deliveries"), "state");

  it("are delivered by the next server, each once more with its message_id", async () => {
    // The receiver holds every request until the first server is stopped: its deliveries stay
    // pending, their first attempts in flight.
    let holding = true;
    const held: ServerResponse[] = [];
    const answered: string[] = [];
    receiver.on("/smn", (req, res) => {
      if (holding) {
        held.push(res);
        return;
      }
      answered.push(req.json.message_id);
      res.writeHead(204).end();
    });
    const first = serve(["--data-dir", dir]);
    const urlA = await first.url;
    const sinks = { [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}/smn` }] };
    expect((await request(urlA, "PUT", "/_admin/sinks", { body: sinks })).status).toBe(200);
    // Every `complete` notification matches every trace of the project: each write queues a
    // delivery per notification (its own included), 1 + 2 + 3 + 4 of them.
    for (const name of ["everything", "n1", "n2", "n3"]) {
      const created = await request(urlA, "POST", `/v3/${P}/notifications`, {
        body: { notification_name: name, operation_type: "complete", topic_id: TOPIC },
      });
      expect(created.status, created.text).toBe(201);
    }
    const logOf = async (url: string) =>
      (await request(url, "GET", `/_admin/deliveries?project_id=${P}`)).body.deliveries as any[];
    await expect.poll(() => receiver.received.length).toBeGreaterThan(0);
    const before = await logOf(urlA);
    expect(before).toHaveLength(10);
    expect(before.every((d) => d.status === "pending")).toBe(true);

    // Stopped cleanly (SIGTERM): the attempts in flight are cut, the deliveries let go.
    expect(await first.kill("SIGTERM")).toBe(0);
    holding = false;
    for (const res of held) res.destroy();

    const second = serve(["--data-dir", dir]);
    const urlB = await second.url;
    await expect
      .poll(async () => (await logOf(urlB)).every((d) => d.status === "delivered"), {
        timeout: 60_000,
        interval: 250,
      })
      .toBe(true);
    const after = await logOf(urlB);
    expect(after.map((d) => d.delivery_id)).toEqual(before.map((d) => d.delivery_id));
    const ids = after.map((d) => JSON.parse(d.payload).message_id as string);
    expect(ids).toEqual(before.map((d) => JSON.parse(d.payload).message_id));
    expect(new Set(ids).size).toBe(10);
    expect([...answered].sort()).toEqual([...ids].sort());
    await second.kill("SIGTERM");
  });
});
