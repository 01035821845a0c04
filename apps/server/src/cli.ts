#!/usr/bin/env node
/** `cts-csms-server`: the reference server from the command line. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LogLevel } from "./app.js";
import { stopWithNpm } from "./npmParent.js";
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
  --smn-signing-key FILE    PEM RSA private key that signs SMN messages (default: a new
                            key generated at start-up)
  --docs DIR                built docs site to serve at /docs (default: apps/docs/dist in
                            the repository, else the copy shipped in the package)
  --data-dir DIR            keep state in DIR (embedded PostgreSQL, PGlite; created owner-only);
                            survives restarts; one server per directory
  --database-url URL        keep state in PostgreSQL at URL (or $DATABASE_URL); any number of
                            replicas may share it
  --cors                    send CORS headers
  --rate-limit N/s          at most N requests a second per AK or token; beyond that 429
                            (APIG.0308, the gateway's envelope) with Retry-After
  --log-level LEVEL         fatal, error, warn, info (default), debug, trace or silent
  -h, --help                show this help
`;

const LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** A usage error: one line naming the flag, and exit code 2. */
function usage(message: string): never {
  process.stderr.write(`cts-csms-server: ${message}; see --help\n`);
  process.exit(2);
}

/** node:util parseArgs errors, as one short line each. */
function argumentError(err: NodeJS.ErrnoException): string {
  const quoted = /'([^']+)'/.exec(err.message)?.[1];
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${quoted ?? ""}`.trim();
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      // "Option '--port <value>' argument missing" or "Option '--cors' does not take an argument"
      const flag = quoted?.split(" ")[0] ?? "an option";
      return / argument missing/.test(err.message)
        ? `${flag} needs a value`
        : `${flag} takes no value`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${quoted ?? ""}`.trim();
    default:
      return err.message;
  }
}

function parsePort(value: string, from: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    usage(`${from} must be a port number from 0 to 65535, not "${value}"`);
  }
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
      "smn-signing-key": { type: "string" },
      docs: { type: "string" },
      "data-dir": { type: "string" },
      "database-url": { type: "string" },
      cors: { type: "boolean" },
      "rate-limit": { type: "string" },
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
  usage(argumentError(err as NodeJS.ErrnoException));
}
const flags = parsed.values;

if (flags.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const auth = flags.auth ?? "permissive";
if (auth !== "permissive" && auth !== "strict") {
  usage(`--auth must be permissive or strict, not "${auth}"`);
}
if (auth === "strict" && flags.credentials === undefined)
  usage("--auth strict needs --credentials FILE");
if (flags.credentials !== undefined && auth !== "strict")
  usage("--credentials needs --auth strict");
const level = (flags["log-level"] ?? "info") as LogLevel;
if (!LEVELS.includes(level)) {
  usage(`--log-level must be one of ${LEVELS.join(", ")}, not "${level}"`);
}
if (flags.seed !== undefined && !existsSync(flags.seed))
  usage(`--seed: no such file ${flags.seed}`);
if (flags["smn-signing-key"] !== undefined && !existsSync(flags["smn-signing-key"])) {
  usage(`--smn-signing-key: no such file ${flags["smn-signing-key"]}`);
}
if (flags.credentials !== undefined && !existsSync(flags.credentials)) {
  usage(`--credentials: no such file ${flags.credentials}`);
}

let rateLimit: number | undefined;
if (flags["rate-limit"] !== undefined) {
  const m = /^(\d+(?:\.\d+)?)\/s$/.exec(flags["rate-limit"]);
  if (!m || !(Number(m[1]) > 0)) {
    usage(`--rate-limit must be requests per second like 10/s, not "${flags["rate-limit"]}"`);
  }
  rateLimit = Number(m[1]);
}
const databaseUrl = flags["database-url"] ?? (process.env.DATABASE_URL || undefined);
if (flags["data-dir"] !== undefined && databaseUrl !== undefined) {
  usage(
    flags["database-url"] !== undefined
      ? "--data-dir and --database-url cannot be used together"
      : "--data-dir cannot be used while $DATABASE_URL is set",
  );
}
if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
  usage("--database-url must be a postgres:// or postgresql:// URL");
}

const port =
  flags.port !== undefined
    ? parsePort(flags.port, "--port")
    : parsePort(process.env.PORT || "8080", "$PORT");
// The docs site: in this repository the sibling build apps/docs/dist (../../docs/dist from
// dist/cli.js); in an installed package the copy `npm pack` ships in dist/docs.
const docsDirs = ["../../docs/dist", "./docs"].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);
const docsDir = flags.docs ?? docsDirs.find((dir) => existsSync(dir)) ?? docsDirs[0]!;
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
    ...(flags["smn-signing-key"] !== undefined && { smnSigningKey: flags["smn-signing-key"] }),
    docsDir,
    cors: flags.cors === true,
    logger: level,
    ...(rateLimit !== undefined && { rateLimit }),
    ...(flags["data-dir"] !== undefined && { dataDir: flags["data-dir"] }),
    ...(databaseUrl !== undefined && { databaseUrl }),
  });
} catch (err) {
  // Configuration problems (bad files, port in use) are the operator's: one line, no stack trace.
  const e = err as NodeJS.ErrnoException;
  const where = `port ${port} on ${flags.host ?? "127.0.0.1"}`;
  if (e.code === "EADDRINUSE") {
    process.stderr.write(
      `cts-csms-server: ${where} is already in use; stop the other process, or pick another port (--port 0 picks a free one)\n`,
    );
    process.exit(1);
  }
  if (e.syscall === "listen" && (e.code === "EACCES" || e.code === "EADDRNOTAVAIL")) {
    const problem = e.code === "EACCES" ? "no permission to listen on" : "cannot bind";
    process.stderr.write(
      `cts-csms-server: ${problem} ${where}; pick another port or --host (--port 0 picks a free one)\n`,
    );
    process.exit(1);
  }
  process.stderr.write(`cts-csms-server: ${e.message}\n`);
  process.exit(2);
}

// Signal handlers first: whoever reads the URL line may signal straight away.
let stopping = false;
function stop(why: { signal: NodeJS.Signals } | { parentExited: number }): void {
  if (stopping) return;
  stopping = true;
  server.logger.info(why, "shutting down");
  server.close().then(
    () => {
      // pino writes asynchronously: exit once its buffer (the "shutting down" line included) is
      // out, or it is lost when a parent that went away left us to exit alone.
      const exit = () => process.exit(0);
      // A logger that writes nothing may never call back: exit regardless after a second.
      setTimeout(exit, 1000);
      if (typeof server.logger.flush === "function") server.logger.flush(exit);
      else exit();
    },
    (err: Error) => {
      process.stderr.write(`cts-csms-server: ${err.message}\n`);
      process.exit(1);
    },
  );
}
process.on("SIGINT", () => stop({ signal: "SIGINT" }));
process.on("SIGTERM", () => stop({ signal: "SIGTERM" }));
// Under npm, npm's SIGTERM may stop only the shell between npm and the server: see npmParent.ts.
stopWithNpm((parent) => stop({ parentExited: parent }));

// The checks of every operation run once it listens; one that fails stops the server.
server.checked.catch((err: Error) => {
  process.stderr.write(`cts-csms-server: ${err.message}\n`);
  server.close().finally(() => process.exit(1));
});

// The first two lines: where the server is, and where its docs are.
const docs = existsSync(docsDir)
  ? `${server.url}/docs/`
  : `none (no built site in ${docsDir}; pass --docs DIR)`;
process.stdout.write(`cts-csms-server listening on ${server.url} (auth: ${auth})\ndocs: ${docs}\n`);
