#!/usr/bin/env node
/** `cts-csms-server`: the reference server from the command line. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LogLevel } from "./app.js";
import { createServer } from "./server.js";

const HELP = `Usage: cts-csms-server [options]

Reference server for Huawei Cloud CTS v3 key event notifications and CSMS v1 secret events.

Options:
  --port N                  port to listen on (default 8080, or $PORT; 0 = ephemeral)
  --host HOST               interface to bind (default 127.0.0.1)
  --auth MODE               permissive (default) or strict
  --credentials FILE        JSON credentials file (required with --auth strict)
  --no-response-validation  do not validate responses against the spec
  --seed FILE               JSON file of notifications/events to preload per project
  --deterministic           fixed clock from 2024-01-01T00:00:00Z and sequential ids
  --docs DIR                built docs site to serve at /docs (default: apps/docs/dist)
  --cors                    send CORS headers
  --log-level LEVEL         fatal, error, warn, info (default), debug, trace or silent
  -h, --help                show this help
`;

const LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function usage(message: string): never {
  process.stderr.write(`cts-csms-server: ${message}\n\n${HELP}`);
  process.exit(2);
}

function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) usage(`invalid port "${value}"`);
  return Number(value);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      auth: { type: "string" },
      credentials: { type: "string" },
      "no-response-validation": { type: "boolean" },
      seed: { type: "string" },
      deterministic: { type: "boolean" },
      docs: { type: "string" },
      cors: { type: "boolean" },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}
try {
  parsed = parse();
} catch (err) {
  usage((err as Error).message);
}
const flags = parsed.values;

if (flags.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const auth = flags.auth ?? "permissive";
if (auth !== "permissive" && auth !== "strict") usage(`--auth must be permissive or strict`);
if (auth === "strict" && flags.credentials === undefined)
  usage("--auth strict needs --credentials FILE");
if (flags.credentials !== undefined && auth !== "strict")
  usage("--credentials needs --auth strict");
const level = (flags["log-level"] ?? "info") as LogLevel;
if (!LEVELS.includes(level)) usage(`--log-level must be one of ${LEVELS.join(", ")}`);
if (flags.seed !== undefined && !existsSync(flags.seed))
  usage(`--seed: no such file ${flags.seed}`);
if (flags.credentials !== undefined && !existsSync(flags.credentials)) {
  usage(`--credentials: no such file ${flags.credentials}`);
}

const port = parsePort(flags.port ?? process.env.PORT ?? "8080");
// dist/cli.js → ../../docs/dist is apps/docs/dist, the sibling docs build.
const defaultDocs = fileURLToPath(new URL("../../docs/dist", import.meta.url));
const docsDir = flags.docs ?? defaultDocs;
if (flags.docs !== undefined && !existsSync(flags.docs))
  usage(`--docs: no such directory ${flags.docs}`);

let server: Awaited<ReturnType<typeof createServer>>;
try {
  server = await createServer({
    port,
    host: flags.host ?? "127.0.0.1",
    auth,
    ...(flags.credentials !== undefined && { credentials: flags.credentials }),
    responseValidation: !flags["no-response-validation"],
    ...(flags.seed !== undefined && { seed: flags.seed }),
    deterministic: flags.deterministic === true,
    docsDir,
    cors: flags.cors === true,
    logger: level,
  });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  // Configuration problems (bad files, port in use) are the operator's: no stack trace.
  process.stderr.write(`cts-csms-server: ${e.message}\n`);
  process.exit(e.code === "EADDRINUSE" || e.code === "EACCES" ? 1 : 2);
}

const docs = existsSync(docsDir) ? `${server.url}/docs` : "not built";
process.stdout.write(`cts-csms-server listening on ${server.url} (docs: ${docs}, auth: ${auth})\n`);

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  server.logger.info({ signal }, "shutting down");
  server.close().then(
    () => {
      server.logger.flush?.();
      process.exit(0);
    },
    (err: Error) => {
      process.stderr.write(`cts-csms-server: ${err.message}\n`);
      process.exit(1);
    },
  );
}
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
