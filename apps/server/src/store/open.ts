/**
 * The store a server runs on: in memory (the default), PGlite on `dataDir`, or PostgreSQL at
 * `databaseUrl`. The SQL drivers are imported only when asked for, so the in-memory server loads
 * none of them.
 */
import { createMemoryStore } from "./memory.js";
import type { Store, TraceCap } from "./types.js";

export interface StoreOptions {
  /** Embedded durable store (PGlite) in this directory, created owner-only when missing. */
  dataDir?: string;
  /** A PostgreSQL server (`postgres://…`), shared by any number of replicas. */
  databaseUrl?: string;
  /** Reports driver trouble (never credentials or values). */
  onError?: (message: string) => void;
  /** The trace cap (tests; the server keeps the defaults). */
  traceCap?: TraceCap;
}

export async function openStore(options: StoreOptions = {}): Promise<Store> {
  if (options.dataDir !== undefined && options.databaseUrl !== undefined) {
    throw new Error("use either a data dir or a database URL, not both");
  }
  if (options.dataDir === undefined && options.databaseUrl === undefined) {
    return createMemoryStore({ ...(options.traceCap && { traceCap: options.traceCap }) });
  }
  const [{ createSqlStore }, { migrate }, { withoutValuesInErrors }] = await Promise.all([
    import("./sql/store.js"),
    import("./sql/migrate.js"),
    import("./sql/driver.js"),
  ]);
  const driver =
    options.dataDir !== undefined
      ? await (await import("./sql/pglite.js")).openPglite(options.dataDir)
      : await (await import("./sql/postgres.js")).openPostgres(options.databaseUrl as string, {
          ...(options.onError && { onError: options.onError }),
        });
  const db = withoutValuesInErrors(driver);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  // A data dir is held by one server (its lock file): PGlite's rows change only through it.
  return createSqlStore(db, {
    processLocal: options.dataDir !== undefined,
    ...(options.traceCap && { traceCap: options.traceCap }),
  });
}
