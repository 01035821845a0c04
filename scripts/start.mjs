#!/usr/bin/env node
// `npm start`: build everything (turbo-cached), then run the reference server in this very
// process, so that the server is npm's own script process and gets its signals.
//
// - The build's output goes to a log file; one summary line is printed after the server's URL
//   and docs URL. A failed build prints the whole log.
// - Arguments after `npm start --` go to the server (`npm start -- --auth strict ...`); the port
//   is $PORT or 8080.
// - npm runs scripts through `sh -c`, and some shells (dash) stay in between as the parent. npm
//   forwards SIGTERM to that shell, which dies without passing it on; so this process also stops
//   when its parent goes away (the build here, the server in the CLI).
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const logFile = join(root, "node_modules", ".cache", "cts-csms", "start-build.log");
const shownLog = relative(process.cwd(), logFile) || logFile;
const parent = process.ppid;

/** Exit codes for signals, as a shell reports them. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 };

function build() {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, "w");
  const turbo = createRequire(join(root, "package.json")).resolve("turbo/bin/turbo");
  const child = spawn(process.execPath, [turbo, "run", "build"], {
    cwd: root,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  let stopSignal;
  const forward = (signal) => {
    stopSignal ??= signal;
    child.kill(signal);
  };
  const onSignal = { SIGINT: () => forward("SIGINT"), SIGTERM: () => forward("SIGTERM") };
  for (const [signal, handler] of Object.entries(onSignal)) process.on(signal, handler);
  const orphanWatch = setInterval(() => {
    if (process.ppid !== parent) forward("SIGTERM");
  }, 500);
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      clearInterval(orphanWatch);
      for (const [sig, handler] of Object.entries(onSignal)) process.off(sig, handler);
      resolve({ code, signal, stopSignal });
    });
  });
}

/** Where the time went: the build (often all cached) and the server's own start-up apart. */
function summary(buildMs, serverMs) {
  const text = readFileSync(logFile, "utf8");
  const tasks = /Tasks:\s+(\d+) successful, (\d+) total/.exec(text);
  const cached = /Cached:\s+(\d+) cached/.exec(text);
  const counts = tasks ? ` (${tasks[2]} tasks, ${cached?.[1] ?? 0} cached)` : "";
  const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
  return `built in ${seconds(buildMs)}${counts}, server started in ${seconds(serverMs)}; build log: ${shownLog}\n`;
}

const started = Date.now();
const progress = process.stderr.isTTY;
if (progress) process.stderr.write(`building (log: ${shownLog})…`);
const result = await build();
if (progress) process.stderr.write("\r\x1b[2K");

if (result.stopSignal) process.exit(SIGNAL_EXIT[result.stopSignal]);
if (result.code !== 0) {
  process.stderr.write(readFileSync(logFile, "utf8"));
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
  process.stderr.write(
    `\nnpm start: the build failed (turbo ${how}); the log above is in ${shownLog}\n`,
  );
  process.exit(result.code || 1);
}

// From here on this process is the server: the CLI parses process.argv and handles
// SIGINT/SIGTERM itself (graceful close, exit code 0).
process.title = "cts-csms-server";
const built = Date.now();
if (progress) process.stderr.write("starting the server (loading the specs and the validator)…\n");
await import(pathToFileURL(join(root, "apps", "server", "dist", "cli.js")).href);
process.stdout.write(summary(built - started, Date.now() - built));
