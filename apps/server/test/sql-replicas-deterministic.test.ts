/**
 * `--deterministic` across replicas: two servers on one PostgreSQL database, sent requests one at
 * a time, alternately, give the answers one deterministic server gives to the same requests:
 * the same sequential ids, the same times (1 ms per clock read), through clock moves and resets.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createServer, type RunningServer } from "../src/index.js";
import { request } from "./helpers.js";
import { replicasOnPostgres } from "./stores.js";

const P = "5d0a37a6c1c84c0c8f3c59c4b4bb2a11";
const replicas = replicasOnPostgres(2, { deterministic: true });
let one: RunningServer;
beforeAll(async () => {
  one = await createServer({ port: 0, logger: false, deterministic: true });
});
afterAll(async () => {
  await one?.close();
});

/** Each step: sent to replica A or B, and to the one server; their answers must be equal. */
const steps: [replica: 0 | 1, method: string, path: string, body?: unknown][] = [
  [0, "POST", "/_admin/reset"],
  [0, "POST", `/v3/${P}/notifications`, { notification_name: "n1", operation_type: "complete" }],
  [1, "POST", `/v3/${P}/notifications`, { notification_name: "n2", operation_type: "complete" }],
  [1, "POST", `/v1/${P}/secrets`, { name: "s1", secret_string: "one" }],
  [0, "POST", `/v1/${P}/secrets/s1/versions`, { secret_string: "two" }],
  [1, "POST", "/_admin/clock", { advance: "PT1H" }],
  [0, "POST", `/v3/${P}/notifications`, { notification_name: "n3", operation_type: "complete" }],
  [1, "GET", `/v3/${P}/notifications/smn`],
  [0, "GET", `/v1/${P}/secrets/s1`],
  [1, "GET", `/v3/${P}/traces?trace_type=system`],
  [0, "GET", "/_admin/clock"],
  // A full reset through B restarts the ids and the clock on A too.
  [1, "POST", "/_admin/reset"],
  [0, "POST", `/v3/${P}/notifications`, { notification_name: "n4", operation_type: "complete" }],
  [1, "GET", `/v3/${P}/traces?trace_type=system`],
  [0, "GET", "/_admin/clock"],
];

it("gives, spread over two replicas, the ids and times one server gives", async () => {
  const servers = replicas.servers;
  for (const [i, [replica, method, path, body]] of steps.entries()) {
    const init = { headers: { "X-Request-Id": `step-${i}` }, ...(body !== undefined && { body }) };
    const spread = await request(servers[replica]!.url, method, path, init);
    const single = await request(one.url, method, path, init);
    expect(spread.status, `${method} ${path}: ${spread.text}`).toBe(single.status);
    expect(spread.body, `${method} ${path} on replica ${replica}`).toEqual(single.body);
  }
  // Not vacuous: the answers hold sequential ids, and the clock moved.
  const last = await request(servers[1]!.url, "GET", `/v3/${P}/notifications/smn`);
  expect(last.body.notifications[0].notification_id).toMatch(/^00000000-0000-4000-8000-/);
});
