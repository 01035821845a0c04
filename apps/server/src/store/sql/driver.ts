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

/**
 * The lock a sweep's take puts on what it claims: rows another process's write holds are skipped
 * (`SKIP LOCKED`), or waited for (`wait`), then taken only if still due once that write ends. A
 * take that waits asks for one row at a time, so that it holds none while it waits. Each take
 * orders by its rows' whole key, and returns them in that order: what one sweep fires, it fires
 * in the memory store's order.
 */
export const lockFor = (wait: boolean) => (wait ? "FOR UPDATE" : "FOR UPDATE SKIP LOCKED");

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

/**
 * A failed statement, as it may be logged: the SQLSTATE, the constraint, table and column it
 * names, and the statement's operation (`INSERT secret_versions`). Nothing else of the driver's
 * error is kept: PGlite attaches the query's parameters, PostgreSQL's `detail` quotes the failing
 * row ("Failing row contains (…)") and some messages quote a value, any of which may be a
 * secret value or a request body.
 */
export class DatabaseFailure extends Error {
  readonly code: string | undefined;
  readonly constraint: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;
  readonly operation: string;

  constructor(err: unknown, statement: string) {
    const e = (err ?? {}) as Record<string, unknown>;
    const field = (name: string) => (typeof e[name] === "string" ? (e[name] as string) : undefined);
    const operation = operationOf(statement);
    const code = field("code");
    super(`database error ${code ?? "(no SQLSTATE)"} in ${operation}`);
    this.name = "DatabaseFailure";
    this.code = code;
    this.constraint = field("constraint");
    this.table = field("table");
    this.column = field("column");
    this.operation = operation;
  }
}

/** `INSERT secret_versions`, `SELECT secrets`, …: the verb and first table of a statement. */
function operationOf(statement: string): string {
  const text = statement.trim().replace(/\s+/g, " ");
  const verb = /^[A-Za-z]+/.exec(text)?.[0]?.toUpperCase() ?? "SQL";
  const table = /\b(?:FROM|INTO|UPDATE|TABLE)\s+([a-z_][a-z0-9_]*)/i.exec(text)?.[1];
  return table === undefined ? verb : `${verb} ${table}`;
}

/** Statement errors become a {@link DatabaseFailure}; the server's own errors pass through. */
function failure(err: unknown, statement: string): unknown {
  return err instanceof ApiError || err instanceof DatabaseFailure
    ? err
    : new DatabaseFailure(err, statement);
}

function safeClient<C extends SqlClient>(c: C): SqlClient {
  return {
    query: async <R>(text: string, params?: unknown[]) => {
      try {
        return await c.query<R>(text, params);
      } catch (err) {
        throw failure(err, text);
      }
    },
    exec: async (script: string) => {
      try {
        await c.exec(script);
      } catch (err) {
        throw failure(err, script);
      }
    },
  };
}

/**
 * The database with every error stripped of values ({@link DatabaseFailure}), whatever the
 * driver: what reaches a handler, the error stage and so the log carries no parameter, row or
 * request body.
 */
export function withoutValuesInErrors(db: SqlDatabase): SqlDatabase {
  return {
    ...safeClient(db),
    transaction: async (fn) => {
      try {
        return await db.transaction((tx) => fn(safeClient(tx)));
      } catch (err) {
        // `fn`'s statement errors are stripped already; BEGIN's or COMMIT's are the database's
        // (they carry a severity), anything else is the server's own and keeps its stack.
        const fromDatabase = typeof (err as { severity?: unknown } | null)?.severity === "string";
        throw fromDatabase ? failure(err, "COMMIT") : err;
      }
    },
    close: () => db.close(),
  };
}
