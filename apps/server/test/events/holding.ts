/**
 * Deliveries kept pending on purpose, for the tests of deliveries that outlive their server: a
 * receiver route that holds every request until released, and the notifications that make
 * every traced write of a project queue deliveries to it.
 */
import type { ServerResponse } from "node:http";
import { expect } from "vitest";
import { request } from "../helpers.js";
import type { Receiver } from "./support.js";

/**
 * Holds every request to `path` (the attempts stay in flight) until `release()`, which cuts the
 * held ones; from then on answers `204` and records each SMN `message_id` in `answered`.
 */
export function holdingRoute(receiver: Receiver, path: string) {
  let holding = true;
  const held: ServerResponse[] = [];
  const answered: string[] = [];
  receiver.on(path, (req, res) => {
    if (holding) {
      held.push(res);
      return;
    }
    answered.push(req.json.message_id);
    res.writeHead(204).end();
  });
  return {
    answered,
    release() {
      holding = false;
      for (const res of held) res.destroy();
    },
  };
}

/**
 * Sets `topic`'s sink to `endpoint` and creates a `complete` notification per name: each matches
 * every trace of the project, so each write queues one delivery per notification so far.
 */
export async function everythingTo(
  url: string,
  projectId: string,
  topic: string,
  endpoint: string,
  names: string[],
): Promise<void> {
  const sinks = { [topic]: [{ protocol: "http", endpoint }] };
  expect((await request(url, "PUT", "/_admin/sinks", { body: sinks })).status).toBe(200);
  for (const name of names) {
    const created = await request(url, "POST", `/v3/${projectId}/notifications`, {
      body: { notification_name: name, operation_type: "complete", topic_id: topic },
    });
    expect(created.status, created.text).toBe(201);
  }
}

/** A project's delivery log as the server at `url` shows it. */
export async function deliveryLog(url: string, projectId: string): Promise<any[]> {
  return (await request(url, "GET", `/_admin/deliveries?project_id=${projectId}`)).body.deliveries;
}
