/** A deterministic server on each store (memory, PGlite, PostgreSQL) for a describe block. */
import { afterAll, beforeAll, expect } from "vitest";
import { createServer, type RunningServer, type ServerOptions } from "../src/index.js";
import { type TestPostgres, testPostgres } from "../src/testing/postgres.js";

// Creating a PGlite data dir or starting PostgreSQL on a loaded 2-core machine can take long.
export const SQL_START_MS = 180_000;

export type StoreKind = "memory" | "pglite" | "postgres";

type StoreSetup = () => Promise<{ options: object; cleanup?: () => Promise<void> }>;

/** How to put a server on each store; PGlite's data goes under `dir`. */
export function stores(dir: string): Record<StoreKind, StoreSetup> {
  return {
    memory: async () => ({ options: {} }),
    pglite: async () => ({ options: { dataDir: `${dir}/pglite` } }),
    postgres: async () => {
      const pg = await testPostgres();
      return { options: { databaseUrl: await pg.database() }, cleanup: () => pg.close() };
    },
  };
}

/**
 * Starts a deterministic server on the store before the enclosing block's tests and closes it
 * (and its database) after them, asserting that no response failed response validation.
 */
export function serverOn(setup: StoreSetup): { readonly server: RunningServer } {
  let server: RunningServer | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const made = await setup();
    cleanup = made.cleanup;
    server = await createServer({ port: 0, logger: false, deterministic: true, ...made.options });
  }, SQL_START_MS);
  afterAll(async () => {
    if (server) {
      expect(server.responseValidationFailures()).toBe(0);
      await server.close();
    }
    await cleanup?.();
  });
  return {
    get server() {
      if (!server) throw new Error("the server is not started yet (use it inside a test)");
      return server;
    },
  };
}

/**
 * `count` servers (replicas) on one new PostgreSQL database, started before the enclosing
 * block's tests and closed after them (and the database), asserting that no response failed
 * response validation.
 */
export function replicasOnPostgres(
  count: number,
  options: Omit<ServerOptions, "databaseUrl" | "dataDir"> = {},
): { readonly servers: RunningServer[] } {
  let pg: TestPostgres | undefined;
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    pg = await testPostgres();
    const databaseUrl = await pg.database();
    for (let i = 0; i < count; i++) {
      servers.push(await createServer({ port: 0, logger: false, ...options, databaseUrl }));
    }
  }, SQL_START_MS);
  afterAll(async () => {
    for (const server of servers) {
      expect(server.responseValidationFailures()).toBe(0);
      await server.close();
    }
    await pg?.close();
  });
  return {
    get servers() {
      if (servers.length < count) throw new Error("the replicas are not started yet");
      return servers;
    },
  };
}
