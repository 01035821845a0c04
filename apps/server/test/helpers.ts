/** Test helpers: a real server on an ephemeral port, and fetch with envelope checks built in. */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { createServer, type RunningServer, type ServerOptions } from "../src/index.js";
import { type TestPostgres, testPostgres } from "../src/testing/postgres.js";
import { tempDir as removableTempDir } from "../src/testing/tempDir.js";

export const TOKEN = { "X-Auth-Token": "test-token" } as const;
export const JSON_HEADERS = { ...TOKEN, "Content-Type": "application/json" } as const;

const require = createRequire(import.meta.url);
type Examples = Record<string, { value: unknown }>;
const specs = {
  cts: require("@cts-csms/openapi/cts.json") as { components: { examples: Examples } },
  csms: require("@cts-csms/openapi/csms.json") as { components: { examples: Examples } },
};

/**
 * A fresh directory in the OS temp dir for a test file's fixtures (credentials, docs, seeds),
 * removed when the file's tests end, whether they passed or not. Call it at file or describe
 * level; inside a test, use `onTestFinished` instead.
 */
export function tempDir(name: string): string {
  // Also removed if the run is interrupted (vitest skips teardowns on Ctrl-C).
  const dir = removableTempDir(`cts-csms-${name}-`);
  afterAll(() => dir.close());
  return dir.path;
}

/** A named example's value from the bundled spec (a fresh copy). */
export function example(api: "cts" | "csms", name: string): any {
  const found = specs[api].components.examples[name];
  if (!found) throw new Error(`no example ${name} in ${api}`);
  return structuredClone(found.value);
}

export interface TestServer extends RunningServer {
  call(method: string, path: string, init?: CallInit): Promise<CallResult>;
}

export interface CallInit {
  body?: unknown;
  /** Sent verbatim instead of JSON-encoding `body`. */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Skip the default X-Auth-Token / Content-Type headers. */
  bare?: boolean;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/**
 * Starts a server for the current test file (closed afterwards). Unless told otherwise it
 * asserts at the end that no response failed response validation.
 */
export async function start(
  options: ServerOptions = {},
  { expectResponseFailures = false } = {},
): Promise<TestServer> {
  const server = await createServer({ port: 0, logger: false, ...options });
  afterAll(async () => {
    if (!expectResponseFailures) expect(server.responseValidationFailures()).toBe(0);
    // Every operation's validators were compiled and checked once it listened.
    await server.checked;
    await server.close();
  });
  const call = (method: string, path: string, init: CallInit = {}) =>
    request(server.url, method, path, init);
  return Object.assign(server, { call });
}

/** Checks the service's own error envelope for the path's API. */
export function expectEnvelope(path: string, body: any, code?: string): void {
  if (path.startsWith("/v1/")) {
    expect(Object.keys(body)).toEqual(["error"]);
    expect(Object.keys(body.error).sort()).toEqual(["error_code", "error_msg"]);
    expect(body.error.error_code).toMatch(/^CSMS\.\d{4}$/);
    expect(typeof body.error.error_msg).toBe("string");
    if (code) expect(body.error.error_code).toBe(code);
  } else {
    expect(Object.keys(body).sort()).toEqual(["error_code", "error_msg"]);
    expect(body.error_code).toMatch(/^CTS\.\d{4}$/);
    expect(typeof body.error_msg).toBe("string");
    if (code) expect(body.error_code).toBe(code);
  }
}

/** The error message of either envelope. */
export function errorMessage(body: any): string {
  return body.error?.error_msg ?? body.error_msg;
}

export async function request(
  base: string,
  method: string,
  path: string,
  init: CallInit = {},
): Promise<CallResult> {
  const headers: Record<string, string> = init.bare ? {} : { ...TOKEN };
  let body: string | Uint8Array | undefined;
  if (init.raw !== undefined) body = init.raw;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    if (!init.bare) headers["Content-Type"] = "application/json";
  }
  Object.assign(headers, init.headers);
  const res = await fetch(base + path, { method, headers, body: body as BodyInit | undefined });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  // No client input may produce a 5xx, and every error carries the envelope.
  expect(res.status, `${method} ${path} → ${res.status} ${text}`).toBeLessThan(500);
  if (
    res.status >= 400 &&
    (path.startsWith("/v1/") || path.startsWith("/v3/") || !path.startsWith("/docs"))
  ) {
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expectEnvelope(path, parsed);
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/**
 * Declares `tests` once per store, in a describe each (`${title}: memory`, `: PGlite`,
 * `: PostgreSQL`); `tests` gets the server options of its store (read them inside a test: the
 * PostgreSQL database is made in a `beforeAll`). The data dir and the database are removed when
 * the file's tests end.
 */
export function onEveryStore(title: string, tests: (options: () => ServerOptions) => void): void {
  describe(`${title}: memory`, () => tests(() => ({})));
  describe(`${title}: PGlite`, () => {
    const dir = tempDir("every-store");
    tests(() => ({ dataDir: `${dir}/data` }));
  });
  describe(`${title}: PostgreSQL`, () => {
    let postgres: TestPostgres | undefined;
    let databaseUrl = "";
    beforeAll(async () => {
      postgres = await testPostgres();
      databaseUrl = await postgres.database();
    }, 120_000);
    afterAll(() => postgres?.close());
    tests(() => ({ databaseUrl }));
  });
}
