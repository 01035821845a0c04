/**
 * Real server processes (the built binary) for the tests across processes: `serve` starts one
 * on a free port and resolves its URL; every one still running is killed after the test file.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

// Creating a PGlite data dir or starting PostgreSQL on a loaded 2-core machine can take long.
export const SQL_START_MS = 180_000;

const cli = fileURLToPath(new URL("../bin/cts-csms-server.js", import.meta.url));
// Generous: on a loaded 2-core machine PGlite can take many seconds to create a data dir.
export const STARTUP_MS = 90_000;

export interface Process {
  url: Promise<string>;
  exit: Promise<number | null>;
  err: () => string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export const running = new Set<Process>();
afterAll(async () => {
  await Promise.all([...running].map((p) => p.kill("SIGKILL")));
});

export function serve(args: string[]): Process {
  const child = spawn(process.execPath, [cli, "--port", "0", "--log-level", "warn", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no URL in time; stderr: ${stderr}`)),
      STARTUP_MS,
    );
    child.stdout.on("data", (d) => {
      stdout += d;
      const found = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${stderr}`));
    });
  });
  url.catch(() => {});
  const p: Process = {
    url,
    exit,
    err: () => stderr,
    kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
  running.add(p);
  exit.then(() => running.delete(p));
  return p;
}
