/**
 * Credential hygiene of the SQL stores, through the built binary with everything it prints
 * (stdout, stderr, the pino log at `debug`) captured: the password of `--database-url` (or
 * `$DATABASE_URL`) never appears, whether the database is reachable, refuses the password, is
 * not there, drops the connection under the server, or the URL does not parse. And a data dir
 * the server creates is its owner's only (0700).
 */
import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "../src/index.js";
import { freePort, type TestPostgres, testPostgres } from "../src/testing/postgres.js";
import { serve } from "./binary.js";
import { example, request, tempDir } from "./helpers.js";

// Generous: starting PostgreSQL or the server on a loaded 2-core machine can take long.
const START_MS = 120_000;
const MARKER = `SECRETMARKER${randomUUID().replaceAll("-", "")}`;

describe("the database password is never printed", { timeout: 4 * START_MS }, () => {
  let postgres: TestPostgres;
  let role: string;
  /** The URL of a database of its own, as the role whose password is the marker. */
  let databaseUrl: string;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    postgres = await testPostgres();
    role = `cts_csms_hygiene_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await admin(`CREATE ROLE ${role} LOGIN PASSWORD '${MARKER}'`);
    const url = new URL(await postgres.database());
    await admin(`ALTER DATABASE ${url.pathname.slice(1)} OWNER TO ${role}`);
    url.username = role;
    url.password = MARKER;
    databaseUrl = url.toString();
  }, START_MS);
  afterAll(async () => {
    if (!postgres) return;
    await postgres.close();
    // On $DATABASE_URL's server the role outlives its (now dropped) database: drop it too.
    if (!postgres.embedded) await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  it("serves, loses its connections and shuts down without printing it", async () => {
    const server = serve(["--database-url", databaseUrl]);
    const url = await server.url;
    const event = { ...example("csms", "SeedCreateRequest"), name: "hygiene" };
    expect((await request(url, "POST", "/v1/p1/csms/events", { body: event })).status).toBe(200);
    expect((await request(url, "GET", "/v1/p1/csms/events/nope")).status).toBe(404);
    // The database drops the server's connections: logged as lost, answered 503, then recovered.
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'`);
    await expect
      .poll(
        async () =>
          (await fetch(`${url}/v1/p1/csms/events/hygiene`, { headers: { "X-Auth-Token": "t" } }))
            .status,
        { timeout: 30_000 },
      )
      .toBe(200);
    expect(await server.stop()).toBe(0);
    const output = server.output();
    // It did log: the start, each request, the shutdown.
    expect(output).toMatch(/listening on/);
    expect(output).toMatch(/"msg":"shutting down"/);
    expect(output).not.toContain(MARKER);
  });

  it("is not printed when start-up fails: wrong password, no server, an unparsable URL", async () => {
    const wrong = new URL(databaseUrl);
    wrong.password = `${MARKER}wrong`;
    const nobody = new URL(databaseUrl);
    nobody.port = String(await freePort());
    const cases: [string, RegExp][] = [
      [wrong.toString(), /cannot use the database: password authentication failed/],
      [nobody.toString(), /cannot use the database: .*ECONNREFUSED/],
      [`postgres://${role}:${MARKER}@127.0.0.1:notaport/db`, /cts-csms-server: /],
    ];
    for (const [bad, message] of cases) {
      for (const run of [serve(["--database-url", bad]), serve([], { DATABASE_URL: bad })]) {
        expect(await run.exit).not.toBe(0);
        expect(run.output()).toMatch(message);
        expect(run.output()).not.toContain(MARKER);
      }
    }
  });
});

describe("a data dir the server creates", () => {
  const parent = tempDir("data-dir-mode");
  it(
    "is its owner's only (0700)",
    async () => {
      const dir = `${parent}/new/state`;
      const server = await createServer({ port: 0, logger: false, dataDir: dir });
      try {
        expect(statSync(dir).mode & 0o777).toBe(0o700);
      } finally {
        await server.close();
      }
    },
    START_MS,
  );
});
