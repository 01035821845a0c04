// Paths and processes shared by the tests: the repository root, an environment like a user's
// shell, and child processes that are always stopped.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

// What must not outlive the test process, even when it is interrupted (turbo stops the other
// tasks when one fails): temp dirs and the process groups of servers started in the background.
const tempDirs = new Set<string>();
const groups = new Set<number>();
function cleanUp(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  groups.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
process.once("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(1);
  });
}

/** A fresh temp dir (under `parent`, the system's temp dir by default), removed by `remove()`
 *  or, at the latest, when the process exits or is interrupted. */
export function tempDir(prefix: string, parent = tmpdir()): { path: string; remove(): void } {
  const path = mkdtempSync(join(parent, prefix));
  tempDirs.add(path);
  return {
    path,
    remove() {
      rmSync(path, { recursive: true, force: true });
      tempDirs.delete(path);
    },
  };
}

/**
 * The environment of a user's shell: without the `npm_*` variables and the `node_modules/.bin`
 * entries of PATH that `npm test` adds, so that `npx`, `npm` and `node` behave as they do for
 * someone who types the documented command.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === "INIT_CWD") continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((dir) => !dir.includes("/node_modules/"))
    .join(":");
  return { ...env, NO_UPDATE_NOTIFIER: "1", ...extra };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws for a non-zero exit (the caller asserts). */
export function run(
  file: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? userEnv(),
        timeout: options.timeoutMs ?? 240_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: error && code === 1 && !stderr ? error.message : stderr });
      },
    );
  });
}

/** Fails with the command's output, so a failing step explains itself. */
export function ok(result: RunResult, what: string): RunResult {
  if (result.code !== 0) {
    throw new Error(`${what} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

export interface Background {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM to the whole process group (npx → npm → sh → node), SIGKILL if it lingers. */
  stop(): Promise<void>;
}

/** Starts a shell command in its own process group, as a terminal would. */
export function background(
  command: string,
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Background {
  const child = spawn("sh", ["-c", command], {
    cwd: options.cwd,
    env: options.env ?? userEnv(),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  groups.add(child.pid!);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) {
            done();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`\`${command}\`: no ${pattern} after ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const onExit = () => {
          check();
          done();
          reject(
            new Error(`\`${command}\` exited (${child.exitCode}) before ${pattern}:\n${output}`),
          );
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off("exit", onExit);
        };
        listeners.add(check);
        child.once("exit", onExit);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) {
        signalGroup("SIGKILL");
        groups.delete(child.pid!);
        return;
      }
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
      // npm exec may exit before the server it started: make sure the group is gone.
      signalGroup("SIGKILL");
      groups.delete(child.pid!);
    },
  };
}

/** The server URL from a `cts-csms-server` start-up line. */
export const SERVER_URL = /https?:\/\/127\.0\.0\.1:(\d+)/;
