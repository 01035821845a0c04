/**
 * Durable deliveries on one PGlite data dir across a restart: a server stopped while its
 * deliveries are pending lets go of them, and the next server on the same directory delivers
 * each, with the payload and SMN `message_id` it was queued with.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deliveryLog, everythingTo, holdingRoute } from "./events/holding.js";
import { startReceiver } from "./events/support.js";
import { tempDir } from "./helpers.js";
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
    const route = holdingRoute(receiver, "/smn");
    const first = serve(["--data-dir", dir]);
    const urlA = await first.url;
    // 1 + 2 + 3 + 4 deliveries: each write's trace matches every notification so far.
    await everythingTo(urlA, P, TOPIC, `${receiver.url}/smn`, ["everything", "n1", "n2", "n3"]);
    const logOf = (url: string) => deliveryLog(url, P);
    await expect.poll(() => receiver.received.length).toBeGreaterThan(0);
    const before = await logOf(urlA);
    expect(before).toHaveLength(10);
    expect(before.every((d) => d.status === "pending")).toBe(true);

    // Stopped cleanly (SIGTERM): the attempts in flight are cut, the deliveries let go.
    expect(await first.kill("SIGTERM")).toBe(0);
    route.release();

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
    expect([...route.answered].sort()).toEqual([...ids].sort());
    await second.kill("SIGTERM");
  });
});
