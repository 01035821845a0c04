/** A PostgreSQL server through `pg` (loaded only when `--database-url` is used). */
import type { Pool, PoolClient } from "pg";
import { isConnectionError, type SqlClient, type SqlDatabase, unavailable } from "./driver.js";

/** Connection failures become 503s; statement errors (e.g. unique violations) pass through. */
async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw isConnectionError(err) ? unavailable() : err;
  }
}

function client(c: Pool | PoolClient): SqlClient {
  return {
    query: <R>(text: string, params?: unknown[]) =>
      guarded(async () => ({ rows: (await c.query(text, params)).rows as R[] })),
    exec: (script: string) =>
      guarded(async () => {
        await c.query(script);
      }),
  };
}

export interface PostgresOptions {
  /** Connections per process (default 10). */
  max?: number;
  /** Called (without credentials or values) when an idle connection fails. */
  onError?: (message: string) => void;
}

export async function openPostgres(
  url: string,
  options: PostgresOptions = {},
): Promise<SqlDatabase> {
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
  });
  // An idle connection that dies (the server restarted) must not crash the process: the pool
  // drops it and the next query opens a new one.
  pool.on("error", (err) => options.onError?.(err.message));
  const db: SqlDatabase = {
    ...client(pool),
    async transaction(fn) {
      const c = await guarded(() => pool.connect());
      let broken = false;
      // A connection that dies while checked out (the database shut down) emits on the client,
      // not the pool: without a listener that would crash the process.
      const onError = (err: Error) => {
        broken = true;
        options.onError?.(err.message);
      };
      c.on("error", onError);
      try {
        await guarded(() => c.query("BEGIN"));
        const result = await fn(client(c));
        await guarded(() => c.query("COMMIT"));
        return result;
      } catch (err) {
        try {
          await c.query("ROLLBACK");
        } catch {
          broken = true;
        }
        throw err;
      } finally {
        c.off("error", onError);
        c.release(broken);
      }
    },
    close: () => pool.end(),
  };
  // Fail at start-up, with a clear message, when the database cannot be reached.
  try {
    await pool.query("SELECT 1");
  } catch (err) {
    await pool.end();
    // pg's messages name the host, port or user, never the password.
    throw new Error(`cannot use the database: ${(err as Error).message}`);
  }
  return db;
}
