/**
 * `@cts-csms/server/testing/temp-dir`: temp dirs for tests that are removed however the test run
 * ends. `close()` from an `afterAll` or a `finally` removes one at once; if the process ends first
 * (vitest exits within a millisecond of SIGINT without running teardowns, and SIGKILLs its
 * workers; turbo cancels a task), a watcher process removes every dir still registered, after
 * stopping the PostgreSQL server whose `postmaster.pid` a dir holds.
 *
 * One watcher per process, started on first use: a `node -e` process in a session of its own (so
 * a Ctrl-C to the test run's process group does not reach it) that reads one JSON line per dir
 * from its stdin, and acts when that stdin closes, which it does when this process ends in any way.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const WATCHER = `
const fs = require("node:fs");
const dirs = new Map();
const alive = (pid, pidFile) => { try { process.kill(pid, 0); return fs.existsSync(pidFile); } catch { return false; } };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let rest = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  const lines = (rest + chunk).split("\\n");
  rest = lines.pop();
  for (const line of lines) {
    const { add, forget, pidFile } = JSON.parse(line);
    if (add) dirs.set(add, pidFile);
    if (forget) dirs.delete(forget);
  }
});
async function remove(dir, pidFile) {
  let pid = 0;
  try { if (pidFile) pid = Number(fs.readFileSync(pidFile, "utf8").split("\\n")[0]); } catch {}
  if (pid > 0 && alive(pid, pidFile)) {
    process.kill(pid, "SIGINT");
    for (let i = 0; i < 600 && alive(pid, pidFile); i++) await sleep(100);
    if (alive(pid, pidFile)) process.kill(pid, "SIGKILL");
  }
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
}
process.stdin.on("close", () => Promise.all([...dirs].map(([dir, pidFile]) => remove(dir, pidFile))));
`;

let watcher: ChildProcess | undefined;

function tell(message: { add?: string; forget?: string; pidFile?: string }): void {
  if (!watcher) {
    watcher = spawn(process.execPath, ["-e", WATCHER], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
      windowsHide: true,
    });
    // It must not keep this process alive: this process's end is what it waits for.
    watcher.unref();
    (watcher.stdin as Socket).unref();
  }
  watcher.stdin?.write(`${JSON.stringify(message)}\n`);
}

export interface TempDir {
  readonly path: string;
  /** Removes the dir now (and tells the watcher it is gone). */
  close(): void;
}

/**
 * Registers `dir` (an existing dir) for removal when this process ends, whichever way it ends.
 * With `pidFile`, the PostgreSQL server that file names is stopped first. Returns the function
 * that removes it now.
 */
export function removeOnExit(dir: string, pidFile?: string): () => void {
  tell({ add: dir, pidFile });
  return () => {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    tell({ forget: dir });
  };
}

/** A fresh temp dir named `<prefix>XXXXXX`, removed by `close()` or when this process ends. */
export function tempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, close: removeOnExit(path) };
}
