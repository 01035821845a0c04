/**
 * The built binary (`bin/cts-csms-server.js`) as a child process, logging at `debug`, with
 * everything it prints (stdout and stderr, interleaved) captured; every process started is
 * stopped when the test file ends, whether its tests passed or not.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

const cli = fileURLToPath(new URL("../bin/cts-csms-server.js", import.meta.url));
// Generous: starting the server on a loaded 2-core machine can take long.
const START_MS = 120_000;

export interface Run {
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  url: Promise<string>;
  exit: Promise<number | null>;
  stop(): Promise<number | null>;
}

const running = new Set<Run>();
afterAll(async () => {
  await Promise.all([...running].map((r) => r.stop()));
});

/** Starts the binary on a free port with `args`; `$DATABASE_URL` is cleared unless `env` sets it. */
export function serve(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [cli, "--port", "0", "--log-level", "debug", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DATABASE_URL: "", ...env },
  });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in time: ${output}`)), START_MS);
    const look = () => {
      const found = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout.on("data", look);
    exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${output}`));
    });
  });
  url.catch(() => {});
  const run: Run = {
    output: () => output,
    url,
    exit,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exit;
    },
  };
  running.add(run);
  exit.then(() => running.delete(run));
  return run;
}
