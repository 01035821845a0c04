// Starting and stopping the servers under test, each as its own process (the load generator is
// this process), and reading a process's resident memory.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const serverPackage = require.resolve("@cts-csms/server/package.json");
/** The `cts-csms-server` binary, as users run it. */
export const serverCli = join(
  dirname(serverPackage),
  require(serverPackage).bin["cts-csms-server"],
);
export const bareServer = new URL("./bare-server.mjs", import.meta.url).pathname;
export const prismCli = require.resolve("@stoplight/prism-cli/dist/index.js");
export const spec = (api) => require.resolve(`@cts-csms/openapi/${api}.json`);

// The servers still running. If this process ends early (an exception, or SIGINT/SIGTERM, as
// when the bench smoke test times out), they are killed with it instead of living on.
const live = new Set();
let hooked = false;
function track(child) {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const c of live) c.kill("SIGKILL");
  };
  process.once("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

/** Spawns a process and resolves with its URL once a line of its output matches `ready`. */
export function start(name, command, args, ready, { timeoutMs = 120_000 } = {}) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} did not start in ${timeoutMs} ms:\n${output.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk) => {
      // Prism logs every request; keep only the start of the output.
      if (output.length < 20_000) output += chunk.toString();
      const m = output.match(ready);
      if (m) {
        clearTimeout(timer);
        child.stdout.removeListener("data", onData);
        child.stderr.removeListener("data", onData);
        child.stdout.resume();
        child.stderr.resume();
        resolve({
          name,
          url: m[1],
          pid: child.pid,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once("exit", done);
              child.kill("SIGTERM");
              setTimeout(() => child.kill("SIGKILL"), 5000).unref();
            }),
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
}

const LISTENING = /listening on (http:\/\/[^\s)]+)/;

export const targets = {
  bare: (seed) => start("bare", process.execPath, [bareServer, "--seed", seed], LISTENING),
  validated: (seed) =>
    start(
      "validated",
      process.execPath,
      [serverCli, "--port", "0", "--log-level", "warn", "--seed", seed],
      LISTENING,
    ),
  noResponseValidation: (seed) =>
    start(
      "no-response-validation",
      process.execPath,
      [serverCli, "--port", "0", "--log-level", "warn", "--no-response-validation", "--seed", seed],
      LISTENING,
    ),
  /** The reference server with more arguments (a store: `--data-dir DIR`, `--database-url URL`). */
  server: (name, args, options) =>
    start(
      name,
      process.execPath,
      [serverCli, "--port", "0", "--log-level", "warn", ...args],
      LISTENING,
      options,
    ),
  /** Prism mocks one document per process, so each API gets its own. */
  prism: async (api, port) =>
    start(
      `prism ${api}`,
      process.execPath,
      [prismCli, "mock", "-h", "127.0.0.1", "-p", String(port), "--errors", "false", spec(api)],
      /Prism is listening on (http:\/\/[^\s]+)/,
    ),
};

/** Resident set size of a process in bytes (Linux /proc). */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(status.match(/VmRSS:\s+(\d+)\s+kB/)?.[1]);
  return kb * 1024;
}

/** Peak resident set size of a process so far, in bytes (Linux /proc: VmHWM). */
export function peakRssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmHWM:\s+(\d+)\s+kB/)?.[1]) * 1024;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc, clock ticks of 10 ms). */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // utime and stime are fields 14 and 15 of stat; here indexes 11 and 12 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

let settling = true;

/**
 * `--quick` (the smoke test): `idle` returns at once. On a loaded machine each server's warm-up
 * takes its full 20 s there, which made the smoke run mostly waiting; its figures do not count.
 */
export function skipSettling() {
  settling = false;
}

/**
 * Resolves once a process has gone idle (under 20 ms of CPU in each of four 250 ms windows in a
 * row), or after `maxMs`: the reference server warms up and self-checks every operation in the
 * background once it listens (after a 500 ms pause), which would otherwise land in the first
 * measured operation's CPU figures.
 */
export async function idle(pid, maxMs = 20_000) {
  if (!settling) return;
  const until = Date.now() + maxMs;
  let last = cpuSeconds(pid);
  let quiet = 0;
  while (quiet < 4 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = cpuSeconds(pid);
    quiet = now - last < 0.02 ? quiet + 1 : 0;
    last = now;
  }
}
