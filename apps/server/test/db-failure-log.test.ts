/**
 * A database failure is logged without values. The database (PGlite, PostgreSQL) refuses, by
 * CHECK constraints of the test's own, every row that holds a marker value as it is written by
 * createSecret, createSecretVersion (the marker as `secret_string`), updateSecret (the marker as
 * `description`) and rotateSecret (of a secret whose description is the marker). The built
 * binary runs at `debug`; every line it prints (stdout and stderr) is searched for the marker.
 * PGlite attaches a failed query's parameters to its error, and PostgreSQL's `detail` quotes the
 * failing row: neither may reach the log. The client gets the 500 envelope with the request id.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../src/store/sql/migrate.js";
import { openPglite } from "../src/store/sql/pglite.js";
import { type TestPostgres, testPostgres } from "../src/testing/postgres.js";
import { type Run, serve } from "./binary.js";
import { tempDir } from "./helpers.js";

const START_MS = 120_000;
const MARKER = `DBLEAKMARKER${randomUUID().replaceAll("-", "")}`;
const P = "p1";

/**
 * Rows refused: a version whose value holds the marker, and a secret whose body holds it once it
 * was changed after its creation (so a secret may be created with it, then fail to change).
 */
const REFUSE_MARKER = [
  `ALTER TABLE secret_versions ADD CONSTRAINT no_marker_value
     CHECK (strpos(coalesce(secret_string, ''), '${MARKER}') = 0)`,
  `ALTER TABLE secrets ADD CONSTRAINT no_marker_change
     CHECK (strpos(body, '${MARKER}') = 0
            OR (body::jsonb)->>'update_time' = (body::jsonb)->>'create_time')`,
];

async function call(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { "X-Auth-Token": "t", "Content-Type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, requestId: res.headers.get("x-request-id"), body: await res.json() };
}

/** The four writes, each refused by the database; the log never shows the marker. */
async function writesFailWithoutValuesInTheLog(run: Run) {
  const url = await run.url;
  const secret = (name: string, extra: Record<string, unknown> = {}) =>
    call(url, "POST", `/v1/${P}/secrets`, { name, secret_string: "plain", ...extra });
  expect((await secret("plain")).status).toBe(200);
  expect((await secret("to-rotate", { description: MARKER })).status).toBe(200);

  const failed = [
    await secret("with-marker", { secret_string: MARKER }),
    await call(url, "POST", `/v1/${P}/secrets/plain/versions`, { secret_string: MARKER }),
    await call(url, "PUT", `/v1/${P}/secrets/plain`, { description: MARKER }),
    await call(url, "POST", `/v1/${P}/secrets/to-rotate/rotate`),
  ];
  for (const answer of failed) {
    expect(answer.status).toBe(500);
    expect(answer.body.error.error_code).toBe("CSMS.9500");
    expect(answer.body.error.error_msg).toContain(answer.requestId);
    expect(JSON.stringify(answer.body)).not.toContain(MARKER);
  }
  expect(await run.stop()).toBe(0);
  const lines = run.output().split("\n").filter(Boolean);
  expect(lines.filter((l) => l.includes(MARKER))).toEqual([]);
  // Each failure was logged, with what is safe to say: the SQLSTATE, constraint and operation.
  const logged = lines
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l))
    .filter((l) => l.msg === "unexpected failure");
  expect(logged.map((l) => l.reqId)).toEqual(failed.map((f) => f.requestId));
  expect(logged.map((l) => [l.operationId, l.err.code, l.err.constraint, l.err.operation])).toEqual(
    [
      ["createSecret", "23514", "no_marker_value", "INSERT secret_versions"],
      ["createSecretVersion", "23514", "no_marker_value", "INSERT secret_versions"],
      ["updateSecret", "23514", "no_marker_change", "UPDATE secrets"],
      ["rotateSecret", "23514", "no_marker_change", "UPDATE secrets"],
    ],
  );
}

describe("database failures are logged without values", { timeout: 4 * START_MS }, () => {
  // Made while the file is collected, so its afterAll removes it (a hook added inside a test is not run).
  const pgliteDir = tempDir("db-failure-log");
  it("on PGlite", async () => {
    const dir = `${pgliteDir}/data`;
    // The data dir is the server's alone once it runs: its schema and the constraints first.
    const db = await openPglite(dir);
    try {
      await migrate(db);
      for (const sql of REFUSE_MARKER) await db.exec(sql);
    } finally {
      await db.close();
    }
    await writesFailWithoutValuesInTheLog(serve(["--data-dir", dir]));
  });

  describe("on PostgreSQL", () => {
    let postgres: TestPostgres;
    beforeAll(async () => {
      postgres = await testPostgres();
    }, START_MS);
    afterAll(() => postgres?.close());

    it("refused rows, parameters and details stay out of the log", async () => {
      const databaseUrl = await postgres.database();
      // The server migrates the database at start-up; the constraints come after.
      const run = serve(["--database-url", databaseUrl]);
      await run.url;
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        for (const sql of REFUSE_MARKER) await client.query(sql);
      } finally {
        await client.end();
      }
      await writesFailWithoutValuesInTheLog(run);
    });
  });
});
