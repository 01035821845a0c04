/**
 * The embedded durable store: PGlite (PostgreSQL compiled to WASM, loaded only when
 * `--data-dir` is used) on a directory only its owner can read. One server per directory: a lock
 * file holding the owner's pid refuses a second one, and a lock left by a killed server is taken
 * over.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
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

/** What a file-system error code means for the operator. */
const CAUSES: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a part of the path is a file, not a directory",
  EROFS: "read-only file system",
  // mkdir under /proc or /sys: a virtual file system has no room for new directories.
  ENOENT: "cannot be created there (a virtual file system such as /proc?)",
  ENOSPC: "no space left on the device",
  EEXIST: "a file, not a directory",
};

/** A file-system error while opening `--data-dir`, as one line: the flag, the path, the cause. */
export function dataDirError(dir: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const cause = code !== undefined && code in CAUSES ? `${code}: ${CAUSES[code]}` : undefined;
  if (cause === undefined) return err as Error;
  return new Error(
    `--data-dir ${dir}: ${cause}; pick a directory this user can write on a disk, e.g. --data-dir ./cts-csms-data`,
    { cause: err },
  );
}

/**
 * Creates `dir` and its missing parents owner-only, one level at a time: Node's recursive mkdir
 * loops forever on a path under /proc instead of failing.
 */
function makeDir(dir: string): void {
  const missing: string[] = [];
  const target = resolve(dir);
  for (let path = target; ; path = dirname(path)) {
    const info = statSync(path, { throwIfNoEntry: false });
    if (info !== undefined) {
      // A file as the dir itself, or as a folder above it. Named here, not left to statSync:
      // Node 20 throws ENOTDIR below a file, where Node 22+ answers "no entry".
      if (!info.isDirectory()) {
        throw Object.assign(new Error(path), { code: path === target ? "EEXIST" : "ENOTDIR" });
      }
      break;
    }
    missing.unshift(path);
    if (dirname(path) === path) break;
  }
  for (const path of missing) {
    mkdirSync(path, { mode: 0o700 });
    chmodSync(path, 0o700);
  }
}

export async function openPglite(dir: string): Promise<SqlDatabase> {
  let unlock: () => void;
  try {
    makeDir(dir);
    unlock = lock(dir);
  } catch (err) {
    throw dataDirError(dir, err);
  }
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
    throw dataDirError(dir, err);
  }
}
