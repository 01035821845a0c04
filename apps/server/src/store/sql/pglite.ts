/**
 * The embedded durable store: PGlite (PostgreSQL compiled to WASM, loaded only when
 * `--data-dir` is used) on a directory only its owner can read. One server per directory: a lock
 * file holding the owner's pid refuses a second one, and a lock left by a killed server is taken
 * over.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SqlClient, SqlDatabase } from "./driver.js";

const LOCK_FILE = "server.lock";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the directory's lock, or throws naming the process that holds it. */
function lock(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) {
        throw new Error(
          `--data-dir ${dir} is in use by another server (pid ${pid}); stop it, or pick another directory`,
        );
      }
      // Left behind by a server that was killed: take it over.
      rmSync(file, { force: true });
    }
  }
  throw new Error(`--data-dir ${dir}: cannot take the lock file ${file}`);
}

export async function openPglite(dir: string): Promise<SqlDatabase> {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  const unlock = lock(dir);
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const pg = await PGlite.create(join(dir, "pgdata"));
    const adapt = (c: {
      query: (text: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;
      exec: (script: string) => Promise<unknown>;
    }): SqlClient => ({
      exec: async (script: string) => {
        await c.exec(script);
      },
      query: async <R>(text: string, params?: unknown[]) => ({
        rows: (await c.query(text, params)).rows as R[],
      }),
    });
    return {
      ...adapt(pg),
      transaction: (fn) => pg.transaction((tx) => fn(adapt(tx))),
      async close() {
        try {
          await pg.close();
        } finally {
          unlock();
        }
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}
