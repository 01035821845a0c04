/**
 * The minimal query interface the SQL store needs, which PGlite and `pg` both satisfy through a
 * thin adapter: parametrised queries, transactions, close.
 */
import { ApiError } from "../../errors.js";

export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs a script of several statements without parameters (a migration). */
  exec(script: string): Promise<void>;
}

export interface SqlDatabase extends SqlClient {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** PostgreSQL's unique_violation SQLSTATE. */
export const UNIQUE_VIOLATION = "23505";

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
}

/**
 * Connection failures (refused, reset, terminated, the server shutting down or out of
 * connections) as opposed to errors in a statement: the client sees 503 and may retry.
 */
export function isConnectionError(err: unknown): boolean {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  if (/^(08|53|57P)/.test(code)) return true;
  if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...
  const message = typeof e.message === "string" ? e.message : "";
  return /Connection terminated|connection error|Client was closed|timeout exceeded when trying to connect/i.test(
    message,
  );
}

export function unavailable(): ApiError {
  return new ApiError("unavailable", "The database is unavailable; retry later");
}
